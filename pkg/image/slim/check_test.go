package slim

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"io"
	"os"
	"path"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/image/walk"
)

// busybox is a stand-in for a static busybox binary: not an ELF file
// slim can parse, so it has no dependencies, like the real static one.
var busybox = append([]byte("#busybox"), bytes.Repeat([]byte{0}, 4096)...)

// contents returns the content of every regular file and hardlink of img
// (a hardlink reads as its target), as a runtime would see it.
func contents(t *testing.T, img v1.Image) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := walk.Walk(context.Background(), img, walk.Options{}, func(e *walk.Entry, r io.Reader) error {
		switch {
		case e.Whiteout:
			delete(out, e.Path)
		case e.Header.Typeflag == tar.TypeLink:
			target, _ := walk.CleanPath(e.Header.Linkname)
			c, ok := out[target]
			if !ok {
				t.Errorf("hardlink %s -> %s: target not in the image", e.Path, target)
			}
			out[e.Path] = c
		case e.Header.Typeflag == tar.TypeReg:
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			out[e.Path] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// busyboxLayer is laid out like dive's busybox test image: /bin/[ holds
// the binary and every applet, sh included, is a hardlink to it.
func busyboxLayer(t *testing.T) v1.Layer {
	return mkLayer(t,
		tf{name: "bin/", typ: tar.TypeDir, mode: 0o755},
		tf{name: "bin/[", body: busybox, mode: 0o755},
		tf{name: "bin/[[", typ: tar.TypeLink, link: "bin/["},
		tf{name: "bin/sh", typ: tar.TypeLink, link: "bin/["},
		tf{name: "bin/ls", typ: tar.TypeLink, link: "bin/["},
		tf{name: "etc/passwd", body: []byte("root:x:0:0::/root:/bin/sh\n")},
		tf{name: "usr/share/junk", body: bytes.Repeat([]byte("j"), 1<<20)})
}

// Minify keeps a program that is a hardlink (busybox's sh), reached
// through PATH and through chains of absolute and relative symlinks, with
// its content; the written image passes Check.
func TestMinifyKeepsHardlinkedShell(t *testing.T) {
	links := mkLayer(t,
		tf{name: "usr/local/bin/", typ: tar.TypeDir, mode: 0o755},
		tf{name: "usr/local/bin/shell", typ: tar.TypeSymlink, link: "../../../bin/ash"}, // relative
		tf{name: "bin/ash", typ: tar.TypeSymlink, link: "/bin/sh"})                      // absolute
	for _, c := range []struct {
		name string
		cfg  v1.Config
	}{
		{"CMD sh, default PATH", v1.Config{Cmd: []string{"sh"}}},
		{"sh -c", v1.Config{Cmd: []string{"sh", "-c", "echo ok"}}},
		{"symlink chain in PATH", v1.Config{Entrypoint: []string{"shell"}, Env: []string{"PATH=/usr/local/bin"}}},
		{"absolute path", v1.Config{Entrypoint: []string{"/bin/sh"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := mkImage(t, c.cfg, busyboxLayer(t), links)
			res, err := Slim(context.Background(), img, Options{Minify: true, Epoch: time.Unix(0, 0)})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Close()
			roundTrip(t, res.Image)
			got := contents(t, res.Image)
			if got["/bin/sh"] != string(busybox) {
				t.Fatalf("/bin/sh missing or wrong in the minified image (have %v)", keys(files(t, res.Image)))
			}
			if _, ok := got["/usr/share/junk"]; ok {
				t.Error("junk kept")
			}
			if res.After > int64(len(busybox))+1024 {
				t.Errorf("after %d bytes: the binary is counted more than once", res.After)
			}
			if err := Check(context.Background(), res.Image, 0); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A hardlink whose first name a later layer deletes or replaces keeps its
// own content, in safe and minify mode.
func TestHardlinkOutlivesItsTarget(t *testing.T) {
	for _, c := range []struct {
		name  string
		later v1.Layer
	}{
		{"target deleted", mkLayer(t, tf{name: "bin/.wh.["})},
		{"target replaced", mkLayer(t, tf{name: "bin/[", body: []byte("other"), mode: 0o755})},
	} {
		for _, minify := range []bool{false, true} {
			img := mkImage(t, v1.Config{Cmd: []string{"sh"}}, busyboxLayer(t), c.later)
			res, err := Slim(context.Background(), img, Options{Minify: minify})
			if err != nil {
				t.Fatal(err)
			}
			got := contents(t, res.Image)
			if got["/bin/sh"] != string(busybox) || !minify && got["/bin/ls"] != string(busybox) {
				t.Errorf("%s, minify=%v: /bin/sh or /bin/ls lost busybox's content", c.name, minify)
			}
			if c.name == "target replaced" && !minify && got["/bin/["] != "other" {
				t.Errorf("%s: /bin/[ = %.10q, want the later layer's", c.name, got["/bin/["])
			}
			if err := Check(context.Background(), res.Image, 0); err != nil {
				t.Errorf("%s, minify=%v: %v", c.name, minify, err)
			}
			res.Close()
		}
	}
}

// hostELF returns a dynamically linked host binary, its interpreter and
// libraries as (name, path) pairs, or skips.
func hostELF(t *testing.T) (bin []byte, interp string, libs map[string]string) {
	t.Helper()
	f, err := elf.Open("/bin/true")
	if err != nil {
		t.Skip("no ELF /bin/true here")
	}
	defer f.Close()
	needed, _ := f.ImportedLibraries()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			p.ReadAt(b, 0)
			interp = strings.TrimRight(string(b), "\x00")
		}
	}
	if len(needed) == 0 || interp == "" {
		t.Skip("/bin/true is static")
	}
	libs = map[string]string{}
	for _, l := range needed {
		for _, d := range []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/lib"} {
			if _, err := os.Stat(path.Join(d, l)); err == nil {
				libs[l] = path.Join(d, l)
				break
			}
		}
		if libs[l] == "" {
			t.Skipf("library %s of /bin/true not found", l)
		}
	}
	bin, _ = os.ReadFile("/bin/true")
	return bin, interp, libs
}

// Check names what the entrypoint needs and the image lacks.
func TestCheckNamesWhatIsMissing(t *testing.T) {
	bin, interp, libs := hostELF(t)
	var libName string
	for l := range libs {
		libName = l
	}
	// app is /bin/true in /opt/app, its libraries in /opt/lib, which only
	// /etc/ld.so.conf (through an include) tells the loader about.
	full := []tf{
		{name: "opt/app/app", body: bin, mode: 0o755},
		{name: strings.TrimPrefix(interp, "/"), body: []byte("loader"), mode: 0o755},
		{name: "etc/ld.so.conf", body: []byte("# comment\ninclude /etc/ld.so.conf.d/*.conf\n")},
		{name: "etc/ld.so.conf.d/opt.conf", body: []byte("/opt/lib\n")},
		{name: "bin/sh", body: busybox, mode: 0o755},
		{name: "usr/bin/env", body: busybox, mode: 0o755},
		{name: "opt/app/run.sh", body: []byte("#!/bin/sh\nexec /opt/app/app\n"), mode: 0o755},
		{name: "opt/app/run.py", body: []byte("#!/usr/bin/env -S python3 -u\n"), mode: 0o755},
		{name: "opt/app/run.bash", body: []byte("#!/bin/bash\n"), mode: 0o755},
		{name: "loop", typ: tar.TypeSymlink, link: "/loop2"},
		{name: "loop2", typ: tar.TypeSymlink, link: "loop"},
		{name: "dir/", typ: tar.TypeDir, mode: 0o755},
		{name: "dangling", typ: tar.TypeLink, link: "never/was"},
	}
	for l := range libs {
		full = append(full, tf{name: "opt/lib/" + l, body: []byte("lib"), mode: 0o644})
	}
	without := func(drop string) []tf {
		var out []tf
		for _, f := range full {
			if f.name != drop {
				out = append(out, f)
			}
		}
		return out
	}
	for _, c := range []struct {
		name    string
		files   []tf
		cfg     v1.Config
		missing string // "" = starts
	}{
		{"all there", full, v1.Config{Entrypoint: []string{"/opt/app/app"}}, ""},
		{"script through PATH", full, v1.Config{Cmd: []string{"run.sh"}, Env: []string{"PATH=/opt/app"}}, ""},
		{"relative to WORKDIR", full, v1.Config{Cmd: []string{"./app"}, WorkingDir: "/opt/app"}, ""},
		{"ld.so.conf.d without ld.so.conf", without("etc/ld.so.conf"), v1.Config{Entrypoint: []string{"/opt/app/app"}}, ""},
		{"no command", full, v1.Config{}, ""},
		{"program not in PATH", full, v1.Config{Cmd: []string{"nope", "-x"}}, `program "nope" (searched PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)`},
		{"program is a directory", full, v1.Config{Cmd: []string{"/dir"}}, `program "/dir"`},
		{"symlink loop", full, v1.Config{Cmd: []string{"/loop"}}, `program "/loop"`},
		{"dangling hardlink", full, v1.Config{Cmd: []string{"/dangling"}}, "hardlink target /never/was needed by /dangling"},
		{"library", without("opt/lib/" + libName), v1.Config{Entrypoint: []string{"/opt/app/app"}}, "library " + libName + " needed by /opt/app/app (searched /opt/lib:"},
		{"library without ld.so.conf.d", without("etc/ld.so.conf.d/opt.conf"), v1.Config{Entrypoint: []string{"/opt/app/app"}}, "library "},
		{"ELF interpreter", without(strings.TrimPrefix(interp, "/")), v1.Config{Entrypoint: []string{"/opt/app/app"}}, "ELF interpreter " + interp + " needed by /opt/app/app"},
		{"commands inside a script are not checked", without("opt/lib/" + libName), v1.Config{Cmd: []string{"/opt/app/run.sh"}}, ""},
		{"script interpreter", full, v1.Config{Cmd: []string{"/opt/app/run.bash"}}, "script interpreter /bin/bash needed by /opt/app/run.bash"},
		{"env interpreter", full, v1.Config{Cmd: []string{"/opt/app/run.py"}}, "script interpreter python3 needed by /opt/app/run.py"},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := mkImage(t, c.cfg, mkLayer(t, c.files...))
			err := Check(context.Background(), img, 0)
			var se *StartError
			switch {
			case c.missing == "" && err != nil:
				t.Fatalf("unexpected: %v", err)
			case c.missing != "" && (!errors.As(err, &se) || !strings.Contains(err.Error(), c.missing)):
				t.Fatalf("Check = %v, want a StartError naming %q", err, c.missing)
			}
		})
	}
}

func TestLibDirsOrder(t *testing.T) {
	l := &loader{ldLibraryPath: []string{"/llp"}, conf: []string{"/conf"}}
	e := &elfInfo{machine: elf.EM_X86_64, rpath: []string{"$ORIGIN/../lib"}}
	got := strings.Join(l.libDirs(e, "/app/bin", []string{"/inherited"}), ":")
	if !strings.HasPrefix(got, "/app/bin/../lib:/inherited:/llp:/conf:/lib/x86_64-linux-gnu:") {
		t.Errorf("DT_RPATH: %s", got)
	}
	e.runpath = []string{"${ORIGIN}/rp"}
	got = strings.Join(l.libDirs(e, "/app/bin", []string{"/inherited"}), ":")
	if !strings.HasPrefix(got, "/llp:/app/bin/rp:/conf:") {
		t.Errorf("DT_RUNPATH hides DT_RPATH and inherited ones and comes after LD_LIBRARY_PATH: %s", got)
	}
}

func TestParseUser(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{"65532", ""}, {"65532:65532", ""}, {"1000:0", ""}, {"4294967294", ""},
		{"0", "is root"}, {"00:1", "is root"}, {"root", "numeric"}, {"app:app", "numeric"},
		{"-1", "negative"}, {"1000:-1", "GID is negative"}, {"4294967295", "(uid_t)-1"},
		{"99999999999", "out of range"}, {":1000", "UID is empty"}, {"1000:", "GID is empty"}, {"+5", "numeric"},
	} {
		err := ParseUser(c.in)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("ParseUser(%q) = %v, want %q", c.in, err, c.err)
		}
	}
}

func FuzzLdConfDirs(f *testing.F) {
	f.Add("include /etc/ld.so.conf.d/*.conf\n/usr/local/lib # c\n", "/opt/lib:/x,/y\ninclude *.conf\nhwcap 1 x\n")
	f.Fuzz(func(t *testing.T, conf, sub string) {
		v := newView()
		v.files["/etc/ld.so.conf"] = &node{text: []byte(conf)}
		v.files["/etc/ld.so.conf.d/a.conf"] = &node{text: []byte(sub)}
		v.files["/etc/ld-musl-x86_64.path"] = &node{text: []byte(sub)}
		for _, d := range ldConfDirs(v) {
			if !path.IsAbs(d) || path.Clean(d) != d {
				t.Fatalf("directory %q is not absolute and clean", d)
			}
		}
	})
}
