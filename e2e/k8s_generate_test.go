//go:build e2e

package e2e

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestK8sGenerateServerAccepts: what `k8s generate` writes for edge values
// (explicit zeros, boundaries of names, ports, IDs and quantities) passes
// the API server's validation (server-side dry run of every object).
func TestK8sGenerateServerAccepts(t *testing.T) {
	k := newKube(t)
	long := strings.Repeat("a", 62) + "z" // 63 characters: the longest name
	cases := []struct {
		name string
		args []string
	}{
		{"zero replicas, no port", []string{"--name", "cron", "--image", "registry.example.com/cron:1", "--replicas", "0"}},
		{"min equal to max", []string{"--name", "web", "--image", "registry.example.com/web:1.0.0", "--port", "65535",
			"--hpa-cpu", "1", "--hpa-memory", "1000", "--min", "1", "--max", "1", "--health-path", "/healthz", "--liveness-path", "/livez", "--startup-probe"}},
		{"longest name, wildcard host, NodePort", []string{"--name", long, "--image", "registry.example.com/" + long + "@sha256:" + strings.Repeat("ab", 32),
			"--port", "1", "--host", "*.example.com", "--path", "/a/b.c/", "--tls-secret", "wild-tls", "--ingress-class", "nginx", "--service-type", "NodePort",
			"--part-of", "shop"}},
		{"boundary IDs and quantities", []string{"--name", "api", "--image", "localhost:5000/api", "--port", "8080",
			"--user", "2147483647", "--group", "1", "--cpu", "1", "--cpu-limit", "1", "--memory", "1Gi", "--ephemeral-storage", "1Gi",
			"--egress-cidr", "10.0.0.0/8,fd00::/8", "--env", "_A.b-c=", "--env-secret", "TOKEN=api.secret/token.key", "--image-pull-policy", "IfNotPresent"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(Bin(t), append([]string{"k8s", "generate"}, c.args...)...)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("generate %v: %v\n%s", c.args, err, errb.String())
			}
			r := k.run(out.String(), "k8s", "deploy", "--dry-run=server", "-")
			if r.code != 0 {
				t.Fatalf("the API server refused generated manifests: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout, "failed") {
				t.Errorf("an object failed:\n%s", r.stdout)
			}
		})
	}
}
