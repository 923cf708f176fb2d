package tags

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slimship/slimship/internal/regtest"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/registry"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// image is a random image of platform os/arch created at created, with an
// optional version label.
func image(os, arch string, created time.Time, version string) v1.Image {
	img := must(random.Image(512, 2))
	cf := must(img.ConfigFile()).DeepCopy()
	cf.OS, cf.Architecture, cf.Created = os, arch, v1.Time{Time: created}
	if version != "" {
		cf.Config.Labels = map[string]string{AnnotationVersion: version}
	}
	return must(mutate.ConfigFile(img, cf))
}

func size(img v1.Image) int64 {
	n := must(img.Size())
	m := must(img.Manifest())
	n += m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n
}

func fastOptions() registry.Options {
	return registry.Options{Insecure: true, Backoff: time.Millisecond, Retries: 2}
}

func TestList(t *testing.T) {
	ctx := context.Background()
	reg := regtest.New(t)
	repo := must(name.NewRepository(reg.Host+"/team/app", name.Insecure))
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	a := image("linux", "amd64", day(1), "1.4.0")
	b := image("linux", "amd64", day(2), "")
	amd, arm := image("linux", "amd64", day(3), ""), image("linux", "arm64", day(3), "")
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}})
	idx = mutate.Annotations(idx, map[string]string{AnnotationCreated: "2026-11-05T08:00:00Z"}).(v1.ImageIndex)
	for tag, img := range map[string]v1.Image{"v1.4.0": a, "latest": a, "3f9c2ab": b, "gone": b} {
		if err := remote.Write(repo.Tag(tag), img); err != nil {
			t.Fatal(err)
		}
	}
	if err := remote.WriteIndex(repo.Tag("v2.0.0"), idx); err != nil {
		t.Fatal(err)
	}
	reg.Reset()
	reg.SetFault(func(r *http.Request, _ int) regtest.Action {
		if strings.HasSuffix(r.URL.Path, "/manifests/gone") {
			return regtest.Status404 // deleted between the list and the read
		}
		return regtest.Pass
	})
	ls, err := List(ctx, repo, nil, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range ls.Tags {
		created := ""
		if tg.Created != nil {
			created = tg.Created.Format(time.RFC3339)
		}
		got = append(got, fmt.Sprintf("%s %s %s %v %d %s %s", tg.Name, tg.Kind, tg.Digest[:15], tg.Platforms, tg.Size, created, tg.Version))
	}
	idxSize := must(idx.Size()) + must(amd.Size()) + must(arm.Size()) + size(amd) - must(amd.Size()) + size(arm) - must(arm.Size())
	want := []string{
		fmt.Sprintf("v2.0.0 semver %s [linux/amd64 linux/arm64/v8] %d 2026-11-05T08:00:00Z ", must(idx.Digest()).String()[:15], idxSize),
		fmt.Sprintf("3f9c2ab commit %s [linux/amd64] %d 2026-11-02T12:00:00Z ", must(b.Digest()).String()[:15], size(b)),
		fmt.Sprintf("latest latest %s [linux/amd64] %d 2026-11-01T12:00:00Z 1.4.0", must(a.Digest()).String()[:15], size(a)),
		fmt.Sprintf("v1.4.0 semver %s [linux/amd64] %d 2026-11-01T12:00:00Z 1.4.0", must(a.Digest()).String()[:15], size(a)),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Join(ls.Vanished, ",") != "gone" {
		t.Fatalf("vanished: %v", ls.Vanished)
	}
	// every distinct manifest and config read once: 5 tags, 2 children; a, b
	// and the 2 children's configs
	if n, c := reg.Count(http.MethodGet, "/manifests/", 0), reg.Count(http.MethodGet, "/blobs/", 0); n != 7 || c != 4 {
		t.Fatalf("%d manifest and %d blob reads:\n%v", n, c, reg.Requests())
	}
}

// Parallel requests stay within Jobs, and 500s are retried.
func TestListBoundedAndRetried(t *testing.T) {
	reg := regtest.New(t)
	repo := must(name.NewRepository(reg.Host+"/team/many", name.Insecure))
	pusher := must(remote.NewPusher())
	for i := 0; i < 60; i++ {
		if err := remote.Write(repo.Tag(fmt.Sprintf("1.0.%d", i)), image("linux", "amd64", time.Unix(int64(i)*86400, 0), ""), remote.Reuse(pusher)); err != nil {
			t.Fatal(err)
		}
	}
	reg.Reset()
	reg.SetFault(func(r *http.Request, n int) regtest.Action {
		if n%20 == 0 {
			return regtest.Status500
		}
		return regtest.Pass
	})
	o := fastOptions()
	o.Jobs = 3
	ls, err := List(context.Background(), repo, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.Tags) != 60 || ls.Tags[0].Name != "1.0.59" || reg.MaxInFlight() > 3 || reg.Count(http.MethodGet, "", 500) == 0 {
		t.Fatalf("%d tags, first %s, %d at once, %d answered 500", len(ls.Tags), ls.Tags[0].Name, reg.MaxInFlight(), reg.Count(http.MethodGet, "", 500))
	}
	reg.SetFault(func(*http.Request, int) regtest.Action { return regtest.Status500 })
	_, err = List(context.Background(), repo, nil, o)
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 tries") {
		t.Fatalf("always 500: %v", err)
	}
}

func TestLedger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache", "ledger.json")
	l, err := LoadLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	pol, _ := NewPolicy(nil, nil)
	a, b := "sha256:"+strings.Repeat("a", 64), "sha256:"+strings.Repeat("b", 64)
	ls := &Listing{Repository: "r.example/app", Tags: []Tag{{Name: "v1.0.0", Kind: SemVer, Digest: a}, {Name: "latest", Kind: Latest, Digest: a}}}
	first := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	l.Observe(ls, first)
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	check := func() []finding.Finding {
		l, err := LoadLedger(path)
		if err != nil {
			t.Fatal(err)
		}
		fs := Check(&Input{Repository: ls.Repository, Tags: ls.Tags, Seen: l.Seen(ls.Repository), Policy: pol}, nil)
		l.Observe(ls, first.Add(24*time.Hour))
		if err := l.Save(); err != nil {
			t.Fatal(err)
		}
		return fs
	}
	if fs := check(); len(fs) != 0 {
		t.Fatalf("unmoved: %v", fs)
	}
	ls.Tags[0].Digest, ls.Tags[1].Digest = b, b
	for i := 0; i < 2; i++ { // reported on every run while moved
		fs := check()
		if len(fs) != 1 || fs[0].RuleID != MovedVersion || !strings.Contains(fs[0].Message, "first seen at sha256:aaaaaaaaaaaa on 2026-10-01") {
			t.Fatalf("moved, run %d: %v", i, fs)
		}
	}
	ls.Tags[0].Digest, ls.Tags[1].Digest = a, a
	if fs := check(); len(fs) != 0 { // moved back
		t.Fatalf("moved back: %v", fs)
	}
	if len(must(LoadLedger(path)).Seen(ls.Repository)) != 1 {
		t.Fatal("the ledger records more than SemVer tags")
	}
	if err := os.WriteFile(path, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadLedger(path); err == nil || !strings.Contains(err.Error(), "tag ledger "+path) {
		t.Fatalf("corrupt ledger: %v", err)
	}
}

func TestClassify(t *testing.T) {
	pol, err := NewPolicy([]string{"dev", "qa"}, []string{`build-\d+`})
	if err != nil {
		t.Fatal(err)
	}
	for tag, want := range map[string]Kind{
		"latest": Latest, "qa": Environment, "staging": Other, "v1.2.3": SemVer, "1.2.3-rc.1": SemVer, "1.2": Other,
		"01.2.3": Other, "3f9c2ab": Commit, "sha-3f9c2ab": Commit, "3f9c2a": Other, "build-12": Allowed, "xbuild-12": Other,
		"sha256-" + strings.Repeat("a", 64) + ".sig": Attachment, "sha256-" + strings.Repeat("a", 64): Attachment,
	} {
		if got := pol.Classify(tag); got != want {
			t.Errorf("%s: %s, want %s", tag, got, want)
		}
	}
	if _, err := NewPolicy([]string{"bad tag"}, nil); err == nil {
		t.Error("bad environment accepted")
	}
	if _, err := NewPolicy(nil, []string{"("}); err == nil || !strings.Contains(err.Error(), "allow[0]") {
		t.Errorf("bad pattern: %v", err)
	}
}
