//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

type tagsDoc struct {
	Repository string
	Tags       []struct {
		Tag, Kind, Digest string
		Platforms         []string
		Size              int64
		Created           *time.Time
	}
	Findings []struct{ Rule, Path, Message string }
}

// slimshipCode runs the binary and returns its exit code and stdout.
func slimshipCode(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(Bin(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// smallImage is a one-layer image whose config says when it was created.
func smallImage(t *testing.T, i int, arch string, created time.Time) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer([]byte(fmt.Sprintf("image %d %s", i, arch)), types.DockerLayer))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", arch, v1.Time{Time: created}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestTagsE2E: 500 tags on docker-registry, listed with their digests as
// crane reads them, bounded parallel requests, each manifest read once;
// a moved SemVer tag is reported on the next run.
func TestTagsE2E(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	crane := Need(t, "SLIMSHIP_E2E_CRANE", "crane")
	const n = 500
	repoName := reg + "/e2e-tags-" + fmt.Sprint(time.Now().UnixNano()) + "/app"
	repo, err := name.NewRepository(repoName, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pusher, err := remote.NewPusher()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		img := smallImage(t, i, "amd64", base.Add(time.Duration(i)*time.Hour))
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := remote.Write(repo.Tag(fmt.Sprintf("1.0.%d", i)), img, remote.Reuse(pusher)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: smallImage(t, n, "amd64", base), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: smallImage(t, n, "arm64", base), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	idx = mutate.Annotations(idx, map[string]string{"org.opencontainers.image.created": "2027-01-01T00:00:00Z"}).(v1.ImageIndex)
	if err := remote.WriteIndex(repo.Tag("2.0.0"), idx, remote.Reuse(pusher)); err != nil {
		t.Fatal(err)
	}
	infraRun(t, crane, "tag", "--insecure", repoName+":1.0.499", "latest")
	infraRun(t, crane, "tag", "--insecure", repoName+":1.0.7", "feature-x")
	t.Logf("pushed %d images in %v", n+1, time.Since(start))

	p := newProxy(t, reg)
	via := strings.Replace(repoName, reg, p.host, 1)
	ledger := filepath.Join(t.TempDir(), "ledger.json")
	var doc tagsDoc
	for _, jobs := range []string{"1", "4", "8"} {
		p.reset(nil)
		t0 := time.Now()
		code, out, stderr := slimshipCode(t, "tags", "--insecure", via, "-f", "json", "--ledger", ledger, "--jobs", jobs)
		took := time.Since(t0)
		if code != 0 { // SSR002 (feature-x) is info: below --fail-on warning
			t.Fatalf("tags --jobs %s: exit %d: %s", jobs, code, stderr)
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		reads := p.count("GET manifest 200") + p.count("GET blob 200")
		record(t, "tags: %d tags (%d manifests) on docker-registry 2.8 in %v with --jobs %s, %d manifest and config reads", len(doc.Tags), n+3, took.Round(time.Millisecond), jobs, reads)
	}
	if len(doc.Tags) != n+3 || doc.Tags[0].Tag != "2.0.0" || strings.Join(doc.Tags[0].Platforms, ",") != "linux/amd64,linux/arm64" {
		t.Fatalf("%d tags, first %+v", len(doc.Tags), doc.Tags[0])
	}
	var listed []string
	digests := map[string]string{}
	for _, tg := range doc.Tags {
		listed = append(listed, tg.Tag)
		digests[tg.Tag] = tg.Digest
	}
	sort.Strings(listed)
	ls := strings.Fields(infraRun(t, crane, "ls", "--insecure", repoName))
	sort.Strings(ls)
	if strings.Join(ls, " ") != strings.Join(listed, " ") {
		t.Fatalf("crane ls differs:\n%v\n%v", ls, listed)
	}
	for _, tag := range []string{"2.0.0", "latest", "feature-x", "1.0.0", "1.0.250", "1.0.499"} {
		if d := strings.TrimSpace(infraRun(t, crane, "digest", "--insecure", repoName+":"+tag)); d != digests[tag] {
			t.Fatalf("%s: crane digest %s, slimship %s", tag, d, digests[tag])
		}
	}
	var rules []string
	for _, f := range doc.Findings {
		rules = append(rules, f.Rule+" "+f.Path)
	}
	if strings.Join(rules, ",") != "SSR002 feature-x" {
		t.Fatalf("findings: %v", rules)
	}

	// 1.0.0 pushed again with another image: SSR003 on the next run
	infraRun(t, crane, "copy", "--insecure", repoName+":1.0.1", repoName+":1.0.0")
	code, out, _ := slimshipCode(t, "tags", "--insecure", via, "-f", "json", "--ledger", ledger)
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range doc.Findings {
		found = found || f.Rule == "SSR003" && f.Path == "1.0.0"
	}
	if code != 1 || !found {
		t.Fatalf("moved 1.0.0: exit %d, findings %+v", code, doc.Findings)
	}
	if _, err := os.Stat(ledger); err != nil {
		t.Fatal(err)
	}
}
