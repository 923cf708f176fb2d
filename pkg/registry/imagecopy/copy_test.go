package imagecopy

import (
	"bytes"
	"context"
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
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slimship/slimship/internal/regtest"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/registry"
)

// must returns v, and panics on err: for the calls in these tests that
// cannot fail.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// platformImage is a random image whose config names its platform.
func platformImage(t *testing.T, os, arch string) v1.Image {
	t.Helper()
	img := must(random.Image(2048, 2))
	cf := must(img.ConfigFile())
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = os, arch
	cf.Created = v1.Time{Time: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	return must(mutate.ConfigFile(img, cf))
}

// twoPlatforms is an OCI index of linux/amd64 and linux/arm64 with a
// creation annotation.
func twoPlatforms(t *testing.T) v1.ImageIndex {
	t.Helper()
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: platformImage(t, "linux", "amd64"), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: platformImage(t, "linux", "arm64"), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}})
	return mutate.Annotations(idx, map[string]string{"org.opencontainers.image.created": "2026-11-01T12:00:00Z"}).(v1.ImageIndex)
}

// manifests returns the raw index and each raw child manifest of idx.
func manifests(t *testing.T, idx v1.ImageIndex) [][]byte {
	t.Helper()
	out := [][]byte{must(idx.RawManifest())}
	for _, d := range must(idx.IndexManifest()).Manifests {
		out = append(out, must(must(idx.Image(d.Digest)).RawManifest()))
	}
	return out
}

func fast() Options {
	return Options{Registry: registry.Options{Insecure: true, Backoff: time.Millisecond, Retries: 3}}
}

func remoteIndex(t *testing.T, ref string) v1.ImageIndex {
	t.Helper()
	r := must(name.ParseReference(ref, name.Insecure))
	return must(remote.Index(r))
}

// The index and every manifest keep their bytes through oci-archive,
// registry, OCI layout and another registry.
func TestCopyKeepsEveryDigest(t *testing.T) {
	ctx := context.Background()
	idx := twoPlatforms(t)
	want := manifests(t, idx)
	dir := t.TempDir()
	a, b := regtest.New(t), regtest.New(t)
	start := "oci-archive:" + filepath.Join(dir, "in.tar")
	if err := transport.WriteIndex(ctx, start, idx, transport.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	chain := []string{start, "docker://" + a.Host + "/team/app:1.0.0", "oci:" + filepath.Join(dir, "layout") + ":1.0.0",
		"docker://" + b.Host + "/mirror/app:1.0.0", filepath.Join(dir, "out-layout"), "oci-archive:" + filepath.Join(dir, "out.tar")}
	for i := 1; i < len(chain); i++ {
		res, err := Copy(ctx, chain[i-1], chain[i], fast())
		if err != nil {
			t.Fatalf("%s -> %s: %v", chain[i-1], chain[i], err)
		}
		if res.Digest != must(idx.Digest()) || strings.Join(res.Platforms, " ") != "linux/amd64 linux/arm64/v8" {
			t.Fatalf("%s: result %+v", chain[i], res)
		}
		src, err := transport.OpenSource(ctx, chain[i], transport.Options{Insecure: true})
		if err != nil {
			t.Fatal(err)
		}
		got := manifests(t, src.Index)
		for j := range want {
			if !bytes.Equal(got[j], want[j]) {
				t.Fatalf("%s: manifest %d differs:\n%s\nwant\n%s", chain[i], j, got[j], want[j])
			}
		}
	}
}

func TestCopyPlatforms(t *testing.T) {
	ctx := context.Background()
	idx := twoPlatforms(t)
	reg := regtest.New(t)
	src := "docker://" + reg.Host + "/team/app:1"
	if err := transport.WriteIndex(ctx, src, idx, transport.WriteOptions{Insecure: true}); err != nil {
		t.Fatal(err)
	}
	im := must(idx.IndexManifest())

	// one platform into a registry: a new index of that manifest
	o := fast()
	o.Platforms = must(ParsePlatforms([]string{"linux/arm64"}))
	res, err := Copy(ctx, src, "docker://"+reg.Host+"/team/arm:1", o)
	if err != nil {
		t.Fatal(err)
	}
	got := must(remoteIndex(t, reg.Host+"/team/arm:1").IndexManifest())
	if len(got.Manifests) != 1 || got.Manifests[0].Digest != im.Manifests[1].Digest || res.Digest == must(idx.Digest()) ||
		got.Annotations["org.opencontainers.image.created"] == "" {
		t.Fatalf("picked index: %+v", got)
	}

	// both, as a comma list: the same manifests in a new index
	o.Platforms = must(ParsePlatforms([]string{"linux/amd64,linux/arm64/v8"}))
	if _, err := Copy(ctx, src, "docker://"+reg.Host+"/team/both:1", o); err != nil {
		t.Fatal(err)
	}
	if n := len(must(remoteIndex(t, reg.Host+"/team/both:1").IndexManifest()).Manifests); n != 2 {
		t.Fatalf("both: %d manifests", n)
	}

	// a docker-archive holds one image: --platform picks it
	da := filepath.Join(t.TempDir(), "arm.tar")
	o.Platforms = must(ParsePlatforms([]string{"linux/arm64"}))
	res, err = Copy(ctx, src, "docker-archive:"+da, o)
	if err != nil {
		t.Fatal(err)
	}
	arm := must(idx.Image(im.Manifests[1].Digest))
	back := must(tarball.ImageFromPath(da, nil))
	if must(back.ConfigName()) != must(arm.ConfigName()) || res.ImageID != must(arm.ConfigName()) {
		t.Fatal("docker-archive holds another image")
	}
	for i, l := range must(back.Layers()) {
		if must(l.Digest()) != must(must(arm.Layers())[i].Digest()) {
			t.Fatal("layer digests changed")
		}
	}

	for _, c := range []struct {
		dst       string
		platforms []string
		err       string
	}{
		{"docker-archive:" + filepath.Join(t.TempDir(), "x.tar"), nil, "docker-archive holds one image and " + src + " is an index of 2 manifests (linux/amd64, linux/arm64/v8): pick one with --platform"},
		{"docker://" + reg.Host + "/team/x:1", []string{"linux/s390x"}, "no manifest for --platform linux/s390x (the index has linux/amd64, linux/arm64/v8)"},
	} {
		o.Platforms = must(ParsePlatforms(c.platforms))
		if _, err := Copy(ctx, src, c.dst, o); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s %v: %v, want %q", c.dst, c.platforms, err, c.err)
		}
	}
	if _, err := ParsePlatforms([]string{"linux"}); err == nil {
		t.Error("--platform linux accepted")
	}
}

// Layers of a repository of the same registry are mounted, never
// uploaded again.
func TestCopyMountsAcrossRepositories(t *testing.T) {
	ctx := context.Background()
	reg := regtest.New(t)
	idx := twoPlatforms(t)
	if err := transport.WriteIndex(ctx, "docker://"+reg.Host+"/team/a:1", idx, transport.WriteOptions{Insecure: true}); err != nil {
		t.Fatal(err)
	}
	reg.Reset()
	if _, err := Copy(ctx, "docker://"+reg.Host+"/team/a:1", "docker://"+reg.Host+"/team/b:1", fast()); err != nil {
		t.Fatal(err)
	}
	blobs := 0
	for _, d := range must(idx.IndexManifest()).Manifests {
		img := must(idx.Image(d.Digest))
		blobs += 1 + len(must(img.Layers()))
		for _, l := range must(img.Layers()) {
			if !reg.HasBlob("team/b", must(l.Digest())) {
				t.Fatal("layer missing in team/b")
			}
		}
	}
	mounted := reg.Count(http.MethodPost, "from=team%2Fa", http.StatusCreated)
	uploads := reg.Count(http.MethodPatch, "/blobs/uploads/", 0) + reg.Count(http.MethodPut, "/blobs/uploads/", 0)
	blobGets := reg.Count(http.MethodGet, "/blobs/sha256:", 0)
	if mounted != blobs || uploads != 0 || blobGets != 0 {
		t.Fatalf("%d blobs: %d mounted, %d uploads, %d downloads; requests:\n%v", blobs, mounted, uploads, blobGets, reg.Requests())
	}
}

// attach pushes, to repo, a cosign-style signature on the sha256-<hex>.sig
// tag of subject and an SBOM referring to it, and a signature of the SBOM.
func attach(t *testing.T, repo name.Repository, subject v1.Hash, size int64, mt types.MediaType) (sbom v1.Hash) {
	t.Helper()
	sig := must(mutate.AppendLayers(empty.Image, static.NewLayer([]byte(`{"critical":{}}`), "application/vnd.dev.cosign.simplesigning.v1+json")))
	if err := remote.Write(repo.Tag("sha256-"+subject.Hex+".sig"), sig); err != nil {
		t.Fatal(err)
	}
	doc := must(mutate.AppendLayers(empty.Image, static.NewLayer([]byte(`{"spdxVersion":"SPDX-2.3"}`), "application/spdx+json")))
	doc = mutate.MediaType(doc, types.OCIManifestSchema1)
	doc = mutate.ConfigMediaType(doc, "application/vnd.oci.empty.v1+json")
	doc = mutate.Subject(doc, v1.Descriptor{MediaType: mt, Digest: subject, Size: size}).(v1.Image)
	d := must(doc.Digest())
	if err := remote.Write(repo.Digest(d.String()), doc); err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(repo.Tag("sha256-"+d.Hex+".sig"), sig); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCopyWithReferrers(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		src, dst []regtest.Option
	}{
		{"api to fallback", []regtest.Option{regtest.WithReferrers()}, nil},
		{"fallback to api", nil, []regtest.Option{regtest.WithReferrers()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := regtest.New(t, c.src...), regtest.New(t, c.dst...)
			idx := twoPlatforms(t)
			srcRepo := must(name.NewRepository(a.Host+"/team/app", name.Insecure))
			if err := remote.WriteIndex(srcRepo.Tag("1"), idx); err != nil {
				t.Fatal(err)
			}
			top := must(idx.Digest())
			child := must(idx.IndexManifest()).Manifests[0]
			sbom := attach(t, srcRepo, top, must(idx.Size()), types.OCIImageIndex)
			childSBOM := attach(t, srcRepo, child.Digest, child.Size, child.MediaType)

			o := fast()
			o.WithReferrers = true
			res, err := Copy(ctx, "docker://"+a.Host+"/team/app:1", "docker://"+b.Host+"/mirror/app:1", o)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{sbom.String(), childSBOM.String(), "sha256-" + top.Hex + ".sig", "sha256-" + child.Digest.Hex + ".sig",
				"sha256-" + sbom.Hex + ".sig", "sha256-" + childSBOM.Hex + ".sig"}
			if len(res.Attached) != len(want) {
				t.Fatalf("attached %v, want %v", res.Attached, want)
			}
			dstRepo := must(name.NewRepository(b.Host+"/mirror/app", name.Insecure))
			tags := strings.Join(must(remote.List(dstRepo)), " ")
			for _, w := range want[2:] {
				if !strings.Contains(tags, w) {
					t.Errorf("tag %s missing in %s", w, tags)
				}
			}
			for subject, ref := range map[v1.Hash]v1.Hash{top: sbom, child.Digest: childSBOM} {
				refs := must(must(remote.Referrers(dstRepo.Digest(subject.String()))).IndexManifest())
				if len(refs.Manifests) != 1 || refs.Manifests[0].Digest != ref {
					t.Errorf("referrers of %s: %+v", subject, refs.Manifests)
				}
			}
		})
	}
	if _, err := Copy(ctx, "oci:"+t.TempDir(), "docker://127.0.0.1:1/x:1", Options{WithReferrers: true}); err == nil ||
		!strings.Contains(err.Error(), "must both be registry references") {
		t.Fatalf("layout source: %v", err)
	}
}

// A registry that answers 500 three times, then 200, is retried; one that
// always does gives a clear error.
func TestCopyRetries500(t *testing.T) {
	ctx := context.Background()
	a, b := regtest.New(t), regtest.New(t)
	idx := twoPlatforms(t)
	src := "docker://" + a.Host + "/team/app:1"
	if err := transport.WriteIndex(ctx, src, idx, transport.WriteOptions{Insecure: true}); err != nil {
		t.Fatal(err)
	}
	for _, reg := range []*regtest.Server{a, b} {
		reg.SetFault(func(r *http.Request, n int) regtest.Action {
			if n <= 3 {
				return regtest.Status500
			}
			return regtest.Pass
		})
		if _, err := Copy(ctx, src, "docker://"+b.Host+"/team/app:1", fast()); err != nil {
			t.Fatalf("after three 500s: %v", err)
		}
		if n := reg.Count(http.MethodGet, "", 500) + reg.Count(http.MethodHead, "", 500); n != 3 {
			t.Fatalf("%d requests answered 500, want 3", n)
		}
		reg.SetFault(nil)
	}
	b.SetFault(func(*http.Request, int) regtest.Action { return regtest.Status500 })
	dst := filepath.Join(t.TempDir(), "x.tar")
	_, err := Copy(ctx, "docker://"+b.Host+"/team/app:1", "oci-archive:"+dst, fast())
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Fatalf("always 500: %v", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatal("an archive was written")
	}
}

// A connection dropped in the middle of a blob, downloading or uploading,
// is retried; one that always drops gives a clear error and no archive.
func TestCopyDroppedConnection(t *testing.T) {
	ctx := context.Background()
	a, b := regtest.New(t), regtest.New(t)
	idx := twoPlatforms(t)
	src := "docker://" + a.Host + "/team/app:1"
	if err := transport.WriteIndex(ctx, src, idx, transport.WriteOptions{Insecure: true}); err != nil {
		t.Fatal(err)
	}
	once := func(is func(*http.Request) bool, act regtest.Action) regtest.Fault {
		done := false
		return func(r *http.Request, _ int) regtest.Action {
			if !done && is(r) {
				done = true
				return act
			}
			return regtest.Pass
		}
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		reg  *regtest.Server
		f    regtest.Fault
		dst  string
	}{
		{"download into a registry", a, once(regtest.IsBlobGet, regtest.DropMidBody), "docker://" + b.Host + "/x/app:1"},
		{"upload", b, once(regtest.IsBlobUpload, regtest.DropRequest), "docker://" + b.Host + "/y/app:1"},
		{"download into an archive", a, once(regtest.IsBlobGet, regtest.DropMidBody), "oci-archive:" + filepath.Join(dir, "ok.tar")},
		{"download into a layout", a, once(regtest.IsBlobGet, regtest.DropMidBody), "oci:" + filepath.Join(dir, "ok")},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.reg.Reset()
			c.reg.SetFault(c.f)
			defer c.reg.SetFault(nil)
			if _, err := Copy(ctx, src, c.dst, fast()); err != nil {
				t.Fatal(err)
			}
			s, err := transport.OpenSource(ctx, c.dst, transport.Options{Insecure: true})
			if err != nil || must(s.Index.Digest()) != must(idx.Digest()) {
				t.Fatalf("copy: %v", err)
			}
		})
	}
	a.SetFault(func(r *http.Request, _ int) regtest.Action {
		if regtest.IsBlobGet(r) {
			return regtest.DropMidBody
		}
		return regtest.Pass
	})
	for _, dst := range []string{"oci-archive:" + filepath.Join(dir, "bad.tar"), "docker://" + b.Host + "/z/app:1"} {
		_, err := Copy(ctx, src, dst, fast())
		t.Log(err)
		if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
			t.Fatalf("%s: always dropped: %v", dst, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.tar")); !os.IsNotExist(err) {
		t.Fatal("a half-written archive was left")
	}
}

// Progress reaches the total for the destinations that report it.
func TestCopyProgress(t *testing.T) {
	ctx := context.Background()
	reg := regtest.New(t)
	img := platformImage(t, "linux", "amd64")
	src := "oci:" + filepath.Join(t.TempDir(), "src") + ":1"
	if err := transport.Write(ctx, src, img, transport.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, dst := range []string{"docker://" + reg.Host + "/team/app:1", "docker-archive:" + filepath.Join(t.TempDir(), "x.tar")} {
		var last, total int64
		calls := 0
		o := fast()
		o.Progress = func(c, tot int64) { calls, last, total = calls+1, c, tot }
		if _, err := Copy(ctx, src, dst, o); err != nil {
			t.Fatal(err)
		}
		if calls == 0 || last != total || total < must(img.Size()) {
			t.Fatalf("%s: %d updates, last %d of %d", dst, calls, last, total)
		}
	}
}
