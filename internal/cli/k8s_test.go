package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func k8sCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(context.Background(), append([]string{"k8s"}, args...),
		Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestK8sLintExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"clean", "", []string{"lint", "testdata/k8s/clean.yaml"}, ExitOK, "0 findings", ""},
		{"findings", "", []string{"lint", "testdata/k8s/findings.yaml"}, ExitFindings, "container-image-tag", ""},
		{"below --fail-on", "", []string{"lint", "--fail-on", "none", "testdata/k8s/findings.yaml"}, ExitOK, "", ""},
		{"ignored", "", []string{"lint", "--ignore", "service-type", "testdata/k8s/list.yaml"}, ExitFindings, "service-targets-pod", "skipped 1 object(s) of kind cert-manager.io/v1 Certificate"},
		{"malformed beside findings", "", []string{"lint", "testdata/k8s/malformed.yaml", "testdata/k8s/findings.yaml"}, ExitUsage, "container-image-tag", "malformed.yaml:5:"},
		{"stdin", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort}\n", []string{"lint", "-"}, ExitFindings, "service-type", ""},
		{"missing path", "", []string{"lint", "testdata/k8s/nope.yaml"}, ExitUsage, "", "nope.yaml"},
		{"unknown format", "", []string{"lint", "-f", "xml", "testdata/k8s/clean.yaml"}, ExitUsage, "", "format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := k8sCLI(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, out, stderr)
			}
			if !strings.Contains(out, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stdout %q want %q; stderr %q want %q", out, tc.stdout, stderr, tc.stderr)
			}
		})
	}
}

func TestK8sLintJSONObject(t *testing.T) {
	_, out, _ := k8sCLI(t, "", "lint", "-f", "json", "testdata/k8s/findings.yaml")
	var doc struct {
		Findings []struct {
			Rule   string            `json:"rule"`
			Line   int               `json:"line"`
			Object map[string]string `json:"object"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		if f.Rule == "service-type" {
			if f.Object["kind"] != "Service" || f.Object["namespace"] != "shop" || f.Object["name"] != "web" || f.Line != 28 {
				t.Errorf("service-type finding %+v", f)
			}
			return
		}
	}
	t.Fatal("no service-type finding")
}

func TestK8sGenerateLintsClean(t *testing.T) {
	code, out, stderr := k8sCLI(t, "", "generate", "--name", "web", "--image", "registry.example.com/web:1.2.3", "--port", "8080",
		"--health-path", "/healthz", "--host", "web.example.com", "--tls-secret", "web-tls", "--hpa-cpu", "70", "--hpa-memory", "80",
		"--min", "3", "--max", "9", "--cpu", "200m", "--memory", "256Mi", "--namespace", "shop", "--service-type", "ClusterIP",
		"--startup-probe", "--ingress-class", "nginx")
	if code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	code, lintOut, stderr := k8sCLI(t, out, "lint", "--fail-on", "warning", "-")
	if code != ExitOK {
		t.Errorf("lint of generated manifests: exit %d\n%s%s", code, lintOut, stderr)
	}
}

func TestK8sGenerateDirAndKustomize(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "base")
	code, _, stderr := k8sCLI(t, "", "generate", "-f", "testdata/k8s/app.yaml", "--port", "9090", "-o", dir, "--kustomize")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := "deployment.yaml horizontalpodautoscaler.yaml ingress.yaml kustomization.yaml networkpolicy.yaml poddisruptionbudget.yaml service.yaml serviceaccount.yaml"
	if strings.Join(names, " ") != want {
		t.Errorf("files %v, want %s", names, want)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "deployment.yaml"))
	if !strings.Contains(string(b), "containerPort: 9090") || !strings.Contains(string(b), "LOG_LEVEL") {
		t.Errorf("flags and app file not merged:\n%s", b)
	}
	if code, out, stderr := k8sCLI(t, "", "lint", dir); code != ExitOK {
		t.Errorf("lint %s: exit %d\n%s%s", dir, code, out, stderr)
	}
}

func TestK8sGenerateUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"generate", "--name", "web", "--image", "x:1", "--kustomize"},
		{"generate", "--image", "x:1"},
		{"generate", "--name", "web", "--image", "x:1", "--hpa-cpu", "50", "--keda-prometheus", "http://p", "--keda-query", "q", "--keda-threshold", "1"},
		{"generate", "-f", "testdata/k8s/nope.yaml"},
		{"generate", "--name", "web", "--image", "x:1", "--env", "NOEQUALS"},
	} {
		if code, _, _ := k8sCLI(t, "", args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

// TestK8sGenerateFromRegistry resolves the digest and reads the image config
// from an in-process registry.
func TestK8sGenerateFromRegistry(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{
		ExposedPorts: map[string]struct{}{"7070/tcp": {}},
		User:         "12000:12000",
		Healthcheck:  &v1.HealthConfig{Test: []string{"CMD", "wget", "-q", "http://localhost:7070/livez"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ref := fmt.Sprintf("%s/team/app:1.0", u.Host)
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	code, out, stderr := k8sCLI(t, "", "generate", "--name", "app", "--from-image", ref, "--resolve-digest", "--insecure")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"image: " + ref + "@" + digest.String(), "containerPort: 7070", "runAsUser: 12000", "path: /livez"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// an explicit port, 0 included (no Service), is not replaced by the
	// image's
	for port, want := range map[string]string{"0": "", "9090": "containerPort: 9090"} {
		code, out, stderr := k8sCLI(t, "", "generate", "--name", "app", "--from-image", ref, "--insecure", "--port", port)
		if code != ExitOK {
			t.Fatalf("--port %s: exit %d: %s", port, code, stderr)
		}
		if strings.Contains(out, "containerPort: 7070") || want != "" && !strings.Contains(out, want) || port == "0" && strings.Contains(out, "kind: Service\n") {
			t.Errorf("--port %s with --from-image:\n%s", port, out)
		}
	}
}

// TestK8sGenerateExplicitValues: an explicit value, 0 included, from a flag
// or the app file is taken or refused (exit 2, naming the flag or key),
// never replaced by a default.
func TestK8sGenerateExplicitValues(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	zeroReplicas := write("zero.yaml", "name: web\nimage: registry.example.com/web:1\nreplicas: 0\n")
	rootUser := write("root.yaml", "name: web\nimage: registry.example.com/web:1\nuser: 0\n")
	kedaZero := write("keda.yaml", "name: web\nimage: registry.example.com/web:1\nmin: 0\nkeda: {prometheus: 'http://prom:9090', query: 'sum(up)', threshold: '5'}\n")
	base := []string{"generate", "--name", "web", "--image", "registry.example.com/web:1", "--port", "8080"}
	cases := []struct {
		name   string
		args   []string
		code   int
		want   string // in stdout (code 0) or stderr
		reject string // must not be in stdout
	}{
		{"--replicas 0 is taken", append(base, "--replicas", "0"), ExitOK, "replicas: 0", "replicas: 2"},
		{"replicas 0 in the file is taken", []string{"generate", "-f", zeroReplicas}, ExitOK, "replicas: 0", "replicas: 2"},
		{"KEDA min 0 is taken", []string{"generate", "-f", kedaZero}, ExitOK, "minReplicaCount: 0", "minReplicaCount: 2"},
		{"--min 0 with an HPA is refused", append(base, "--hpa-cpu", "50", "--min", "0"), ExitUsage, "--min: 0: an HorizontalPodAutoscaler cannot scale to zero", ""},
		{"--user 0 is refused", append(base, "--user", "0"), ExitUsage, "--user: 0 is root", ""},
		{"user 0 in the file is refused", []string{"generate", "-f", rootUser}, ExitUsage, rootUser + ": user: 0 is root", ""},
		{"the flag overrides the file's user", []string{"generate", "-f", rootUser, "--user", "20000"}, ExitOK, "runAsUser: 20000", ""},
		{"--min above --max", append(base, "--hpa-cpu", "50", "--min", "5", "--max", "3"), ExitUsage, "--min: 5 is above max 3", ""},
		{"--max 0", append(base, "--hpa-cpu", "50", "--max", "0"), ExitUsage, "--max: 0: want 1 or more", ""},
		{"limit below request", append(base, "--cpu", "1", "--cpu-limit", "500m"), ExitUsage, "--cpu-limit: 500m is below the request 1", ""},
		{"memory limit below the default request", append(base, "--memory-limit", "64Mi"), ExitUsage, "--memory-limit: 64Mi is below the request 128Mi", ""},
		{"bad CIDR", append(base, "--egress-cidr", "10.0.0.0/40"), ExitUsage, "--egress-cidr: \"10.0.0.0/40\"", ""},
		{"host not DNS-1123", append(base, "--host", "Web.Example.com"), ExitUsage, "--host: \"Web.Example.com\"", ""},
		{"path without /", append(base, "--host", "web.example.com", "--path", "api"), ExitUsage, "--path: \"api\" must start with /", ""},
		{"KEDA threshold not numeric", append(base, "--keda-prometheus", "http://p:9090", "--keda-query", "q", "--keda-threshold", "lots"), ExitUsage, "--keda-threshold: \"lots\"", ""},
		{"image not a reference", []string{"generate", "--name", "web", "--image", "Web:Latest!"}, ExitUsage, "--image: \"Web:Latest!\" is not an image reference", ""},
		{"HPA and KEDA", append(base, "--hpa-cpu", "50", "--keda-prometheus", "http://p:9090", "--keda-query", "q", "--keda-threshold", "1"), ExitUsage, "--keda-prometheus/--keda-query/--keda-threshold: use either", ""},
		{"env name", append(base, "--env", "1BAD=x"), ExitUsage, "--env: \"1BAD\" is not a valid variable name", ""},
		{"port out of range", []string{"generate", "--name", "web", "--image", "registry.example.com/web:1", "--port", "70000"}, ExitUsage, "--port: \"70000\"", ""},
		{"name too long", []string{"generate", "--name", strings.Repeat("a", 64), "--image", "registry.example.com/web:1"}, ExitUsage, "--name: ", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := k8sCLI(t, "", c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, stderr)
			}
			got := out
			if c.code != ExitOK {
				got = stderr
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("want %q in:\n%s", c.want, got)
			}
			if c.reject != "" && strings.Contains(out, c.reject) {
				t.Errorf("default %q replaced the explicit value:\n%s", c.reject, out)
			}
		})
	}
}

// TestK8sAlerts: `k8s alerts` writes the PrometheusRule and the
// ServiceMonitor alone, from flags or the app file's alerts section; `k8s
// generate` adds them with --alerts or any alert flag; lint stays clean;
// invalid thresholds are refused with exit 2 naming the flag or file key.
func TestK8sAlerts(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "slimship.yaml")
	if err := os.WriteFile(file, []byte("name: web\nnamespace: shop\nport: 8080\nmetricsPath: /metrics\nalerts:\n  cpu: 0.9\n  sloAvailability: 0.999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badFile := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badFile, []byte("name: web\nalerts: {cpuFor: 0s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	app := []string{"--name", "web", "--namespace", "shop", "--port", "8080", "--health-path", "/ready"}
	cases := []struct {
		name      string
		args      []string
		code      int
		want, not []string // in stdout (exit 0) or stderr
	}{
		{"flags", append([]string{"alerts", "--metrics-port", "9090", "--slo-latency", "300ms"}, app...), ExitOK,
			[]string{"kind: ServiceMonitor", "kind: PrometheusRule", "alert: LivenessProbeFailing", "alert: HighLatency", "runbook: slimship k8s status web -n shop", "port: metrics"},
			[]string{"kind: Deployment", "ErrorBudgetBurn"}},
		{"app file", []string{"alerts", "-f", file}, ExitOK,
			[]string{"kind: ServiceMonitor", "port: http", "0.9\n", "alert: ErrorBudgetBurnFast", "record: slimship:request_error_ratio:rate3d"}, nil},
		{"flag over file", []string{"alerts", "-f", file, "--alert-cpu", "0.75"}, ExitOK, []string{"0.75\n"}, nil},
		{"generate --alerts", append([]string{"generate", "--image", "registry.example.com/web:1", "--alerts"}, app...), ExitOK,
			[]string{"kind: Deployment", "kind: PrometheusRule"}, []string{"kind: ServiceMonitor"}},
		{"an alert flag turns alerts on", append([]string{"generate", "--image", "registry.example.com/web:1", "--alert-pending-for", "20m"}, app...), ExitOK,
			[]string{"kind: PrometheusRule", "for: 20m"}, nil},
		{"no alerts without asking", append([]string{"generate", "--image", "registry.example.com/web:1"}, app...), ExitOK, nil, []string{"PrometheusRule"}},
		{"threshold 0", append([]string{"alerts", "--alert-cpu", "0"}, app...), ExitUsage, []string{"--alert-cpu: 0: want a ratio above 0 and at most 1"}, nil},
		{"threshold as percent", append([]string{"alerts", "--alert-memory", "85"}, app...), ExitUsage, []string{"--alert-memory: 85: want a ratio"}, nil},
		{"duration 0", append([]string{"alerts", "--alert-pending-for", "0s"}, app...), ExitUsage, []string{`--alert-pending-for: "0s": want a duration above 0`}, nil},
		{"SLO target 1", append([]string{"alerts", "--slo-availability", "1"}, app...), ExitUsage, []string{"--slo-availability: 1: want a ratio above 0 and below 1"}, nil},
		{"bad matchers", append([]string{"alerts", "--slo-error-ratio", "0.1", "--slo-errors", `code=~"5`}, app...), ExitUsage, []string{"--slo-errors: "}, nil},
		{"file key", []string{"alerts", "-f", badFile}, ExitUsage, []string{badFile + ": alerts.cpuFor: \"0s\""}, nil},
		{"metrics path relative", append([]string{"alerts", "--metrics-path", "metrics"}, app...), ExitUsage, []string{"--metrics-path: \"metrics\""}, nil},
		{"generate refuses too", append([]string{"generate", "--image", "registry.example.com/web:1", "--alerts", "--alert-restarts", "0"}, app...), ExitUsage,
			[]string{"--alert-restarts: 0: want 1 or more"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := k8sCLI(t, "", c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, stderr)
			}
			got := out
			if c.code != ExitOK {
				got = stderr
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("want %q in:\n%s", w, got)
				}
			}
			for _, n := range c.not {
				if strings.Contains(got, n) {
					t.Errorf("%q in:\n%s", n, got)
				}
			}
			if code != ExitOK {
				return
			}
			if code, lintOut, stderr := k8sCLI(t, out, "lint", "-"); code != ExitOK {
				t.Errorf("lint: exit %d\n%s%s", code, lintOut, stderr)
			}
		})
	}
}
