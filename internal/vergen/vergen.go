// Package vergen generates version strings for property tests of version
// order: realistic and tricky versions in one ecosystem's syntax, and pairs
// of them that differ in one or two places, so that a comparison probes the
// ordering rules rather than the first number.
//
// A generator draws every decision from a Chooser. A pair is made by
// generating A, then replaying A's decisions with one or two of them drawn
// anew: B shares A's shape up to the changed decision. Everything is
// deterministic for a seed.
package vergen

import (
	"math/rand/v2"
	"strconv"
)

// Pair is two versions to compare.
type Pair struct{ A, B string }

// Gen makes one version from the decisions it draws from c.
type Gen func(c *Chooser) string

// Chooser hands out decisions: from a script while it lasts, then at
// random. It records the decisions it made, so they can be replayed.
type Chooser struct {
	r      *rand.Rand
	script []uint32
	rec    []uint32
}

func (c *Chooser) draw() uint32 {
	var v uint32
	if i := len(c.rec); i < len(c.script) {
		v = c.script[i]
	} else {
		v = c.r.Uint32()
	}
	c.rec = append(c.rec, v)
	return v
}

// Intn is a decision in [0, n).
func (c *Chooser) Intn(n int) int { return int(c.draw() % uint32(n)) }

// Chance is true pct times in 100.
func (c *Chooser) Chance(pct int) bool { return c.Intn(100) < pct }

// Pick is one of xs.
func (c *Chooser) Pick(xs ...string) string { return xs[c.Intn(len(xs))] }

// Pick2 is a or b.
func (c *Chooser) Pick2(a, b int) int {
	if c.Intn(2) == 0 {
		return a
	}
	return b
}

// Num is a number as versions spell them: mostly small, sometimes with
// leading zeros, a date, or beyond 64 bits.
func (c *Chooser) Num() string {
	switch k := c.Intn(50); {
	case k < 4:
		return "0" + strconv.Itoa(c.Intn(10)) // 00..09
	case k < 5:
		return "00" + strconv.Itoa(c.Intn(3))
	case k < 7:
		return strconv.Itoa(2000+c.Intn(30)) + c.Pick("0101", "1231", "0615")
	case k < 8:
		return "18446744073709551616" + strconv.Itoa(c.Intn(3)) // > uint64
	case k < 18:
		return strconv.Itoa(10 + c.Intn(91))
	default:
		return strconv.Itoa(c.Intn(4))
	}
}

// Version makes one version from gen, seeded.
func Version(gen Gen, seed uint64) string {
	return gen(&Chooser{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))})
}

// Pairs makes n distinct pairs from gen, seeded: most are A and a mutant of
// A (one or two decisions drawn anew), some are two independent versions,
// a few are A and A.
func Pairs(gen Gen, seed uint64, n int) []Pair {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	seen := make(map[Pair]bool, n)
	out := make([]Pair, 0, n)
	for tries := 0; len(out) < n && tries < 50*n; tries++ {
		ca := &Chooser{r: r}
		a := gen(ca)
		var b string
		switch k := r.IntN(100); {
		case k < 3:
			b = a
		case k < 13:
			b = gen(&Chooser{r: r})
		default:
			// A mutant, which a change of an unused or equivalent
			// decision can leave equal to A: draw again then.
			for range 8 {
				script := append([]uint32(nil), ca.rec...)
				for range 1 + r.IntN(2) {
					script[r.IntN(len(script))] = r.Uint32()
				}
				if b = gen(&Chooser{r: r, script: script}); b != a {
					break
				}
			}
		}
		p := Pair{a, b}
		if r.IntN(2) == 0 {
			p = Pair{b, a}
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}
