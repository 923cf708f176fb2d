package prune

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slimship/slimship/internal/registrytest"
)

// reference is registrytest.Keep, the policy stated apart.
func reference(p Policy, entries []Entry, now time.Time) map[string]bool {
	rp := registrytest.Policy{Last: p.Last, Daily: p.Daily, Weekly: p.Weekly, Monthly: p.Monthly, Max: p.Max, NewerThan: p.NewerThan}
	for _, tp := range p.KeepTags {
		rp.KeepTags = append(rp.KeepTags, tp.String())
	}
	return registrytest.Keep(rp, images(entries), now)
}

// images groups entries by digest, an image's time the latest.
func images(entries []Entry) []registrytest.Image {
	idx := map[string]int{}
	var out []registrytest.Image
	for _, e := range entries {
		i, ok := idx[e.Digest]
		if !ok {
			i = len(out)
			idx[e.Digest] = i
			out = append(out, registrytest.Image{Digest: e.Digest})
		}
		out[i].Tags = append(out[i].Tags, e.Tag)
		if e.Created.After(out[i].Created) {
			out[i].Created = e.Created
		}
	}
	return out
}

func kept(images []Image) map[string]bool {
	out := map[string]bool{}
	for _, im := range images {
		if im.Keep {
			out[im.Digest] = true
		}
	}
	return out
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sundays are restic's documented example: one backup every Sunday for 12
// weeks, 2019-09-01 to 2019-11-17, 11:00.
func sundays() []Entry {
	var es []Entry
	t := day("2019-09-01T11:00:00Z")
	for i := 0; i < 12; i++ {
		es = append(es, Entry{Tag: t.Format("20060102"), Digest: fmt.Sprintf("sha256:%02d", i), Created: t})
		t = t.AddDate(0, 0, 7)
	}
	return es
}

func keptTags(images []Image) []string {
	var out []string
	for _, im := range images {
		if im.Keep {
			out = append(out, im.Tags...)
		}
	}
	slices.Sort(out)
	return out
}

func TestResticDocumentedExample(t *testing.T) {
	now := day("2019-11-18T00:00:00Z")
	got := keptTags(Decide(Policy{Daily: 4}, sundays(), now))
	want := []string{"20191027", "20191103", "20191110", "20191117"}
	if !slices.Equal(got, want) {
		t.Fatalf("keep-daily 4 kept %v, restic's docs keep %v", got, want)
	}
	// restic >= 0.17: a rule with buckets left keeps the oldest snapshot
	images := Decide(Policy{Weekly: 20}, sundays(), now)
	if n := len(kept(images)); n != 12 {
		t.Fatalf("keep-weekly 20 kept %d of 12", n)
	}
	images = Decide(Policy{Monthly: 5}, sundays(), now)
	got = keptTags(images)
	want = []string{"20190901", "20190929", "20191027", "20191117"}
	if !slices.Equal(got, want) {
		t.Fatalf("keep-monthly 5 kept %v, want %v (3 months, and the oldest)", got, want)
	}
	last := images[len(images)-1]
	if last.Reasons[0].String() != "oldest monthly 4/5 (2019-09)" {
		t.Errorf("oldest reason: %v", last.Reasons)
	}
}

// TestDailyForTwoYears is restic's second documented example without
// yearly: a backup every day; --keep-daily 7 --keep-weekly 5
// --keep-monthly 12 keeps 7 dailies, 4 more weeklies (the 7 dailies include
// one), and 11 or 12 monthlies "depending on whether one of them ends up
// being the same as a daily or weekly". Here the newest is Sunday
// 2025-12-28: the dailies are one ISO week, and of the 12 monthlies
// 2025-12-28 is a daily and 2025-11-30 (a Sunday) a weekly: 7+4+10.
func TestDailyForTwoYears(t *testing.T) {
	var es []Entry
	start := day("2024-01-01T03:00:00Z")
	for i := 0; i < 728; i++ {
		ti := start.AddDate(0, 0, i)
		es = append(es, Entry{Tag: ti.Format("20060102"), Digest: fmt.Sprintf("sha256:%04d", i), Created: ti})
	}
	now := start.AddDate(0, 0, 728)
	images := Decide(Policy{Daily: 7, Weekly: 5, Monthly: 12}, es, now)
	k := kept(images)
	if len(k) != 7+4+10 {
		t.Fatalf("kept %d", len(k))
	}
	if im := images[0]; im.Tags[0] != "20251228" || len(im.Reasons) != 3 ||
		im.Reasons[0].String() != "daily 1/7 (2025-12-28)" || im.Reasons[1].String() != "weekly 1/5 (2025-W52)" ||
		im.Reasons[2].String() != "monthly 1/12 (2025-12)" {
		t.Fatalf("newest: %+v", im)
	}
}

func TestTable(t *testing.T) {
	now := day("2026-03-01T00:00:00Z")
	es := []Entry{
		{"v3", "sha256:c", day("2026-02-28T18:00:00Z")},
		{"latest", "sha256:c", day("2026-02-28T18:00:00Z")},
		{"v2", "sha256:b", day("2026-02-28T09:00:00Z")},
		{"v1", "sha256:a", day("2026-02-27T09:00:00Z")},
		{"v0", "sha256:0", day("2026-01-15T09:00:00+05:00")},
		{"release-1", "sha256:r", day("2025-06-01T00:00:00Z")},
		{"ko", "sha256:k", time.Unix(0, 0).UTC()},
		{"old", "sha256:o", day("2025-01-01T00:00:00Z")},
	}
	for _, c := range []struct {
		name string
		p    Policy
		want []string
	}{
		{"last 1 keeps both tags of a digest", Policy{Last: 1}, []string{"ko", "latest", "v3"}},
		{"last 2", Policy{Last: 2}, []string{"ko", "latest", "v2", "v3"}},
		{"daily 2", Policy{Daily: 2}, []string{"ko", "latest", "v1", "v3"}},
		{"weekly 1", Policy{Weekly: 1}, []string{"ko", "latest", "v3"}},
		{"monthly 2", Policy{Monthly: 2}, []string{"ko", "latest", "v0", "v3"}},
		{"keep-tag whole match", Policy{Last: 1, KeepTags: []TagPattern{MustTagPattern("release-.*"), MustTagPattern("v")}}, []string{"ko", "latest", "release-1", "v3"}},
		{"older-than", Policy{NewerThan: 50 * 24 * time.Hour}, []string{"ko", "latest", "v0", "v1", "v2", "v3"}},
		{"max alone", Policy{Max: 3}, []string{"ko", "latest", "v2", "v3"}},
		{"max caps rules, protected first", Policy{Last: 5, Max: 3, KeepTags: []TagPattern{MustTagPattern("old")}}, []string{"ko", "latest", "old", "v3"}},
		{"unlimited daily keeps the oldest", Policy{Daily: Unlimited}, []string{"ko", "latest", "old", "release-1", "v0", "v1", "v3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := keptTags(Decide(c.p, es, now))
			if !slices.Equal(got, c.want) {
				t.Errorf("kept %v, want %v", got, c.want)
			}
			ref := reference(c.p, es, now)
			if k := kept(Decide(c.p, es, now)); !mapsEqual(k, ref) {
				t.Errorf("reference keeps %v, Decide %v", ref, k)
			}
		})
	}
}

func TestReasons(t *testing.T) {
	now := day("2026-03-01T00:00:00Z")
	es := []Entry{
		{"a", "sha256:a", day("2026-02-28T18:00:00Z")},
		{"b", "sha256:b", day("2026-02-28T09:00:00Z")},
		{"c", "sha256:c", day("2026-02-20T09:00:00Z")},
	}
	images := Decide(Policy{Last: 1, Daily: 1, Weekly: 2, Max: 2}, es, now)
	var got []string
	for _, im := range images {
		var rs []string
		for _, r := range im.Reasons {
			rs = append(rs, r.String())
		}
		for _, r := range im.Overruled {
			rs = append(rs, "overruled: "+r.String())
		}
		got = append(got, fmt.Sprintf("%s %v %s", im.Tags[0], im.Keep, strings.Join(rs, ", ")))
	}
	want := []string{
		"a true last 1/1, daily 1/1 (2026-02-28), weekly 1/2 (2026-W09)",
		"b false kept by no rule",
		"c true weekly 2/2 (2026-W08)",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	images = Decide(Policy{Last: 3, Max: 1}, es, now)
	if images[1].Keep || images[1].Reasons[0].String() != "over --max 1" || images[1].Overruled[0].String() != "last 2/3" {
		t.Fatalf("max: %+v", images[1])
	}
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// randomCase builds a repository of up to 60 images over ~400 days: some
// days with several images, some digests with several tags, a few of
// unknown time, times in other zones; and a random policy.
func randomCase(r *rand.Rand) (Policy, []Entry, time.Time) {
	start := day("2025-01-01T00:00:00Z")
	zones := []*time.Location{time.UTC, time.FixedZone("x", 5*3600), time.FixedZone("y", -8*3600)}
	n := 1 + r.IntN(60)
	var es []Entry
	for i := 0; i < n; i++ {
		d := fmt.Sprintf("sha256:%03d", i)
		t := start.Add(time.Duration(r.Int64N(400*24)) * time.Hour).Add(time.Duration(r.IntN(3600)) * time.Second)
		if r.IntN(4) == 0 && len(es) > 0 { // the same day as another image
			t = es[r.IntN(len(es))].Created.Add(time.Duration(r.IntN(7200)-3600) * time.Second)
		}
		if r.IntN(15) == 0 {
			t = time.Time{}
		}
		if !t.IsZero() {
			t = t.In(zones[r.IntN(len(zones))])
		}
		for k := 0; k < 1+r.IntN(3)/2*r.IntN(3); k++ {
			es = append(es, Entry{Tag: fmt.Sprintf("t%03d-%d", i, k), Digest: d, Created: t})
		}
	}
	r.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
	count := func() int { return []int{0, 0, 1, 2, 3, 5, 8, Unlimited}[r.IntN(8)] }
	p := Policy{Last: count(), Daily: count(), Weekly: count(), Monthly: count()}
	if r.IntN(3) == 0 {
		p.Max = 1 + r.IntN(12)
	}
	if r.IntN(4) == 0 {
		p.KeepTags = []TagPattern{MustTagPattern(fmt.Sprintf("t0%d.*", r.IntN(6)))}
	}
	if r.IntN(4) == 0 {
		p.NewerThan = time.Duration(1+r.IntN(60)) * 24 * time.Hour
	}
	return p, es, start.Add(410 * 24 * time.Hour)
}

func TestAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 3))
	for i := 0; i < 1000; i++ {
		p, es, now := randomCase(r)
		checkCase(t, p, es, now)
		if t.Failed() {
			t.Fatalf("case %d: policy %s", i, p)
		}
	}
}

func checkCase(t *testing.T, p Policy, es []Entry, now time.Time) {
	t.Helper()
	images := Decide(p, es, now)
	got := kept(images)
	if ref := reference(p, es, now); !mapsEqual(got, ref) {
		t.Errorf("policy %s: Decide keeps %v, the reference %v", p, got, ref)
		return
	}
	protected := 0
	for _, im := range images {
		if len(im.Reasons) == 0 {
			t.Errorf("%s: no reason", im.Digest)
		}
		if im.Protected() {
			protected++
			if !im.Keep {
				t.Errorf("%s: protected but deleted", im.Digest)
			}
		}
	}
	if p.Max > 0 && len(got) > max(p.Max, protected) {
		t.Errorf("max %d: kept %d (%d protected)", p.Max, len(got), protected)
	}
	if p.Max == 0 && (p.Last != 0 || p.Daily != 0 || p.Weekly != 0 || p.Monthly != 0) && len(images) > 0 && !images[0].Keep {
		t.Errorf("the newest image is deleted")
	}
	// a second run over what was kept keeps all of it (prune is idempotent)
	var rest []Entry
	for _, e := range es {
		if got[e.Digest] {
			rest = append(rest, e)
		}
	}
	if again := kept(Decide(p, rest, now)); !mapsEqual(again, got) {
		t.Errorf("policy %s: a second run keeps %d of %d", p, len(again), len(got))
	}
	// more of any count never keeps less (without a cap)
	if p.Max == 0 {
		q := p
		q.Daily = grow(q.Daily)
		q.Last = grow(q.Last)
		more := kept(Decide(q, es, now))
		for d := range got {
			if !more[d] {
				t.Errorf("policy %s keeps %s, %s does not", p, d, q)
				break
			}
		}
	}
}

func grow(n int) int {
	if n == Unlimited {
		return n
	}
	return n + 1
}

func FuzzDecide(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(13), uint64(3))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		p, es, now := randomCase(rand.New(rand.NewPCG(a, b)))
		checkCase(t, p, es, now)
	})
}

func TestValidateAndString(t *testing.T) {
	if err := (Policy{Daily: -2}).Validate(); err == nil {
		t.Error("keep-daily -2 accepted")
	}
	if err := (Policy{Max: -1}).Validate(); err == nil {
		t.Error("max -1 accepted")
	}
	if !(Policy{}).Empty() || (Policy{NewerThan: time.Hour}).Empty() {
		t.Error("Empty")
	}
	p := Policy{Last: 5, Daily: 3, Weekly: Unlimited, Max: 10, KeepTags: []TagPattern{MustTagPattern("v.*")}, NewerThan: 30 * 24 * time.Hour}
	if got := p.String(); got != "keep-last 5, keep-daily 3, keep-weekly unlimited, max 10, keep-tag v.*, older-than 30d" {
		t.Errorf("String: %s", got)
	}
	if _, err := CompileTagPattern("("); err == nil {
		t.Error("bad expression accepted")
	}
}
