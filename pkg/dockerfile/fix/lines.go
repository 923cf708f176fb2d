package fix

import (
	"slices"
	"strings"
)

// lineMap gives, for line n (index n-1) of a text made by fix passes, the
// lines of the original text its bytes came from, sorted. Text a fix
// inserts comes from the line it is inserted at and from every line the
// same fix deletes (a fix that deletes and inserts moves code: SS003 moves
// a RUN, SS014 and SS004 move commands into another RUN, a merge joins
// lines). Fix reports every line through it, so messages name lines of
// the file the user has, not of an intermediate pass.
type lineMap [][]int

func identity(src []byte) lineMap {
	m := make(lineMap, strings.Count(string(src), "\n")+1)
	for i := range m {
		m[i] = []int{i + 1}
	}
	return m
}

// orig returns the first original line of line.
func (m lineMap) orig(line int) int {
	if o := m.origins(line, line); len(o) > 0 {
		return o[0]
	}
	return line
}

// origins returns the original lines of lines from..to.
func (m lineMap) origins(from, to int) []int {
	if to < from {
		to = from
	}
	var out []int
	for l := max(from, 1); l <= to && l <= len(m); l++ {
		out = append(out, m[l-1]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// compose maps next (lines of the next text -> lines of the current one)
// onto the original.
func (m lineMap) compose(next lineMap) lineMap {
	out := make(lineMap, len(next))
	for i, ls := range next {
		for _, l := range ls {
			out[i] = append(out[i], m.origins(l, l)...)
		}
		slices.Sort(out[i])
		out[i] = slices.Compact(out[i])
	}
	return out
}

// lineBuilder builds a text and its lineMap onto the text it is made from.
type lineBuilder struct {
	out   []byte
	lines lineMap
}

func (b *lineBuilder) write(text []byte, origins []int) {
	for _, c := range text {
		if len(b.out) == 0 || b.out[len(b.out)-1] == '\n' {
			b.lines = append(b.lines, nil)
		}
		cur := &b.lines[len(b.lines)-1]
		for _, o := range origins {
			if !slices.Contains(*cur, o) {
				*cur = append(*cur, o)
			}
		}
		b.out = append(b.out, c)
	}
}

// copySrc writes src[from:to], whose first byte is on line.
func (b *lineBuilder) copySrc(src []byte, from, to, line int) int {
	for from < to {
		nl := strings.IndexByte(string(src[from:to]), '\n')
		if nl < 0 {
			b.write(src[from:to], []int{line})
			return line
		}
		b.write(src[from:from+nl+1], []int{line})
		from += nl + 1
		line++
	}
	return line
}

func (b *lineBuilder) done(origin int) ([]byte, lineMap) {
	if len(b.out) == 0 || b.out[len(b.out)-1] == '\n' {
		b.lines = append(b.lines, []int{origin})
	}
	for _, l := range b.lines {
		slices.Sort(l)
	}
	return b.out, b.lines
}
