package safetext

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"tab\there", "tab\there"},
		{"\x7fELF\x02\x01\x01\x00", `"\x7fELF\x02\x01\x01\x00"`},
		{"\x1b[31mred", `"\x1b[31mred"`},
		{"bad \xff utf8", `"bad \xff utf8"`},
		{"line\nbreak", `"line\nbreak"`},
		{strings.Repeat("a", 100), strings.Repeat("a", 10) + "…"},
	} {
		if got := Text(tc.in, 10+90*boolInt(len(tc.in) < 100)); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Quote(strings.Repeat("\x00", 200), 4); got != `"\x00\x00\x00\x00…"` {
		t.Errorf("Quote = %s", got)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"`USER x` is fine", "`USER x` is fine"},
		{"`USER \x1b[0m` is not", "`USER \\x1b[0m` is not"},
		{"a\x00b\xffc\nd é", `a\x00b\xffc\nd é`},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
