package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/slimship/slimship/internal/golden"
)

// tfile is a file of a test layer: body, or size bytes of 'a'.
type tfile struct {
	name string
	size int
	body string
}

func tarLayer(t *testing.T, files ...tfile) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		body := []byte(f.body)
		if f.body == "" {
			body = bytes.Repeat([]byte{'a'}, f.size)
		}
		h := &tar.Header{Name: f.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(body))}
		if strings.HasSuffix(f.name, "/") {
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(body[:h.Size])
	}
	tw.Close()
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// smallImage writes a deterministic four-layer docker-archive.
func smallImage(t *testing.T) string {
	t.Helper()
	img := empty.Image
	for _, a := range []struct {
		by    string
		files []tfile
	}{
		{"/bin/sh -c #(nop) ADD file:base in / ", []tfile{{name: "bin/", size: 0}, {name: "bin/sh", size: 120000}, {name: "etc/", size: 0}, {name: "etc/os-release", size: 300}}},
		{"/bin/sh -c apt-get update", []tfile{{name: "var/", size: 0}, {name: "var/lib/", size: 0}, {name: "var/lib/apt/", size: 0}, {name: "var/lib/apt/lists/", size: 0}, {name: "var/lib/apt/lists/deb_Packages", size: 250000}}},
		{"/bin/sh -c apt-get install -y tool", []tfile{{name: "usr/", size: 0}, {name: "usr/bin/", size: 0}, {name: "usr/bin/tool", size: 40000}, {name: "etc/", size: 0}, {name: "etc/os-release", size: 310}}},
		{"/bin/sh -c rm -rf /var/lib/apt/lists/*", []tfile{{name: "var/lib/apt/lists/", size: 0}, {name: "var/lib/apt/lists/.wh.deb_Packages", size: 0}}},
	} {
		var err error
		img, err = mutate.Append(img, mutate.Addendum{Layer: tarLayer(t, a.files...), History: v1.History{CreatedBy: a.by}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return writeArchive(t, img, "example.com/small:1", "small.tar")
}

// writeArchive writes img as a docker-archive named file in a temporary
// directory, tagged ref, and returns its path.
func writeArchive(t *testing.T, img v1.Image, ref, file string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), file)
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(p, tag, img); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestAnalyzeGolden(t *testing.T) {
	img := smallImage(t)
	df := filepath.Join(t.TempDir(), "Dockerfile")
	os.WriteFile(df, []byte("FROM debian:12\nRUN apt-get update\nRUN apt-get install -y tool\nRUN rm -rf /var/lib/apt/lists/*\n"), 0o644)
	for _, format := range []string{"json", "text"} {
		code, out, stderr := runCLI(t, "analyze", "--format", format, "--dockerfile", df, img)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		out = strings.ReplaceAll(out, img, "IMAGE")
		out = strings.ReplaceAll(out, df, "Dockerfile")
		golden.Assert(t, "testdata/analyze/small."+format, []byte(out))
	}
	_, out, _ := runCLI(t, "analyze", "--format", "json", img)
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "image", "digest", "sizeBytes", "efficiency", "wastedBytes", "userWastedPercent", "reclaimableBytes", "layers", "inefficientFiles", "findings"} {
		if _, ok := got[k]; !ok {
			t.Errorf("json lacks %q", k)
		}
	}
}

func TestAnalyzeHTMLIsSelfContained(t *testing.T) {
	img := smallImage(t)
	out := filepath.Join(t.TempDir(), "report.html")
	if code, _, stderr := runCLI(t, "analyze", "--format", "html", "-o", out, img); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, bad := range []string{"http://", "https://", "<link", "src="} {
		if strings.Contains(s, bad) {
			t.Errorf("report refers outside itself: %q", bad)
		}
	}
	for _, want := range []string{`id="treemap"`, `"efficiency":`, "<script>"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestAnalyzeGates(t *testing.T) {
	img := smallImage(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".slimship.yaml")
	os.WriteFile(cfg, []byte("analyze:\n  lowest-efficiency: 0.99\n"), 0o644)
	badCfg := filepath.Join(t.TempDir(), ".slimship.yaml")
	os.WriteFile(badCfg, []byte("analyze:\n  highest-user-wasted-percent: 20\n"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--lowest-efficiency", "0.3"}, 0, ""},
		{[]string{"--lowest-efficiency", "0.5"}, 1, "lowest-efficiency"},
		{[]string{"--highest-wasted-bytes", "100kB"}, 1, "highest-wasted-bytes"},
		{[]string{"--highest-wasted-bytes", "1MB"}, 0, ""},
		{[]string{"--highest-user-wasted-percent", "0.1"}, 1, "highest-user-wasted-percent"},
		{[]string{"--config", cfg}, 1, "lowest-efficiency"},
		{[]string{"--config", cfg, "--lowest-efficiency", "0.1"}, 0, ""},
		{[]string{"--lowest-efficiency", "2"}, 2, "--lowest-efficiency 2: want a ratio between 0 and 1 (0.02 for 2%)"},
		{[]string{"--lowest-efficiency", "5"}, 2, "--lowest-efficiency 5: want a ratio between 0 and 1"},
		{[]string{"--highest-user-wasted-percent", "2"}, 2, "--highest-user-wasted-percent 2: want a ratio between 0 and 1 (0.02 for 2%)"},
		{[]string{"--highest-user-wasted-percent", "-0.1"}, 2, "--highest-user-wasted-percent -0.1: want a ratio between 0 and 1"},
		{[]string{"--lowest-efficiency", "NaN"}, 2, "--lowest-efficiency NaN: want a ratio between 0 and 1"},
		{[]string{"--highest-user-wasted-percent", "1"}, 0, ""},
		{[]string{"--config", badCfg}, 2, "analyze.highest-user-wasted-percent 20: want a ratio between 0 and 1 (0.2 for 20%)"},
		{[]string{"--highest-wasted-bytes", "lots"}, 2, "bad size"},
		{[]string{"--format", "xml"}, 2, "unknown --format"},
	} {
		args := append([]string{"analyze", img, "--format", "json"}, c.args...)
		code, _, stderr := runCLI(t, args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d (%q), want %d with %q", c.args, code, stderr, c.code, c.msg)
		}
	}
}

func TestAnalyzeBadInput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "junk.tar")
	os.WriteFile(p, []byte(strings.Repeat("junk", 300)), 0o644)
	for _, ref := range []string{p, "docker-archive:/nonexistent/x.tar", "oci:/nonexistent"} {
		code, _, stderr := runCLI(t, "analyze", ref)
		if code != 2 || stderr == "" {
			t.Errorf("%s: exit %d %q", ref, code, stderr)
		}
	}
	// refused before any registry is asked (no "docker://" lookup)
	for ref, msg := range map[string]string{"-": "standard input", "bogus://x": `unknown transport "bogus"`} {
		for _, cmd := range []string{"analyze", "audit"} {
			code, _, stderr := runCLI(t, cmd, ref)
			if code != 2 || !strings.Contains(stderr, msg) || strings.Contains(stderr, "docker://"+ref) {
				t.Errorf("%s %s: exit %d %q, want 2 with %q", cmd, ref, code, stderr, msg)
			}
		}
	}
}

// Bytes read before the layer count is known never draw "layer 1/0".
func TestProgressWithoutLayerCount(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, true)
	p.start = p.start.Add(-2 * time.Second)
	p.read(5000)
	if s := buf.String(); !strings.Contains(s, "5.0 kB read") || strings.Contains(s, "/0") {
		t.Errorf("progress %q", s)
	}
	buf.Reset()
	p.lastOut = time.Time{}
	p.layer(0, 3)
	if s := buf.String(); !strings.Contains(s, "layer 1/3") {
		t.Errorf("progress %q", s)
	}
}

func TestAnalyzeTextPluralises(t *testing.T) {
	img, err := mutate.AppendLayers(empty.Image, tarLayer(t, tfile{name: "hello", size: 5}))
	if err != nil {
		t.Fatal(err)
	}
	p := writeArchive(t, img, "example.com/one:1", "one.tar")
	code, out, stderr := runCLI(t, "analyze", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "5 B in 1 layer (") || !strings.Contains(out, "squashed in 1 file\n") {
		t.Errorf("not singular:\n%s", out)
	}
}

// -o names a file: a directory or a missing parent directory is a usage
// error found before the image is read, and nothing is created.
func TestAnalyzeOutputPath(t *testing.T) {
	img := smallImage(t)
	dir := t.TempDir()
	for out, msg := range map[string]string{
		dir:                                "is a directory",
		filepath.Join(dir, "no", "r.html"): "directory " + filepath.Join(dir, "no") + " does not exist",
		filepath.Join(img, "report.html"):  "is not a directory",
	} {
		code, _, stderr := runCLI(t, "analyze", "-o", out, img)
		if code != 2 || !strings.Contains(stderr, msg) {
			t.Errorf("-o %s: exit %d %q, want 2 with %q", out, code, stderr, msg)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("created %v", entries)
	}
}

// --format sarif reports the waste findings and the failed gates, with the
// rules they name, and a failed gate still exits 1.
func TestAnalyzeSARIF(t *testing.T) {
	img := smallImage(t)
	code, out, stderr := runCLI(t, "analyze", "--format", "sarif", "--lowest-efficiency", "0.5", img)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("not SARIF 2.1.0 (%v):\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range log.Runs[0].Results {
		got[r.RuleID] = r.Level + " " + r.Message.Text
	}
	if !strings.HasPrefix(got["SSI030"], "error lowest-efficiency: efficiency 0.3904 is below 0.5000") || !strings.HasPrefix(got["SSI001"], "warning apt package lists") {
		t.Errorf("results %v", got)
	}
	rules := map[string]bool{}
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		rules[r.ID] = true
	}
	if !rules["SSI030"] || !rules["SSI001"] {
		t.Errorf("rules table lacks SSI030 or SSI001")
	}
}
