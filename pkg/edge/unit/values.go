package unit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// sizeSuffixes are systemd's size suffixes, powers of 1024.
var sizeSuffixes = map[string]float64{"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50, "E": 1 << 60}

// ParseSize reads a byte size as systemd does (MemoryMax=, TasksMax-free
// sizes): a number with an optional K, M, G, T, P or E suffix, each a power
// of 1024 ("1.5G"). Percentages and "infinity" are for the caller.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, suf := t, ""
	if i >= 0 {
		num, suf = t[:i], strings.TrimSpace(t[i:])
	}
	m, ok := sizeSuffixes[suf]
	if !ok {
		return 0, fmt.Errorf("bad size %q (want a number with K, M, G or T: 256M)", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || num == "" {
		return 0, fmt.Errorf("bad size %q (want a number with K, M, G or T: 256M)", s)
	}
	if f*m >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(f * m), nil
}

// FormatSize writes n in the largest systemd unit that divides it.
func FormatSize(n int64) string {
	for _, u := range []struct {
		suf string
		m   int64
	}{{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if n >= u.m && n%u.m == 0 {
			return strconv.FormatInt(n/u.m, 10) + u.suf
		}
	}
	return strconv.FormatInt(n, 10)
}

// ParsePercent reads "50%" (CPUQuota=): the number before the sign.
func ParsePercent(s string) (float64, error) {
	t := strings.TrimSpace(s)
	num, ok := strings.CutSuffix(t, "%")
	f, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < 0 {
		return 0, fmt.Errorf("bad percentage %q (want e.g. 50%%)", s)
	}
	return f, nil
}

// timeUnits are systemd's time span units.
var timeUnits = map[string]time.Duration{
	"us": time.Microsecond, "usec": time.Microsecond, "µs": time.Microsecond,
	"ms": time.Millisecond, "msec": time.Millisecond,
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// ParseTimespan reads a systemd time span ("5s", "1min 30s", "100ms"; a
// bare number is seconds).
func ParseTimespan(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty time span")
	}
	var total time.Duration
	for t != "" {
		i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		num := t
		if i >= 0 {
			num = t[:i]
		}
		if num == "" {
			return 0, fmt.Errorf("bad time span %q (want e.g. 10s, 1min 30s)", s)
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("bad time span %q (want e.g. 10s, 1min 30s)", s)
		}
		t = strings.TrimLeft(t[len(num):], " ")
		j := strings.IndexFunc(t, func(r rune) bool { return r == ' ' || (r >= '0' && r <= '9') })
		u := t
		if j >= 0 {
			u = t[:j]
		}
		mult := time.Second
		if u != "" {
			m, ok := timeUnits[u]
			if !ok {
				return 0, fmt.Errorf("bad time unit %q in %q (want us, ms, s, min, h, d)", u, s)
			}
			mult = m
		}
		total += time.Duration(f * float64(mult))
		t = strings.TrimLeft(t[len(u):], " ")
	}
	return total, nil
}

// FormatTimespan writes d as systemd prints time spans ("1min 30s",
// "500ms").
func FormatTimespan(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	var parts []string
	for _, u := range []struct {
		suf string
		d   time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"min", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}, {"us", time.Microsecond}} {
		if d >= u.d {
			parts = append(parts, strconv.FormatInt(int64(d/u.d), 10)+u.suf)
			d %= u.d
		}
	}
	return strings.Join(parts, " ")
}
