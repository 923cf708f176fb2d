package units

import (
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 999: "999 B", 1000: "1.0 kB", 1536: "1.5 kB", 32025: "32.0 kB", 999_949: "999.9 kB",
		999_999: "1.0 MB", 1220598: "1.2 MB", 20 << 20: "21.0 MB", 20e9: "20.0 GB", -1536: "-1.5 kB",
		1 << 62: "4.6 EB",
	} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"20MB": 20e6, "20MiB": 20 << 20, "1.5GB": 1.5e9, "300": 300, "2 kB": 2000, "1gib": 1 << 30} {
		got, err := ParseBytes(in)
		if err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1MB", "1XB", "1..2"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q): no error", in)
		}
	}
}

func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{"20MB", "1.5 GiB", "0", "9999999999999999999999TB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseBytes(s)
		if err == nil && n < 0 {
			t.Fatalf("ParseBytes(%q) = %d", s, n)
		}
	})
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{0, "layer", "0 layers"}, {1, "layer", "1 layer"}, {2, "layer", "2 layers"},
		{1, "package cache file", "1 package cache file"}, {2, "index/indexes", "2 indexes"}, {1, "index/indexes", "1 index"},
	} {
		if got := Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30d": 30 * Day, "2w": 2 * Week, "36h": 36 * time.Hour, "1d12h": 36 * time.Hour, "1w2d": 9 * Day,
		"90m": 90 * time.Minute, " 1h30m ": 90 * time.Minute, "0d": 0, "0": 0,
	} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "30", "-1h", "1y", "3d2w", "30 d", "99999999999999w", "106751d24h"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q): no error", in)
		}
	}
	if got := Duration(30 * Day); got != "30d" {
		t.Errorf("Duration(30d) = %q", got)
	}
	if got := Duration(36 * time.Hour); got != "36h0m0s" {
		t.Errorf("Duration(36h) = %q", got)
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30d", "1w2d3h4m", "0", "9223372036854775807ns", "15250w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v", s, d)
		}
		if back, err := ParseDuration(Duration(d)); err != nil || back != d {
			t.Fatalf("round trip of %q: %v -> %q -> %v, %v", s, d, Duration(d), back, err)
		}
	})
}
