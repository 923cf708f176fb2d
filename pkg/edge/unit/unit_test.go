package unit

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const sample = `# a comment \
  that continues
[Unit]
Description=web server

[Service]
; another comment
ExecStart=/usr/bin/podman run \
	--rm \
	--name=web \
	docker.io/library/nginx:1
CapabilityBoundingSet=CAP_NET_RAW
CapabilityBoundingSet=
CapabilityBoundingSet=CAP_CHOWN
  Restart = on-failure
Environment="A=b c" D=e

[Container]
Image=x
`

func TestParseLines(t *testing.T) {
	f, err := Parse("web.service", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	want := []Option{
		{Unit, "Description", "web server", 4},
		{Service, "ExecStart", "/usr/bin/podman run  \t--rm  \t--name=web  \tdocker.io/library/nginx:1", 8},
		{Service, "CapabilityBoundingSet", "CAP_NET_RAW", 12},
		{Service, "CapabilityBoundingSet", "", 13},
		{Service, "CapabilityBoundingSet", "CAP_CHOWN", 14},
		{Service, "Restart", "on-failure", 15},
		{Service, "Environment", `"A=b c" D=e`, 16},
		{Container, "Image", "x", 19},
	}
	if !slices.Equal(f.Options, want) {
		t.Errorf("got\n%+v\nwant\n%+v", f.Options, want)
	}
	if f.Sections[Service] != 6 || f.Sections[Container] != 18 {
		t.Errorf("sections %v", f.Sections)
	}
	if got := f.List(Service, "CapabilityBoundingSet"); len(got) != 2 || got[0].Value != "" || got[1].Value != "CAP_CHOWN" {
		t.Errorf("List after a reset: %+v", got)
	}
	if len(f.Comments) != 2 || f.Comments[1].Line != 7 {
		t.Errorf("comments %+v", f.Comments)
	}
	if f.Kind() != Quadlet {
		t.Errorf("a unit with [Container] is a Quadlet, got %s", f.Kind())
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"[Service]\nExecStart=/bin/true\njunk\n", "x.service:3: \"junk\" is not an assignment"},
		{"Foo=bar\n[Service]\n", "x.service:1: assignment outside of a section"},
		{"[Service] extra\n", "x.service:1: text after section header"},
		{"[Service\nA=b\n", "x.service:1: section header without ]"},
		{"[Service]\nA=" + strings.Repeat("x", 3000) + "\n", "x.service:2: line too long"},
	} {
		_, err := Parse("x.service", []byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.in[:min(len(c.in), 30)], err, c.want)
		}
	}
}

func TestKind(t *testing.T) {
	for _, c := range []struct {
		path, text string
		want       Kind
	}{
		{"a.service", "[Service]\nExecStart=/usr/local/bin/app\n", Exec},
		{"a.service", "[Service]\nExecStart=/usr/bin/podman run --rm img\n", PodmanRun},
		{"a.service", "[Service]\nExecStart=-/usr/bin/podman --log-level info container run -d img arg\n", PodmanRun},
		{"a.service", "[Service]\nExecStart=/usr/bin/podman pod start x\n", Exec},
		{"a.container", "[Container]\nImage=x\n", Quadlet},
		{"a.timer", "[Timer]\nOnCalendar=daily\n", Other},
	} {
		f, err := Parse(c.path, []byte(c.text))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Kind(); got != c.want {
			t.Errorf("%q: %s, want %s", c.text, got, c.want)
		}
	}
}

func TestPodmanRun(t *testing.T) {
	f, err := Parse("a.service", []byte(`[Service]
ExecStart=/usr/bin/podman run -d --rm -u 65532 --read-only=false --tmpfs /tmp:rw "--health-cmd=[\"/x\"]" -dit -e A=1 --env=B=2 img:1 serve --port 80
`))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := f.PodmanRun()
	if !ok {
		t.Fatal("not podman run")
	}
	if r.Image != "img:1" || !slices.Equal(r.Args, []string{"serve", "--port", "80"}) {
		t.Errorf("image %q args %q", r.Image, r.Args)
	}
	if v := r.Flags.Values("user"); !slices.Equal(v, []string{"65532"}) {
		t.Errorf("user %q", v)
	}
	if r.Flags.Bool("read-only", false) {
		t.Error("--read-only=false read as true")
	}
	if !r.Flags.Bool("tty", false) || !r.Flags.Bool("detach", false) {
		t.Error("-dit")
	}
	if v := r.Flags.Values("tmpfs"); !slices.Equal(v, []string{"/tmp:rw"}) {
		t.Errorf("tmpfs %q", v)
	}
	if v := r.Flags.Values("health-cmd"); !slices.Equal(v, []string{`["/x"]`}) {
		t.Errorf("health-cmd %q", v)
	}
	if v := r.Flags.Values("env"); !slices.Equal(v, []string{"A=1", "B=2"}) {
		t.Errorf("env %q", v)
	}
}

func TestSplitCommand(t *testing.T) {
	for _, c := range []struct {
		in       string
		prefixes string
		args     []string
	}{
		{`-/bin/rm -f %t/x.cid`, "-", []string{"/bin/rm", "-f", "%t/x.cid"}},
		{`@+/bin/app arg0 'single quoted' "double \"q\"" a\ b`, "@+", []string{"/bin/app", "arg0", "single quoted", `double "q"`, "a b"}},
		{`/bin/echo "tab\there" x"y z"w ; /bin/true`, "", []string{"/bin/echo", "tab\there", "xy zw"}},
		{`/bin/echo \x41\s`, "", []string{"/bin/echo", "A "}},
	} {
		got, err := SplitCommand(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if got.Prefixes != c.prefixes || !slices.Equal(got.Args, c.args) {
			t.Errorf("%q: %q %q, want %q %q", c.in, got.Prefixes, got.Args, c.prefixes, c.args)
		}
	}
	for _, bad := range []string{`/bin/x "open`, `/bin/x '`, `/bin/x \`} {
		if _, err := SplitCommand(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzQuoteSplit: every word Join quotes splits back into itself.
func FuzzQuoteSplit(f *testing.F) {
	for _, s := range []string{"", "plain", "two words", `qu"ote`, `back\slash`, "tab\tnew\nline", "it's", ";", "%t/x", "[\"/x\",\"-h\"]"} {
		f.Add(s, "second")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.ContainsRune(a, 0) || strings.ContainsRune(b, 0) || !validUTF8(a) || !validUTF8(b) {
			t.Skip()
		}
		line := Join([]string{a, b})
		got, err := SplitWords(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if !slices.Equal(got, []string{a, b}) {
			t.Fatalf("Join(%q, %q) = %s splits into %q", a, b, line, got)
		}
	})
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestLiteral(t *testing.T) {
	if got := Literal("50% of $HOME"); got != `"50%% of $$HOME"` {
		t.Errorf("Literal: %s", got)
	}
	if got := Literal("--cidfile=%t"); got != "--cidfile=%%t" {
		t.Errorf("Literal: %s", got)
	}
}

func TestValues(t *testing.T) {
	for in, want := range map[string]int64{"256M": 256 << 20, "1.5G": 3 << 29, "100": 100, "2T": 2 << 40, "512K": 512 << 10} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%s) = %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "M", "12Q", "-1M", "lots"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	for in, want := range map[int64]string{256 << 20: "256M", 217 << 20: "217M", 1 << 30: "1G", 1000: "1000", 1536: "1536"} {
		if got := FormatSize(in); got != want {
			t.Errorf("FormatSize(%d) = %s", in, got)
		}
	}
	for in, want := range map[string]time.Duration{"5s": 5 * time.Second, "1min 30s": 90 * time.Second, "100ms": 100 * time.Millisecond, "2": 2 * time.Second, "1h": time.Hour} {
		if got, err := ParseTimespan(in); err != nil || got != want {
			t.Errorf("ParseTimespan(%s) = %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "5 parsecs", "s"} {
		if _, err := ParseTimespan(bad); err == nil {
			t.Errorf("ParseTimespan(%q) accepted", bad)
		}
	}
	if got := FormatTimespan(90 * time.Second); got != "1min 30s" {
		t.Errorf("FormatTimespan: %s", got)
	}
	if p, err := ParsePercent("150%"); err != nil || p != 150 {
		t.Errorf("ParsePercent: %v %v", p, err)
	}
	if _, err := ParsePercent("150"); err == nil {
		t.Error("ParsePercent without %")
	}
}
