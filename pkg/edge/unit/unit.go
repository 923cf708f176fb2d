// Package unit reads systemd unit files and Podman Quadlet files (the same
// INI dialect) with go-systemd's parser, adding what checks need: the line
// of each assignment, systemd's reset and merge rules for list settings, the
// kind of unit, and the command lines of Exec settings (command.go).
package unit

import (
	"bytes"
	"fmt"
	"strings"

	sdunit "github.com/coreos/go-systemd/v22/unit"
)

// Sections of a unit file.
const (
	Unit      = "Unit"
	Service   = "Service"
	Container = "Container"
	Install   = "Install"
)

// Option is one assignment: Key=Value in Section, at Line (1-based; 0 when
// unknown).
type Option struct {
	Section string
	Key     string
	Value   string
	Line    int
}

// File is a parsed unit file.
type File struct {
	// Path names the file in findings and errors.
	Path    string
	Options []Option
	// Sections are the lines of section headers (the first, when a
	// section is repeated).
	Sections map[string]int
	// Comments are the comment lines, without their # or ;.
	Comments []Comment
}

// Comment is a comment line.
type Comment struct {
	Line int
	Text string
}

// Parse parses a unit file's bytes. Lines longer than systemd's LINE_MAX,
// a section header with text after it and a line in a section that is
// neither an assignment, a comment nor blank are errors naming the line.
func Parse(path string, b []byte) (*File, error) {
	sc, err := scan(b)
	if err != nil {
		return nil, fmt.Errorf("%s:%v", path, err)
	}
	starts := sc.starts
	opts, err := sdunit.DeserializeOptions(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	f := &File{Path: path, Options: make([]Option, 0, len(opts)), Sections: sc.sections, Comments: sc.comments}
	// scan mirrors go-systemd's lexer, so the n-th assignment it finds is
	// the parser's n-th option; if they ever disagree, lines stay unknown.
	aligned := len(starts) == len(opts)
	for i, o := range opts {
		if aligned && starts[i].key != o.Name {
			aligned = false
		}
	}
	for i, o := range opts {
		opt := Option{Section: o.Section, Key: o.Name, Value: joinContinued(o.Value)}
		if aligned {
			opt.Line = starts[i].line
		}
		f.Options = append(f.Options, opt)
	}
	return f, nil
}

// joinContinued applies systemd's rule for a value continued over lines: a
// backslash at the end of a line is replaced by a space.
func joinContinued(v string) string {
	if !strings.Contains(v, "\\\n") {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(strings.ReplaceAll(v, "\\\n", " "))
}

type start struct {
	key  string
	line int
}

// lineError is a parse error at a line.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("%d: %s", e.line, e.msg) }

// scan finds the line of every assignment the way go-systemd's lexer
// reads the file: comments (# or ;) continue over lines ending in a
// backslash, values too until a blank line.
type scanned struct {
	starts   []start
	sections map[string]int
	comments []Comment
}

func scan(b []byte) (*scanned, error) {
	lines := strings.Split(string(b), "\n")
	sc := &scanned{sections: map[string]int{}}
	inSection := false
	for i := 0; i < len(lines); {
		l := strings.TrimSuffix(lines[i], "\r")
		if len(l) >= sdunit.SYSTEMD_LINE_MAX {
			return nil, &lineError{i + 1, fmt.Sprintf("line too long (max %d bytes)", sdunit.SYSTEMD_LINE_MAX)}
		}
		t := strings.TrimLeft(l, " \t\f\v")
		switch {
		case t == "":
			i++
		case t[0] == '[':
			end := strings.IndexByte(t, ']')
			if end < 0 {
				return nil, &lineError{i + 1, "section header without ]"}
			}
			if rest := strings.TrimSpace(t[end+1:]); rest != "" {
				return nil, &lineError{i + 1, fmt.Sprintf("text after section header %s: %q", t[:end+1], rest)}
			}
			if _, seen := sc.sections[t[1:end]]; !seen {
				sc.sections[t[1:end]] = i + 1
			}
			inSection = true
			i++
		case t[0] == '#' || t[0] == ';':
			sc.comments = append(sc.comments, Comment{Line: i + 1, Text: strings.TrimSpace(t[1:])})
			for {
				cont := strings.HasSuffix(strings.TrimRight(strings.TrimSuffix(lines[i], "\r"), " "), "\\")
				i++
				if !cont || i >= len(lines) {
					break
				}
			}
		case !inSection:
			return nil, &lineError{i + 1, fmt.Sprintf("assignment outside of a section: %q", t)}
		default:
			eq := strings.IndexByte(t, '=')
			if eq < 0 {
				return nil, &lineError{i + 1, fmt.Sprintf("%q is not an assignment (KEY=VALUE)", t)}
			}
			sc.starts = append(sc.starts, start{key: strings.TrimSpace(t[:eq]), line: i + 1})
			first := t[eq+1:]
			cont := strings.TrimSpace(first) != "" && strings.HasSuffix(first, "\\")
			i++
			for cont && i < len(lines) {
				next := strings.TrimSuffix(lines[i], "\r")
				i++
				if strings.TrimSpace(next) == "" {
					break
				}
				cont = strings.HasSuffix(next, "\\")
			}
		}
	}
	return sc, nil
}

// All returns every assignment of key in section, in order.
func (f *File) All(section, key string) []Option {
	var out []Option
	for _, o := range f.Options {
		if o.Section == section && o.Key == key {
			out = append(out, o)
		}
	}
	return out
}

// List returns the assignments of a list setting of key in section that
// take effect: an empty assignment resets the list, so only those after
// the last empty one count (the empty one is returned first, as it may
// mean something: CapabilityBoundingSet= is the empty set).
func (f *File) List(section, key string) []Option {
	all := f.All(section, key)
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Value == "" {
			return all[i:]
		}
	}
	return all
}

// Last returns the assignment of a single-valued setting that takes
// effect: the last one.
func (f *File) Last(section, key string) (Option, bool) {
	all := f.All(section, key)
	if len(all) == 0 {
		return Option{}, false
	}
	return all[len(all)-1], true
}

// Value is the value of Last, "" when unset.
func (f *File) Value(section, key string) string {
	o, _ := f.Last(section, key)
	return o.Value
}

// Has reports whether key is assigned in section.
func (f *File) Has(section, key string) bool {
	_, ok := f.Last(section, key)
	return ok
}

// HasSection reports whether section has an assignment.
func (f *File) HasSection(section string) bool {
	for _, o := range f.Options {
		if o.Section == section {
			return true
		}
	}
	return false
}

// Bool parses a systemd boolean (1/yes/y/true/t/on and their opposites).
func Bool(v string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "y", "true", "t", "on":
		return true, true
	case "0", "no", "n", "false", "f", "off":
		return false, true
	}
	return false, false
}

// True reports whether key in section is set to a true boolean.
func (f *File) True(section, key string) bool {
	v, ok := Bool(f.Value(section, key))
	return ok && v
}
