//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// kube is a namespace of its own on the e2e API server (see
// scripts/e2e/setup.d/40-kube.sh) and a way to run slimship against it.
type kube struct {
	t          *testing.T
	kubeconfig string
	ns         string
	cs         kubernetes.Interface
}

func newKube(t *testing.T) *kube {
	t.Helper()
	kc := Need(t, "SLIMSHIP_E2E_KUBECONFIG", "the Kubernetes API server")
	Bin(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	ns := fmt.Sprintf("e2e-%s-%d", strings.Trim(name, "-"), time.Now().UnixNano()%100000)
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	// The service-account controller must have made "default" first.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{}); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no default service account in %s", ns)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return &kube{t: t, kubeconfig: kc, ns: ns, cs: cs}
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs slimship with --kubeconfig and --namespace appended to args.
func (k *kube) run(stdin string, args ...string) result {
	k.t.Helper()
	args = append(args, "--kubeconfig", k.kubeconfig, "-n", k.ns)
	cmd := exec.Command(Bin(k.t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		k.t.Fatalf("slimship %v: %v", args, err)
	}
	k.t.Logf("slimship %s -> %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

// manifest reads testdata/k8s/name with its placeholders replaced
// (pairs: "IMAGE", "web:1").
func manifest(t *testing.T, name string, repl ...string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/k8s/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(repl...).Replace(string(b))
}

func mustContain(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

func TestK8sDeployDryRunServer(t *testing.T) {
	k := newKube(t)
	r := k.run(manifest(t, "app.yaml", "IMAGE", "registry.example/web:1.0.0"), "k8s", "deploy", "--dry-run=server", "-")
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	mustContain(t, "stdout", r.stdout,
		"networkpolicy.networking.k8s.io/web created (server dry run)",
		"poddisruptionbudget.policy/web created (server dry run)",
		"service/web created (server dry run)",
		"deployment.apps/web created (server dry run)",
		"horizontalpodautoscaler.autoscaling/web created (server dry run)")
	// Nothing was persisted.
	if _, err := k.cs.AppsV1().Deployments(k.ns).Get(context.Background(), "web", metav1.GetOptions{}); err == nil {
		t.Error("dry run created the Deployment")
	}

	// The server's validation is reported per object: the Service is fine,
	// the Deployment's selector does not match its template.
	bad := strings.Replace(manifest(t, "app.yaml", "IMAGE", "registry.example/web:1.0.0"),
		"template:\n    metadata:\n      labels: {app.kubernetes.io/name: web}", "template:\n    metadata:\n      labels: {app.kubernetes.io/name: other}", 1)
	r = k.run(bad, "k8s", "deploy", "--dry-run=server", "-")
	if r.code != 1 {
		t.Errorf("invalid Deployment: exit %d, want 1", r.code)
	}
	mustContain(t, "stdout", r.stdout, "service/web created (server dry run)", "deployment.apps/web failed (server dry run): -:",
		"spec.template.metadata.labels", "does not match template")
}

func TestK8sDeployRolloutAndRollback(t *testing.T) {
	k := newKube(t)
	ctx := context.Background()
	image := func() string {
		d, err := k.cs.AppsV1().Deployments(k.ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d.Spec.Template.Spec.Containers[0].Image
	}

	// v1: applied and waited for until available.
	r := k.run(manifest(t, "app.yaml", "IMAGE", "registry.example/web:1.0.0"), "k8s", "deploy", "--timeout=2m", "-")
	if r.code != 0 {
		t.Fatalf("deploy v1: exit %d", r.code)
	}
	mustContain(t, "stdout", r.stdout, "deployment.apps/web created", "deployment.apps/web rolled out")
	mustContain(t, "stderr", r.stderr, `deployment "web" successfully rolled out`)
	d, err := k.cs.AppsV1().Deployments(k.ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status.AvailableReplicas < 1 {
		t.Errorf("available replicas = %d after deploy", d.Status.AvailableReplicas)
	}

	// Re-applying the same manifests changes nothing.
	r = k.run(manifest(t, "app.yaml", "IMAGE", "registry.example/web:1.0.0"), "k8s", "deploy", "-")
	if r.code != 0 {
		t.Fatalf("re-deploy: exit %d", r.code)
	}
	mustContain(t, "stdout", r.stdout, "deployment.apps/web unchanged", "service/web unchanged")

	// The HPA scales to its minimum of 2; status shows it.
	waitFor(t, 60*time.Second, "HPA to scale web to 2", func() bool {
		r := k.run("", "k8s", "status", "-o", "json")
		var sums []struct {
			Available int32
			HPAs      []struct{ CurrentReplicas, DesiredReplicas int32 }
		}
		if json.Unmarshal([]byte(r.stdout), &sums) != nil || len(sums) != 1 || len(sums[0].HPAs) != 1 {
			return false
		}
		return sums[0].HPAs[0].CurrentReplicas == 2 && sums[0].HPAs[0].DesiredReplicas == 2 && sums[0].Available == 2
	})

	// v2: a new image rolls out.
	r = k.run(manifest(t, "app.yaml", "IMAGE", "registry.example/web:2.0.0"), "k8s", "deploy", "--timeout=2m", "-")
	if r.code != 0 {
		t.Fatalf("deploy v2: exit %d", r.code)
	}
	mustContain(t, "stdout", r.stdout, "deployment.apps/web configured", "deployment.apps/web rolled out")
	if got := image(); got != "registry.example/web:2.0.0" {
		t.Errorf("image after v2 = %s", got)
	}
	r = k.run("", "k8s", "status", "web")
	if r.code != 0 {
		t.Fatalf("status: exit %d", r.code)
	}
	mustContain(t, "status", r.stdout, "(revision 2)", "successfully rolled out", "Autoscaler:  web: 2 current, 2 desired replicas (min 2, max 5)",
		"registry.example/web:2.0.0", "registry.example/web:1.0.0")
	r = k.run("", "k8s", "status")
	mustContain(t, "status table", r.stdout, "NAME", "HPA", "web", "2/2", "2/2 (2-5)")

	// Rollback restores the previous ReplicaSet's template.
	r = k.run("", "k8s", "rollback", "web", "--timeout=2m")
	if r.code != 0 {
		t.Fatalf("rollback: exit %d", r.code)
	}
	mustContain(t, "stdout", r.stdout, "rolled back from revision 2 to the template of revision 1", "deployment.apps/web rolled out")
	if got := image(); got != "registry.example/web:1.0.0" {
		t.Errorf("image after rollback = %s, want registry.example/web:1.0.0", got)
	}
	d, _ = k.cs.AppsV1().Deployments(k.ns).Get(ctx, "web", metav1.GetOptions{})
	if _, ok := d.Spec.Template.Labels["pod-template-hash"]; ok {
		t.Error("rollback copied the pod-template-hash label")
	}
	// Again: back to the v2 template (now revision 2 is the previous one).
	r = k.run("", "k8s", "rollback", "web", "--to-revision", "2", "--dry-run=server")
	if r.code != 0 {
		t.Fatalf("rollback --to-revision 2 --dry-run=server: exit %d", r.code)
	}
	if got := image(); got != "registry.example/web:1.0.0" {
		t.Errorf("dry-run rollback changed the image to %s", got)
	}
	r = k.run("", "k8s", "rollback", "web", "--to-revision", "9")
	if r.code != 1 {
		t.Errorf("rollback to a missing revision: exit %d, want 1", r.code)
	}
	mustContain(t, "stderr", r.stderr, "revision 9 not found")

	// Redeploying v2 over the rollback conflicts: the rollback changed the
	// image under another field manager entry, and --force-conflicts is
	// off by default, as in kubectl. The error says to rerun with it.
	r = k.run(manifest(t, "app.yaml", "IMAGE", "registry.example/web:2.0.0"), "k8s", "deploy", "--timeout=2m", "-")
	if r.code != 1 {
		t.Fatalf("deploy v2 after rollback: exit %d, want 1 (conflict)", r.code)
	}
	mustContain(t, "stdout", r.stdout, "deployment.apps/web failed: -:", "conflict", "rerun with --force-conflicts")
	if got := image(); got != "registry.example/web:1.0.0" {
		t.Errorf("failed deploy changed the image to %s", got)
	}
	r = k.run(manifest(t, "app.yaml", "IMAGE", "registry.example/web:2.0.0"), "k8s", "deploy", "--force-conflicts", "--timeout=2m", "-")
	if r.code != 0 {
		t.Fatalf("deploy v2 --force-conflicts after rollback: exit %d", r.code)
	}
	if got := image(); got != "registry.example/web:2.0.0" {
		t.Errorf("image after forced redeploy = %s", got)
	}
}

// TestK8sDeployYAML11: kubectl (and so deploy) reads "a: yes" as the
// boolean true, which the API server rejects in a ConfigMap; k8s lint reads
// the manifest the same way and reports the value at its line.
func TestK8sDeployYAML11(t *testing.T) {
	k := newKube(t)
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  a: yes\n  b: \"yes\"\n"
	r := k.run(cm, "k8s", "deploy", "--dry-run=server", "-")
	if r.code != 1 {
		t.Errorf("deploy: exit %d, want 1 (the API server rejects the boolean)", r.code)
	}
	mustContain(t, "stdout", r.stdout, "configmap/flags failed (server dry run): -:1:")
	cmd := exec.Command(Bin(t), "k8s", "lint", "-")
	cmd.Stdin = strings.NewReader(cm)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("lint: %v, want exit 1\n%s", err, out)
	}
	mustContain(t, "lint output", string(out), "  6 ConfigMap flags error   value-not-string data.a: yes is the boolean true", `quote it: "yes"`)
	// Quoted, it deploys.
	r = k.run(strings.Replace(cm, "a: yes", `a: "yes"`, 1), "k8s", "deploy", "-")
	if r.code != 0 {
		t.Errorf("quoted: exit %d", r.code)
	}
}

func TestK8sDeployStuckRollout(t *testing.T) {
	k := newKube(t)
	big := "64" // cores: more than the kwok node's (SLIMSHIP_E2E_KUBE_NODE_CPU)

	t.Run("deadline", func(t *testing.T) {
		r := k.run(manifest(t, "stuck.yaml", "CPU", big, "DEADLINE", "600"), "k8s", "deploy", "--timeout=15s", "-")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1", r.code)
		}
		mustContain(t, "stderr", r.stderr, "deployment.apps/hungry: rollout failed: deadline passed while waiting for deployment",
			"FailedScheduling", "Insufficient cpu")
	})
	t.Run("progress deadline exceeded", func(t *testing.T) {
		r := k.run(manifest(t, "stuck.yaml", "CPU", big, "DEADLINE", "5", "hungry", "hungry2"), "k8s", "deploy", "--timeout=2m", "-")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1", r.code)
		}
		mustContain(t, "stderr", r.stderr, `deployment "hungry2" exceeded its progress deadline`,
			"Progressing=False ProgressDeadlineExceeded", "Insufficient cpu")
		r = k.run("", "k8s", "status", "hungry2")
		if r.code != 1 {
			t.Errorf("status of a failed rollout: exit %d, want 1", r.code)
		}
	})
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Second)
	}
}

// A CRD and its custom resources deploy in one run; a kind the server does
// not serve is an error naming the object.
func TestK8sDeployCRD(t *testing.T) {
	k := newKube(t)
	group := strings.ReplaceAll(k.ns, "-", "") + ".slimship.test"
	crd := "widgets." + group
	t.Cleanup(func() {
		_ = k.cs.Discovery().RESTClient().Delete().AbsPath("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + crd).Do(context.Background()).Error()
	})
	m := `apiVersion: GROUP/v1
kind: Widget
metadata: {name: w1}
spec: {size: 3}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.GROUP}
spec:
  group: GROUP
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`
	r := k.run(strings.ReplaceAll(m, "GROUP", group), "k8s", "deploy", "-")
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	mustContain(t, "stdout", r.stdout, "customresourcedefinition.apiextensions.k8s.io/"+crd+" created", "widget."+group+"/w1 created")

	r = k.run("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: web}\n", "k8s", "deploy", "-")
	if r.code != 1 {
		t.Errorf("unknown kind: exit %d, want 1", r.code)
	}
	mustContain(t, "stdout", r.stdout, `scaledobject.keda.sh/web failed: -:1: no matches for kind "ScaledObject" in version "keda.sh/v1alpha1"`)
}

// TestK8sDeployVerifyKey: on the real API server, --verify-key creates
// nothing while an image is unsigned, and once it is signed (by the real
// cosign here) the Deployment is created with the image pinned to the
// digest that verified.
func TestK8sDeployVerifyKey(t *testing.T) {
	k := newKube(t)
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	cosign := Need(t, "SLIMSHIP_E2E_COSIGN", "cosign")
	dir := t.TempDir()
	cenv := cosignEnv(t, dir)
	cos := dir + "/cos"
	runTool(t, cenv("pw"), cosign, "generate-key-pair", "--output-key-prefix", cos).want(t, "cosign generate-key-pair", 0)
	image, h := pushRandom(t, reg, "e2e/deploy-verify:1")
	m := manifest(t, "app.yaml", "IMAGE", image)

	r := k.run(m, "k8s", "deploy", "--verify-key", cos+".pub", "--insecure-registry", "--wait=false", "-")
	if r.code != 1 {
		t.Fatalf("unsigned image: exit %d, want 1", r.code)
	}
	mustContain(t, "stderr", r.stderr, "container images are not signed by the key; nothing was applied", image+": "+reg+"/e2e/deploy-verify@"+h.String()+" has no signatures")
	if _, err := k.cs.AppsV1().Deployments(k.ns).Get(context.Background(), "web", metav1.GetOptions{}); err == nil {
		t.Fatal("the Deployment was created with an unsigned image")
	}

	runTool(t, cenv("pw"), cosign, "sign", "--key", cos+".key", "--tlog-upload=false", "--allow-http-registry", "--yes", image).want(t, "cosign sign", 0)
	r = k.run(m, "k8s", "deploy", "--verify-key", cos+".pub", "--insecure-registry", "--wait=false", "-")
	if r.code != 0 {
		t.Fatalf("signed image: exit %d", r.code)
	}
	mustContain(t, "stdout", r.stdout, "deployment.apps/web created")
	d, err := k.cs.AppsV1().Deployments(k.ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Spec.Template.Spec.Containers[0].Image, image+"@"+h.String(); got != want {
		t.Errorf("deployed image %q, want it pinned: %q", got, want)
	}
}
