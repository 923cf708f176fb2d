package audit

import (
	"bytes"
	"strings"
)

// PasswdEntry is one account line of /etc/passwd or /etc/group
// (name:password:id:...).
type PasswdEntry struct {
	Line     int
	Name     string
	Password string
	// ID is the UID (passwd) or GID (group) field as written.
	ID string
}

// ShadowEntry is one line of /etc/shadow (name:password:...).
type ShadowEntry struct {
	Line     int
	Name     string
	Password string
}

// ParsePasswd parses /etc/passwd or /etc/group content. Blank lines,
// comments, NIS lines (+ and -) and lines with fewer than three fields are
// skipped; content need not end with a newline and may be truncated.
func ParsePasswd(b []byte) []PasswdEntry {
	var out []PasswdEntry
	eachLine(b, func(n int, fields []string) {
		if len(fields) < 3 {
			return
		}
		out = append(out, PasswdEntry{Line: n, Name: fields[0], Password: fields[1], ID: strings.TrimSpace(fields[2])})
	})
	return out
}

// ParseShadow parses /etc/shadow content; lines with fewer than two
// fields are skipped.
func ParseShadow(b []byte) []ShadowEntry {
	var out []ShadowEntry
	eachLine(b, func(n int, fields []string) {
		if len(fields) < 2 {
			return
		}
		out = append(out, ShadowEntry{Line: n, Name: fields[0], Password: fields[1]})
	})
	return out
}

func eachLine(b []byte, fn func(line int, fields []string)) {
	n := 0
	for len(b) > 0 {
		n++
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		s := strings.TrimRight(string(line), "\r")
		if strings.TrimSpace(s) == "" || s[0] == '#' || s[0] == '+' || s[0] == '-' {
			continue
		}
		fn(n, strings.Split(s, ":"))
	}
}

// duplicateIDs returns the entries whose ID was already used by an earlier
// entry, with the name of that first entry.
func duplicateIDs(es []PasswdEntry) (dups []PasswdEntry, first []string) {
	seen := map[string]string{}
	for _, e := range es {
		if e.ID == "" {
			continue
		}
		if f, ok := seen[e.ID]; ok {
			dups = append(dups, e)
			first = append(first, f)
			continue
		}
		seen[e.ID] = e.Name
	}
	return dups, first
}
