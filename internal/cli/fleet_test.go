package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFleetRunShards: the shards of `fleet run` together run the command on
// every target exactly once, write one results file each, and exit with the
// worst exit code of their commands.
func TestFleetRunShards(t *testing.T) {
	img := sbomImage(t)
	dir := t.TempDir()
	var targets []string
	for i := range 5 {
		p := filepath.Join(dir, "img"+string(rune('a'+i))+".tar")
		b, _ := os.ReadFile(img)
		os.WriteFile(p, b, 0o644)
		targets = append(targets, p)
	}
	missing := filepath.Join(dir, "missing.tar")
	targets = append(targets, missing)
	list := filepath.Join(dir, "targets.txt")
	os.WriteFile(list, []byte("# fleet\n"+strings.Join(targets, "\n")+"\n\n"), 0o644)
	out := t.TempDir()
	seen := map[string]int{}
	worst := 0
	for i := range 3 {
		code, _, errs := runCLI(t, "fleet", "run", "--targets", list, "--shards", "3", "--index", string(rune('0'+i)), "--results-dir", out, "--", "sbom", "-f", "json")
		worst = max(worst, code)
		b, err := os.ReadFile(filepath.Join(out, "results-"+string(rune('0'+i))+".json"))
		if err != nil {
			t.Fatalf("shard %d: %v (%s)", i, err, errs)
		}
		var rep fleetReport
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Results {
			seen[r.Target]++
			want := 0
			if r.Target == missing {
				want = ExitUsage
			}
			if r.ExitCode != want || (want == 0 && !strings.Contains(r.Output, `"musl"`)) {
				t.Errorf("%s: exit %d, output %.80q", r.Target, r.ExitCode, r.Output)
			}
		}
	}
	if len(seen) != len(targets) || worst != ExitUsage {
		t.Errorf("targets run: %v (want each of %d once), worst exit %d", seen, len(targets), worst)
	}
	for tg, n := range seen {
		if n != 1 {
			t.Errorf("%s ran %d times", tg, n)
		}
	}
	t.Setenv("JOB_COMPLETION_INDEX", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--targets", list, "--shards", "2", "--", "sbom"}, "JOB_COMPLETION_INDEX"},
		{[]string{"--targets", list, "--shards", "2", "--index", "2", "--", "sbom"}, "not below --shards"},
		{[]string{"--shards", "2", "--index", "0", "--", "sbom"}, "--targets is required"},
		{[]string{"--targets", list, "--index", "0", "--", "fleet", "run"}, "cannot run fleet"},
	} {
		code, _, errs := runCLI(t, append([]string{"fleet", "run"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("fleet run %v: exit %d %q, want 2 and %q", c.args, code, errs, c.want)
		}
	}
}

func TestK8sGenerateJobs(t *testing.T) {
	code, out, errs := runCLI(t, "k8s", "generate", "--jobs", "--image", "registry.example.com/slimship:1", "--target", "registry.example.com/a:1", "--shards", "2")
	if code != 0 || !strings.Contains(out, "completionMode: Indexed") || !strings.Contains(out, "kind: CronJob") || !strings.Contains(out, "slimship-results-1") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	code, _, errs = runCLI(t, "k8s", "generate", "--jobs", "--image", "registry.example.com/slimship:1", "--shards", "2")
	if code != ExitUsage || !strings.Contains(errs, "--target") {
		t.Errorf("no targets: exit %d %q", code, errs)
	}
}
