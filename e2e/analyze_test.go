//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// analyzeContainerfile makes apt waste the way people do: update, install
// and clean-up in separate layers.
const analyzeContainerfile = `ARG BASE
FROM ${BASE}
RUN apt-get update
RUN apt-get install -y --no-install-recommends jq
RUN rm -rf /var/lib/apt/lists/*
COPY hello.txt /app/hello.txt
`

type analyzeOut struct {
	Image             string  `json:"image"`
	Digest            string  `json:"digest"`
	SizeBytes         float64 `json:"sizeBytes"`
	Efficiency        float64 `json:"efficiency"`
	WastedBytes       float64 `json:"wastedBytes"`
	UserWastedPercent float64 `json:"userWastedPercent"`
	ReclaimableBytes  float64 `json:"reclaimableBytes"`
	Layers            []struct {
		CreatedBy string `json:"createdBy"`
	} `json:"layers"`
	Findings []struct {
		Rule string `json:"rule"`
		File string `json:"file"`
		Line int    `json:"line"`
	} `json:"findings"`
}

func analyzeJSON(t *testing.T, args ...string) analyzeOut {
	t.Helper()
	cmd := exec.Command(Bin(t), append([]string{"analyze", "--format", "json"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("slimship analyze %v: %v\n%s", args, err, stderr.String())
	}
	var out analyzeOut
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out
}

func within(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Max(math.Abs(want), 1e-12) {
		t.Errorf("%s: slimship %v, dive %v (more than %.1f%% apart)", what, got, want, rel*100)
	}
}

// buildAnalyzeImage builds the apt image once per test with podman.
func buildAnalyzeImage(t *testing.T) (tag, dockerfile string) {
	t.Helper()
	BaseImage(t)
	dir := t.TempDir()
	dockerfile = filepath.Join(dir, "Containerfile")
	if err := os.WriteFile(dockerfile, []byte(analyzeContainerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tag = "localhost/slimship-e2e-analyze:" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	PodmanBuild(t, dir, tag)
	return tag, dockerfile
}

// TestAnalyzeMatchesDive builds an image with podman from a real
// Containerfile and compares slimship's figures with dive's CI output.
func TestAnalyzeMatchesDive(t *testing.T) {
	dive := Need(t, "SLIMSHIP_E2E_DIVE", "dive")
	tag, containerfile := buildAnalyzeImage(t)
	archive := filepath.Join(t.TempDir(), "image.tar")
	PodmanSave(t, tag, archive)

	// dive's CI mode, parsed from its text output.
	ciConf := filepath.Join(t.TempDir(), "dive-ci.yaml")
	os.WriteFile(ciConf, []byte("rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: disabled\n  highestUserWastedPercent: disabled\n"), 0o644)
	cmd := exec.Command(dive, "--ci", "--ci-config", ciConf, "--source", "docker-archive", archive)
	cmd.Env = append(os.Environ(), "CI=true")
	ci, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dive --ci: %v\n%s", err, ci)
	}
	num := func(re string) float64 {
		m := regexp.MustCompile(re).FindSubmatch(ci)
		if m == nil {
			t.Fatalf("dive output lacks %s:\n%s", re, ci)
		}
		var v float64
		fmt.Sscan(string(m[1]), &v)
		return v
	}
	diveEff := num(`efficiency:\s+([0-9.]+) %`) / 100
	diveWasted := num(`wastedBytes:\s+([0-9]+) bytes`)
	diveUser := num(`userWastedPercent:\s+([0-9.]+) %`) / 100

	// and dive's JSON for the image size.
	js := filepath.Join(t.TempDir(), "dive.json")
	if out, err := exec.Command(dive, "--source", "docker-archive", archive, "--json", js).CombinedOutput(); err != nil {
		t.Fatalf("dive --json: %v\n%s", err, out)
	}
	var dj struct {
		Image struct {
			SizeBytes        float64 `json:"sizeBytes"`
			InefficientBytes float64 `json:"inefficientBytes"`
			EfficiencyScore  float64 `json:"efficiencyScore"`
		} `json:"image"`
	}
	b, _ := os.ReadFile(js)
	if err := json.Unmarshal(b, &dj); err != nil {
		t.Fatal(err)
	}

	for _, ref := range []string{"docker-archive:" + archive, "podman:" + tag} {
		got := analyzeJSON(t, "--dockerfile", containerfile, ref)
		t.Logf("%s: slimship efficiency %.6f wasted %.0f user %.4f size %.0f reclaimable %.0f; dive %.4f %.0f %.4f %.0f",
			ref, got.Efficiency, got.WastedBytes, got.UserWastedPercent, got.SizeBytes, got.ReclaimableBytes, diveEff, diveWasted, diveUser, dj.Image.SizeBytes)
		within(t, "efficiency (ci)", got.Efficiency, diveEff, 0.001)
		within(t, "wasted bytes (ci)", got.WastedBytes, diveWasted, 0.001)
		within(t, "user wasted percent (ci)", got.UserWastedPercent, diveUser, 0.001)
		within(t, "efficiency (json)", got.Efficiency, dj.Image.EfficiencyScore, 0.001)
		within(t, "wasted bytes (json)", got.WastedBytes, dj.Image.InefficientBytes, 0.001)
		within(t, "size", got.SizeBytes, dj.Image.SizeBytes, 0.001)
		if got.ReclaimableBytes <= 0 || got.ReclaimableBytes > got.WastedBytes {
			t.Errorf("reclaimable %v should be in (0, wasted %v]", got.ReclaimableBytes, got.WastedBytes)
		}
		found := false
		for _, f := range got.Findings {
			if f.Rule == "SSI001" && f.File == containerfile && f.Line == 3 {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no SSI001 (apt lists) finding at %s:3: %+v", ref, containerfile, got.Findings)
		}
	}

	// A CI gate fails with exit 1, as dive's --ci does.
	gate := exec.Command(Bin(t), "analyze", "--lowest-efficiency", "0.95", "docker-archive:"+archive)
	if err := gate.Run(); err == nil || gate.ProcessState.ExitCode() != 1 {
		t.Errorf("gate: %v, want exit 1", err)
	}
}

// TestAnalyzeFromRegistry pushes the image to the local registry and
// analyzes it there (docker:// transport over plain HTTP on 127.0.0.1).
func TestAnalyzeFromRegistry(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	tag, _ := buildAnalyzeImage(t)
	ref := reg + "/e2e/analyze:1"
	Podman(t, "push", "--tls-verify=false", tag, "docker://"+ref)
	remote := analyzeJSON(t, "--insecure", "docker://"+ref)
	local := analyzeJSON(t, "podman:"+tag)
	if remote.Efficiency != local.Efficiency || remote.WastedBytes != local.WastedBytes || remote.SizeBytes != local.SizeBytes {
		t.Errorf("registry %+v differs from podman %+v", remote, local)
	}
	if !strings.HasPrefix(remote.Digest, "sha256:") {
		t.Errorf("digest %q", remote.Digest)
	}
}

// TestAnalyzeHTMLInChromium renders the HTML report in headless chromium
// and reads the numbers back from the DOM its script built.
func TestAnalyzeHTMLInChromium(t *testing.T) {
	chromium := Need(t, "SLIMSHIP_E2E_CHROMIUM", "chromium")
	tag, _ := buildAnalyzeImage(t)
	archive := filepath.Join(t.TempDir(), "image.tar")
	PodmanSave(t, tag, archive)
	want := analyzeJSON(t, archive)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if out, err := exec.Command(Bin(t), "analyze", "--format", "html", "-o", page, archive).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	out := infraRun(t, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+page)
	text := func(id string) string {
		m := regexp.MustCompile(`id="` + id + `">([^<]*)<`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("rendered page lacks #%s:\n%.2000s", id, out)
		}
		return m[1]
	}
	if !strings.Contains(out, `data-rendered="true"`) {
		t.Fatalf("report script did not run:\n%.2000s", out)
	}
	if got, w := text("efficiency"), fmt.Sprintf("%.4f %%", want.Efficiency*100); got != w {
		t.Errorf("efficiency rendered %q, want %q", got, w)
	}
	if got, w := text("userwasted"), fmt.Sprintf("%.2f %%", want.UserWastedPercent*100); got != w {
		t.Errorf("user wasted rendered %q, want %q", got, w)
	}
	if m := regexp.MustCompile(`data-cells="(\d+)"`).FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Errorf("treemap drew no cells")
	}
	if n := strings.Count(out, `class="tm"`); n == 0 {
		t.Errorf("no treemap cells in the DOM")
	}
	t.Logf("rendered: size %s, efficiency %s, wasted %s, user wasted %s", text("size"), text("efficiency"), text("wasted"), text("userwasted"))
}
