package unit

import (
	"fmt"
	"strings"
)

// Command is an Exec setting's command line: its prefixes (@, -, :, +, !,
// !!) and its words, unquoted and unescaped as systemd does. Specifiers
// (%t) and variables ($X) are left as written.
type Command struct {
	Prefixes string
	Args     []string
}

// SplitCommand splits an Exec setting's value (its first command when ";"
// separates several) by systemd's rules: words separated by whitespace,
// double or single quotes grouping, C escapes inside quotes and a
// backslash escaping the next character outside them.
func SplitCommand(v string) (Command, error) {
	var c Command
	s := strings.TrimLeft(v, " \t")
	for len(s) > 0 && strings.IndexByte("@-:+!", s[0]) >= 0 {
		c.Prefixes += s[:1]
		s = s[1:]
	}
	words, err := SplitWords(s)
	if err != nil {
		return c, err
	}
	for i, w := range words {
		if w == ";" {
			words = words[:i]
			break
		}
	}
	c.Args = words
	return c, nil
}

// SplitWords splits s into words by systemd's quoting rules (see
// SplitCommand).
func SplitWords(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word
	)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case ch == '"' || ch == '\'':
			in = true
			j := i + 1
			for ; j < len(s) && s[j] != ch; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					r, n := unescape(s[j+1:])
					cur.WriteString(r)
					j += n
					continue
				}
				cur.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated %c quote in %q", ch, s)
			}
			i = j
		case ch == '\\':
			in = true
			if i+1 >= len(s) {
				return nil, fmt.Errorf("trailing backslash in %q", s)
			}
			r, n := unescape(s[i+1:])
			cur.WriteString(r)
			i += n
		default:
			in = true
			cur.WriteByte(ch)
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// unescape decodes the C escape at the start of s (after its backslash)
// and returns it with the number of bytes it took.
func unescape(s string) (string, int) {
	switch s[0] {
	case 'a':
		return "\a", 1
	case 'b':
		return "\b", 1
	case 'f':
		return "\f", 1
	case 'n':
		return "\n", 1
	case 'r':
		return "\r", 1
	case 't':
		return "\t", 1
	case 'v':
		return "\v", 1
	case 's':
		return " ", 1
	case 'x':
		if len(s) >= 3 {
			var b byte
			if _, err := fmt.Sscanf(s[1:3], "%02x", &b); err == nil {
				return string([]byte{b}), 3
			}
		}
	}
	return s[:1], 1
}

// Literal escapes s so that systemd passes it to a command (or a Quadlet
// key passes it to podman) exactly as written: % and $ are doubled (no
// specifier or variable is expanded), and the word is quoted when it holds
// anything but plain characters.
func Literal(s string) string {
	return Quote(strings.NewReplacer("%", "%%", "$", "$$").Replace(s))
}

// Quote quotes s as one word of a command line, keeping specifiers and
// variables in it live (for words such as --cidfile=%t/%N.cid).
func Quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\r\"'\\;") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Join quotes each word with Quote and joins them with spaces.
func Join(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(w)
	}
	return strings.Join(q, " ")
}

// Kind is what a unit file runs.
type Kind int

// Kinds of unit file.
const (
	// Other is a unit without a service to check (a timer, a socket...).
	Other Kind = iota
	// Exec is a service that runs its program directly.
	Exec
	// PodmanRun is a service whose ExecStart is `podman run`.
	PodmanRun
	// Quadlet is a Podman Quadlet .container file.
	Quadlet
)

func (k Kind) String() string {
	return [...]string{"other", "service", "podman-run service", "quadlet container"}[k]
}

// Kind tells what f runs: a .container file (or one with a [Container]
// section) is a Quadlet; a service whose ExecStart runs `podman run` (or
// `podman container run`) is a podman service; another service runs its
// program directly.
func (f *File) Kind() Kind {
	if strings.HasSuffix(f.Path, ".container") || f.HasSection(Container) {
		return Quadlet
	}
	if _, ok := f.PodmanRun(); ok {
		return PodmanRun
	}
	if f.Has(Service, "ExecStart") || strings.HasSuffix(f.Path, ".service") {
		return Exec
	}
	return Other
}
