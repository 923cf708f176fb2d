//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slimship/slimship/internal/registrytest"
	"github.com/slimship/slimship/pkg/registry"
)

// TestRegistryPrune pushes 60 days of builds with real creation times to
// Debian's docker-registry (several a day on some days, several tags on
// one digest, two-platform indexes, cosign-style .sig tags and OCI
// referrers through the tag fallback), prunes with the seed's policy and
// checks: the kept set is the one registrytest.Keep computes from the
// pushed list; no kept digest (or platform image) is gone; the signatures,
// referrers and platform images of deleted images are; a second run
// deletes nothing; docker-registry garbage-collect then frees disk; and
// skopeo and crane still read (and crane validates) every kept tag.
func TestRegistryPrune(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	config := Need(t, "SLIMSHIP_E2E_REGISTRY_CONFIG", "the local registry's config.yml")
	skopeo := Need(t, "SLIMSHIP_E2E_SKOPEO", "skopeo")
	crane := Need(t, "SLIMSHIP_E2E_CRANE", "crane")
	bin := Bin(t)
	ctx := context.Background()
	ro := registry.Options{Insecure: true}
	repo, err := ro.ParseRepository(fmt.Sprintf("%s/prune-e2e/app-%d", reg, time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	h, err := registrytest.PushHistory(ctx, repo, ro.Remote(ctx), now, 60, 13)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pushed %d images (%d tags, %d signed, %d with a referrer, %d indexes) over 60 days",
		len(h.Images), len(h.Tags()), len(h.Signatures), len(h.Referrers), len(h.Platforms))
	policy := registrytest.Policy{Max: 10, Last: 5, Daily: 3, Weekly: 2}
	want := registrytest.Keep(policy, h.Images, now)
	dataDir := pruneRootDir(t, config)
	before := pruneDiskUsage(t, dataDir)

	prune := func(extra ...string) pruneReport {
		args := append([]string{"registry", "prune", repo.String(), "--insecure", "--now", now.Format(time.RFC3339),
			"--max", "10", "--keep-last", "5", "--keep-daily", "3", "--keep-weekly", "2", "-f", "json"}, extra...)
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("slimship %s: %v\n%s", strings.Join(args, " "), err, pruneStderr(err))
		}
		var rep pruneReport
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return rep
	}
	plan := prune()
	for _, im := range plan.Images {
		if (im.Action == "keep") != want[im.Digest] {
			t.Errorf("%v: plan %s (%v), the test's policy keep=%v", im.Tags, im.Action, im.Reasons, want[im.Digest])
		}
	}
	if plan.Counts.KeptImages != len(want) {
		t.Fatalf("plan keeps %d images, the test's policy %d", plan.Counts.KeptImages, len(want))
	}
	if !plan.DryRun || len(pruneTags(t, crane, repo.String())) == 0 {
		t.Fatal("dry run")
	}

	res := prune("--yes")
	if res.Result == nil || res.Result.Error != "" || len(res.Result.Skipped) > 0 {
		t.Fatalf("--yes: %+v", res.Result)
	}
	tags := pruneTags(t, crane, repo.String())
	exists := func(d string) bool {
		_, err := remote.Head(repo.Digest(d), ro.Remote(ctx)...)
		return err == nil
	}
	for _, im := range h.Images {
		keep := want[im.Digest]
		for _, tag := range im.Tags {
			if slices.Contains(tags, tag) != keep {
				t.Errorf("tag %s: keep %v, listed %v", tag, keep, !keep)
			}
		}
		if exists(im.Digest) != keep {
			t.Errorf("%v %s: keep %v, exists %v", im.Tags, im.Digest, keep, !keep)
		}
		for _, p := range h.Platforms[im.Digest] {
			if exists(p) != keep {
				t.Errorf("platform image %s of %v: keep %v, exists %v", p, im.Tags, keep, !keep)
			}
		}
		if sig, ok := h.Signatures[im.Digest]; ok && slices.Contains(tags, sig) != keep {
			t.Errorf("signature %s of %v: keep %v, listed %v", sig, im.Tags, keep, !keep)
		}
		if ref, ok := h.Referrers[im.Digest]; ok {
			if exists(ref) != keep {
				t.Errorf("referrer of %v: keep %v, exists %v", im.Tags, keep, !keep)
			}
			if slices.Contains(tags, strings.Replace(im.Digest, ":", "-", 1)) != keep {
				t.Errorf("referrers tag of %v: keep %v", im.Tags, keep)
			}
		}
	}
	if again := prune("--yes"); again.Counts.DeletedImages != 0 || len(again.Result.Deleted) != 0 || again.Result.Error != "" {
		t.Fatalf("second run: %+v %+v", again.Counts, again.Result)
	}

	gc := exec.Command("docker-registry", "garbage-collect", config)
	if out, err := gc.CombinedOutput(); err != nil {
		t.Fatalf("docker-registry garbage-collect: %v\n%s", err, pruneTail(out))
	}
	after := pruneDiskUsage(t, dataDir)
	t.Logf("data dir %s: %d bytes before prune, %d after prune and garbage-collect", dataDir, before, after)
	if after >= before {
		t.Errorf("garbage-collect freed nothing: %d -> %d bytes", before, after)
	}

	for _, im := range h.Images {
		if !want[im.Digest] {
			continue
		}
		for _, tag := range im.Tags {
			ref := repo.Tag(tag).String()
			if out, err := exec.Command(skopeo, "inspect", "--raw", "--tls-verify=false", "docker://"+ref).CombinedOutput(); err != nil {
				t.Errorf("skopeo inspect %s: %v\n%s", ref, err, pruneTail(out))
			}
			dir := t.TempDir()
			if out, err := exec.Command(skopeo, "copy", "--all", "--src-tls-verify=false", "docker://"+ref, "oci:"+dir).CombinedOutput(); err != nil {
				t.Errorf("skopeo copy %s: %v\n%s", ref, err, pruneTail(out))
			}
			if out, err := exec.Command(crane, "validate", "--insecure", "--remote", ref).CombinedOutput(); err != nil {
				t.Errorf("crane validate %s: %v\n%s", ref, err, pruneTail(out))
			}
		}
	}
}

type pruneReport struct {
	DryRun bool `json:"dryRun"`
	Counts struct {
		KeptImages    int `json:"keptImages"`
		DeletedImages int `json:"deletedImages"`
	} `json:"counts"`
	Images []struct {
		Digest  string   `json:"digest"`
		Tags    []string `json:"tags"`
		Action  string   `json:"action"`
		Reasons []struct {
			Text string `json:"text"`
		} `json:"reasons"`
	} `json:"images"`
	Result *struct {
		Deleted []json.RawMessage `json:"deleted"`
		Skipped []json.RawMessage `json:"skipped"`
		Error   string            `json:"error"`
	} `json:"result"`
}

func pruneTags(t *testing.T, crane, repo string) []string {
	t.Helper()
	out, err := exec.Command(crane, "ls", "--insecure", repo).Output()
	if err != nil {
		t.Fatalf("crane ls %s: %v\n%s", repo, err, pruneStderr(err))
	}
	return strings.Fields(string(out))
}

// rootDirectory reads storage.filesystem.rootdirectory from a
// distribution config.
func pruneRootDir(t *testing.T, config string) string {
	t.Helper()
	f, err := os.Open(config)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "rootdirectory:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s: no rootdirectory", config)
	return ""
}

func pruneDiskUsage(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func pruneStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

func pruneTail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
