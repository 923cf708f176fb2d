// Package fastyaml parses the block-style YAML that Kubernetes manifests are
// written in straight into the yaml.Nodes yaml.v3 would build. It is
// package manifest's fast path, kept because it saves about a third of the
// CPU of `slimship k8s lint` over the shared corpus (bench/k8s/README.md);
// manifest's FuzzFastParse holds it to yaml.v3 and FuzzKubectlJSON the
// JSON written from its nodes to sigs.k8s.io/yaml.
package fastyaml

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Parse parses the block-style subset of YAML that manifests are written
// in (block mappings and sequences, plain and quoted scalars, literal block
// scalars, one-line flow collections, comments and document markers)
// straight into yaml.Nodes, several times faster than yaml.v3's scanner,
// parser and composer. It calls each with the root mapping of every
// non-empty document, and returns false as soon as the input has anything
// outside the subset (anchors, tags, folded scalars, tabs, non-ASCII, an
// error ...) or each returns false; the caller then decodes the whole stream
// with yaml.v3, so the subset only decides speed, never a result.
// manifest.FuzzFastParse checks that both paths agree on everything
// manifest.Decode returns.
//
// The nodes carry what package manifest reads: Kind, Style, Value, Line and
// Content, and the Tag yaml.v3's parser resolves. Nodes live until each returns: their
// memory is reused for the next document (Values are substrings of the
// input and may be kept).
func Parse(s string, each func(root *yaml.Node) bool) (ok bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n') || c >= 0x7f {
			return false
		}
	}
	p := parsers.Get().(*fparser)
	defer p.release()
	p.s = s
	p.splitLines()
	defer func() {
		if r := recover(); r != nil {
			if r != errUnsupported {
				panic(r)
			}
			ok = false
		}
	}()
	start := 0
	for i := 0; i <= len(p.lines); i++ {
		if i < len(p.lines) {
			switch p.lineKind(i) {
			case lineDocStart:
			case lineUnsupported:
				return false
			default:
				continue
			}
		}
		if root := p.document(start, i); root != nil && !each(root) {
			return false
		}
		p.nodes.reset()
		p.ptrs.reset()
		start = i + 1
	}
	return true
}

var parsers = sync.Pool{New: func() any { return new(fparser) }}

func (p *fparser) release() {
	p.s = ""
	p.lines = p.lines[:0]
	p.stack = p.stack[:0]
	p.depth = 0
	p.nodes.reset()
	p.ptrs.reset()
	parsers.Put(p)
}

// slab hands out slices of chunks that are reused after reset.
type slab[T any] struct {
	cur        []T
	used, free [][]T
}

func (s *slab[T]) alloc(n int) []T {
	if cap(s.cur)-len(s.cur) < n {
		if s.cur != nil {
			s.used = append(s.used, s.cur)
		}
		if k := len(s.free); k > 0 && cap(s.free[k-1]) >= n {
			s.cur, s.free = s.free[k-1], s.free[:k-1]
		} else {
			s.cur = make([]T, 0, max(256, n))
		}
	}
	s.cur = s.cur[:len(s.cur)+n]
	return s.cur[len(s.cur)-n : len(s.cur) : len(s.cur)]
}

func (s *slab[T]) reset() {
	for _, c := range s.used {
		s.free = append(s.free, c[:0])
	}
	s.used = s.used[:0]
	s.cur = s.cur[:0]
}

// errUnsupported unwinds the parser when the input leaves the subset.
var errUnsupported = &struct{ string }{"unsupported YAML"}

func fail() { panic(errUnsupported) }

type fline struct {
	start, end int // content is s[start:end], without the newline
	indent     int // leading spaces
}

type fparser struct {
	s     string
	lines []fline
	// end is the current document's end (an index in lines).
	end   int
	depth int
	nodes slab[yaml.Node]
	ptrs  slab[*yaml.Node]
	stack []*yaml.Node
}

func (p *fparser) splitLines() {
	s := p.s
	if n := strings.Count(s, "\n") + 1; cap(p.lines) < n {
		p.lines = make([]fline, 0, n)
	}
	for start := 0; start <= len(s); {
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		ind := 0
		for start+ind < end && s[start+ind] == ' ' {
			ind++
		}
		p.lines = append(p.lines, fline{start: start, end: end, indent: ind})
		start = end + 1
	}
}

const (
	lineContent = iota
	lineBlank   // only spaces, or a comment
	lineDocStart
	lineUnsupported
)

func (p *fparser) lineKind(i int) int {
	l := p.lines[i]
	t := p.s[l.start:l.end]
	if l.start+l.indent == l.end || t[l.indent] == '#' {
		return lineBlank
	}
	if l.indent == 0 {
		switch {
		case t[0] == '%':
			return lineUnsupported
		case strings.HasPrefix(t, "---") && (len(t) == 3 || t[3] == ' '):
			rest := strings.TrimLeft(t[3:], " ")
			if rest != "" && rest[0] != '#' {
				return lineUnsupported
			}
			return lineDocStart
		case strings.HasPrefix(t, "...") && (len(t) == 3 || t[3] == ' '):
			return lineUnsupported
		}
	}
	return lineContent
}

// skip moves i past blank and comment lines of the document.
func (p *fparser) skip(i int) int {
	for i < p.end {
		l := p.lines[i]
		if l.start+l.indent != l.end && p.s[l.start+l.indent] != '#' {
			break
		}
		i++
	}
	return i
}

// document parses lines[a:b]; nil for an empty document.
func (p *fparser) document(a, b int) *yaml.Node {
	p.end = b
	i := p.skip(a)
	if i >= b {
		return nil
	}
	l := p.lines[i]
	pos := l.start + l.indent
	if _, ok := p.keyAt(pos, l.end); !ok {
		fail() // a sequence or scalar document: yaml.v3 reports it
	}
	root, next := p.mapping(i, pos)
	if p.skip(next) < b {
		fail()
	}
	return root
}

func (p *fparser) node(kind yaml.Kind, style yaml.Style, value string, line int) *yaml.Node {
	n := &p.nodes.alloc(1)[0]
	*n = yaml.Node{Kind: kind, Style: style, Value: value, Line: line + 1}
	switch {
	case kind == yaml.MappingNode:
		n.Tag = "!!map"
	case kind == yaml.SequenceNode:
		n.Tag = "!!seq"
	case style != 0:
		n.Tag = "!!str"
	default:
		n.Tag = plainTag(n)
	}
	return n
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// plainTag is the tag yaml.v3's parser gives a plain scalar; it leaves the
// numbers and timestamps to yaml.v3 (whose resolve allocates) and answers
// the rest, mostly strings, itself.
func plainTag(n *yaml.Node) string {
	v := n.Value
	if v == "" {
		return "!!null"
	}
	switch c := v[0]; {
	case c >= '1' && c <= '9' && len(v) <= 18 && allDigits(v):
		return "!!int" // decimal, no leading zero (octal), fits int64
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return n.ShortTag()
	case c == '<' && v == "<<":
		return "!!merge"
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		switch v {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return "!!bool"
		case "~", "null", "Null", "NULL":
			return "!!null"
		}
	}
	return "!!str"
}

// children moves the stack above base into a node's Content.
func (p *fparser) children(base int) []*yaml.Node {
	n := len(p.stack) - base
	if n == 0 {
		return nil
	}
	out := p.ptrs.alloc(n)
	copy(out, p.stack[base:])
	p.stack = p.stack[:base]
	return out
}

func (p *fparser) enter() {
	p.depth++
	if p.depth > 100 {
		fail()
	}
}

// mapping parses a block mapping whose first key starts at byte pos of line
// i; its keys are at that column. It returns the line after the mapping.
func (p *fparser) mapping(i, pos int) (*yaml.Node, int) {
	p.enter()
	defer func() { p.depth-- }()
	col := pos - p.lines[i].start
	m := p.node(yaml.MappingNode, 0, "", i)
	base := len(p.stack)
	for {
		l := p.lines[i]
		k, ok := p.keyAt(pos, l.end)
		if !ok {
			fail()
		}
		key := p.node(yaml.ScalarNode, k.style, k.value, i)
		var v *yaml.Node
		v, i = p.value(i, k.next, col, true)
		p.stack = append(p.stack, key, v)
		i = p.skip(i)
		if i >= p.end {
			break
		}
		l = p.lines[i]
		if l.indent < col {
			break
		}
		if l.indent > col {
			fail()
		}
		pos = l.start + l.indent
	}
	m.Content = p.children(base)
	return m, i
}

// sequence parses a block sequence whose entries' dashes are at column col,
// starting at line i. It returns the line after the sequence.
func (p *fparser) sequence(i, col int) (*yaml.Node, int) {
	p.enter()
	defer func() { p.depth-- }()
	sq := p.node(yaml.SequenceNode, 0, "", i)
	base := len(p.stack)
	for {
		l := p.lines[i]
		pos := l.start + col
		var v *yaml.Node
		v, i = p.value(i, pos+1, col, false)
		p.stack = append(p.stack, v)
		i = p.skip(i)
		if i >= p.end {
			break
		}
		l = p.lines[i]
		if l.indent != col || !isEntry(p.s[l.start+col:l.end]) {
			if l.indent > col {
				fail()
			}
			break
		}
	}
	sq.Content = p.children(base)
	return sq, i
}

// isEntry reports whether t starts a block sequence entry.
func isEntry(t string) bool {
	return t[0] == '-' && (len(t) == 1 || t[1] == ' ')
}

// value parses the value of a mapping key or sequence entry that starts at
// byte pos of line i (after the ':' or '-'); n is the column of the
// mapping's keys or the sequence's dashes. It returns the line after it.
func (p *fparser) value(i, pos, n int, inMapping bool) (*yaml.Node, int) {
	l := p.lines[i]
	for pos < l.end && p.s[pos] == ' ' {
		pos++
	}
	if pos == l.end || p.s[pos] == '#' {
		// The value is on the next lines, or empty.
		j := p.skip(i + 1)
		if j < p.end {
			nl := p.lines[j]
			t := p.s[nl.start+nl.indent : nl.end]
			switch {
			case nl.indent > n && isEntry(t):
				return p.sequence(j, nl.indent)
			case nl.indent > n && (t[0] == '[' || t[0] == '{'):
				return p.flow(t, j), p.noContinuation(j+1, n)
			case nl.indent > n:
				if _, ok := p.keyAt(nl.start+nl.indent, nl.end); !ok {
					fail() // a scalar on the next line
				}
				return p.mapping(j, nl.start+nl.indent)
			case nl.indent == n && inMapping && isEntry(t):
				return p.sequence(j, n)
			}
		}
		return p.node(yaml.ScalarNode, 0, "", i), i + 1
	}
	t := p.s[pos:l.end]
	switch t[0] {
	case '"', '\'':
		v, style, end := scanQuoted(p.s[pos:], n, true)
		end += pos
		j := i
		for p.lines[j].end < end {
			j++
		}
		if !blankOrComment(p.s[end:p.lines[j].end]) {
			fail()
		}
		return p.node(yaml.ScalarNode, style, v, i), p.noContinuation(j+1, n)
	case '[', '{':
		v := p.flow(t, i)
		return v, p.noContinuation(i+1, n)
	case '|':
		return p.literal(i, t, n)
	case '-':
		if len(t) == 1 || t[1] == ' ' {
			fail() // a nested entry ("- - x") or an entry in a mapping value
		}
	case '&', '*', '!', '>', '%', '@', '`', '?', ':', ',', ']', '}', '#':
		fail()
	}
	if !inMapping {
		if _, ok := p.keyAt(pos, l.end); ok {
			return p.mapping(i, pos)
		}
	}
	v, rest := plain(t)
	if rest = strings.TrimLeft(rest, " "); rest != "" {
		if !blankOrComment(" " + rest) {
			fail()
		}
		// A comment ends the scalar.
		return p.node(yaml.ScalarNode, 0, v, i), p.noContinuation(i+1, n)
	}
	// Lines indented deeper than n continue the scalar; blank lines
	// between them fold to newlines, line breaks to spaces.
	j := i + 1
	var sb *strings.Builder
	for {
		k := j
		breaks := 0
		for k < p.end && p.lines[k].start+p.lines[k].indent == p.lines[k].end {
			k++
			breaks++
		}
		if k >= p.end || p.lines[k].indent <= n {
			break
		}
		cl := p.lines[k]
		ct := p.s[cl.start+cl.indent : cl.end]
		switch ct[0] {
		case '-':
			if len(ct) == 1 || ct[1] == ' ' {
				fail()
			}
		case '#', '&', '*', '!', '>', '|', '%', '@', '`', '?', ':', ',', '[', ']', '{', '}', '"', '\'':
			fail()
		}
		cv, crest := plain(ct)
		if crest != "" {
			fail()
		}
		if sb == nil {
			sb = &strings.Builder{}
			sb.WriteString(v)
		}
		if breaks == 0 {
			sb.WriteByte(' ')
		}
		for ; breaks > 0; breaks-- {
			sb.WriteByte('\n')
		}
		sb.WriteString(cv)
		j = k + 1
	}
	if sb != nil {
		v = sb.String()
	}
	return p.node(yaml.ScalarNode, 0, v, i), j
}

// noContinuation fails when the line after a one-line value is indented
// deeper than n (a continuation or an error in YAML).
func (p *fparser) noContinuation(i, n int) int {
	if j := p.skip(i); j < p.end && p.lines[j].indent > n {
		fail()
	}
	return i
}

func blankOrComment(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "" || (t[0] == '#' && len(t) < len(s))
}

// plain splits a plain scalar in block context off t: it ends at a comment
// (" #") or the end of the line. A ": " inside or a ':' at the end (a key
// where none may be) fails.
func plain(t string) (v, rest string) {
	end := len(t)
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '#':
			if i > 0 && t[i-1] == ' ' {
				end = i
				i = len(t)
			}
		case ':':
			if i+1 == len(t) || t[i+1] == ' ' {
				fail()
			}
		}
	}
	v = strings.TrimRight(t[:end], " ")
	return v, t[len(v):]
}

// continuation fails unless the line at t[i:] is blank or indented deeper
// than n (which also keeps document markers out).
func continuation(t string, i, n int) {
	ind := 0
	for i+ind < len(t) && t[i+ind] == ' ' {
		ind++
	}
	if i+ind < len(t) && t[i+ind] != '\n' && ind <= n {
		fail()
	}
}

// quoted reads a one-line quoted scalar at the start of t.
func quoted(t string) (v string, style yaml.Style, rest string) {
	v, style, end := scanQuoted(t, 0, false)
	return v, style, t[end:]
}

// scanQuoted reads a single- or double-quoted scalar at the start of t as
// libyaml's scanner does (escapes, and line folding when multi is set:
// continuation lines must be indented deeper than n). It returns the value
// and the offset after the closing quote.
func scanQuoted(t string, n int, multi bool) (string, yaml.Style, int) {
	q := t[0]
	style := yaml.DoubleQuotedStyle
	if q == '\'' {
		style = yaml.SingleQuotedStyle
	}
	i := 1
	// The common case: no escapes, no line break.
	if j := strings.IndexByte(t[1:], q); j >= 0 {
		if k := strings.IndexAny(t[1:1+j], "\\\n"); k < 0 && (q == '"' || !strings.HasPrefix(t[2+j:], "'")) {
			return t[1 : 1+j], style, 2 + j
		}
	}
	var b []byte
	var white []byte
	for {
		leading := false
		for i < len(t) && t[i] != ' ' && t[i] != '\n' {
			c := t[i]
			switch {
			case q == '\'' && c == '\'' && i+1 < len(t) && t[i+1] == '\'':
				b = append(b, '\'')
				i += 2
				continue
			case c == q:
			case q == '"' && c == '\\' && i+1 < len(t) && t[i+1] == '\n':
				i += 2
				leading = true
				if !multi {
					fail()
				}
				continuation(t, i, n)
			case q == '"' && c == '\\':
				if i+1 >= len(t) {
					fail()
				}
				var r rune
				w := 0
				switch t[i+1] {
				case '0':
					b = append(b, 0)
				case 'a':
					b = append(b, 7)
				case 'b':
					b = append(b, 8)
				case 't':
					b = append(b, 9)
				case 'n':
					b = append(b, 10)
				case 'v':
					b = append(b, 11)
				case 'f':
					b = append(b, 12)
				case 'r':
					b = append(b, 13)
				case 'e':
					b = append(b, 27)
				case ' ', '"', '\'', '\\':
					b = append(b, t[i+1])
				case 'N':
					r = 0x85
				case '_':
					r = 0xA0
				case 'L':
					r = 0x2028
				case 'P':
					r = 0x2029
				case 'x':
					w = 2
				case 'u':
					w = 4
				case 'U':
					w = 8
				default:
					fail()
				}
				i += 2
				if w > 0 {
					if i+w > len(t) {
						fail()
					}
					u, err := strconv.ParseUint(t[i:i+w], 16, 32)
					if err != nil || t[i] == '+' || (u >= 0xD800 && u <= 0xDFFF) || u > 0x10FFFF {
						fail()
					}
					r = rune(u)
					i += w
				}
				if r != 0 || w > 0 {
					b = utf8.AppendRune(b, r)
				}
				continue
			default:
				b = append(b, c)
				i++
				continue
			}
			break
		}
		if i >= len(t) {
			fail()
		}
		if t[i] == q {
			return string(b), style, i + 1
		}
		// Blanks and line breaks.
		white = white[:0]
		breaks := 0
		firstBreak := false
		for i < len(t) && (t[i] == ' ' || t[i] == '\n') {
			if t[i] == ' ' {
				if !leading {
					white = append(white, ' ')
				}
				i++
				continue
			}
			if !multi {
				fail()
			}
			i++
			continuation(t, i, n)
			if !leading {
				white = white[:0]
				leading, firstBreak = true, true
			} else {
				breaks++
			}
		}
		if leading {
			if firstBreak && breaks == 0 {
				b = append(b, ' ')
			}
			for ; breaks > 0; breaks-- {
				b = append(b, '\n')
			}
		} else {
			b = append(b, white...)
		}
	}
}

type fkey struct {
	value string
	style yaml.Style
	next  int // byte offset after the ':'
}

// keyAt reads an implicit mapping key at byte pos ("key:" followed by a
// space or the end of the line).
func (p *fparser) keyAt(pos, end int) (fkey, bool) {
	t := p.s[pos:end]
	if t == "" {
		return fkey{}, false
	}
	switch t[0] {
	case '"', '\'':
		if strings.IndexByte(t, ':') < 0 {
			return fkey{}, false
		}
		v, style, rest := quoted(t)
		r := strings.TrimLeft(rest, " ")
		if r == "" || r[0] != ':' || (len(r) > 1 && r[1] != ' ') {
			return fkey{}, false
		}
		if len(t)-len(r) > 512 {
			fail() // libyaml limits implicit keys to 1024 characters
		}
		return fkey{v, style, end - len(r) + 1}, true
	case '-', '?', ':':
		if len(t) == 1 || t[1] == ' ' {
			return fkey{}, false
		}
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch c {
		case ':':
			if i+1 == len(t) || t[i+1] == ' ' {
				k := strings.TrimRight(t[:i], " ")
				if k == "" || i > 512 || k == "<<" {
					fail()
				}
				switch k[0] {
				case '&', '*', '!', '|', '>', '%', '@', '`', ',', '[', ']', '{', '}', '#':
					fail()
				}
				return fkey{k, 0, pos + i + 1}, true
			}
		case '#':
			if i > 0 && t[i-1] == ' ' {
				return fkey{}, false
			}
		}
	}
	return fkey{}, false
}

// flow reads a flow collection that ends on its line (t starts with its
// '[' or '{').
func (p *fparser) flow(t string, i int) *yaml.Node {
	n, rest := p.flowNode(t, i)
	if n.Kind == yaml.ScalarNode || !blankOrComment(rest) {
		fail()
	}
	return n
}

// flowNode reads one flow node at the start of t and returns what follows.
func (p *fparser) flowNode(t string, i int) (*yaml.Node, string) {
	if t == "" {
		fail()
	}
	switch t[0] {
	case '[', '{':
		p.enter()
		defer func() { p.depth-- }()
		mapping := t[0] == '{'
		closer := byte(']')
		n := p.node(yaml.SequenceNode, yaml.FlowStyle, "", i)
		if mapping {
			closer = '}'
			n.Kind = yaml.MappingNode
		}
		base := len(p.stack)
		r := strings.TrimLeft(t[1:], " ")
		if r != "" && r[0] == closer {
			return n, r[1:]
		}
		for {
			var v *yaml.Node
			if mapping {
				if r == "" || r[0] == '[' || r[0] == '{' {
					fail()
				}
				before := len(r)
				v, r = p.flowNode(r, i)
				if !strings.HasPrefix(r, ": ") || v.Value == "<<" && v.Style == 0 || before-len(r) > 512 {
					fail()
				}
				p.stack = append(p.stack, v)
				v, r = p.flowNode(strings.TrimLeft(r[2:], " "), i)
			} else {
				v, r = p.flowNode(r, i)
			}
			p.stack = append(p.stack, v)
			r = strings.TrimLeft(r, " ")
			if r == "" {
				fail()
			}
			if r[0] == closer {
				n.Content = p.children(base)
				return n, r[1:]
			}
			if r[0] != ',' {
				fail()
			}
			r = strings.TrimLeft(r[1:], " ")
			if r == "" || r[0] == closer || r[0] == ',' {
				fail()
			}
		}
	case '"', '\'':
		v, style, rest := quoted(t)
		return p.node(yaml.ScalarNode, style, v, i), rest
	case '-':
		if len(t) == 1 || t[1] == ' ' {
			fail()
		}
	case '&', '*', '!', '|', '>', '%', '@', '`', '?', ':', '#', ',', ']', '}':
		fail()
	}
	j := strings.IndexAny(t, ",[]{}:#\"'")
	if j < 0 {
		fail()
	}
	v := strings.TrimRight(t[:j], " ")
	if v == "" {
		fail()
	}
	// Plain scalars in flow collections: only the plainest characters.
	for k := 0; k < len(v); k++ {
		switch c := v[k]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == ' ', c == '.', c == '_', c == '/', c == '-', c == '+', c == '=', c == '~', c == '%':
		default:
			fail()
		}
	}
	return p.node(yaml.ScalarNode, 0, v, i), t[len(v):]
}

// literal reads a literal block scalar ("|" or "|-") whose header is t on
// line i, inside a block at column n.
func (p *fparser) literal(i int, t string, n int) (*yaml.Node, int) {
	strip := false
	h := t[1:]
	if strings.HasPrefix(h, "-") {
		strip, h = true, h[1:]
	}
	if !blankOrComment(h) {
		fail()
	}
	// The content's indentation is the first non-blank line's.
	j := i + 1
	lead := 0
	for j < p.end && p.lines[j].start+p.lines[j].indent == p.lines[j].end {
		if p.lines[j].end > p.lines[j].start {
			fail() // an all-space line before the content: leave it to yaml.v3
		}
		j++
		lead++
	}
	if j >= p.end || p.lines[j].indent <= n {
		fail() // empty content
	}
	ind := p.lines[j].indent
	var sb strings.Builder
	last := j
	pending := lead // empty lines before the content are line breaks in it
	for ; j < p.end; j++ {
		l := p.lines[j]
		if l.start+l.indent == l.end {
			if l.end-l.start > ind {
				fail() // a content line of spaces
			}
			pending++
			continue
		}
		if l.indent < ind {
			break
		}
		for ; pending > 0; pending-- {
			sb.WriteByte('\n')
		}
		sb.WriteString(p.s[l.start+ind : l.end])
		sb.WriteByte('\n')
		last = j
	}
	if p.lines[last].end == len(p.s) {
		fail() // no line break after the content
	}
	v := sb.String()
	if strip {
		v = v[:len(v)-1]
	}
	// Blank lines after the content belong to it (and are chomped); any
	// line with more indentation than the content's would be content too.
	for k := last + 1; k < j; k++ {
		if p.lines[k].end-p.lines[k].start > ind {
			fail()
		}
	}
	if j < p.end && p.lines[j].indent > n {
		fail()
	}
	return p.node(yaml.ScalarNode, yaml.LiteralStyle, v, i), j
}
