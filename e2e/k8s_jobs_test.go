//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestK8sJobsServerAccepts: `k8s generate --jobs` writes an Indexed Job and
// a CronJob (with their RBAC, ConfigMaps and NetworkPolicy) that pass
// slimship's own lint, the API server's server-side dry run, and are
// created; the Job is Indexed with one completion per shard.
func TestK8sJobsServerAccepts(t *testing.T) {
	k := newKube(t)
	targets := filepath.Join(t.TempDir(), "targets.txt")
	os.WriteFile(targets, []byte("# images to scan\nregistry.example.com/shop/web:1.4.2\nregistry.example.com/shop/api:3.1.0\n"), 0o644)
	cmd := exec.Command(Bin(t), "k8s", "generate", "--jobs", "--namespace", k.ns, "--image", "registry.example.com/slimship:0.5.0",
		"--targets-file", targets, "--target", "registry.example.com/shop/worker:2.0.0", "--shards", "3", "--schedule", "@daily")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("generate --jobs: %v\n%s", err, errb.String())
	}
	lint := exec.Command(Bin(t), "k8s", "lint", "--fail-on", "warning", "-")
	lint.Stdin = strings.NewReader(out.String())
	if b, err := lint.CombinedOutput(); err != nil {
		t.Fatalf("k8s lint is not clean on the fleet's manifests: %v\n%s", err, b)
	}
	if r := k.run(out.String(), "k8s", "deploy", "--dry-run=server", "-"); r.code != 0 {
		t.Fatalf("server-side dry run refused: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := k.run(out.String(), "k8s", "deploy", "--wait=false", "-"); r.code != 0 {
		t.Fatalf("create: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	ctx := context.Background()
	job, err := k.cs.BatchV1().Jobs(k.ns).Get(ctx, "slimship-scan", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Spec.CompletionMode == nil || *job.Spec.CompletionMode != "Indexed" || *job.Spec.Completions != 3 {
		t.Errorf("job %+v", job.Spec)
	}
	if _, err := k.cs.BatchV1().CronJobs(k.ns).Get(ctx, "slimship-retention", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := k.cs.CoreV1().ConfigMaps(k.ns).Get(ctx, "slimship-results-"+string(rune('0'+i)), metav1.GetOptions{}); err != nil {
			t.Errorf("results ConfigMap %d: %v", i, err)
		}
	}
	// The Role lets the service account update exactly the results
	// ConfigMaps, and create nothing.
	for _, c := range []struct {
		verb, name string
		allowed    bool
	}{{"update", "slimship-results-0", true}, {"update", "slimship-targets", false}, {"create", "", false}} {
		sar := map[string]any{"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": map[string]any{
			"user": "system:serviceaccount:" + k.ns + ":slimship", "groups": []string{"system:serviceaccounts"},
			"resourceAttributes": map[string]any{"namespace": k.ns, "verb": c.verb, "resource": "configmaps", "name": c.name}}}
		body, _ := json.Marshal(sar)
		res := k.cs.AuthorizationV1().RESTClient().Post().AbsPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").Body(body).Do(ctx)
		raw, err := res.Raw()
		if err != nil {
			t.Fatalf("SubjectAccessReview: %v", err)
		}
		var got struct {
			Status struct{ Allowed bool } `json:"status"`
		}
		json.Unmarshal(raw, &got)
		if got.Status.Allowed != c.allowed {
			t.Errorf("%s configmaps %q: allowed %v, want %v", c.verb, c.name, got.Status.Allowed, c.allowed)
		}
	}
}

// TestFleetImageIsSmall: slimship's own image, built by slimship build, is
// its one static binary on a minimal base (no shell, no package manager):
// about 41 MB, 16 MB compressed, as the binary links the Kubernetes client,
// the SBOM extractors and the registry client.
func TestFleetImageIsSmall(t *testing.T) {
	dir := t.TempDir()
	root, _ := filepath.Abs("..")
	cmd := exec.Command(Bin(t), "build", "./cmd/slimship", "-o", "oci:"+filepath.Join(dir, "img"))
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("slimship build ./cmd/slimship: %v\n%s", err, b)
	}
	out, err := exec.Command(Bin(t), "analyze", "-f", "json", "oci:"+filepath.Join(dir, "img")).Output()
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		SizeBytes       int64 `json:"sizeBytes"`
		CompressedBytes int64 `json:"compressedBytes"`
	}
	json.Unmarshal(out, &a)
	t.Logf("slimship's image: %.1f MB, %.1f MB compressed", float64(a.SizeBytes)/1e6, float64(a.CompressedBytes)/1e6)
	if a.SizeBytes == 0 || a.SizeBytes > 60<<20 {
		t.Errorf("image size %d bytes: want a few MB (the binary and a minimal base)", a.SizeBytes)
	}
}
