// Package safetext shows user input in messages: quoted when it holds
// control characters or invalid UTF-8, and cut to a length, so that binary
// garbage in an input never reaches a terminal raw.
package safetext

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// MaxLen is the length Quote cuts text to, in runes.
const MaxLen = 80

// Clean reports whether s is printable text (valid UTF-8, no control
// characters but tab).
func Clean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != '\t' && !unicode.IsPrint(r) && !unicode.IsSpace(r) || r == '\n' || r == '\r' || r == 0x1b {
			return false
		}
	}
	return true
}

// Quote returns s as Go quotes it (control characters and invalid UTF-8
// escaped), cut to max runes with "…" when longer.
func Quote(s string, max int) string {
	return strconv.Quote(cut(s, max))
}

// Text returns s as it is when it is printable text, else Quote(s, max);
// either way cut to max runes.
func Text(s string, max int) string {
	if Clean(s) {
		return cut(s, max)
	}
	return Quote(s, max)
}

func cut(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// Escape returns s with each control character (but tab) and each byte of
// invalid UTF-8 written as Go writes it in a quoted string (\x1b, \n,
// \xff), and the rest as it is: for messages that quote an input.
func Escape(s string) string {
	if Clean(s) {
		return s
	}
	var b []byte
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r != '\t' && (unicode.IsControl(r) || !unicode.IsPrint(r) && !unicode.IsSpace(r)) {
			q := strconv.Quote(s[i : i+n])
			b = append(b, q[1:len(q)-1]...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}
