//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// slimship runs the binary and returns stdout, failing on a non-zero exit.
func slimship(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(Bin(t), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("slimship %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

func imageSize(t *testing.T, image string) int64 {
	t.Helper()
	out := strings.TrimSpace(Podman(t, "image", "inspect", "--format", "{{.Size}}", image))
	n, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		t.Fatalf("size of %s: %q", image, out)
	}
	return n
}

// record appends a figure to $SLIMSHIP_E2E_RESULTS (for the notes).
func record(t *testing.T, format string, a ...any) {
	t.Helper()
	line := fmt.Sprintf(format, a...)
	t.Log(line)
	if p := os.Getenv("SLIMSHIP_E2E_RESULTS"); p != "" {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
	}
}

func writeContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fix on a real bad Dockerfile: both build, run the same command with the
// same output, and the fixed image is smaller.
func TestFixBuildsSmallerImage(t *testing.T) {
	BaseImage(t)
	bad := "ARG BASE\nFROM ${BASE}\nRUN apt-get update\nRUN apt-get install -y curl\nRUN echo ready > /ready\nCMD [\"curl\", \"--version\"]\n"
	dir := writeContext(t, map[string]string{"Dockerfile": bad})
	PodmanBuild(t, dir, "localhost/slimship-e2e-fix-before")
	before := PodmanRun(t, "localhost/slimship-e2e-fix-before")

	slimship(t, "fix", "--write", filepath.Join(dir, "Dockerfile"))
	fixed, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if string(fixed) == bad {
		t.Fatal("fix changed nothing")
	}
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile.orig")); err != nil {
		t.Fatal("no backup kept")
	}
	PodmanBuild(t, dir, "localhost/slimship-e2e-fix-after")
	after := PodmanRun(t, "localhost/slimship-e2e-fix-after")
	if before != after {
		t.Fatalf("output differs:\n%s\nvs\n%s", before, after)
	}
	sb, sa := imageSize(t, "localhost/slimship-e2e-fix-before"), imageSize(t, "localhost/slimship-e2e-fix-after")
	record(t, "fix: unfixed image %d bytes, fixed image %d bytes (%.1f%% smaller)", sb, sa, 100*float64(sb-sa)/float64(sb))
	if sa >= sb {
		t.Fatalf("fixed image is not smaller: %d >= %d", sa, sb)
	}
	t.Logf("fixed Dockerfile:\n%s", fixed)
}

var savedRe = regexp.MustCompile(`size:\s+\S+ \S+ -> \S+ \S+ \(([\d.]+)% smaller\)`)

func slimAndCompare(t *testing.T, name, containerfile string, minify bool, minPct float64) {
	BaseImage(t)
	dir := writeContext(t, map[string]string{"Containerfile": containerfile})
	src := "localhost/slimship-e2e-" + name
	PodmanBuild(t, dir, src)
	want := PodmanRun(t, src)
	work := t.TempDir()
	archive := filepath.Join(work, "in.tar")
	PodmanSave(t, src, archive)
	dst := "localhost/slimship-e2e-" + name + "-slim"
	args := []string{"slim", "docker-archive:" + archive, "-o", "podman:" + dst}
	if minify {
		args = append(args, "--minify")
	}
	out := slimship(t, args...)
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", dst).Run() })
	got := PodmanRun(t, dst)
	if got != want {
		t.Fatalf("slimmed image prints %q, original %q", got, want)
	}
	sb, sa := imageSize(t, src), imageSize(t, dst)
	pct := 100 * float64(sb-sa) / float64(sb)
	record(t, "slim %s (minify=%v): podman size %d -> %d bytes (%.1f%% smaller); slimship says: %s", name, minify, sb, sa, pct, strings.TrimSpace(strings.ReplaceAll(out, "\n", "; ")))
	if pct < minPct {
		t.Fatalf("only %.1f%% smaller, want >= %.0f%%", pct, minPct)
	}
}

func TestSlimSafePythonImage(t *testing.T) {
	slimAndCompare(t, "python", "ARG BASE\nFROM ${BASE}\n"+
		"RUN apt-get update && apt-get install -y python3\n"+
		"RUN rm -rf /var/lib/apt/lists/*\n"+
		"CMD [\"python3\", \"-c\", \"import json, sys; print('hello from python', sys.version_info[0], json.dumps([6*7]))\"]\n", false, 30)
}

func TestSlimMinifyCurl(t *testing.T) {
	slimAndCompare(t, "curl", "ARG BASE\nFROM ${BASE}\n"+
		"RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*\n"+
		"CMD [\"curl\", \"--version\"]\n", true, 80)
}

// build of a small HTTP server: runs as 65532 with a read-only root
// filesystem and answers HTTP; the image is at most the binary plus 1 MB.
func TestBuildRunsReadOnlyNonRoot(t *testing.T) {
	Need(t, "SLIMSHIP_E2E_PODMAN", "podman")
	root, _ := filepath.Abs("..")
	name := "localhost/slimship-e2e-hello"
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", name).Run() })
	cmd := exec.Command(Bin(t), "build", filepath.Join(root, "pkg/image/build/testdata/hello"), "-o", "podman:"+name)
	cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var cfg []struct {
		Size   int64
		Config struct{ User string }
	}
	if err := json.Unmarshal([]byte(Podman(t, "image", "inspect", name)), &cfg); err != nil || len(cfg) != 1 {
		t.Fatalf("inspect: %v", err)
	}
	if cfg[0].Config.User != "65532:65532" {
		t.Fatalf("user %q", cfg[0].Config.User)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	args := append([]string{"run", "-d", "--rm", "--read-only", "--network", "host", "-e", "ADDR=" + addr}, podmanLimits...)
	id := strings.TrimSpace(Podman(t, append(args, name)...))
	t.Cleanup(func() { exec.Command("podman", "rm", "-f", id).Run() })
	var body string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(body, "uid 65532") {
		t.Fatalf("server answered %q", body)
	}
	record(t, "build: podman image size %d bytes, answers %q as uid 65532 on a read-only root", cfg[0].Size, strings.TrimSpace(body))
}
