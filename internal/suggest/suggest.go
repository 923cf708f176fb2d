// Package suggest finds the names closest to a misspelt one, for "did you
// mean" in error messages.
package suggest

import (
	"sort"
	"strings"
)

// Closest returns up to three of names nearest to name by edit distance
// (case-insensitive), nearest first; none when nothing is close (more than
// a third of the name's letters, at least 2, would change).
func Closest(name string, names []string) []string {
	lname := strings.ToLower(name)
	limit := max(2, len([]rune(lname))/3)
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, n := range names {
		ln := strings.ToLower(n)
		d := Distance(lname, ln)
		// A prefix (DL30 for DL3008) is close whatever its length.
		if d <= limit || (len(lname) >= 2 && strings.HasPrefix(ln, lname)) {
			cs = append(cs, cand{n, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// Hint is " (did you mean A, B or C?)", or "" when there is nothing close.
func Hint(name string, names []string) string {
	c := Closest(name, names)
	switch len(c) {
	case 0:
		return ""
	case 1:
		return " (did you mean " + c[0] + "?)"
	}
	return " (did you mean " + strings.Join(c[:len(c)-1], ", ") + " or " + c[len(c)-1] + "?)"
}

// Distance is the Levenshtein distance between a and b, in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
