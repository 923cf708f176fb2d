package history

import (
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile"
)

func TestHistoryKind(t *testing.T) {
	for _, c := range []struct{ in, kind, text string }{
		{"RUN /bin/sh -c apt-get update # buildkit", "run", "apt-get update"},
		{"/bin/sh -c apt-get update", "run", "apt-get update"},
		{"|1 V=2 /bin/sh -c make", "run", "make"},
		{"/bin/sh -c #(nop) COPY file:abc in /x ", "copy", "COPY file:abc in /x"},
		{"COPY . /app # buildkit", "copy", ". /app"},
		{"/bin/sh -c #(nop)  CMD [\"sh\"]", "", ""},
		{"WORKDIR /app", "workdir", "/app"},
	} {
		k, txt := Kind(c.in)
		if k != c.kind || txt != c.text {
			t.Errorf("Kind(%q) = %q, %q; want %q, %q", c.in, k, txt, c.kind, c.text)
		}
	}
}

func FuzzHistoryKind(f *testing.F) {
	f.Add("RUN /bin/sh -c apt-get update # buildkit")
	f.Add("/bin/sh -c #(nop) COPY file:abc in /x ")
	f.Add("|2 a=b c=d /bin/sh -c x")
	f.Fuzz(func(t *testing.T, s string) {
		k, _ := Kind(s)
		switch k {
		case "", "run", "copy", "add", "workdir":
		default:
			t.Fatalf("kind %q", k)
		}
	})
}

func TestMatch(t *testing.T) {
	const src = `FROM debian:12 AS base
RUN apt-get update && apt-get install -y curl
FROM base
WORKDIR /app
COPY app /app/app
RUN chmod +x /app/app
CMD ["/app/app"]
`
	df, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		createdBy []string
		lines     []int
		base      int
	}{
		{"buildkit", []string{
			"# debian.sh --arch 'amd64' out/ 'bookworm' '@1733097600'",
			"RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
			"WORKDIR /app",
			"COPY app /app/app # buildkit",
			"RUN /bin/sh -c chmod +x /app/app # buildkit",
		}, []int{0, 2, 4, 5, 6}, 1},
		{"buildah", []string{
			"/bin/sh -c #(nop) ADD file:abc in / ",
			"/bin/sh -c apt-get update && apt-get install -y curl",
			"/bin/sh -c #(nop) COPY file:def in /app/app ",
			"/bin/sh -c chmod +x /app/app",
		}, []int{0, 2, 5, 6}, 1},
		{"other image", []string{"/bin/sh -c #(nop) ADD file:abc in / "}, []int{0}, -1},
		{"no history", nil, nil, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Match(df, c.createdBy)
			for i, p := range got.Positions {
				line := 0
				if p != nil {
					line = p.Line
				}
				if line != c.lines[i] {
					t.Errorf("layer %d: line %d, want %d", i, line, c.lines[i])
				}
			}
			if got.Base != c.base {
				t.Errorf("base %d, want %d", got.Base, c.base)
			}
		})
	}
}
