package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slimship/slimship/internal/registrytest"
	"github.com/slimship/slimship/pkg/registry"
)

func TestRegistryPrune(t *testing.T) {
	srv := registrytest.New(t, false)
	ro := registry.Options{Insecure: true, Backoff: time.Millisecond}
	repo, err := ro.ParseRepository(srv.Host + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h, err := registrytest.PushHistory(context.Background(), repo, ro.Remote(context.Background()), now, 20, 3)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	base := []string{"registry", "prune", repo.String(), "--insecure", "--now", now.Format(time.RFC3339)}

	// the seed's shape from .slimship.yaml
	if err := os.WriteFile(filepath.Join(dir, ".slimship.yaml"), []byte("retention: {maxImages: 10, keepLast: 5, keepDaily: 3, keepWeekly: 2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, append(base, "-f", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Policy string `json:"policy"`
		DryRun bool   `json:"dryRun"`
		Counts struct {
			KeptImages, DeletedImages int
		} `json:"counts"`
		Images []struct {
			Digest  string   `json:"digest"`
			Tags    []string `json:"tags"`
			Action  string   `json:"action"`
			Reasons []struct {
				Rule string `json:"rule"`
				Text string `json:"text"`
			} `json:"reasons"`
		} `json:"images"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := registrytest.Keep(registrytest.Policy{Max: 10, Last: 5, Daily: 3, Weekly: 2}, h.Images, now)
	if !rep.DryRun || rep.Policy != "keep-last 5, keep-daily 3, keep-weekly 2, max 10" || rep.Counts.KeptImages != len(want) {
		t.Fatalf("plan: %s, %+v, want %d kept", rep.Policy, rep.Counts, len(want))
	}
	for _, im := range rep.Images {
		if (im.Action == "keep") != want[im.Digest] || len(im.Reasons) == 0 || im.Reasons[0].Text == "" {
			t.Errorf("%v: %s %+v", im.Tags, im.Action, im.Reasons)
		}
	}

	// a flag overrides its key; text plan
	code, out, errOut = runCLI(t, append(base, "--keep-last", "2", "--max", "0")...)
	if code != 0 || !strings.Contains(out, "policy: keep-last 2, keep-daily 3, keep-weekly 2\n") ||
		!strings.Contains(out, "dry run: nothing was deleted; run again with --yes to delete") || !strings.Contains(out, "last 1/2") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	tags := func() int {
		ts, err := registrytest.ListTags(repo, ro)
		if err != nil {
			t.Fatal(err)
		}
		return len(ts)
	}
	before := tags()

	// --yes deletes, says what to run for GC; a second run deletes nothing
	code, out, errOut = runCLI(t, append(base, "--yes")...)
	if code != 0 || !strings.Contains(out, "deleted ") || !strings.Contains(out, "docker-registry garbage-collect") {
		t.Fatalf("--yes: exit %d\n%s\n%s", code, out, errOut)
	}
	if after := tags(); after >= before {
		t.Fatalf("tags %d -> %d", before, after)
	}
	code, out, _ = runCLI(t, append(base, "--yes")...)
	if code != 0 || !strings.Contains(out, "deleted 0 images and 0 artifacts") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
}

func TestRegistryPruneBadInput(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"127.0.0.1:1/app"}, "no retention rule"},
		{[]string{"127.0.0.1:1/app", "--keep-last", "-3"}, "want a whole number >= 0 or unlimited"},
		{[]string{"127.0.0.1:1/app", "--keep-tag", "("}, "bad tag expression"},
		{[]string{"127.0.0.1:1/app", "--older-than", "1y"}, "bad duration"},
		{[]string{"127.0.0.1:1/app:v1", "--keep-last", "1"}, "without a tag or digest"},
		{[]string{"127.0.0.1:1/app", "--keep-last", "1", "-f", "sarif"}, "--format must be text or json"},
		{[]string{"registry.example.com/app", "--keep-last", "1", "--insecure"}, "only for loopback"},
		{[]string{"127.0.0.1:1/app", "--keep-last", "1", "--insecure"}, "nothing was deleted"},
	} {
		code, _, errOut := runCLI(t, append([]string{"registry", "prune"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "panic") {
			t.Errorf("%v: exit %d, %q (want %q)", c.args, code, errOut, c.want)
		}
	}
	if err := os.WriteFile(".slimship.yaml", []byte("retention:\n  keepDaily: lots\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "registry", "prune", "127.0.0.1:1/app")
	if code != 2 || !strings.Contains(errOut, ".slimship.yaml:2: retention.keepDaily: want a whole number") {
		t.Errorf("bad config: exit %d, %q", code, errOut)
	}
}
