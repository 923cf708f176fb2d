package audit

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseStep(t *testing.T) {
	tests := []struct {
		in        string
		ins, args string
		buildArgs []string
	}{
		{"/bin/sh -c #(nop)  CMD [\"nginx\"]", "CMD", `["nginx"]`, nil},
		{"/bin/sh -c #(nop) ADD file:abc in / ", "ADD", "file:abc in /", nil},
		{"/bin/sh -c apt-get update", "RUN", "apt-get update", nil},
		{"|2 A=1 B=2 /bin/sh -c make", "RUN", "make", []string{"A=1", "B=2"}},
		{"RUN |1 TOKEN=x /bin/sh -c echo hi # buildkit", "RUN", "echo hi", []string{"TOKEN=x"}},
		{"RUN /bin/sh -c set -e; make # buildkit", "RUN", "set -e; make", nil},
		{"COPY /out/app /app # buildkit", "COPY", "/out/app /app", nil},
		{"ENV PATH=/usr/bin", "ENV", "PATH=/usr/bin", nil},
		{"RUN make", "RUN", "make", nil},
		{"bazel build //x", "", "bazel build //x", nil},
		{"", "", "", nil},
		{"|x A=1 /bin/sh -c y", "", "|x A=1 /bin/sh -c y", nil},
	}
	for _, tc := range tests {
		st := ParseStep(tc.in)
		if st.Instruction != tc.ins || st.Args != tc.args || fmt.Sprint(st.BuildArgs) != fmt.Sprint(tc.buildArgs) {
			t.Errorf("ParseStep(%q) = %+v, want %s %q %v", tc.in, st, tc.ins, tc.args, tc.buildArgs)
		}
	}
}

func TestParsePasswd(t *testing.T) {
	es := ParsePasswd([]byte("# comment\nroot:x:0:0::/root:/bin/sh\r\n\n+nis\nshort:x\nbob:x: 1000 :1000::/home/bob:/bin/sh"))
	if len(es) != 2 || es[0].Line != 2 || es[1].Name != "bob" || es[1].ID != "1000" || es[1].Line != 6 {
		t.Fatalf("got %+v", es)
	}
	sh := ParseShadow([]byte("root:*:1::\nguest::1::\nbad\n"))
	if len(sh) != 2 || sh[1].Password != "" || sh[1].Line != 2 {
		t.Fatalf("got %+v", sh)
	}
}

func TestScanSecrets(t *testing.T) {
	none := func(string) bool { return false }
	tests := []struct {
		path, content string
		want          []string
	}{
		{"/app/.env", "AWS_SECRET_ACCESS_KEY=" + strings.Repeat("aB1/", 10) + "\n", []string{TokenInFile}},
		{"/app/.env", "PASSWORD=changeme\nAPI_KEY=${API_KEY}\nNAME=x\n", nil},
		{"/app/main.py", "PASSWORD=realpass123\n", nil},
		{"/docs/aws.md", "key AKIAIOSFODNN7EXAMPLE here", nil},
		{"/app/key.pem", fakePEM, []string{PrivateKey}},
		{"/app/x.txt", "-----BEGIN RSA PRIVATE KEY-----\" in a format string", nil},
		{"/home/u/.npmrc", "//registry.npmjs.org/:_authToken=abcdef0123456789\n", []string{TokenInFile}},
		{"/app/code.py", "self._auth = requests_auth_object\n", nil},
	}
	for _, tc := range tests {
		var got []string
		for _, s := range scanSecrets(tc.path, []byte(tc.content), none) {
			got = append(got, s.rule)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s %q: got %v, want %v", tc.path, tc.content, got, tc.want)
		}
	}
}

func FuzzParsePasswd(f *testing.F) {
	f.Add([]byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/sbin/nologin\n"))
	f.Add([]byte("a:b\n\n#c\n:::\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, e := range ParsePasswd(b) {
			if e.Line < 1 || strings.Contains(e.Name, "\n") || strings.Contains(e.ID, ":") {
				t.Fatalf("bad entry %+v", e)
			}
		}
		duplicateIDs(ParsePasswd(b))
	})
}

func FuzzParseShadow(f *testing.F) {
	f.Add([]byte("root:*:19000:0:99999:7:::\nguest::1::\n"))
	f.Add([]byte("x\r\n:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, e := range ParseShadow(b) {
			if e.Line < 1 || strings.Contains(e.Password, ":") || strings.Contains(e.Name, "\n") {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func FuzzParseStep(f *testing.F) {
	f.Add("RUN |1 A=1 /bin/sh -c sudo apt-get upgrade # buildkit")
	f.Add("/bin/sh -c #(nop)  ENV A=b")
	f.Add("|3 a")
	f.Fuzz(func(t *testing.T, s string) {
		st := ParseStep(s)
		st.Script()
		redactLine(s)
	})
}
