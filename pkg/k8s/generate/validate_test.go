package generate

import (
	"errors"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/k8s/alerts"
)

func i32p(v int32) *int32 { return &v }
func i64p(v int64) *int64 { return &v }

var keda = &KEDA{Prometheus: "http://prometheus:9090", Query: "sum(up)", Threshold: "50"}

// TestValidateRefuses: every value the API server, a controller or KEDA
// would reject is refused, with the app-file key it came from.
func TestValidateRefuses(t *testing.T) {
	ok := func(f func(*App)) App {
		a := App{Name: "web", Image: "registry.example.com/web:1", Port: 8080}
		f(&a)
		return a
	}
	cases := []struct {
		name string
		app  App
		key  string
		want string
	}{
		{"no name", ok(func(a *App) { a.Name = "" }), "name", "is required"},
		{"name not a label", ok(func(a *App) { a.Name = "Web_1" }), "name", "DNS-1035"},
		{"name too long", ok(func(a *App) { a.Name = strings.Repeat("a", 64) }), "name", "63"},
		{"service name starts with a digit", ok(func(a *App) { a.Name = "1web" }), "name", "start with an alphabetic"},
		{"namespace", ok(func(a *App) { a.Namespace = "Shop" }), "namespace", "RFC 1123"},
		{"part-of label value", ok(func(a *App) { a.PartOf = "my shop" }), "partOf", "label"},
		{"no image", ok(func(a *App) { a.Image = "" }), "image", "is required"},
		{"image not a reference", ok(func(a *App) { a.Image = "Registry/Web:1" }), "image", "not an image reference"},
		{"image bad tag", ok(func(a *App) { a.Image = "web:a b" }), "image", "not an image reference"},
		{"port above range", ok(func(a *App) { a.Port = 70000 }), "port", "between 1 and 65535"},
		{"negative port", ok(func(a *App) { a.Port = -1 }), "port", "between 1 and 65535"},
		{"health path relative", ok(func(a *App) { a.HealthPath = "healthz" }), "healthPath", "must start with /"},
		{"liveness path relative", ok(func(a *App) { a.LivenessPath = "live" }), "livenessPath", "must start with /"},
		{"same probe paths", ok(func(a *App) { a.HealthPath, a.LivenessPath = "/h", "/h" }), "livenessPath", "must differ"},
		{"health path without port", ok(func(a *App) { a.Port, a.HealthPath = 0, "/h" }), "healthPath", "needs a port"},
		{"startup probe without port", ok(func(a *App) { a.Port, a.StartupProbe = 0, true }), "startupProbe", "needs a port"},
		{"service type", ok(func(a *App) { a.ServiceType = "ExternalName" }), "serviceType", "ClusterIP"},
		{"pull policy", ok(func(a *App) { a.ImagePullPolicy = "always" }), "imagePullPolicy", "Always"},
		{"host not DNS", ok(func(a *App) { a.Host = "Web_App.example.com" }), "host", "RFC 1123"},
		{"host is an IP", ok(func(a *App) { a.Host = "10.0.0.1" }), "host", "not an IP address"},
		{"host without port", ok(func(a *App) { a.Port, a.Host = 0, "web.example.com" }), "host", "needs a port"},
		{"path relative", ok(func(a *App) { a.Host, a.Path = "web.example.com", "api" }), "path", "must start with /"},
		{"path with //", ok(func(a *App) { a.Host, a.Path = "web.example.com", "/a//b" }), "path", `"//"`},
		{"path ends /..", ok(func(a *App) { a.Host, a.Path = "web.example.com", "/a/.." }), "path", "must not end"},
		{"tls without host", ok(func(a *App) { a.TLSSecret = "t" }), "tlsSecret", "needs a host"},
		{"tls secret name", ok(func(a *App) { a.Host, a.TLSSecret = "web.example.com", "Web_TLS" }), "tlsSecret", "RFC 1123"},
		{"ingress class", ok(func(a *App) { a.IngressClass = "NGINX" }), "ingressClass", "RFC 1123"},
		{"hpa negative", ok(func(a *App) { a.HPACPU = -5 }), "hpaCPU", "1 to 1000"},
		{"hpa and keda", ok(func(a *App) { a.HPACPU, a.KEDA = 50, keda }), "keda", "not both"},
		{"keda no address", ok(func(a *App) { k := *keda; k.Prometheus = ""; a.KEDA = &k }), "keda.prometheus", "needs"},
		{"keda address not a URL", ok(func(a *App) { k := *keda; k.Prometheus = "prometheus:9090"; a.KEDA = &k }), "keda.prometheus", "http"},
		{"keda no query", ok(func(a *App) { k := *keda; k.Query = ""; a.KEDA = &k }), "keda.query", "needs"},
		{"keda threshold not numeric", ok(func(a *App) { k := *keda; k.Threshold = "fifty"; a.KEDA = &k }), "keda.threshold", "number"},
		{"keda threshold zero", ok(func(a *App) { k := *keda; k.Threshold = "0"; a.KEDA = &k }), "keda.threshold", "above 0"},
		{"min above max", ok(func(a *App) { a.HPACPU, a.MinReplicas, a.MaxReplicas = 50, i32p(6), i32p(5) }), "min", "above max 5"},
		{"min 0 with an HPA", ok(func(a *App) { a.HPACPU, a.MinReplicas = 50, i32p(0) }), "min", "cannot scale to zero"},
		{"max 0", ok(func(a *App) { a.HPACPU, a.MaxReplicas = 50, i32p(0) }), "max", "1 or more"},
		{"negative min with KEDA", ok(func(a *App) { a.KEDA, a.MinReplicas = keda, i32p(-1) }), "min", "0 or more"},
		{"replicas with an autoscaler", ok(func(a *App) { a.HPACPU, a.Replicas = 50, i32p(3) }), "replicas", "autoscaler owns"},
		{"min without an autoscaler", ok(func(a *App) { a.MinReplicas = i32p(1) }), "min", "bounds an autoscaler"},
		{"negative replicas", ok(func(a *App) { a.Replicas = i32p(-1) }), "replicas", "0 or more"},
		{"user 0", ok(func(a *App) { a.User = i64p(0) }), "user", "root"},
		{"group 0", ok(func(a *App) { a.Group = i64p(0) }), "group", "root group"},
		{"user out of range", ok(func(a *App) { a.User = i64p(1 << 31) }), "user", "between 0 and 2147483647"},
		{"negative group", ok(func(a *App) { a.Group = i64p(-3) }), "group", "between 0 and 2147483647"},
		{"bad quantity", ok(func(a *App) { a.CPU = "lots" }), "cpu", "quantities must match"},
		{"negative memory", ok(func(a *App) { a.Memory, a.MemoryLimit = "-1Mi", "1Mi" }), "memory", "negative"},
		{"cpu limit below request", ok(func(a *App) { a.CPU, a.CPULimit = "500m", "250m" }), "cpuLimit", "below the request"},
		{"memory limit below default request", ok(func(a *App) { a.MemoryLimit = "64Mi" }), "memoryLimit", "below the request"},
		{"ephemeral limit below request", ok(func(a *App) { a.EphemeralStorage, a.EphemeralLimit = "1Gi", "512Mi" }), "ephemeralLimit", "below the request"},
		{"env twice", ok(func(a *App) { a.Env = []EnvVar{{Name: "A"}, {Name: "A"}} }), "env", "set twice"},
		{"env name", ok(func(a *App) { a.Env = []EnvVar{{Name: "1 A", Value: "x"}} }), "env", "not a valid variable name"},
		{"env no name", ok(func(a *App) { a.Env = []EnvVar{{Value: "x"}} }), "env", "no name"},
		{"secret ref shape", ok(func(a *App) { a.Env = []EnvVar{{Name: "A", SecretRef: "db/"}} }), "env", "secret-name/key"},
		{"value and secret", ok(func(a *App) { a.Env = []EnvVar{{Name: "A", Value: "x", SecretRef: "db/password"}} }), "env", "give one"},
		{"secret name", ok(func(a *App) { a.Env = []EnvVar{{Name: "A", SecretRef: "DB/password"}} }), "env", "secret name"},
		{"secret key", ok(func(a *App) { a.Env = []EnvVar{{Name: "A", SecretRef: "db/pass word"}} }), "env", "secret key"},
		{"bad CIDR", ok(func(a *App) { a.EgressCIDRs = []string{"10.0.0.0/33"} }), "egressCIDRs", "CIDR"},
		{"non-canonical CIDR", ok(func(a *App) { a.EgressCIDRs = []string{"10.0.0.1/8"} }), "egressCIDRs", "bits set beyond the prefix length"},
		{"metrics port out of range", ok(func(a *App) { a.MetricsPort = 70000 }), "metricsPort", "between 1 and 65535"},
		{"metrics path relative", ok(func(a *App) { a.MetricsPath = "metrics" }), "metricsPath", "absolute URL path"},
		{"metrics path with a query", ok(func(a *App) { a.MetricsPath = "/metrics?x=1" }), "metricsPath", "absolute URL path"},
		{"metrics path without a port", ok(func(a *App) { a.Port, a.MetricsPath = 0, "/metrics" }), "metricsPath", "needs a port"},
		{"alert threshold above 1", ok(func(a *App) { a.Alerts = &alerts.Config{CPU: ptr(85.0)} }), "alerts.cpu", "at most 1"},
		{"alert duration 0", ok(func(a *App) { a.Alerts = &alerts.Config{PendingFor: "0s"} }), "alerts.pendingFor", "above 0"},
		{"SLO target 1", ok(func(a *App) { a.Alerts = &alerts.Config{SLOAvailability: ptr(1.0)} }), "alerts.sloAvailability", "below 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.app
			a.Complete()
			err := a.Validate()
			var fe *FieldError
			if err == nil || !errors.As(err, &fe) {
				t.Fatalf("err %v, want a refusal of %s", err, c.key)
			}
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				if fe := e.(*FieldError); fe.Key == c.key && strings.Contains(fe.Reason, c.want) {
					return
				}
			}
			t.Errorf("err %v, want %s: ...%s...", err, c.key, c.want)
		})
	}
}

// TestExplicitValuesHonoured: explicit zeros and other values Complete must
// not replace with defaults.
func TestExplicitValuesHonoured(t *testing.T) {
	cases := []struct {
		name  string
		app   App
		check func(a App) string
	}{
		{"replicas 0", App{Replicas: i32p(0)}, func(a App) string { return i32(a.Replicas) }},
		{"KEDA min 0", App{KEDA: keda, MinReplicas: i32p(0)}, func(a App) string { return i32(a.MinReplicas) }},
		{"min equal to max", App{HPACPU: 50, MinReplicas: i32p(3), MaxReplicas: i32p(3)}, func(a App) string { return i32(a.MinReplicas) + "-" + i32(a.MaxReplicas) }},
		{"min above the default max", App{HPACPU: 50, MinReplicas: i32p(12)}, func(a App) string { return i32(a.MinReplicas) + "-" + i32(a.MaxReplicas) }},
		{"user and group", App{User: i64p(1), Group: i64p(2)}, func(a App) string {
			return strings.Join([]string{i32(i32p(int32(*a.User))), i32(i32p(int32(*a.Group)))}, ",")
		}},
		{"ephemeral request above the default limit", App{EphemeralStorage: "1Gi"}, func(a App) string { return a.EphemeralLimit }},
		{"wildcard host", App{Host: "*.example.com"}, func(a App) string { return a.Host }},
	}
	want := map[string]string{"replicas 0": "0", "KEDA min 0": "0", "min equal to max": "3-3", "min above the default max": "12-12",
		"user and group": "1,2", "ephemeral request above the default limit": "1Gi", "wildcard host": "*.example.com"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.app
			a.Name, a.Image, a.Port = "web", "registry.example.com/web:1", 8080
			a.Complete()
			if err := a.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := c.check(a); got != want[c.name] {
				t.Errorf("got %s, want %s", got, want[c.name])
			}
			if _, err := Build(a); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestMonitoring: `k8s alerts` needs no image and checks only what its
// objects read; it writes a ServiceMonitor for an app with a port, a
// PodMonitor for one without, and the PrometheusRule.
func TestMonitoring(t *testing.T) {
	cases := []struct {
		name  string
		app   App
		kinds string
	}{
		{"service", App{Name: "web", Port: 8080, MetricsPort: 9090, Alerts: &alerts.Config{}}, "ServiceMonitor PrometheusRule"},
		{"pods", App{Name: "worker", MetricsPath: "/m", MetricsPort: 9100, Alerts: &alerts.Config{}}, "PodMonitor PrometheusRule"},
		{"rules only", App{Name: "web", Port: 8080, Alerts: &alerts.Config{}}, "PrometheusRule"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.app
			a.Complete()
			objs, err := Monitoring(a)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, o := range objs {
				kinds = append(kinds, o.Kind)
			}
			if got := strings.Join(kinds, " "); got != c.kinds {
				t.Errorf("kinds %q, want %q", got, c.kinds)
			}
		})
	}
	a := App{Name: "web", Alerts: &alerts.Config{CPU: ptr(0.0)}}
	a.Complete()
	if _, err := Monitoring(a); err == nil || !strings.Contains(err.Error(), "alerts.cpu") || strings.Contains(err.Error(), "image") {
		t.Errorf("err %v, want alerts.cpu refused and no word of the image", err)
	}
}
