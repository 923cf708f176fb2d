package transport

import (
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	exists := func(p string) bool { return p == "img.tar" || p == "dir:with:colon" }
	for _, tc := range []struct {
		in   string
		want Ref
	}{
		{"docker-archive:/tmp/a.tar", Ref{Kind: DockerArchive, Path: "/tmp/a.tar"}},
		{"oci:layout:v1", Ref{Kind: OCILayout, Path: "layout", Tag: "v1"}},
		{"oci:dir:with:colon", Ref{Kind: OCILayout, Path: "dir:with:colon"}},
		{"oci-archive:x.tar", Ref{Kind: OCIArchive, Path: "x.tar"}},
		{"docker://localhost:5000/a:b", Ref{Kind: Registry, Name: "localhost:5000/a:b"}},
		{"podman:web:1", Ref{Kind: Podman, Name: "web:1"}},
		{"docker-daemon:web", Ref{Kind: DockerDaemon, Name: "web"}},
		{"img.tar", Ref{Kind: Path, Path: "img.tar"}},
		{"alpine:3.20", Ref{Kind: Registry, Name: "alpine:3.20"}},
	} {
		got, err := ParseRef(tc.in, exists)
		if err != nil || got != tc.want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []struct{ in, msg string }{
		{"", "empty"}, {"docker://", "missing registry reference"}, {"oci:", "missing path"}, {"podman:", "missing image name"},
		{"-", "standard input"},
		{"bogus://x", `unknown transport "bogus"`},
		{"docker://-", "not a registry reference"},
		{"dir:/tmp/img", `transport "dir" is not supported`},
		{"containers-storage:web", "use podman:REF"},
		{"Not A Ref", "not a file, a known transport"},
	} {
		if _, err := ParseRef(bad.in, exists); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("ParseRef(%q): %v, want an error with %q", bad.in, err, bad.msg)
		}
	}
}
