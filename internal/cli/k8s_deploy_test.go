package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
)

// These cases fail before any request: the kubeconfig names a server that
// is never contacted.
func TestK8sDeployUsageErrors(t *testing.T) {
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: shop}}]
current-context: c
`), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: {name: b}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		stdin   string
		wantErr string
	}{
		{"no manifests", []string{"k8s", "deploy"}, "", "no manifests"},
		{"client dry run", []string{"k8s", "deploy", "--dry-run=client", bad}, "", "--dry-run=server"},
		{"bad dry run", []string{"k8s", "deploy", "--dry-run=maybe", bad}, "", "--dry-run must be none or server"},
		{"bad timeout", []string{"k8s", "deploy", "--timeout=0s", bad}, "", "--timeout must be positive"},
		{"manifest error names file:line", []string{"k8s", "deploy", bad}, "", bad + ":5: object has no apiVersion"},
		{"empty stdin", []string{"k8s", "deploy", "-"}, "# nothing\n", "no Kubernetes objects"},
		{"missing file", []string{"k8s", "deploy", filepath.Join(dir, "nope.yaml")}, "", "nope.yaml"},
		{"missing kubeconfig", []string{"k8s", "deploy", "--kubeconfig", filepath.Join(dir, "none"), good}, "", "kubeconfig"},
		// Arguments and files are checked before the kubeconfig.
		{"missing file before kubeconfig", []string{"k8s", "deploy", "--kubeconfig", filepath.Join(dir, "none"), filepath.Join(dir, "nope.yaml")}, "", "nope.yaml: no such file"},
		{"bad manifest before kubeconfig", []string{"k8s", "deploy", "--kubeconfig", filepath.Join(dir, "none"), bad}, "", bad + ":5: object has no apiVersion"},
		{"rollback args before kubeconfig", []string{"k8s", "rollback", "--kubeconfig", filepath.Join(dir, "none")}, "", "exactly one DEPLOYMENT"},
		{"status format before kubeconfig", []string{"k8s", "status", "--kubeconfig", filepath.Join(dir, "none"), "--format", "yaml"}, "", "must be text or json"},
		{"unknown context", []string{"k8s", "status", "--context", "nope"}, "", "nope"},
		{"rollback needs a name", []string{"k8s", "rollback"}, "", "exactly one DEPLOYMENT"},
		{"rollback negative revision", []string{"k8s", "rollback", "web", "--to-revision=-1"}, "", "--to-revision"},
		{"status output", []string{"k8s", "status", "-o", "yaml"}, "", "--output must be text or json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append(tt.args, "--kubeconfig", kc)
			if strings.Contains(strings.Join(tt.args, " "), "--kubeconfig") {
				args = tt.args
			}
			code := Execute(context.Background(), args, Streams{In: strings.NewReader(tt.stdin), Out: &out, Err: &errb})
			if code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr: %s", code, ExitUsage, errb.String())
			}
			if !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errb.String())
			}
		})
	}
}

// TestK8sUnreachable: an API server that cannot be reached is one line and
// exit 3 for deploy, status and rollback, not one error per object.
func TestK8sUnreachable(t *testing.T) {
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: shop}}]
current-context: c
`), 0o600); err != nil {
		t.Fatal(err)
	}
	m := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(m, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: c}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"k8s", "deploy", m}, {"k8s", "status"}, {"k8s", "status", "web", "-f", "json"}, {"k8s", "rollback", "web"}} {
		var out, errb bytes.Buffer
		code := Execute(context.Background(), append(args, "--kubeconfig", kc), Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		lines := strings.Split(strings.TrimSpace(out.String()+errb.String()), "\n")
		if code != ExitUnreachable || len(lines) != 1 || !strings.Contains(lines[0], "cannot reach the Kubernetes API server https://127.0.0.1:1") {
			t.Errorf("%v: exit %d, output %q; want exit 3 and one line", args, code, lines)
		}
	}
}

func TestKubeFlagsNamespace(t *testing.T) {
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts:
- {name: c, context: {cluster: c, user: u, namespace: shop}}
- {name: d, context: {cluster: c, user: u}}
current-context: c
`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		flags        kubeFlags
		wantNS       string
		wantExplicit bool
	}{
		{kubeFlags{Kubeconfig: kc}, "shop", false},
		{kubeFlags{Kubeconfig: kc, Context: "d"}, "default", false},
		{kubeFlags{Kubeconfig: kc, Namespace: "other"}, "other", true},
	}
	for _, tt := range tests {
		f := tt.flags
		if err := f.complete(); err != nil {
			t.Fatal(err)
		}
		if f.namespace != tt.wantNS || f.explicit != tt.wantExplicit || f.config.Host != "https://127.0.0.1:1" {
			t.Errorf("%+v: namespace %q explicit %v host %s", tt.flags, f.namespace, f.explicit, f.config.Host)
		}
	}
}

// The k8s commands reach the cluster through the dynamic client: client-go's
// typed clientset and discovery client would link kubernetes/scheme, whose
// registration of every built-in API group runs at each slimship start.
func TestK8sClientsStaySlim(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goBin, "list", "-deps", "github.com/slimship/slimship/cmd/slimship").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "k8s.io/client-go/kubernetes") || strings.HasPrefix(p, "k8s.io/client-go/discovery") ||
			p == "k8s.io/client-go/restmapper" {
			t.Errorf("slimship links %s", p)
		}
	}
}

// TestK8sDeployVerifyKey: with --verify-key nothing reaches the API server
// unless every container image is signed by the key (exit 1 naming the
// unsigned ones, 2 for one that cannot be resolved); once all are, deploy
// goes on to the cluster (here unreachable: exit 3).
func TestK8sDeployVerifyKey(t *testing.T) {
	dir := t.TempDir()
	host, push := testRegistry(t)
	signedImg, _ := random.Image(64, 1)
	signed := push(signedImg, "team/app:1")
	unsignedImg, _ := random.Image(64, 1)
	unsigned := push(unsignedImg, "team/other:1")
	prefix := keyPair(t, dir, "cosign")
	if code, _, stderr := runCLI(t, "sign", "--insecure", signed, "--key", prefix+".key"); code != 0 {
		t.Fatalf("sign: %s", stderr)
	}
	kc := filepath.Join(dir, "kubeconfig")
	os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`), 0o600)
	manifest := func(images ...string) string {
		var cs []string
		for i, im := range images {
			cs = append(cs, fmt.Sprintf("{name: c%d, image: %q}", i, im))
		}
		m := filepath.Join(t.TempDir(), "m.yaml")
		os.WriteFile(m, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: ["+strings.Join(cs, ", ")+"]\n"), 0o600)
		return m
	}
	deployCLI := func(m string, extra ...string) (int, string) {
		var out, errb bytes.Buffer
		args := append([]string{"k8s", "deploy", m, "--kubeconfig", kc, "--verify-key", prefix + ".pub", "--insecure-registry"}, extra...)
		code := Execute(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		return code, out.String() + errb.String()
	}

	code, out := deployCLI(manifest(signed, unsigned))
	if code != 1 || !strings.Contains(out, "1 of 2 container images are not signed by the key; nothing was applied") ||
		!strings.Contains(out, "deployment.apps/web (") || !strings.Contains(out, unsigned+": "+host+"/team/other@sha256:") || strings.Contains(out, "cannot reach") {
		t.Errorf("one unsigned: exit %d: %s", code, out)
	}
	code, out = deployCLI(manifest(signed, host+"/team/missing:1"))
	if code != 2 || !strings.Contains(out, "1 of 2 container images could not be checked") || strings.Contains(out, "cannot reach") {
		t.Errorf("missing image: exit %d: %s", code, out)
	}
	code, out = deployCLI(manifest(signed, signed))
	if code != ExitUnreachable || !strings.Contains(out, signed+": signature verified on sha256:") || !strings.Contains(out, "1 image verified and pinned to the digest that verified") {
		t.Errorf("all signed: exit %d: %s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--verify-key", filepath.Join(dir, "nope.pub")}, "nope.pub"},
		{[]string{"--verify-key", prefix + ".key"}, "this is a private key"},
	} {
		var out, errb bytes.Buffer
		code := Execute(context.Background(), append([]string{"k8s", "deploy", manifest(signed), "--kubeconfig", kc}, c.args...), Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		if code != 2 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, errb.String())
		}
	}
	// plain HTTP needs --insecure-registry, even on loopback
	var errb bytes.Buffer
	code = Execute(context.Background(), []string{"k8s", "deploy", manifest(signed), "--kubeconfig", kc, "--verify-key", prefix + ".pub"}, Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &errb})
	if code != 2 || !strings.Contains(errb.String(), "could not be checked") {
		t.Errorf("without --insecure-registry: exit %d: %s", code, errb.String())
	}
}
