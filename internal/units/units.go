// Package units formats and parses byte sizes.
package units

import (
	"fmt"
	"strconv"
	"strings"
)

// Bytes prints n in binary units ("1.5 MiB").
func Bytes(n int64) string {
	const unit = 1024
	if n < 0 {
		return "-" + Bytes(-n)
	}
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// ParseBytes parses "20MB", "1.5GiB", "512k" or a plain number of bytes.
// Decimal suffixes (KB, MB, GB) are powers of 1000, binary ones (KiB, MiB)
// and single letters (k, m, g) powers of 1024, as dive reads them.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, suffix := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("size %q: want a number with an optional unit (B, KB, MB, GB, KiB, MiB, GiB)", s)
	}
	mult := map[string]float64{"": 1, "b": 1,
		"k": 1 << 10, "kb": 1e3, "kib": 1 << 10,
		"m": 1 << 20, "mb": 1e6, "mib": 1 << 20,
		"g": 1 << 30, "gb": 1e9, "gib": 1 << 30,
		"t": 1 << 40, "tb": 1e12, "tib": 1 << 40}[suffix]
	if mult == 0 {
		return 0, fmt.Errorf("size %q: unknown unit %q", s, suffix)
	}
	return int64(v * mult), nil
}
