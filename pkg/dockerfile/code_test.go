package dockerfile

import (
	"strings"
	"testing"
)

// checkCode checks that in has shell code and that every byte of it maps
// to the same byte of src.
func checkCode(t *testing.T, src string, in *Instruction) {
	t.Helper()
	c := in.Code
	if c == nil {
		t.Fatalf("%q: no code for %s", src, in.Cmd)
	}
	if len(c.Offsets) != len(c.Text)+1 {
		t.Fatalf("%q: %d offsets for %d bytes", src, len(c.Offsets), len(c.Text))
	}
	for i := range len(c.Text) {
		if o := c.Offsets[i]; o < 0 || src[o] != c.Text[i] {
			t.Fatalf("%q: code byte %d %q maps to %d", src, i, c.Text[i], o)
		}
	}
}

func TestCodeOffsets(t *testing.T) {
	tests := []struct {
		src, code, word string
		line            int // of word in the file
	}{
		{"FROM a\nRUN echo a && echo b\n", "echo a && echo b", "b", 2},
		{"FROM a\nRUN --mount=type=cache,target=/x \\\n    apt-get update \\\n  # comment\n\n    && apt-get install -y x\n", "apt-get update     && apt-get install -y x", "install", 6},
		{"FROM a\r\nRUN a \\\r\n  b\r\n", "a   b", "b", 3},
		{"# escape=`\nFROM a\nRUN dir `\n  c:\\x\n", "dir   c:\\x", "c:", 4},
		{"FROM a\nRUN <<EOF\nset -e\necho hi\nEOF\n", "set -e\necho hi\n", "hi", 4},
		{"FROM a\nRUN <<A <<B\na1\nA\nb1\nB\n", "a1\nb1\n", "b1", 5},
		{"FROM a\nONBUILD RUN make \\\n  all\n", "make   all", "all", 3},
		{"FROM a\nCMD exec app --flag\n", "exec app --flag", "--flag", 2},
		{"FROM a\nRUN echo a \\\\\n", `echo a \\`, "a", 2},
	}
	for _, tt := range tests {
		f, err := ParseBytes("Dockerfile", []byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		in := f.Instructions[len(f.Instructions)-1]
		if in.Inner != nil {
			in = in.Inner
		}
		if in.Code.Text != tt.code {
			t.Errorf("%q: code %q, want %q", tt.src, in.Code.Text, tt.code)
			continue
		}
		checkCode(t, tt.src, in)
		i := strings.LastIndex(in.Code.Text, tt.word)
		from, to, ok := in.Code.Span(i, i+len(tt.word))
		if !ok || tt.src[from:to] != tt.word {
			t.Errorf("%q: %q maps to [%d,%d) %v", tt.src, tt.word, from, to, ok)
		}
		if line, _ := f.LineCol(from); line != tt.line {
			t.Errorf("%q: %q on line %d, want %d", tt.src, tt.word, line, tt.line)
		}
	}
	// The newline ShellSource adds after `RUN cmd <<EOF` is its own.
	f, _ := ParseBytes("Dockerfile", []byte("FROM a\nRUN python3 <<EOF\nprint(1)\nEOF\n"))
	c := f.Instructions[1].Code
	if c.Text != "python3 <<EOF\n" || c.At(0) != 11 || c.At(len(c.Text)-1) != -1 {
		t.Errorf("RUN cmd <<EOF: %q %v", c.Text, c.Offsets)
	}
	// Exec form is JSON, not file bytes.
	f, _ = ParseBytes("Dockerfile", []byte("FROM a\nRUN [\"sh\", \"-c\", \"echo x\"]\n"))
	if c := f.Instructions[1].Code; c.Text != "echo x" || c.At(0) != -1 {
		t.Errorf("exec form: %q %v", c.Text, c.Offsets)
	}
	if f.Instructions[0].Code != nil {
		t.Error("FROM has no code")
	}
}

func TestMounts(t *testing.T) {
	f, err := ParseBytes("Dockerfile", []byte("FROM a\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=secret,id=tok --mount=target=/src,source=. --mount=type=cache,dst=\"/root/.npm\" --mount=type=$T,target=/t x\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := f.Instructions[1]
	want := []Mount{{Type: "cache", Target: "/var/cache/apt"}, {Type: "secret", ID: "tok"}, {Type: "bind", Target: "/src", Source: "."}, {Type: "cache", Target: "/root/.npm"}, {Type: "$t", Target: "/t"}}
	if len(in.Mounts) != len(want) {
		t.Fatalf("mounts %+v", in.Mounts)
	}
	for i := range want {
		if in.Mounts[i] != want[i] {
			t.Errorf("mount %d: %+v, want %+v", i, in.Mounts[i], want[i])
		}
	}
}

func TestCachesDir(t *testing.T) {
	tests := []struct {
		mount, dir string
		want       bool
	}{
		{"type=cache,target=/var/cache", "/var/cache/dnf", true},
		{"type=cache,target=/var/cache", "/var/cache/yum", true},
		{"type=cache,target=/var/cache/apkfoo", "/var/cache/apk", false},
		{"type=cache,target=/var/cache/apk/", "/var/cache/apk", true},
		{"type=cache,target=/var/cache/apk/sub", "/var/cache/apk", false},
		{"type=tmpfs,target=/root/.cache", "/root/.cache/pip", true},
		{"type=bind,target=/var/cache/apk", "/var/cache/apk", false},
		{"target=/var/cache/apk", "/var/cache/apk", false},
		{"type=cache,target=/", "/var/cache/apk", true},
	}
	for _, tt := range tests {
		f, err := ParseBytes("Dockerfile", []byte("FROM a\nRUN --mount="+tt.mount+" x\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Instructions[1].CachesDir(tt.dir); got != tt.want {
			t.Errorf("%s covers %s: %v, want %v", tt.mount, tt.dir, got, tt.want)
		}
	}
}

// FuzzCodeOffsets checks the parser's code map on arbitrary input: every
// mapped byte is the file's byte (src[map(i)] == code[i]), mapped offsets
// rise, and the code of a shell-form instruction without heredocs, or of
// `RUN <<EOF`, is mapped in full.
func FuzzCodeOffsets(f *testing.F) {
	for _, seed := range []string{
		"FROM a\nRUN echo a && echo b\n",
		"FROM a\nRUN --mount=type=cache,target=/x \\\n    apt-get update \\\n  # comment\n\n    && apt-get install -y x\n",
		"FROM a\r\nRUN a \\\r\n  b\r\n",
		"# escape=`\nFROM a\nRUN dir `\n  c:\\x\n",
		"FROM a\nRUN <<A <<-B\na1\nA\n\tb1\n\tB\n",
		"FROM a\nRUN python3 <<EOF\nprint(1)\nEOF\n",
		"FROM a\nONBUILD RUN make \\\n  all\n",
		"FROM a\nCMD exec app \\\\\n",
		"\xef\xbb\xbfRUN \v x \\\t\n y\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		df, err := ParseBytes("Dockerfile", src)
		if err != nil {
			return
		}
		for _, in := range df.Instructions {
			if in.Inner != nil {
				in = in.Inner
			}
			c := in.Code
			if c == nil {
				continue
			}
			if len(c.Offsets) != len(c.Text)+1 {
				t.Fatalf("line %d: %d offsets for %d bytes", in.Line, len(c.Offsets), len(c.Text))
			}
			last := -1
			for i := range len(c.Text) {
				o := c.Offsets[i]
				if o < 0 {
					continue
				}
				if o >= len(src) || src[o] != c.Text[i] || o <= last {
					t.Fatalf("line %d: code byte %d %q maps to %d (previous %d) in %q", in.Line, i, c.Text[i], o, last, src)
				}
				last = o
			}
			full := !in.JSON && (len(in.Heredocs) == 0 || strings.HasPrefix(strings.TrimSpace(strings.Join(in.Args, " ")), "<<"))
			if full && c.Text != "" {
				for i := range len(c.Text) {
					if c.Offsets[i] < 0 {
						t.Fatalf("line %d: code byte %d of %q unmapped in %q", in.Line, i, c.Text, src)
					}
				}
			}
		}
	})
}
