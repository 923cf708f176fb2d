// Package registrytest holds what tests of registry commands share: an
// in-process registry that deletes as distribution does, a repository
// history pushed with real creation times, and an independent statement
// of the retention policy to check `registry prune` against.
package registrytest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Policy is a retention policy, stated apart from pkg/registry/prune.
// Counts: 0 off, -1 unlimited.
type Policy struct {
	Last, Daily, Weekly, Monthly, Max int
	KeepTags                          []string
	NewerThan                         time.Duration
}

// Image is a digest, its tags and when it was built (zero: unknown).
type Image struct {
	Digest  string
	Tags    []string
	Created time.Time
}

// Keep is the set of digests p keeps, by groups rather than prune's single
// pass: for a bucket rule of N, take the distinct buckets (UTC) newest
// first, keep the newest image of each of the first N, and keep the oldest
// image too when the buckets of all the other images are fewer than N
// (restic >= 0.17). Images of unknown time, younger than NewerThan or with a
// tag matching a KeepTags expression whole are protected; Max caps the
// rest, protected images counting first; Max alone is keep-last Max.
func Keep(p Policy, images []Image, now time.Time) map[string]bool {
	var byTime []Image
	protected := map[string]bool{}
	for _, im := range images {
		if im.Created.Unix() > 0 {
			byTime = append(byTime, im)
		} else {
			protected[im.Digest] = true
		}
	}
	// newest first; equal times by digest
	slices.SortFunc(byTime, func(a, b Image) int {
		if !a.Created.Equal(b.Created) {
			if a.Created.After(b.Created) {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Digest, b.Digest)
	})
	ruled := map[string]bool{}
	rule := func(n int, key func(time.Time) string) {
		if n == 0 || len(byTime) == 0 {
			return
		}
		seen := map[string]bool{}
		var firsts []string
		for _, im := range byTime {
			if k := key(im.Created.UTC()); !seen[k] {
				seen[k] = true
				firsts = append(firsts, im.Digest)
			}
		}
		take := len(firsts)
		if n > 0 && n < take {
			take = n
		}
		for _, d := range firsts[:take] {
			ruled[d] = true
		}
		others := map[string]bool{}
		for _, im := range byTime[:len(byTime)-1] {
			others[key(im.Created.UTC())] = true
		}
		if n < 0 || len(others) < n {
			ruled[byTime[len(byTime)-1].Digest] = true
		}
	}
	i := 0
	last := p.Last
	if p.Last == 0 && p.Daily == 0 && p.Weekly == 0 && p.Monthly == 0 {
		last = p.Max
	}
	rule(last, func(time.Time) string { i++; return fmt.Sprint(i) })
	rule(p.Daily, func(t time.Time) string { return fmt.Sprintf("%d-%d-%d", t.Year(), t.Month(), t.Day()) })
	rule(p.Weekly, func(t time.Time) string {
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d/%d", y, w)
	})
	rule(p.Monthly, func(t time.Time) string { return fmt.Sprintf("%d-%d", t.Year(), t.Month()) })

	for _, im := range byTime {
		if p.NewerThan > 0 && now.Sub(im.Created) < p.NewerThan {
			protected[im.Digest] = true
		}
	}
	for _, im := range images {
		for _, tag := range im.Tags {
			for _, expr := range p.KeepTags {
				if ok, _ := regexp.MatchString("^(?:"+expr+")$", tag); ok {
					protected[im.Digest] = true
				}
			}
		}
	}
	keep := map[string]bool{}
	for d := range protected {
		keep[d] = true
	}
	room := -1
	if p.Max > 0 {
		room = max(p.Max-len(protected), 0)
	}
	for _, im := range byTime {
		if ruled[im.Digest] && !protected[im.Digest] && room != 0 {
			keep[im.Digest] = true
			room--
		}
	}
	return keep
}
