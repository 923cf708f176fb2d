//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// e2eMust returns v and fails the test on err.
func e2eMust[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// twoPlatformIndex is an OCI index of linux/amd64 and linux/arm64 random
// images (configs naming their platform).
func twoPlatformIndex(t *testing.T) v1.ImageIndex {
	t.Helper()
	img := func(arch string) v1.Image {
		i, err := random.Image(4096, 3)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := i.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = "linux", arch
		cf.Created = v1.Time{Time: time.Now().UTC().Truncate(time.Second)}
		out, err := mutate.ConfigFile(i, cf)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: img("amd64"), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: img("arm64"), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	return mutate.Annotations(idx, map[string]string{"org.opencontainers.image.created": time.Now().UTC().Format(time.RFC3339)}).(v1.ImageIndex)
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// rawOf is what skopeo inspect --raw reads at ref (docker://, oci:).
func rawOf(t *testing.T, skopeo, ref string) []byte {
	t.Helper()
	return []byte(infraRun(t, skopeo, "inspect", "--raw", "--tls-verify=false", ref))
}

// TestCopyKeepsDigestsE2E: a two-platform index copied OCI layout ->
// registry -> OCI layout -> registry -> oci-archive -> registry keeps the
// index and both manifests byte for byte, as skopeo and crane read them.
// A docker-archive holds one image, not an index: each platform is copied
// into its own docker-archive and from there to the registry, keeping its
// config and layers; registry -> layout -> registry then keeps its digest.
func TestCopyKeepsDigestsE2E(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	crane := Need(t, "SLIMSHIP_E2E_CRANE", "crane")
	skopeo := Need(t, "SLIMSHIP_E2E_SKOPEO", "skopeo")
	dir := t.TempDir()
	idx := twoPlatformIndex(t)
	in := filepath.Join(dir, "in")
	lp := e2eMust[layout.Path](t)(layout.Write(in, empty.Index))
	if err := lp.AppendIndex(idx, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "v1"})); err != nil {
		t.Fatal(err)
	}
	wantIndex := e2eMust[[]byte](t)(idx.RawManifest())
	im := e2eMust[*v1.IndexManifest](t)(idx.IndexManifest())
	run := fmt.Sprint(time.Now().UnixNano())
	repo := func(n string) string { return reg + "/e2e-copy-" + run + "/" + n }

	chain := []string{"oci:" + in + ":v1", "docker://" + repo("a") + ":v1", "oci:" + filepath.Join(dir, "l1") + ":v1",
		"docker://" + repo("b") + ":v1", "oci-archive:" + filepath.Join(dir, "x.tar") + ":v1", "docker://" + repo("c") + ":v1"}
	for i := 1; i < len(chain); i++ {
		slimship(t, "copy", "--insecure", chain[i-1], chain[i])
		got := rawOf(t, skopeo, chain[i])
		if !bytes.Equal(got, wantIndex) {
			t.Fatalf("%s: skopeo reads another index:\n%s\nwant\n%s", chain[i], got, wantIndex)
		}
		if strings.HasPrefix(chain[i], "docker://") {
			ref := strings.TrimPrefix(chain[i], "docker://")
			if d := strings.TrimSpace(infraRun(t, crane, "digest", "--insecure", ref)); d != sha(wantIndex) {
				t.Fatalf("%s: crane digest %s, want %s", ref, d, sha(wantIndex))
			}
			for _, m := range im.Manifests {
				child := strings.SplitN(ref, ":v1", 2)[0] + "@" + m.Digest.String()
				raw := rawOf(t, skopeo, "docker://"+child)
				want := e2eMust[[]byte](t)(e2eMust[v1.Image](t)(idx.Image(m.Digest)).RawManifest())
				if !bytes.Equal(raw, want) || sha(raw) != m.Digest.String() {
					t.Fatalf("%s: manifest differs", child)
				}
				if d := strings.TrimSpace(infraRun(t, crane, "digest", "--insecure", "--platform", m.Platform.String(), ref)); d != m.Digest.String() {
					t.Fatalf("%s %s: crane digest %s, want %s", ref, m.Platform, d, m.Digest)
				}
			}
		}
	}
	record(t, "copy: index %s and its 2 manifests byte-identical through oci, registry, oci, registry, oci-archive, registry (skopeo inspect --raw, crane digest)", sha(wantIndex)[:19])

	// docker-archive: one image per platform
	for _, m := range im.Manifests {
		arch := m.Platform.Architecture
		src := e2eMust[v1.Image](t)(idx.Image(m.Digest))
		da := filepath.Join(dir, arch+".tar")
		slimship(t, "copy", "--insecure", "--platform", m.Platform.String(), "docker://"+repo("a")+":v1", "docker-archive:"+da)
		out := infraRun(t, skopeo, "inspect", "docker-archive:"+da)
		var info struct{ Architecture string }
		if err := json.Unmarshal([]byte(out), &info); err != nil || info.Architecture != arch {
			t.Fatalf("skopeo inspect docker-archive: %v %s", err, out)
		}
		ref := repo("fromarchive") + ":" + arch
		slimship(t, "copy", "--insecure", "docker-archive:"+da, "docker://"+ref)
		cfg := []byte(infraRun(t, crane, "config", "--insecure", ref))
		if sha(cfg) != e2eMust[v1.Hash](t)(src.ConfigName()).String() {
			t.Fatalf("%s: config %s, want %s", ref, sha(cfg), e2eMust[v1.Hash](t)(src.ConfigName()))
		}
		var man v1.Manifest
		if err := json.Unmarshal([]byte(infraRun(t, crane, "manifest", "--insecure", ref)), &man); err != nil {
			t.Fatal(err)
		}
		want := e2eMust[*v1.Manifest](t)(src.Manifest())
		for i := range want.Layers {
			if man.Layers[i].Digest != want.Layers[i].Digest {
				t.Fatalf("%s: layer %d is %s, want %s", ref, i, man.Layers[i].Digest, want.Layers[i].Digest)
			}
		}
		d := strings.TrimSpace(infraRun(t, crane, "digest", "--insecure", ref))
		slimship(t, "copy", "--insecure", "docker://"+ref, "oci:"+filepath.Join(dir, "l-"+arch)+":x")
		slimship(t, "copy", "--insecure", "oci:"+filepath.Join(dir, "l-"+arch)+":x", "docker://"+repo("again")+":"+arch)
		if d2 := strings.TrimSpace(infraRun(t, crane, "digest", "--insecure", repo("again")+":"+arch)); d2 != d {
			t.Fatalf("registry -> layout -> registry: %s, want %s", d2, d)
		}
		kept := "the same manifest digest (Docker schema 2 media types, as a docker-archive writes them)"
		if d != m.Digest.String() {
			kept = fmt.Sprintf("the manifest rebuilt as Docker schema 2 (%s, was %s)", d[:19], m.Digest.String()[:19])
		}
		record(t, "copy: %s via docker-archive: config and %d layer digests kept, %s; then stable through layout and registry", arch, len(want.Layers), kept)
	}
}

// proxy is a reverse proxy in front of the real registry that counts
// requests and injects faults.
type proxy struct {
	host   string
	mu     sync.Mutex
	counts map[string]int
	fault  func(r *http.Request) string
	n      atomic.Int32
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	p := &proxy{counts: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := r.Method + " " + classify(r)
		p.mu.Lock()
		f := p.fault
		p.mu.Unlock()
		act := ""
		if f != nil {
			act = f(r)
		}
		switch act {
		case "500":
			kind += " 500"
			http.Error(w, "injected", http.StatusInternalServerError)
		case "drop":
			kind += " dropped"
			rec := &bufResponse{h: http.Header{}, code: 200}
			rp.ServeHTTP(rec, r)
			for k, v := range rec.h {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Length", fmt.Sprint(rec.b.Len()))
			w.WriteHeader(rec.code)
			_, _ = w.Write(rec.b.Bytes()[:rec.b.Len()/2])
			w.(http.Flusher).Flush()
			if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
				c.Close()
			}
		default:
			rec := &statusWriter{ResponseWriter: w, code: 200}
			rp.ServeHTTP(rec, r)
			kind += fmt.Sprintf(" %d", rec.code)
		}
		p.mu.Lock()
		p.counts[kind]++
		p.mu.Unlock()
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	p.host = ln.Addr().String()
	return p
}

func classify(r *http.Request) string {
	switch {
	case r.URL.Query().Get("mount") != "":
		return "mount"
	case strings.Contains(r.URL.Path, "/blobs/uploads/"):
		return "upload"
	case strings.Contains(r.URL.Path, "/blobs/"):
		return "blob"
	case strings.Contains(r.URL.Path, "/manifests/"):
		return "manifest"
	}
	return "other"
}

func (p *proxy) count(kind string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[kind]
}

func (p *proxy) reset(f func(*http.Request) string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts = map[string]int{}
	p.fault = f
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(c int) { s.code = c; s.ResponseWriter.WriteHeader(c) }
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type bufResponse struct {
	h    http.Header
	code int
	b    bytes.Buffer
}

func (b *bufResponse) Header() http.Header         { return b.h }
func (b *bufResponse) WriteHeader(c int)           { b.code = c }
func (b *bufResponse) Write(p []byte) (int, error) { return b.b.Write(p) }

// TestCopyMountsAndFaultsE2E: between two repositories of the real
// registry every blob is mounted (POST ?mount= answered 201), none
// uploaded; through a proxy that answers 500 three times, or drops a blob
// download half way, the copy succeeds; one that always drops gives a
// clear error and no archive.
func TestCopyMountsAndFaultsE2E(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	crane := Need(t, "SLIMSHIP_E2E_CRANE", "crane")
	p := newProxy(t, reg)
	dir := t.TempDir()
	idx := twoPlatformIndex(t)
	in := filepath.Join(dir, "in")
	if _, err := layout.Write(in, idx); err != nil {
		t.Fatal(err)
	}
	run := fmt.Sprint(time.Now().UnixNano())
	src := p.host + "/e2e-mount-" + run + "/a:1"
	slimship(t, "copy", "--insecure", "oci:"+in, src)
	blobs := 0
	for _, m := range e2eMust[*v1.IndexManifest](t)(idx.IndexManifest()).Manifests {
		blobs += 1 + len(e2eMust[*v1.Manifest](t)(e2eMust[v1.Image](t)(idx.Image(m.Digest)).Manifest()).Layers)
	}

	p.reset(nil)
	slimship(t, "copy", "--insecure", src, p.host+"/e2e-mount-"+run+"/b:1")
	if m, u, g := p.count("POST mount 201"), p.count("PATCH upload 202")+p.count("PUT upload 201"), p.count("GET blob 200"); m != blobs || u != 0 || g != 0 {
		t.Fatalf("%d blobs: %d mounted, %d uploaded, %d downloaded: %v", blobs, m, u, g, p.counts)
	}
	record(t, "copy: %d blobs between repositories of docker-registry 2.8: %d mounted (201), 0 uploaded, 0 downloaded", blobs, blobs)

	var n atomic.Int32
	p.reset(func(r *http.Request) string {
		if classify(r) == "manifest" && r.Method == http.MethodPut && n.Add(1) <= 3 {
			return "500"
		}
		return ""
	})
	slimship(t, "copy", "--insecure", "oci:"+in, p.host+"/e2e-mount-"+run+"/c:1")
	if p.count("PUT manifest 500") != 3 || p.count("PUT manifest 201") != 3 {
		t.Fatalf("500 three times: %v", p.counts)
	}
	if d := strings.TrimSpace(infraRun(t, crane, "digest", "--insecure", reg+"/e2e-mount-"+run+"/c:1")); d != e2eMust[v1.Hash](t)(idx.Digest()).String() {
		t.Fatalf("after 500s: digest %s", d)
	}

	var dropped atomic.Bool
	p.reset(func(r *http.Request) string {
		if classify(r) == "blob" && r.Method == http.MethodGet && !dropped.Swap(true) {
			return "drop"
		}
		return ""
	})
	out := filepath.Join(dir, "ok.tar")
	slimship(t, "copy", "--insecure", src, "oci-archive:"+out)
	if p.count("GET blob dropped") != 1 {
		t.Fatalf("no drop: %v", p.counts)
	}
	p.reset(func(r *http.Request) string {
		if classify(r) == "blob" && r.Method == http.MethodGet {
			return "drop"
		}
		return ""
	})
	bad := filepath.Join(dir, "bad.tar")
	cmd := exec.Command(Bin(t), "copy", "--insecure", "--retries", "2", src, "oci-archive:"+bad)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "unexpected EOF (gave up after 3 tries)") {
		t.Fatalf("always dropped: %v: %s", err, stderr.String())
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Fatal("a half-written archive was left")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

// TestCopyFromPodmanE2E: podman:IMAGE to the registry keeps podman's image
// ID as the config digest, and skopeo reads the pushed image.
func TestCopyFromPodmanE2E(t *testing.T) {
	base := BaseImage(t)
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	skopeo := Need(t, "SLIMSHIP_E2E_SKOPEO", "skopeo")
	ref := reg + "/e2e-podman-" + fmt.Sprint(time.Now().UnixNano()) + "/base:bookworm"
	slimship(t, "copy", "--insecure", "podman:"+base, "docker://"+ref)
	id := strings.TrimSpace(Podman(t, "image", "inspect", "--format", "{{.Id}}", base))
	var info struct{ Digest string }
	cfg := []byte(infraRun(t, skopeo, "inspect", "--config", "--raw", "--tls-verify=false", "docker://"+ref))
	if sha(cfg) != "sha256:"+id {
		t.Fatalf("config %s, podman image ID %s", sha(cfg), id)
	}
	if err := json.Unmarshal([]byte(infraRun(t, skopeo, "inspect", "--tls-verify=false", "docker://"+ref)), &info); err != nil || info.Digest == "" {
		t.Fatalf("skopeo inspect: %v", err)
	}
}

// TestCopyWithReferrersE2E: docker-registry 2.8 has no Referrers API; an
// SBOM attached by the tag schema and a cosign signature tag come along
// with --with-referrers.
func TestCopyWithReferrersE2E(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	crane := Need(t, "SLIMSHIP_E2E_CRANE", "crane")
	run := fmt.Sprint(time.Now().UnixNano())
	src := e2eMust[name.Repository](t)(name.NewRepository(reg+"/e2e-referrers-"+run+"/src", name.Insecure))
	dst := e2eMust[name.Repository](t)(name.NewRepository(reg+"/e2e-referrers-"+run+"/dst", name.Insecure))
	img := e2eMust[v1.Image](t)(random.Image(1024, 2))
	if err := remote.Write(src.Tag("1.0.0"), img); err != nil {
		t.Fatal(err)
	}
	d := e2eMust[v1.Hash](t)(img.Digest())
	sig := e2eMust[v1.Image](t)(mutate.AppendLayers(empty.Image, static.NewLayer([]byte(`{"critical":{}}`), "application/vnd.dev.cosign.simplesigning.v1+json")))
	if err := remote.Write(src.Tag("sha256-"+d.Hex+".sig"), sig); err != nil {
		t.Fatal(err)
	}
	sbom := e2eMust[v1.Image](t)(mutate.AppendLayers(empty.Image, static.NewLayer([]byte(`{"spdxVersion":"SPDX-2.3"}`), "application/spdx+json")))
	sbom = mutate.MediaType(sbom, types.OCIManifestSchema1)
	sbom = mutate.Subject(sbom, v1.Descriptor{MediaType: e2eMust[types.MediaType](t)(img.MediaType()), Digest: d, Size: e2eMust[int64](t)(img.Size())}).(v1.Image)
	sd := e2eMust[v1.Hash](t)(sbom.Digest())
	if err := remote.Write(src.Digest(sd.String()), sbom); err != nil { // ggcr keeps the sha256-<hex> fallback tag
		t.Fatal(err)
	}
	out := slimship(t, "copy", "--insecure", "--with-referrers", "docker://"+src.Tag("1.0.0").String(), "docker://"+dst.Tag("1.0.0").String())
	if !strings.Contains(out, "with 2 attached artifacts: sha256-"+d.Hex+".sig, "+sd.String()) {
		t.Fatalf("copy said: %s", out)
	}
	tags := infraRun(t, crane, "ls", "--insecure", dst.String())
	for _, want := range []string{"1.0.0", "sha256-" + d.Hex + ".sig", "sha256-" + d.Hex + "\n"} {
		if !strings.Contains(tags+"\n", want) {
			t.Fatalf("%q missing in %s", want, tags)
		}
	}
	refs := e2eMust[*v1.IndexManifest](t)(e2eMust[v1.ImageIndex](t)(remote.Referrers(dst.Digest(d.String()))).IndexManifest())
	if len(refs.Manifests) != 1 || refs.Manifests[0].Digest != sd {
		t.Fatalf("referrers at the destination: %+v", refs.Manifests)
	}
	record(t, "copy --with-referrers: cosign .sig tag and an SBOM referrer (tag schema: docker-registry 2.8 has no Referrers API) copied")
}
