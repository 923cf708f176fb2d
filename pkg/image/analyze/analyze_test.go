package analyze

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// f is a tar entry: a name ending in / is a directory; link makes a
// symlink ("->target") or hard link ("=>target").
type f struct {
	name string
	size int
	link string
}

func layerTar(t testing.TB, files ...f) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range files {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(e.size), ModTime: time.Unix(0, 0)}
		switch {
		case strings.HasSuffix(e.name, "/"):
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, 0o755
		case strings.HasPrefix(e.link, "->"):
			h.Typeflag, h.Size, h.Linkname = tar.TypeSymlink, 0, e.link[2:]
		case strings.HasPrefix(e.link, "=>"):
			h.Typeflag, h.Size, h.Linkname = tar.TypeLink, 0, e.link[2:]
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write(bytes.Repeat([]byte{'x'}, int(h.Size)))
		}
	}
	tw.Close()
	return buf.Bytes()
}

// image builds an image whose layers are the given tars, with history.
func image(t testing.TB, history []string, layers ...[]byte) v1.Image {
	t.Helper()
	img := empty.Image
	for i, b := range layers {
		b := b
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			t.Fatal(err)
		}
		h := v1.History{CreatedBy: "layer " + string(rune('0'+i))}
		if i < len(history) {
			h.CreatedBy = history[i]
		}
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: h})
		if err != nil {
			t.Fatal(err)
		}
	}
	return img
}

func run(t testing.TB, img v1.Image, opts Options) *Result {
	t.Helper()
	r, err := Analyze(context.Background(), img, "test", opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDiveFigures(t *testing.T) {
	// Layer 0: base. Layer 1 overwrites /etc/conf and adds a tmp dir.
	// Layer 2 deletes the tmp dir (dir whiteout: counts its bytes) and the
	// big file (file whiteout: counts 0, as dive does).
	l0 := layerTar(t, f{name: "etc/"}, f{name: "etc/conf", size: 100}, f{name: "bin/"}, f{name: "bin/big", size: 1000})
	l1 := layerTar(t, f{name: "etc/"}, f{name: "etc/conf", size: 150}, f{name: "tmp/"}, f{name: "tmp/a", size: 300}, f{name: "tmp/b", size: 200})
	l2 := layerTar(t, f{name: ".wh.tmp"}, f{name: "bin/"}, f{name: "bin/.wh.big"})
	r := run(t, image(t, nil, l0, l1, l2), Options{})

	if r.SizeBytes != 1100+650 || r.UserSizeBytes != 650 {
		t.Errorf("size %d user %d", r.SizeBytes, r.UserSizeBytes)
	}
	// dive: /etc/conf 100+150 min 100; /bin/big 1000+0 min 0; /tmp 500
	// (whiteout of a dir) min 0 ... /tmp is not a leaf in layer 1 so only
	// the whiteout counts: 500, min 500, count 1.
	wantWasted := int64(250 + 1000)
	if r.WastedBytes != wantWasted {
		t.Errorf("wasted %d, want %d (%+v)", r.WastedBytes, wantWasted, r.InefficientFiles)
	}
	minSum := float64(100 + 0 + 300 + 200 + 500)
	cum := float64(250 + 1000 + 300 + 200 + 500)
	if got, want := r.Efficiency, minSum/cum; got != want {
		t.Errorf("efficiency %v, want %v", got, want)
	}
	if got, want := r.UserWastedPercent, float64(wantWasted)/650; got != want {
		t.Errorf("user wasted %v, want %v", got, want)
	}
	// honest: squashing drops conf v1 (100), tmp (500), big (1000).
	if r.ReclaimableBytes != 1600 {
		t.Errorf("reclaimable %d, want 1600", r.ReclaimableBytes)
	}
	if r.Layers[0].ReclaimableBytes != 1100 || r.Layers[1].ReclaimableBytes != 500 || r.Layers[2].RemovedBytes != 1500 {
		t.Errorf("layers %+v", r.Layers)
	}
	if r.SquashedBytes != 150 || r.FileCount != 1 {
		t.Errorf("squashed %d files %d", r.SquashedBytes, r.FileCount)
	}
	if len(r.Deleted) != 2 || r.Deleted[0].Path != "/bin/big" || r.Deleted[0].Bytes != 1000 {
		t.Errorf("deleted %+v", r.Deleted)
	}
}

func TestOpaqueHardlinkSymlink(t *testing.T) {
	l0 := layerTar(t, f{name: "app/"}, f{name: "app/old", size: 400}, f{name: "app/keep", size: 10}, f{name: "usr/"}, f{name: "usr/bin/"}, f{name: "usr/bin/tool", size: 50})
	l1 := layerTar(t, f{name: "app/"}, f{name: "app/.wh..wh..opq"}, f{name: "app/new", size: 20},
		f{name: "usr/bin/hard", link: "=>usr/bin/tool"}, f{name: "usr/bin/soft", link: "->tool"})
	r := run(t, image(t, nil, l0, l1), Options{})
	if r.ReclaimableBytes != 410 {
		t.Errorf("reclaimable %d, want 410 (opaque dir hides app/old and app/keep)", r.ReclaimableBytes)
	}
	if r.Layers[1].AddedBytes != 20 || r.Layers[1].Files != 3 {
		t.Errorf("layer 1 added %d files %d", r.Layers[1].AddedBytes, r.Layers[1].Files)
	}
	if r.FileCount != 4 || r.SquashedBytes != 70 {
		t.Errorf("files %d squashed %d", r.FileCount, r.SquashedBytes)
	}
	if len(r.Deleted) != 1 || !r.Deleted[0].Opaque || r.Deleted[0].Bytes != 410 {
		t.Errorf("deleted %+v", r.Deleted)
	}
}

func TestFileReplacedByDirectoryAndBack(t *testing.T) {
	l0 := layerTar(t, f{name: "x", size: 70})
	l1 := layerTar(t, f{name: "x/"}, f{name: "x/y", size: 5})
	l2 := layerTar(t, f{name: "x", size: 9})
	r := run(t, image(t, nil, l0, l1, l2), Options{})
	if r.ReclaimableBytes != 75 || r.SquashedBytes != 9 {
		t.Errorf("reclaimable %d squashed %d", r.ReclaimableBytes, r.SquashedBytes)
	}
}

func TestWasteFindingsPointAtDockerfile(t *testing.T) {
	src := "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\nCOPY . /app\n"
	df, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	base := layerTar(t, f{name: "bin/"}, f{name: "bin/sh", size: 100})
	update := layerTar(t, f{name: "var/"}, f{name: "var/lib/"}, f{name: "var/lib/apt/"}, f{name: "var/lib/apt/lists/"}, f{name: "var/lib/apt/lists/deb_main_Packages", size: 200000})
	install := layerTar(t, f{name: "usr/"}, f{name: "usr/bin/"}, f{name: "usr/bin/curl", size: 3000}, f{name: "var/cache/apt/"}, f{name: "var/cache/apt/pkgcache.bin", size: 90000})
	rm := layerTar(t, f{name: "var/lib/apt/lists/"}, f{name: "var/lib/apt/lists/.wh.deb_main_Packages"})
	app := layerTar(t, f{name: "app/"}, f{name: "app/.git/"}, f{name: "app/.git/HEAD", size: 40}, f{name: "app/main", size: 10})
	hist := []string{"/bin/sh -c #(nop) ADD file:abc in / ", "/bin/sh -c apt-get update", "/bin/sh -c apt-get install -y curl", "/bin/sh -c rm -rf /var/lib/apt/lists/*", "/bin/sh -c #(nop) COPY dir:123 in /app "}
	r := run(t, image(t, hist, base, update, install, rm, app), Options{Dockerfile: df})
	lines := map[int]int{}
	for _, l := range r.Layers {
		if l.Instruction != nil {
			lines[l.Index] = l.Instruction.Line
		}
	}
	if lines[1] != 2 || lines[2] != 3 || lines[3] != 4 || lines[4] != 5 || lines[0] != 0 {
		t.Errorf("layer lines %v", lines)
	}
	got := map[string]string{}
	for _, fd := range r.Findings {
		got[fd.RuleID] = fd.File + ":" + itoa(fd.Line) + " " + fd.Message
	}
	if s := got["SSI001"]; !strings.HasPrefix(s, "Dockerfile:2 ") || !strings.Contains(s, "DL3009") || !strings.Contains(s, "200.0 kB") {
		t.Errorf("SSI001: %q", s)
	}
	if s := got["SSI002"]; !strings.HasPrefix(s, "Dockerfile:3 ") {
		t.Errorf("SSI002: %q", s)
	}
	if s := got["SSI011"]; !strings.HasPrefix(s, "Dockerfile:5 ") {
		t.Errorf("SSI011: %q", s)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestHistorySkipsEmptyLayers(t *testing.T) {
	img := image(t, []string{"ADD a /", "RUN b"}, layerTar(t, f{name: "a", size: 1}), layerTar(t, f{name: "b", size: 2}))
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.History = []v1.History{cf.History[0], {CreatedBy: "ENV X=1", EmptyLayer: true}, cf.History[1]}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	r := run(t, img, Options{})
	if r.Layers[0].CreatedBy != "ADD a /" || r.Layers[1].CreatedBy != "RUN b" {
		t.Errorf("created by %q, %q", r.Layers[0].CreatedBy, r.Layers[1].CreatedBy)
	}
}

func TestRulesHaveDocsAndDomain(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] || r.Domain != "image" || r.DocsURL == "" || r.Description == "" {
			t.Errorf("bad rule %+v", r)
		}
		seen[r.ID] = true
	}
}

// analyze reports what the waste table calls waste: a Go build cache
// outside /root (linking the real rule SS002, not a bare "SS"); not
// debconf's database, licences, apt's lock, or a directory only named like
// a cache.
func TestWasteFollowsTheTable(t *testing.T) {
	l := layerTar(t, f{name: "app/"}, f{name: "app/.cache/"}, f{name: "app/.cache/go-build/"}, f{name: "app/.cache/go-build/00", size: 100000},
		f{name: "var/"}, f{name: "var/cache/"}, f{name: "var/cache/debconf/"}, f{name: "var/cache/debconf/templates.dat", size: 200000},
		f{name: "var/cache/apkfoo/"}, f{name: "var/cache/apkfoo/x", size: 200000},
		f{name: "var/lib/"}, f{name: "var/lib/apt/"}, f{name: "var/lib/apt/lists/"}, f{name: "var/lib/apt/lists/lock", size: 0},
		f{name: "usr/"}, f{name: "usr/share/"}, f{name: "usr/share/doc/"}, f{name: "usr/share/doc/x/"}, f{name: "usr/share/doc/x/copyright", size: 2 << 20})
	r := run(t, image(t, []string{"/bin/sh -c go build"}, l), Options{})
	var got []string
	for _, w := range r.Waste {
		got = append(got, fmt.Sprintf("%s %s %d", w.Rule, w.Example, w.Files))
	}
	if strings.Join(got, ",") != "SSI007 /app/.cache/go-build/00 1" {
		t.Errorf("waste %v", got)
	}
	for _, fd := range r.Findings {
		if fd.RuleID == "SSI007" && !strings.Contains(fd.Message, "(SS002) saves 100.0 kB") {
			t.Errorf("SSI007: %q", fd.Message)
		}
	}
}
