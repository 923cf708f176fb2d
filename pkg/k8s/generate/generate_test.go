package generate

import (
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/internal/k8sclean"
	"github.com/slimship/slimship/pkg/k8s/alerts"
)

var variants = []struct {
	name string
	app  App
}{
	{"web-hpa", App{Name: "web", Image: "registry.example.com/web:1.4.2", Port: 8080, HealthPath: "/healthz",
		Host: "web.example.com", TLSSecret: "web-tls", IngressClass: "nginx", HPACPU: 70, HPAMemory: 80, Namespace: "shop"}},
	{"worker-keda", App{Name: "worker", Image: "registry.example.com/worker:2.0.0", Port: 9000, Namespace: "jobs",
		KEDA:        &KEDA{Prometheus: "http://prometheus.monitoring:9090", Query: "sum(rate(jobs_total[1m]))", Threshold: "50"},
		EgressCIDRs: []string{"10.0.0.0/8"}, Env: []EnvVar{{Name: "MODE", Value: "batch"}, {Name: "DB_PASSWORD", SecretRef: "db/password"}}}},
	{"api-static", App{Name: "api", Image: "registry.example.com/api:3.1.0@sha256:" + strings.Repeat("ab", 32), Port: 8443,
		HealthPath: "/ready", LivenessPath: "/live", StartupProbe: true, ServiceType: "LoadBalancer", Replicas: ptr(int32(3)),
		CPU: "250m", Memory: "256Mi", ImagePullPolicy: "IfNotPresent", User: ptr(int64(20000))}},
	{"no-port", App{Name: "cron", Image: "registry.example.com/cron:1", Replicas: ptr(int32(2))}},
	{"web-alerts", App{Name: "web", Image: "registry.example.com/web:1.4.2", Port: 8080, HealthPath: "/ready", LivenessPath: "/live",
		Namespace: "shop", MetricsPort: 9090, HPACPU: 70,
		Alerts: &alerts.Config{SLOAvailability: ptr(0.999), SLOErrorRatio: ptr(0.05), SLOLatency: "300ms"}}},
	{"worker-alerts", App{Name: "worker", Image: "registry.example.com/worker:2", MetricsPort: 9100, MetricsPath: "/internal/metrics",
		Alerts: &alerts.Config{CPU: ptr(0.5), CPUFor: "90s", Memory: ptr(1.0), Restarts: ptr(int32(1)), RestartsWindow: "1d"}}},
	{"metrics-on-app-port", App{Name: "api", Image: "registry.example.com/api:1", Port: 8080, MetricsPath: "/metrics", Replicas: ptr(int32(2))}},
}

func build(t *testing.T, a App) []byte {
	t.Helper()
	a.Complete()
	objs, err := Build(a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Stream(objs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGolden(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			golden.Assert(t, filepath.Join("testdata", v.name+".yaml"), build(t, v.app))
		})
	}
}

// TestLintRoundTrip: everything generated passes slimship's own lint with
// no finding at warning or above.
func TestLintRoundTrip(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			k8sclean.Assert(t, v.name+".yaml", build(t, v.app))
		})
	}
}

func TestFromConfig(t *testing.T) {
	cases := []struct {
		name       string
		cfg        v1.Config
		port       int32
		user       int64
		healthPath string
		notes      int
	}{
		{"port user and curl healthcheck", v1.Config{ExposedPorts: map[string]struct{}{"8080/tcp": {}, "9090/tcp": {}}, User: "10500:10600",
			Healthcheck: &v1.HealthConfig{Test: []string{"CMD", "curl", "-fsS", "http://localhost:8080/healthz?full=1"}}}, 8080, 10500, "/healthz", 1},
		{"low uid", v1.Config{User: "1000", ExposedPorts: map[string]struct{}{"53/udp": {}}}, 0, 0, "", 1},
		{"named user and wget", v1.Config{User: "app", Healthcheck: &v1.HealthConfig{Test: []string{"CMD-SHELL", "wget -q -O- http://127.0.0.1:3000/health || exit 1"}}}, 3000, 0, "/health", 1},
		{"no healthcheck", v1.Config{Healthcheck: &v1.HealthConfig{Test: []string{"NONE"}}}, 0, 0, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var a App
			notes := FromConfig(&a, &v1.ConfigFile{Config: c.cfg})
			var user int64
			if a.User != nil {
				user = *a.User
			}
			if a.Port != c.port || user != c.user || a.HealthPath != c.healthPath || len(notes) != c.notes {
				t.Errorf("got port %d user %d path %q notes %v", a.Port, user, a.HealthPath, notes)
			}
		})
	}
}

func TestKustomization(t *testing.T) {
	a := variants[0].app
	a.Complete()
	objs, err := Build(a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Kustomization(objs)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "kustomization.yaml"), b)
}
