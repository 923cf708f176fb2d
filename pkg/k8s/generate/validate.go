package generate

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// FieldError is a value of an App that generate refuses: Key is its app-file
// key (JSON name, "keda.threshold" for nested ones), so a caller can name the
// flag or file key the value came from.
type FieldError struct {
	Key    string
	Reason string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Reason }

// Validate checks a completed App against what the API server, its
// controllers (KEDA, Prometheus) would reject, and against what generate
// refuses to write (a root user). It returns every problem, each a
// *FieldError, joined.
func (a *App) Validate() error { return a.validate(true) }

// ValidateMonitoring checks only what Monitoring reads: the app's name,
// namespace, ports, probe and metrics paths, and its alert thresholds.
func (a *App) ValidateMonitoring() error { return a.validate(false) }

func (a *App) validate(all bool) error {
	var errs []error
	bad := func(key, format string, v ...any) {
		errs = append(errs, &FieldError{Key: key, Reason: fmt.Sprintf(format, v...)})
	}
	msgs := func(key, what string, m []string) {
		if len(m) > 0 {
			bad(key, "%q: %s", what, strings.Join(m, "; "))
		}
	}

	// Every object is named after the app; the Service's name must be a
	// DNS-1035 label (starting with a letter), the others DNS-1123 labels,
	// and the name is also a label value and the container's name.
	switch {
	case a.Name == "":
		bad("name", "is required")
	case a.hasService():
		msgs("name", a.Name, validation.IsDNS1035Label(a.Name))
	default:
		msgs("name", a.Name, validation.IsDNS1123Label(a.Name))
	}
	if a.Namespace != "" {
		msgs("namespace", a.Namespace, validation.IsDNS1123Label(a.Namespace))
	}
	if a.PartOf != "" {
		msgs("partOf", a.PartOf, validation.IsValidLabelValue(a.PartOf))
	}
	switch _, err := name.ParseReference(a.Image); {
	case !all:
	case a.Image == "":
		bad("image", "is required")
	case err != nil:
		bad("image", "%q is not an image reference: %v", a.Image, err)
	}

	if a.Port != 0 {
		msgs("port", strconv.Itoa(int(a.Port)), validation.IsValidPortNum(int(a.Port)))
	}
	for _, p := range []struct{ key, path string }{{"healthPath", a.HealthPath}, {"livenessPath", a.LivenessPath}} {
		if p.path != "" && !strings.HasPrefix(p.path, "/") {
			bad(p.key, "%q must start with /", p.path)
		}
		if p.path != "" && a.Port == 0 {
			bad(p.key, "needs a port")
		}
	}
	if a.HealthPath != "" && a.HealthPath == a.LivenessPath {
		bad("livenessPath", "must differ from the readiness path (healthPath)")
	}
	validateMetrics(a, bad)
	if a.Alerts != nil {
		a.Alerts.Validate(func(key, format string, v ...any) { bad("alerts."+key, format, v...) })
	}
	if !all {
		return errors.Join(errs...)
	}
	if a.StartupProbe && a.Port == 0 {
		bad("startupProbe", "needs a port")
	}
	switch a.ServiceType {
	case "ClusterIP", "NodePort", "LoadBalancer":
	default:
		bad("serviceType", "%q: want ClusterIP, NodePort or LoadBalancer", a.ServiceType)
	}
	switch a.ImagePullPolicy {
	case "Always", "IfNotPresent", "Never":
	default:
		bad("imagePullPolicy", "%q: want Always, IfNotPresent or Never", a.ImagePullPolicy)
	}

	// Ingress.
	if a.Host != "" {
		if a.Port == 0 {
			bad("host", "needs a port")
		}
		switch {
		case net.ParseIP(a.Host) != nil:
			bad("host", "%q: an Ingress host must be a DNS name, not an IP address", a.Host)
		case strings.HasPrefix(a.Host, "*."):
			msgs("host", a.Host, validation.IsWildcardDNS1123Subdomain(a.Host))
		default:
			msgs("host", a.Host, validation.IsDNS1123Subdomain(a.Host))
		}
	}
	validateIngressPath(a.Path, bad)
	if a.TLSSecret != "" {
		if a.Host == "" {
			bad("tlsSecret", "needs a host")
		}
		msgs("tlsSecret", a.TLSSecret, validation.IsDNS1123Subdomain(a.TLSSecret))
	}
	if a.IngressClass != "" {
		msgs("ingressClass", a.IngressClass, validation.IsDNS1123Subdomain(a.IngressClass))
	}

	// Scaling.
	for _, p := range []struct {
		key string
		v   int32
	}{{"hpaCPU", a.HPACPU}, {"hpaMemory", a.HPAMemory}} {
		if p.v < 0 || p.v > 1000 {
			bad(p.key, "%d%%: want 1 to 1000 (0: none)", p.v)
		}
	}
	if a.KEDA != nil {
		validateKEDA(a, bad)
	}
	if a.Autoscaled() {
		if a.Replicas != nil {
			bad("replicas", "an autoscaler owns the replica count: give min and max instead")
		}
		validateMinMax(a, bad)
	} else {
		for _, k := range []struct {
			key string
			v   *int32
		}{{"min", a.MinReplicas}, {"max", a.MaxReplicas}} {
			if k.v != nil {
				bad(k.key, "bounds an autoscaler: give hpaCPU, hpaMemory or keda, or use replicas")
			}
		}
		if a.Replicas == nil || *a.Replicas < 0 {
			bad("replicas", "%s: want 0 or more", i32(a.Replicas))
		}
	}

	// Pod security: the generated pod runs as non-root.
	switch {
	case a.User == nil || *a.User == 0:
		bad("user", "0 is root: the pod runs with runAsNonRoot, which the kubelet refuses to start as UID 0; give a UID of 1 or more")
	default:
		msgs("user", strconv.FormatInt(*a.User, 10), validation.IsValidUserID(*a.User))
	}
	switch {
	case a.Group == nil:
		bad("group", "unset")
	case *a.Group == 0 && a.User != nil && *a.User == 0:
		// Defaulted from user, or as wrong as it: one error is enough.
	case *a.Group == 0:
		bad("group", "0 is the root group: give a GID of 1 or more")
	default:
		msgs("group", strconv.FormatInt(*a.Group, 10), validation.IsValidGroupID(*a.Group))
	}

	validateResources(a, bad)

	seen := map[string]bool{}
	for _, e := range a.Env {
		switch {
		case e.Name == "":
			bad("env", "a variable has no name")
		case seen[e.Name]:
			bad("env", "%s is set twice", e.Name)
		default:
			if m := validation.IsEnvVarName(e.Name); len(m) > 0 {
				bad("env", "%q is not a valid variable name: %s", e.Name, strings.Join(m, "; "))
			}
		}
		seen[e.Name] = true
		if e.SecretRef == "" {
			continue
		}
		if e.Value != "" {
			bad("env", "%s: a value and a secretRef: give one", e.Name)
		}
		secret, key, ok := strings.Cut(e.SecretRef, "/")
		if !ok || secret == "" || key == "" {
			bad("env", "%s: secretRef %q: want secret-name/key", e.Name, e.SecretRef)
			continue
		}
		if m := validation.IsDNS1123Subdomain(secret); len(m) > 0 {
			bad("env", "%s: secret name %q: %s", e.Name, secret, strings.Join(m, "; "))
		}
		if m := validation.IsConfigMapKey(key); len(m) > 0 {
			bad("env", "%s: secret key %q: %s", e.Name, key, strings.Join(m, "; "))
		}
	}
	for _, c := range a.EgressCIDRs {
		var m []string
		for _, e := range validation.IsValidCIDR(field.NewPath("egressCIDRs"), c) {
			m = append(m, e.Detail)
		}
		msgs("egressCIDRs", c, m)
	}
	return errors.Join(errs...)
}

// validateMetrics: a metrics port is a port; a metrics path is an absolute
// URL path served on the metrics port, or on the app's port without one.
func validateMetrics(a *App, bad func(key, format string, v ...any)) {
	if a.MetricsPort != 0 {
		if m := validation.IsValidPortNum(int(a.MetricsPort)); len(m) > 0 {
			bad("metricsPort", "%d: %s", a.MetricsPort, strings.Join(m, "; "))
		}
	}
	if p := a.MetricsPath; p != "" {
		if u, err := url.Parse(p); err != nil || !strings.HasPrefix(p, "/") || u.Path != p {
			bad("metricsPath", "%q: want an absolute URL path such as /metrics", p)
		}
		if a.Port == 0 && a.MetricsPort == 0 {
			bad("metricsPath", "needs a port or a metricsPort")
		}
	}
}

func i32(p *int32) string {
	if p == nil {
		return "unset"
	}
	return strconv.Itoa(int(*p))
}

// validateMinMax: the HPA controller needs 1 <= min (0 only behind the
// HPAScaleToZero alpha gate); KEDA scales to zero. Both need min <= max.
func validateMinMax(a *App, bad func(key, format string, v ...any)) {
	lo, hi := a.MinReplicas, a.MaxReplicas
	if lo == nil || hi == nil {
		bad("min", "min and max must be set for an autoscaler")
		return
	}
	switch {
	case *lo < 0:
		bad("min", "%d: want 0 or more", *lo)
	case *lo == 0 && a.KEDA == nil:
		bad("min", "0: an HorizontalPodAutoscaler cannot scale to zero (the API server refuses minReplicas 0 without the HPAScaleToZero alpha gate); use 1 or more, or a KEDA ScaledObject")
	}
	switch {
	case *hi < 1:
		bad("max", "%d: want 1 or more", *hi)
	case *lo > *hi:
		bad("min", "%d is above max %d", *lo, *hi)
	}
}

// validateKEDA checks the Prometheus trigger as KEDA's scaler parses it:
// an http(s) server address, a query, a number as threshold.
func validateKEDA(a *App, bad func(key, format string, v ...any)) {
	k := a.KEDA
	if a.HPACPU > 0 || a.HPAMemory > 0 {
		bad("keda", "use either an HPA (hpaCPU/hpaMemory) or a KEDA ScaledObject, not both: KEDA creates its own HPA")
	}
	if k.Prometheus == "" {
		bad("keda.prometheus", "KEDA needs a Prometheus address")
	} else if u, err := url.Parse(k.Prometheus); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("keda.prometheus", "%q: want an http:// or https:// URL", k.Prometheus)
	}
	if k.Query == "" {
		bad("keda.query", "KEDA needs a query")
	}
	if k.Threshold == "" {
		bad("keda.threshold", "KEDA needs a threshold")
	} else if f, err := strconv.ParseFloat(k.Threshold, 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
		bad("keda.threshold", "%q: want a number above 0 (KEDA parses it as a float)", k.Threshold)
	}
}

// validateIngressPath is the API server's rule for pathType Prefix: absolute,
// without "//", "/./", "/../", an encoded "/", or a "/." or "/.." ending.
func validateIngressPath(p string, bad func(key, format string, v ...any)) {
	if !strings.HasPrefix(p, "/") {
		bad("path", "%q must start with /", p)
		return
	}
	for _, seq := range []string{"//", "/./", "/../", "%2f", "%2F"} {
		if strings.Contains(p, seq) {
			bad("path", "%q must not contain %q", p, seq)
		}
	}
	for _, suf := range []string{"/..", "/."} {
		if strings.HasSuffix(p, suf) {
			bad("path", "%q must not end with %q", p, suf)
		}
	}
}

// validateResources parses every quantity and refuses a negative one or a
// limit below its request, as the API server does.
func validateResources(a *App, bad func(key, format string, v ...any)) {
	for _, r := range []struct {
		reqKey, req, limKey, lim string
	}{
		{"cpu", a.CPU, "cpuLimit", a.CPULimit},
		{"memory", a.Memory, "memoryLimit", a.MemoryLimit},
		{"ephemeralStorage", a.EphemeralStorage, "ephemeralLimit", a.EphemeralLimit},
	} {
		req, reqOK := quantity(r.reqKey, r.req, bad)
		lim, limOK := quantity(r.limKey, r.lim, bad)
		if reqOK && limOK && lim.Cmp(req) < 0 {
			bad(r.limKey, "%s is below the request %s (%s): the API server refuses a limit below its request", r.lim, r.req, r.reqKey)
		}
	}
}

func quantity(key, v string, bad func(key, format string, v ...any)) (resource.Quantity, bool) {
	q, err := resource.ParseQuantity(v)
	if err != nil {
		bad(key, "%q: %v", v, err)
		return q, false
	}
	if q.Sign() < 0 {
		bad(key, "%q must not be negative", v)
		return q, false
	}
	return q, true
}
