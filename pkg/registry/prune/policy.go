// Package prune is `slimship registry prune`: client-side retention for any
// OCI registry. Decide is the policy, a pure function over (tag, digest,
// time) lists with restic's bucket semantics; Plan reads a repository into
// such a list (and the signatures and referrers that go with each image);
// Execute deletes what a plan deletes, re-checking every tag first.
package prune

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slimship/slimship/internal/units"
)

// Unlimited as a count keeps every bucket (restic's "unlimited").
const Unlimited = -1

// Policy says which images to keep. An image is a manifest (by digest)
// with all the tags that point at it: several tags of one digest are one
// image, kept or deleted together. An image is kept when any rule keeps
// it, as restic's forget does:
//
//   - Last keeps the Last newest images;
//   - Daily, Weekly and Monthly keep the newest image of each of the last N
//     days, ISO weeks (Monday to Sunday) and months that have images, in
//     UTC; while a rule still has buckets left when the oldest image is
//     reached, that image is kept too ("oldest daily"), as restic >= 0.17
//     and borg >= 1.2.5 do;
//   - KeepTags keeps every image with a tag that one expression matches
//     whole, NewerThan every image created less than that long ago, and an
//     image of unknown creation time is always kept: these three protect;
//   - Max caps the images kept: protected images count first, then the
//     images the rules keep, newest first, until Max; the rest are deleted.
//     Max alone keeps the Max newest. Protected images are kept even beyond
//     Max.
//
// Counting follows restic, not borg: in borg an image kept by one rule is
// not counted by the next (so borg keeps more); here each rule counts its
// own buckets and the kept set is their union.
type Policy struct {
	Last, Daily, Weekly, Monthly int
	Max                          int
	KeepTags                     []TagPattern
	NewerThan                    time.Duration
}

// Empty reports whether p has no rule at all: such a policy would delete
// every image, and the command refuses it, as restic does.
func (p Policy) Empty() bool {
	return p.Last == 0 && p.Daily == 0 && p.Weekly == 0 && p.Monthly == 0 && p.Max == 0 &&
		len(p.KeepTags) == 0 && p.NewerThan == 0
}

// Validate checks the counts.
func (p Policy) Validate() error {
	for _, c := range []struct {
		name string
		n    int
	}{{"keep-last", p.Last}, {"keep-daily", p.Daily}, {"keep-weekly", p.Weekly}, {"keep-monthly", p.Monthly}} {
		if c.n < Unlimited {
			return fmt.Errorf("%s %d: want a count >= 0, or -1 for unlimited", c.name, c.n)
		}
	}
	if p.Max < 0 {
		return fmt.Errorf("max %d: want a count >= 0", p.Max)
	}
	if p.NewerThan < 0 {
		return fmt.Errorf("older-than %v: want a positive age", p.NewerThan)
	}
	return nil
}

// String is the policy as flags.
func (p Policy) String() string {
	var parts []string
	count := func(name string, n int) {
		switch {
		case n == Unlimited:
			parts = append(parts, name+" unlimited")
		case n > 0:
			parts = append(parts, name+" "+strconv.Itoa(n))
		}
	}
	count("keep-last", p.Last)
	count("keep-daily", p.Daily)
	count("keep-weekly", p.Weekly)
	count("keep-monthly", p.Monthly)
	count("max", p.Max)
	for _, re := range p.KeepTags {
		parts = append(parts, "keep-tag "+re.String())
	}
	if p.NewerThan > 0 {
		parts = append(parts, "older-than "+units.Duration(p.NewerThan))
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}

// Entry is one tag of a repository: the digest it points at and when that
// image was built (zero when unknown).
type Entry struct {
	Tag     string
	Digest  string
	Created time.Time
}

// Rules, as Reason.Rule names them.
const (
	RuleLast        = "last"
	RuleDaily       = "daily"
	RuleWeekly      = "weekly"
	RuleMonthly     = "monthly"
	RuleKeepTag     = "keep-tag"
	RuleNewer       = "newer-than"
	RuleUnknownTime = "unknown-time"
	// RuleInIndex keeps a platform image that a kept index lists (the
	// registry's fact, added by Plan after Decide).
	RuleInIndex = "in-index"
	// RuleShared keeps an image that a tag which stays points at (Plan).
	RuleShared = "shared"
	// RuleMax keeps (Max alone: the Max newest) or deletes (over Max).
	RuleMax = "max"
	// RuleNone deletes an image no rule keeps.
	RuleNone = "none"
)

// Reason is one rule's say about an image.
type Reason struct {
	Rule string `json:"rule"`
	// N is the image's place in its rule (1 for the newest); Of the
	// rule's count (0: unlimited).
	N  int `json:"n,omitempty"`
	Of int `json:"of,omitempty"`
	// Bucket is the day (2026-01-09), ISO week (2026-W02) or month
	// (2026-01) of a bucket rule, or the matching tag of keep-tag.
	Bucket string `json:"bucket,omitempty"`
	// Oldest marks the oldest image kept because its rule had buckets
	// left.
	Oldest bool `json:"oldest,omitempty"`
	// Detail is keep-tag's expression or newer-than's age.
	Detail string `json:"detail,omitempty"`
}

func (r Reason) String() string {
	place := func() string {
		if r.Of <= 0 {
			return strconv.Itoa(r.N)
		}
		return fmt.Sprintf("%d/%d", r.N, r.Of)
	}
	switch r.Rule {
	case RuleLast:
		return "last " + place()
	case RuleDaily, RuleWeekly, RuleMonthly:
		s := r.Rule + " " + place() + " (" + r.Bucket + ")"
		if r.Oldest {
			s = "oldest " + s
		}
		return s
	case RuleKeepTag:
		return fmt.Sprintf("keep-tag %s matches %s", r.Bucket, r.Detail)
	case RuleNewer:
		return "newer than " + r.Detail
	case RuleUnknownTime:
		return "unknown creation time"
	case RuleShared:
		return "a tag that stays points at it"
	case RuleInIndex:
		return "a platform image of kept " + r.Bucket
	case RuleMax:
		if r.N > 0 {
			return "max " + place()
		}
		return fmt.Sprintf("over --max %d", r.Of)
	case RuleNone:
		return "kept by no rule"
	}
	return r.Rule
}

// Image is one manifest, its tags and the decision.
type Image struct {
	Digest  string
	Tags    []string
	Created time.Time
	Keep    bool
	// Reasons say why it is kept, or why it is deleted.
	Reasons []Reason
	// Overruled are the rules that would keep an image Max deletes.
	Overruled []Reason
}

// Protected is whether the image is kept whatever Max says.
func (im *Image) Protected() bool {
	for _, r := range im.Reasons {
		if r.Rule == RuleKeepTag || r.Rule == RuleNewer || r.Rule == RuleUnknownTime {
			return true
		}
	}
	return false
}

// Decide applies p to the tags of a repository at time now. It groups the
// entries by digest (an image's time is the latest its entries give) and
// returns the images newest first (by time, then digest), those of
// unknown time last.
func Decide(p Policy, entries []Entry, now time.Time) []Image {
	idx := map[string]int{}
	var images []Image
	for _, e := range entries {
		i, ok := idx[e.Digest]
		if !ok {
			i = len(images)
			idx[e.Digest] = i
			images = append(images, Image{Digest: e.Digest})
		}
		im := &images[i]
		if !slices.Contains(im.Tags, e.Tag) {
			im.Tags = append(im.Tags, e.Tag)
		}
		if e.Created.After(im.Created) {
			im.Created = e.Created
		}
	}
	for i := range images {
		slices.Sort(images[i].Tags)
		if images[i].Created.Unix() <= 0 {
			images[i].Created = time.Time{}
		}
	}
	slices.SortFunc(images, func(a, b Image) int {
		if ak, bk := !a.Created.IsZero(), !b.Created.IsZero(); ak != bk {
			if ak {
				return -1
			}
			return 1
		}
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Digest, b.Digest)
	})
	known := 0
	for known < len(images) && !images[known].Created.IsZero() {
		known++
	}

	last := p.Last
	lastRule := RuleLast
	if p.Last == 0 && p.Daily == 0 && p.Weekly == 0 && p.Monthly == 0 && p.Max > 0 {
		last, lastRule = p.Max, RuleMax
	}
	buckets := []struct {
		rule  string
		count int
		of    int
		key   func(t time.Time, nr int) string
		last  string
		n     int
	}{
		{rule: lastRule, count: last, key: func(_ time.Time, nr int) string { return "#" + strconv.Itoa(nr) }},
		{rule: RuleDaily, count: p.Daily, key: func(t time.Time, _ int) string { return t.Format("2006-01-02") }},
		{rule: RuleWeekly, count: p.Weekly, key: func(t time.Time, _ int) string {
			y, w := t.ISOWeek()
			return fmt.Sprintf("%04d-W%02d", y, w)
		}},
		{rule: RuleMonthly, count: p.Monthly, key: func(t time.Time, _ int) string { return t.Format("2006-01") }},
	}
	for i := range buckets {
		buckets[i].of = max(buckets[i].count, 0)
	}
	for nr := 0; nr < known; nr++ {
		im := &images[nr]
		t := im.Created.UTC()
		for i := range buckets {
			b := &buckets[i]
			if b.count == 0 {
				continue
			}
			k := b.key(t, nr)
			if k == b.last && nr != known-1 {
				continue
			}
			r := Reason{Rule: b.rule, Oldest: k == b.last}
			b.last = k
			b.n++
			if b.count > 0 {
				b.count--
			}
			r.N, r.Of = b.n, b.of
			if b.rule != RuleLast && b.rule != RuleMax {
				r.Bucket = k
			}
			im.Reasons = append(im.Reasons, r)
		}
	}
	for i := range images {
		im := &images[i]
		for _, tag := range im.Tags {
			for _, re := range p.KeepTags {
				if re.Match(tag) {
					im.Reasons = append(im.Reasons, Reason{Rule: RuleKeepTag, Bucket: tag, Detail: re.String()})
					break
				}
			}
		}
		switch {
		case im.Created.IsZero():
			im.Reasons = append(im.Reasons, Reason{Rule: RuleUnknownTime})
		case p.NewerThan > 0 && now.Sub(im.Created) < p.NewerThan:
			im.Reasons = append(im.Reasons, Reason{Rule: RuleNewer, Detail: units.Duration(p.NewerThan)})
		}
		im.Keep = len(im.Reasons) > 0
	}
	if p.Max > 0 {
		kept := 0
		for i := range images {
			if images[i].Protected() {
				kept++
			}
		}
		for i := range images {
			im := &images[i]
			if !im.Keep || im.Protected() {
				continue
			}
			if kept < p.Max {
				kept++
				continue
			}
			im.Keep = false
			im.Overruled = im.Reasons
			im.Reasons = []Reason{{Rule: RuleMax, Of: p.Max}}
		}
	}
	for i := range images {
		if !images[i].Keep && len(images[i].Reasons) == 0 {
			images[i].Reasons = []Reason{{Rule: RuleNone}}
		}
	}
	return images
}

// TagPattern is a --keep-tag expression (RE2), matched against the
// whole tag: release-.* keeps release-1 but not pre-release-1.
type TagPattern struct {
	expr string
	re   *regexp.Regexp
}

// CompileTagPattern compiles expr.
func CompileTagPattern(expr string) (TagPattern, error) {
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return TagPattern{}, fmt.Errorf("bad tag expression %q: %v", expr, err)
	}
	return TagPattern{expr: expr, re: re}, nil
}

// MustTagPattern is CompileTagPattern for expressions known to be good.
func MustTagPattern(expr string) TagPattern {
	t, err := CompileTagPattern(expr)
	if err != nil {
		panic(err)
	}
	return t
}

// Match is whether the whole tag matches.
func (t TagPattern) Match(tag string) bool { return t.re != nil && t.re.MatchString(tag) }

func (t TagPattern) String() string { return t.expr }
