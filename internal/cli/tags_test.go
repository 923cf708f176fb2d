package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slimship/slimship/internal/regtest"
)

func TestTagsCLI(t *testing.T) {
	reg := regtest.New(t)
	repo, err := name.NewRepository(reg.Host+"/team/app", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := random.Image(256, 1)
	b, _ := random.Image(256, 1)
	push := func(tag string, img v1.Image) {
		t.Helper()
		if err := remote.Write(repo.Tag(tag), img); err != nil {
			t.Fatal(err)
		}
	}
	push("v1.0.0", a)
	push("latest", b)
	push("feature-x", a)
	dir := t.TempDir()
	ledger := filepath.Join(dir, "ledger.json")
	r := reg.Host + "/team/app"

	code, stdout, stderr := runCLI(t, "tags", "--insecure", r, "--ledger", ledger)
	if code != ExitFindings || !strings.Contains(stdout, "3 tags in "+r) ||
		!strings.Contains(stdout, "  latest    warning SSR001 \"latest\" points to") || !strings.Contains(stdout, "  feature-x info    SSR002") {
		t.Fatalf("text: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// v1.0.0 moved: SSR003 from the ledger, in JSON
	push("v1.0.0", b)
	code, stdout, _ = runCLI(t, "tags", "--insecure", "docker://"+r, "--ledger", ledger, "-f", "json", "--ignore", "SSR002")
	var doc struct {
		Version    int
		Repository string
		Tags       []struct {
			Tag, Kind, Digest string
			Size              int64
		}
		Findings []struct{ Rule, Path, Message string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if code != ExitFindings || doc.Version != 1 || doc.Repository != r || len(doc.Tags) != 3 || doc.Tags[0].Size == 0 ||
		len(doc.Findings) != 1 || doc.Findings[0].Rule != "SSR003" || doc.Findings[0].Path != "v1.0.0" {
		t.Fatalf("json: exit %d\n%s", code, stdout)
	}

	cfg := filepath.Join(dir, ".slimship.yaml")
	if err := os.WriteFile(cfg, []byte("tags:\n  environments: [\"bad tag\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte("["), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{r + ":v1.0.0"}, "names an image: give the repository, without :TAG or @DIGEST"},
		{[]string{r + "@sha256:" + strings.Repeat("a", 64)}, "names an image"},
		{[]string{"registry.example.com/team/app"}, "only for loopback registries"},
		{[]string{r, "-c", cfg}, cfg + `: tags.environments[0]: "bad tag" is not a tag name`},
		{[]string{r, "--ledger", broken}, "tag ledger " + broken},
		{[]string{"127.0.0.1:1/team/app", "--retries", "0"}, "listing the tags of 127.0.0.1:1/team/app"},
		{[]string{r, "-f", "yaml"}, `unknown --format "yaml"`},
		{[]string{r, "--no-ledger", "--ledger", ledger}, "--ledger and --no-ledger exclude each other"},
	} {
		code, _, stderr := runCLI(t, append([]string{"tags", "--insecure"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, c.stderr) {
			t.Errorf("tags %v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.stderr)
		}
	}
}

// TestTagsVerifyKey: --verify-key adds a SIGNED column and reports SSR004
// for each tag whose image has no signature by the key; signature tags
// themselves are not checked.
func TestTagsVerifyKey(t *testing.T) {
	reg := regtest.New(t)
	repo, err := name.NewRepository(reg.Host+"/team/app", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := random.Image(256, 1)
	b, _ := random.Image(256, 1)
	for tag, img := range map[string]v1.Image{"v1.0.0": a, "latest": a, "v1.1.0": b} {
		if err := remote.Write(repo.Tag(tag), img); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	prefix := keyPair(t, dir, "cosign")
	r := reg.Host + "/team/app"
	if code, _, stderr := runCLI(t, "sign", "--insecure", r+":v1.0.0", "--key", prefix+".key"); code != 0 {
		t.Fatalf("sign: %s", stderr)
	}
	code, stdout, stderr := runCLI(t, "tags", "--insecure", r, "--no-ledger", "--verify-key", prefix+".pub", "--fail-on", "warning")
	if code != ExitFindings || !strings.Contains(stdout, "SIGNED") || !strings.Contains(stdout, "4 tags in "+r) {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var ssr004 []string
	for _, l := range strings.Split(stdout, "\n") {
		f := strings.Fields(l)
		if len(f) > 2 && f[2] == "SSR004" {
			ssr004 = append(ssr004, f[0])
		}
		if len(f) > 5 && (f[0] == "v1.0.0" || f[0] == "latest") && !strings.Contains(l, " yes ") {
			t.Errorf("signed tag not marked: %q", l)
		}
		if len(f) > 5 && f[0] == "v1.1.0" && !strings.Contains(l, " no ") {
			t.Errorf("unsigned tag not marked: %q", l)
		}
	}
	if strings.Join(ssr004, " ") != "v1.1.0" {
		t.Errorf("SSR004 on %v, want v1.1.0 only:\n%s", ssr004, stdout)
	}
	if code, _, stderr := runCLI(t, "tags", "--insecure", r, "--no-ledger", "--verify-key", filepath.Join(dir, "nope.pub")); code != 2 || !strings.Contains(stderr, "nope.pub") {
		t.Errorf("missing key: exit %d: %s", code, stderr)
	}
}
