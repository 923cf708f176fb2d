// Package units formats and parses byte sizes.
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Bytes prints n in decimal units, as docker and dive print sizes
// ("1.5 MB", "32.0 kB", "999 B"). It is the one way slimship prints a size,
// so every command names the same image's bytes the same way.
func Bytes(n int64) string {
	const unit = 1000
	if n < 0 {
		if n == math.MinInt64 {
			return "-9.2 EB"
		}
		return "-" + Bytes(-n)
	}
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	const prefixes = "kMGTPE"
	v := float64(n) / unit
	exp := 0
	// move up while the rounded figure would print as 1000.0
	for v >= unit-0.05 && exp < len(prefixes)-1 {
		v /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", v, prefixes[exp])
}

// ParseBytes reads sizes as dive does: 20MB is 20*1000^2, 20MiB 20*1024^2,
// a bare number is bytes.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("bad size %q", s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
		"ki": 1 << 10, "kib": 1 << 10, "mi": 1 << 20, "mib": 1 << 20, "gi": 1 << 30, "gib": 1 << 30, "ti": 1 << 40, "tib": 1 << 40,
	}
	m, ok := mult[unit]
	if !ok {
		return 0, fmt.Errorf("bad size unit in %q (want B, kB, MB, GB, KiB, MiB, GiB)", s)
	}
	if f*m >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(f * m), nil
}

// Count prints n and noun, plural unless n is 1: Count(1, "layer") is
// "1 layer", Count(3, "layer") "3 layers". A noun whose plural is not
// noun+"s" gives it after a slash: Count(2, "index/indexes").
func Count(n int, noun string) string {
	one, many := noun, noun+"s"
	if i := strings.IndexByte(noun, '/'); i >= 0 {
		one, many = noun[:i], noun[i+1:]
	}
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
