package prune

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slimship/slimship/internal/registrytest"
	"github.com/slimship/slimship/pkg/registry"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	srv  *registrytest.Server
	ro   registry.Options
	repo name.Repository
	h    *registrytest.History
}

func setup(t *testing.T, referrers bool, days int) *fixture {
	t.Helper()
	srv := registrytest.New(t, referrers)
	ro := registry.Options{Insecure: true, Backoff: time.Millisecond}
	repo, err := ro.ParseRepository(srv.Host + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	h, err := registrytest.PushHistory(context.Background(), repo, ro.Remote(context.Background()), now, days, 7)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, ro: ro, repo: repo, h: h}
}

func (f *fixture) tags(t *testing.T) []string {
	t.Helper()
	tags, err := remote.List(f.repo, f.ro.Remote(context.Background())...)
	if err != nil {
		t.Fatal(err)
	}
	return tags
}

func (f *fixture) exists(t *testing.T, digest string) bool {
	t.Helper()
	_, err := remote.Head(f.repo.Digest(digest), f.ro.Remote(context.Background())...)
	if err != nil && !registry.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

var seedPolicy = registrytest.Policy{Max: 10, Last: 5, Daily: 3, Weekly: 2}

func toPolicy(p registrytest.Policy) Policy {
	q := Policy{Last: p.Last, Daily: p.Daily, Weekly: p.Weekly, Monthly: p.Monthly, Max: p.Max, NewerThan: p.NewerThan}
	for _, e := range p.KeepTags {
		q.KeepTags = append(q.KeepTags, MustTagPattern(e))
	}
	return q
}

func TestPruneRegistry(t *testing.T) {
	for _, referrers := range []bool{true, false} {
		name := "referrers API"
		if !referrers {
			name = "tag fallback"
		}
		t.Run(name, func(t *testing.T) {
			f := setup(t, referrers, 45)
			ctx := context.Background()
			for _, rp := range []registrytest.Policy{
				{Last: 3, Monthly: Unlimited, KeepTags: []string{"v0\\.1.*"}},
				seedPolicy,
			} {
				want := registrytest.Keep(rp, f.h.Images, now)
				o := Options{Registry: f.ro, Policy: toPolicy(rp), Now: now}
				plan, err := NewPlan(ctx, f.repo.String(), o)
				if err != nil {
					t.Fatal(err)
				}
				if plan.ReferrersAPI != referrers {
					t.Errorf("ReferrersAPI %v", plan.ReferrersAPI)
				}
				got := map[string]bool{}
				for _, im := range plan.Images {
					if im.Keep {
						got[im.Digest] = true
					}
				}
				if !mapsEqual(got, want) {
					t.Fatalf("policy %s: plan keeps %d images, the reference %d", o.Policy, len(got), len(want))
				}
				// a dry run deletes nothing
				before := f.tags(t)
				res, err := Execute(ctx, plan, o)
				if err != nil || res.Err != nil {
					t.Fatalf("execute: %v %v", err, res.Err)
				}
				if len(res.Skipped) > 0 {
					t.Errorf("skipped: %+v", res.Skipped)
				}
				after := f.tags(t)
				f.check(t, want, after)
				if len(after) >= len(before) {
					t.Errorf("tags: %d before, %d after", len(before), len(after))
				}
				// idempotent: a second run deletes nothing and succeeds
				plan2, err := NewPlan(ctx, f.repo.String(), o)
				if err != nil {
					t.Fatal(err)
				}
				if n, _, a := plan2.Deleted(); n != 0 || a != 0 {
					t.Fatalf("second plan deletes %d images, %d artifacts", n, a)
				}
				res2, err := Execute(ctx, plan2, o)
				if err != nil || res2.Err != nil || len(res2.Deleted) != 0 {
					t.Fatalf("second run: %v %v %d deleted", err, res2.Err, len(res2.Deleted))
				}
				f.h.Images = slices.DeleteFunc(f.h.Images, func(im registrytest.Image) bool { return !want[im.Digest] })
			}
		})
	}
}

// check: every kept image, its tags, signature, referrer and platform
// images are there; every deleted one is gone with all of that.
func (f *fixture) check(t *testing.T, keep map[string]bool, tags []string) {
	t.Helper()
	for _, im := range f.h.Images {
		for _, tag := range im.Tags {
			if slices.Contains(tags, tag) != keep[im.Digest] {
				t.Errorf("tag %s (keep %v): listed %v", tag, keep[im.Digest], !keep[im.Digest])
			}
		}
		if f.exists(t, im.Digest) != keep[im.Digest] {
			t.Errorf("%s %s: keep %v, exists %v", im.Tags, im.Digest, keep[im.Digest], !keep[im.Digest])
		}
		if sig, ok := f.h.Signatures[im.Digest]; ok && slices.Contains(tags, sig) != keep[im.Digest] {
			t.Errorf("signature %s of %v: keep %v", sig, im.Tags, keep[im.Digest])
		}
		if ref, ok := f.h.Referrers[im.Digest]; ok && f.exists(t, ref) != keep[im.Digest] {
			t.Errorf("referrer of %v: keep %v", im.Tags, keep[im.Digest])
		}
		fallback := strings.Replace(im.Digest, ":", "-", 1)
		if !keep[im.Digest] && slices.Contains(tags, fallback) {
			t.Errorf("referrers tag %s of deleted %v is left", fallback, im.Tags)
		}
		for _, p := range f.h.Platforms[im.Digest] {
			if f.exists(t, p) != keep[im.Digest] {
				t.Errorf("platform image %s of %v: keep %v", p, im.Tags, keep[im.Digest])
			}
		}
	}
}

func mustPlan(t *testing.T, f *fixture, o Options) *Plan {
	t.Helper()
	plan, err := NewPlan(context.Background(), f.repo.String(), o)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func firstDeleted(p *Plan) *Planned {
	for _, im := range p.Images {
		if !im.Keep {
			return im
		}
	}
	return nil
}

func TestTagPushedMeanwhileSurvives(t *testing.T) {
	f := setup(t, false, 20)
	ctx := context.Background()
	o := Options{Registry: f.ro, Policy: Policy{Last: 2}, Now: now}
	plan := mustPlan(t, f, o)
	doomed := firstDeleted(plan)
	if doomed == nil {
		t.Fatal("nothing to delete")
	}
	// meanwhile, someone tags the image to be deleted, and moves one of
	// its tags onto another image to be deleted
	desc, err := remote.Get(f.repo.Digest(doomed.Digest), f.ro.Remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Tag(f.repo.Tag("hotfix"), desc, f.ro.Remote(ctx)...); err != nil {
		t.Fatal(err)
	}
	var other *Planned
	for _, im := range plan.Images {
		if !im.Keep && im != doomed {
			other = im
			break
		}
	}
	desc2, err := remote.Get(f.repo.Digest(other.Digest), f.ro.Remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	moved := doomed.Tags[0]
	if err := remote.Tag(f.repo.Tag(moved), desc2, f.ro.Remote(ctx)...); err != nil {
		t.Fatal(err)
	}
	res, err := Execute(ctx, plan, o)
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	if !f.exists(t, doomed.Digest) || !f.exists(t, other.Digest) {
		t.Fatal("an image a tag pushed meanwhile points at was deleted")
	}
	tags := f.tags(t)
	if !slices.Contains(tags, "hotfix") || !slices.Contains(tags, moved) {
		t.Fatalf("tags pushed meanwhile are gone: %v", tags)
	}
	if len(res.Skipped) < 2 {
		t.Fatalf("skipped %+v", res.Skipped)
	}
	if res.Skipped[0].Why == "" {
		t.Fatal("no reason")
	}
}

func TestPlatformImageOfKeptIndexStays(t *testing.T) {
	f := setup(t, true, 30)
	ctx := context.Background()
	// tag a platform image of the newest index on its own, as an old
	// image: the index is kept, so it must stay
	var idx string
	for i := len(f.h.Images) - 1; i >= 0; i-- {
		if p := f.h.Platforms[f.h.Images[i].Digest]; p != nil {
			idx = f.h.Images[i].Digest
			break
		}
	}
	child := f.h.Platforms[idx][0]
	desc, err := remote.Get(f.repo.Digest(child), f.ro.Remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Tag(f.repo.Tag("amd64-only"), desc, f.ro.Remote(ctx)...); err != nil {
		t.Fatal(err)
	}
	o := Options{Registry: f.ro, Policy: Policy{KeepTags: []TagPattern{MustTagPattern("latest|build-.*")}}, Now: now}
	plan := mustPlan(t, f, o)
	for _, im := range plan.Images {
		if im.Digest == child && (!im.Keep || im.Reasons[0].Rule != RuleInIndex) {
			t.Fatalf("platform image of a kept index: %+v", im)
		}
	}
	if _, err := Execute(ctx, plan, o); err != nil {
		t.Fatal(err)
	}
	if !f.exists(t, child) {
		t.Fatal("deleted a platform image of a kept index")
	}
}

func TestRetriesAndFaults(t *testing.T) {
	f := setup(t, false, 20)
	ctx := context.Background()
	o := Options{Registry: f.ro, Policy: Policy{Last: 3}, Now: now}
	// 500 three times, then 200, on every kind of read: retried
	f.srv.SetFault(registrytest.Fail500(3, registrytest.Every(http.MethodGet, "/manifests/")))
	if _, err := NewPlan(ctx, f.repo.String(), o); err != nil {
		t.Fatalf("500 three times then 200: %v", err)
	}
	f.srv.SetFault(registrytest.Fail500(3, registrytest.Every(http.MethodGet, "/tags/list")))
	if _, err := NewPlan(ctx, f.repo.String(), o); err != nil {
		t.Fatalf("500 three times then 200 on the tag list: %v", err)
	}
	f.srv.SetFault(f.srv.Drop(2, registrytest.Every(http.MethodGet, "/blobs/")))
	if _, err := NewPlan(ctx, f.repo.String(), o); err != nil {
		t.Fatalf("connection dropped mid-blob, twice: %v", err)
	}
	f.srv.SetFault(f.srv.Drop(3, registrytest.Every(http.MethodGet, "/manifests/")))
	if _, err := NewPlan(ctx, f.repo.String(), o); err != nil {
		t.Fatalf("connection dropped mid-manifest, three times: %v", err)
	}
	// always 500 on one manifest: no plan, a clear error, nothing deleted
	before := f.tags(t)
	f.srv.SetFault(registrytest.Fail500(1<<40, registrytest.Every(http.MethodGet, "/manifests/build-002")))
	_, err := NewPlan(ctx, f.repo.String(), Options{Registry: registry.Options{Insecure: true, Backoff: time.Millisecond, Retries: 2}, Policy: o.Policy, Now: now})
	if err == nil || !strings.Contains(err.Error(), "build-002") || !strings.Contains(err.Error(), "500") {
		t.Fatalf("always 500: %v", err)
	}
	f.srv.SetFault(nil)
	if got := f.tags(t); len(got) != len(before) {
		t.Fatal("a failed plan deleted something")
	}
	// the re-check fails: nothing is deleted
	plan := mustPlan(t, f, o)
	f.srv.SetFault(registrytest.Fail500(1<<40, registrytest.Every(http.MethodHead, "/manifests/build-001")))
	if _, err := Execute(ctx, plan, Options{Registry: registry.Options{Insecure: true, Backoff: time.Millisecond, Retries: 1}, Policy: o.Policy}); err == nil {
		t.Fatal("a failed re-check went on")
	}
	f.srv.SetFault(nil)
	if got := f.tags(t); len(got) != len(before) || f.srv.Count(http.MethodDelete) != 0 {
		t.Fatal("a failed re-check deleted something")
	}
	// a delete that keeps failing stops the run with partial progress; a
	// second run finishes
	victim := firstDeleted(plan)
	f.srv.SetFault(registrytest.Fail500(1<<40, registrytest.Every(http.MethodDelete, victim.Digest)))
	res, err := Execute(ctx, plan, Options{Registry: registry.Options{Insecure: true, Backoff: time.Millisecond, Retries: 1, Jobs: 1}, Policy: o.Policy})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || !slices.Contains(res.NotDone, victim.Digest) || !strings.Contains(res.Err.Error(), victim.Digest) {
		t.Fatalf("failing delete: %v, not done %v", res.Err, res.NotDone)
	}
	// the connection drops after the registry deleted: the retry's 404
	// is checked with a HEAD and counts as done
	f.srv.SetFault(f.srv.Drop(2, registrytest.Every(http.MethodDelete, "")))
	plan = mustPlan(t, f, o)
	res, err = Execute(ctx, plan, o)
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	gone := 0
	for _, d := range res.Deleted {
		if d.Gone {
			gone++
		}
	}
	if gone == 0 {
		t.Error("no deletion was found already done after a dropped connection")
	}
	f.srv.SetFault(nil)
	want := registrytest.Keep(registrytest.Policy{Last: 3}, f.h.Images, now)
	f.check(t, want, f.tags(t))
}

func TestDeleteRefused(t *testing.T) {
	f := setup(t, false, 10)
	f.srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodDelete {
			http.Error(w, `{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}`, http.StatusMethodNotAllowed)
			return true
		}
		return false
	})
	o := Options{Registry: f.ro, Policy: Policy{Last: 1}, Now: now}
	res, err := Execute(context.Background(), mustPlan(t, f, o), o)
	if err != nil || !errors.Is(res.Err, ErrDeleteRefused) {
		t.Fatalf("405: %v %v", err, res.Err)
	}
}

func TestEmptyAndMissingRepository(t *testing.T) {
	srv := registrytest.New(t, true)
	ro := registry.Options{Insecure: true, Backoff: time.Millisecond, Retries: -1}
	_, err := NewPlan(context.Background(), srv.Host+"/nothing/here", Options{Registry: ro, Policy: Policy{Last: 1}})
	if err == nil || !strings.Contains(err.Error(), "listing the tags of") {
		t.Fatalf("missing repository: %v", err)
	}
	if _, err := NewPlan(context.Background(), "example.com/x", Options{Registry: ro, Policy: Policy{Last: 1}}); !errors.Is(err, registry.ErrInsecureRemote) {
		t.Fatalf("insecure to a remote host: %v", err)
	}
}
