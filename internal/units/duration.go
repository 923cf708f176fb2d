package units

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Day and Week are the calendar-free lengths ParseDuration gives d and w.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

var weeksDays = regexp.MustCompile(`^(?:([0-9]+)w)?(?:([0-9]+)d)?(.*)$`)

// ParseDuration reads an age as Go's time.ParseDuration does ("36h",
// "90m"), with weeks and days in front ("2w", "30d", "1d12h"): a day is 24
// hours and a week 7 days. Negative ages are refused.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	m := weeksDays.FindStringSubmatch(t)
	if t == "" || m == nil || (m[1] == "" && m[2] == "" && m[3] == "") {
		return 0, fmt.Errorf("bad duration %q (want e.g. 30d, 2w, 36h or 1d12h)", s)
	}
	var total time.Duration
	add := func(n string, unit time.Duration) error {
		if n == "" {
			return nil
		}
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v > int64(math.MaxInt64/unit) || total > math.MaxInt64-time.Duration(v)*unit {
			return fmt.Errorf("duration %q is too long", s)
		}
		total += time.Duration(v) * unit
		return nil
	}
	if err := add(m[1], Week); err != nil {
		return 0, err
	}
	if err := add(m[2], Day); err != nil {
		return 0, err
	}
	if m[3] != "" {
		d, err := time.ParseDuration(m[3])
		if err != nil || d < 0 {
			return 0, fmt.Errorf("bad duration %q (want e.g. 30d, 2w, 36h or 1d12h)", s)
		}
		if total > math.MaxInt64-d {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		total += d
	}
	return total, nil
}

// Duration prints d as ParseDuration reads it, in whole days when it is
// whole days ("30d"), else as Go prints it ("36h0m0s").
func Duration(d time.Duration) string {
	if d > 0 && d%Day == 0 {
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	}
	return d.String()
}
