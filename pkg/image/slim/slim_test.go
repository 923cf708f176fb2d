package slim

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/slimship/slimship/pkg/image/walk"
)

type tf struct {
	name string
	body []byte
	typ  byte
	link string
	mode int64
}

func mkLayer(t *testing.T, files ...tf) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		typ := f.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		mode := f.mode
		if mode == 0 {
			mode = 0o644
		}
		h := &tar.Header{Name: f.name, Typeflag: typ, Linkname: f.link, Mode: mode, Size: int64(len(f.body)), ModTime: time.Unix(1e9, 0)}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.body)
	}
	tw.Close()
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mkImage(t *testing.T, cfg v1.Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func files(t *testing.T, img v1.Image) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := walk.Walk(context.Background(), img, walk.Options{}, func(e *walk.Entry, r io.Reader) error {
		if e.Whiteout {
			delete(out, e.Path)
			return nil
		}
		out[e.Path] = e.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func roundTrip(t *testing.T, img v1.Image) {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	ii, _ := p.ImageIndex()
	if err := validate.Index(ii); err != nil {
		t.Fatal(err)
	}
}

func TestSafeModeDropsWasteAndKeepsCleanBase(t *testing.T) {
	mib := bytes.Repeat([]byte("x"), 1<<20)
	base := mkLayer(t, tf{name: "bin/", typ: tar.TypeDir}, tf{name: "bin/app", body: []byte("app"), mode: 0o4755})
	install := mkLayer(t,
		tf{name: "var/lib/apt/lists/deb_Packages", body: mib},
		tf{name: "var/cache/apt/archives/python3.deb", body: mib},
		tf{name: "usr/share/doc/python3/README", body: mib[:1000]},
		tf{name: "usr/share/doc/python3/copyright", body: []byte("GPL")},
		tf{name: "usr/share/man/man1/python3.1.gz", body: mib[:2000]},
		tf{name: "usr/lib/python3/__pycache__/x.pyc", body: mib[:3000]},
		tf{name: "etc/app.conf", body: []byte("old")},
		// slim now removes what analyze reports (man pages under
		// /usr/local, dnf5's cache) and keeps what is not waste (apt's
		// lock, debconf's database, a directory only named like a cache).
		tf{name: "usr/local/share/man/man1/tool.1", body: mib[:100]},
		tf{name: "var/cache/libdnf5/x.solv", body: mib[:10]},
		tf{name: "var/cache/apt/archives/lock"},
		tf{name: "var/cache/debconf/config.dat", body: []byte("db")},
		tf{name: "var/cache/apkfoo/x", body: []byte("x")},
		tf{name: "big.log", body: mib})
	cleanup := mkLayer(t, tf{name: "var/lib/apt/lists/.wh.deb_Packages"}, tf{name: "etc/app.conf", body: []byte("new")}, tf{name: ".wh.big.log"})
	img := mkImage(t, v1.Config{Cmd: []string{"/bin/app"}}, base, install, cleanup)

	res, err := Slim(context.Background(), img, Options{Epoch: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	roundTrip(t, res.Image)
	if res.KeptLayers != 1 {
		t.Fatalf("kept %d base layers, want 1", res.KeptLayers)
	}
	ls, _ := res.Image.Layers()
	d0, _ := ls[0].Digest()
	w0, _ := base.Digest()
	if d0 != w0 || len(ls) != 2 {
		t.Fatalf("base layer not shared: %d layers", len(ls))
	}
	got := files(t, res.Image)
	for _, gone := range []string{"/var/cache/apt/archives/python3.deb", "/usr/share/doc/python3/README", "/usr/share/man/man1/python3.1.gz", "/usr/lib/python3/__pycache__/x.pyc", "/var/lib/apt/lists/deb_Packages", "/big.log",
		"/usr/local/share/man/man1/tool.1", "/var/cache/libdnf5/x.solv"} {
		if _, ok := got[gone]; ok {
			t.Errorf("%s still there", gone)
		}
	}
	for _, kept := range []string{"/bin/app", "/usr/share/doc/python3/copyright", "/etc/app.conf",
		"/var/cache/apt/archives/lock", "/var/cache/debconf/config.dat", "/var/cache/apkfoo/x"} {
		if _, ok := got[kept]; !ok {
			t.Errorf("%s missing", kept)
		}
	}
	if res.After >= res.Before/3 {
		t.Fatalf("before %d after %d", res.Before, res.After)
	}
	if res.Saved[Hidden] < 2<<20 || res.Saved[PkgCache] != 1<<20+10 || res.Saved[Docs] != 1000 {
		t.Fatalf("saved: %v", res.Saved)
	}
	cf, _ := res.Image.ConfigFile()
	if cf.Config.Cmd[0] != "/bin/app" || len(cf.History) != 2 {
		t.Fatalf("config lost: %+v history %d", cf.Config, len(cf.History))
	}

	// --keep docs keeps them; --strip-setuid rewrites everything.
	res2, err := Slim(context.Background(), img, Options{Keep: []Cause{Docs}, StripSetuid: true, User: "65532"})
	if err != nil {
		t.Fatal(err)
	}
	defer res2.Close()
	got2 := files(t, res2.Image)
	if _, ok := got2["/usr/share/doc/python3/README"]; !ok {
		t.Fatal("docs removed despite Keep")
	}
	cf2, _ := res2.Image.ConfigFile()
	if cf2.Config.User != "65532" {
		t.Fatal("user not set")
	}
	walk.Walk(context.Background(), res2.Image, walk.Options{}, func(e *walk.Entry, r io.Reader) error {
		if e.Header.Mode&0o6000 != 0 {
			t.Errorf("%s keeps setuid", e.Path)
		}
		return nil
	})
}

// Minify on a copy of a dynamically linked host binary keeps it, its
// libraries and loader (through symlinks), and drops the rest.
func TestMinifyKeepsELFClosure(t *testing.T) {
	bin := "/bin/true"
	f, err := elf.Open(bin)
	if err != nil {
		t.Skip("no ELF /bin/true here")
	}
	libs, _ := f.ImportedLibraries()
	var interp string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			p.ReadAt(b, 0)
			interp = strings.TrimRight(string(b), "\x00")
		}
	}
	f.Close()
	if len(libs) == 0 || interp == "" {
		t.Skip("/bin/true is static")
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Skip(err)
		}
		return b
	}
	// Libraries live in /usr/lib/<triplet>; /lib is a symlink, as in
	// merged-/usr Debian.
	var entries []tf
	entries = append(entries, tf{name: "usr/", typ: tar.TypeDir}, tf{name: "lib", typ: tar.TypeSymlink, link: "usr/lib"},
		tf{name: "lib64", typ: tar.TypeSymlink, link: "usr/lib64"},
		tf{name: "usr/bin/true", body: read(bin), mode: 0o755},
		tf{name: "usr/share/junk", body: bytes.Repeat([]byte("j"), 1<<20)},
		tf{name: "etc/passwd", body: []byte("root:x:0:0::/root:/bin/sh\n")},
		tf{name: "evil", typ: tar.TypeSymlink, link: "../../../../etc/shadow"})
	real, _ := filepath.EvalSymlinks(interp)
	entries = append(entries, tf{name: strings.TrimPrefix(path.Join("/usr", interp), "/"), body: read(real), mode: 0o755})
	for _, l := range libs {
		for _, d := range []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu"} {
			if b, err := os.ReadFile(path.Join(d, l)); err == nil {
				entries = append(entries, tf{name: strings.TrimPrefix(path.Join("/usr/lib", path.Base(d), l), "/"), body: b})
				break
			}
		}
	}
	img := mkImage(t, v1.Config{Entrypoint: []string{"true"}, Env: []string{"PATH=/usr/bin:/bin"}}, mkLayer(t, entries...))
	res, err := Slim(context.Background(), img, Options{Minify: true, Include: []string{"/evil"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	roundTrip(t, res.Image)
	got := files(t, res.Image)
	if _, ok := got["/usr/share/junk"]; ok {
		t.Fatal("junk kept")
	}
	for _, want := range []string{"/usr/bin/true", "/etc/passwd", "/lib", "/lib64", "/usr" + interp} {
		if _, ok := got[want]; !ok {
			t.Errorf("%s missing from minified image (have %v)", want, keys(got))
		}
	}
	for _, l := range libs {
		found := false
		for p := range got {
			if path.Base(p) == l {
				found = true
			}
		}
		if !found {
			t.Errorf("library %s missing", l)
		}
	}
}

func keys(m map[string]int64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestResolveStaysInside(t *testing.T) {
	v := newView()
	v.grow(0)
	v.files["/a"] = &node{hdr: tar.Header{Typeflag: tar.TypeSymlink, Linkname: "../../../../etc"}}
	v.files["/etc"] = &node{hdr: tar.Header{Typeflag: tar.TypeDir}}
	v.files["/etc/shadow"] = &node{hdr: tar.Header{Typeflag: tar.TypeReg}}
	v.files["/loop"] = &node{hdr: tar.Header{Typeflag: tar.TypeSymlink, Linkname: "/loop"}}
	p, n := v.resolve("/a/shadow", func(string) {})
	if p != "/etc/shadow" || n == nil {
		t.Fatalf("resolve = %q %v", p, n)
	}
	if _, n := v.resolve("/loop/x", func(string) {}); n != nil {
		t.Fatal("loop resolved")
	}
}

func FuzzGlobAndResolve(f *testing.F) {
	f.Add("/usr/**/lib*.so", "../x/../../y")
	f.Fuzz(func(t *testing.T, glob, link string) {
		globRe(glob)
		v := newView()
		v.grow(0)
		v.files["/l"] = &node{hdr: tar.Header{Typeflag: tar.TypeSymlink, Linkname: link}}
		p, _ := v.resolve("/l/z", func(string) {})
		if !strings.HasPrefix(p, "/") || strings.Contains(p, "/../") {
			t.Fatalf("resolved outside: %q", p)
		}
	})
}
