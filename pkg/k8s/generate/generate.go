// Package generate builds hardened Kubernetes manifests for one app from
// k8s.io/api's typed structs (never text templates): a Deployment, Service,
// Ingress, HorizontalPodAutoscaler or KEDA ScaledObject, PodDisruptionBudget,
// NetworkPolicy and ServiceAccount, with the defaults kube-score and
// kube-linter ask for; and, from prometheus-operator's typed API, a
// ServiceMonitor for an app exposing metrics and a PrometheusRule with its
// alerts (pkg/k8s/alerts).
package generate

import (
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/slimship/slimship/pkg/k8s/alerts"
)

// App describes the app to generate manifests for. Its JSON names are the
// keys of an app file (slimship.yaml).
type App struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	Image     string `json:"image"`
	// PartOf fills app.kubernetes.io/part-of.
	PartOf string `json:"partOf,omitempty"`
	// Port the container listens on (0: no Service, Ingress or probes).
	Port int32 `json:"port,omitempty"`
	// HealthPath is the HTTP readiness (and startup) path; without it the
	// probes are TCP checks of Port.
	HealthPath string `json:"healthPath,omitempty"`
	// LivenessPath is an HTTP liveness path; by default liveness is a TCP
	// check, so a slow dependency never restarts the pod.
	LivenessPath string `json:"livenessPath,omitempty"`
	StartupProbe bool   `json:"startupProbe,omitempty"`

	ServiceType  string `json:"serviceType,omitempty"`
	Host         string `json:"host,omitempty"`
	Path         string `json:"path,omitempty"`
	TLSSecret    string `json:"tlsSecret,omitempty"`
	IngressClass string `json:"ingressClass,omitempty"`

	// Replicas when no autoscaler owns them (default 2). Pointers tell an
	// explicit 0 from unset: an explicit value is taken or refused, never
	// replaced by a default.
	Replicas *int32 `json:"replicas,omitempty"`
	// MinReplicas and MaxReplicas bound an autoscaler (defaults 2 and 10).
	MinReplicas *int32 `json:"min,omitempty"`
	MaxReplicas *int32 `json:"max,omitempty"`
	// HPACPU and HPAMemory are target utilisation percentages.
	HPACPU    int32 `json:"hpaCPU,omitempty"`
	HPAMemory int32 `json:"hpaMemory,omitempty"`
	KEDA      *KEDA `json:"keda,omitempty"`

	CPU              string `json:"cpu,omitempty"`
	CPULimit         string `json:"cpuLimit,omitempty"`
	Memory           string `json:"memory,omitempty"`
	MemoryLimit      string `json:"memoryLimit,omitempty"`
	EphemeralStorage string `json:"ephemeralStorage,omitempty"`
	EphemeralLimit   string `json:"ephemeralLimit,omitempty"`

	ImagePullPolicy string `json:"imagePullPolicy,omitempty"`
	// User and Group the container runs as (default 10001; Group defaults
	// to User).
	User  *int64 `json:"user,omitempty"`
	Group *int64 `json:"group,omitempty"`

	Env []EnvVar `json:"env,omitempty"`

	// EgressCIDRs restricts egress to DNS plus these CIDRs; empty allows all
	// egress (the NetworkPolicy still declares the Egress type).
	EgressCIDRs []string `json:"egressCIDRs,omitempty"`

	// MetricsPort is where the app serves Prometheus metrics when that is
	// not Port; MetricsPath is their path (default /metrics). Either one
	// adds a ServiceMonitor (a PodMonitor for an app without a Port: no
	// Service).
	MetricsPort int32  `json:"metricsPort,omitempty"`
	MetricsPath string `json:"metricsPath,omitempty"`
	// Alerts adds a PrometheusRule with these thresholds.
	Alerts *alerts.Config `json:"alerts,omitempty"`
}

// EnvVar is a literal environment variable or a reference to a Secret key.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
	// SecretRef is "secret-name/key".
	SecretRef string `json:"secretRef,omitempty"`
}

// KEDA configures a ScaledObject with a Prometheus trigger instead of an HPA.
type KEDA struct {
	Prometheus string `json:"prometheus"`
	Query      string `json:"query"`
	Threshold  string `json:"threshold"`
}

// Defaults.
const (
	DefaultUser             = 10001
	DefaultCPU              = "100m"
	DefaultMemory           = "128Mi"
	DefaultEphemeral        = "64Mi"
	DefaultEphemeralLimit   = "256Mi"
	DefaultMinReplicas      = 2
	DefaultMaxReplicas      = 10
	DefaultReplicas         = 2
	DefaultMetricsPath      = "/metrics"
	ManagedBy               = "slimship"
	scaleDownStabilization  = 300
	tmpVolumeName           = "tmp"
	tmpSizeLimit            = "64Mi"
	defaultTerminationGrace = 30
)

// Complete fills defaults for what is unset. It never replaces a value that
// was given, 0 included: Validate takes or refuses those.
func (a *App) Complete() {
	if a.User == nil {
		a.User = ptr(int64(DefaultUser))
	}
	if a.Group == nil {
		a.Group = ptr(*a.User)
	}
	if a.CPU == "" {
		a.CPU = DefaultCPU
	}
	if a.Memory == "" {
		a.Memory = DefaultMemory
	}
	if a.CPULimit == "" {
		if q, err := resource.ParseQuantity(a.CPU); err == nil {
			q.Add(q) // a limit of twice the request leaves room for bursts
			a.CPULimit = q.String()
		}
	}
	if a.MemoryLimit == "" {
		a.MemoryLimit = a.Memory // memory is not compressible: limit = request
	}
	if a.EphemeralStorage == "" {
		a.EphemeralStorage = DefaultEphemeral
	}
	if a.EphemeralLimit == "" {
		// The default limit, or the request when that is larger: a default
		// must never make a request the API server rejects.
		a.EphemeralLimit = DefaultEphemeralLimit
		if q, err := resource.ParseQuantity(a.EphemeralStorage); err == nil && q.Cmp(resource.MustParse(DefaultEphemeralLimit)) > 0 {
			a.EphemeralLimit = a.EphemeralStorage
		}
	}
	if a.ServiceType == "" {
		a.ServiceType = "ClusterIP"
	}
	if a.Path == "" {
		a.Path = "/"
	}
	if a.ImagePullPolicy == "" {
		a.ImagePullPolicy = "Always"
	}
	if a.MetricsPort > 0 && a.MetricsPath == "" {
		a.MetricsPath = DefaultMetricsPath
	}
	if a.Alerts != nil {
		a.Alerts.Complete()
	}
	if a.Autoscaled() {
		if a.MinReplicas == nil {
			a.MinReplicas = ptr(int32(DefaultMinReplicas))
		}
		if a.MaxReplicas == nil {
			a.MaxReplicas = ptr(max(int32(DefaultMaxReplicas), *a.MinReplicas))
		}
	} else if a.Replicas == nil {
		a.Replicas = ptr(int32(DefaultReplicas))
	}
}

// Autoscaled reports whether an HPA or a ScaledObject owns the replica count.
func (a *App) Autoscaled() bool {
	return a.HPACPU > 0 || a.HPAMemory > 0 || a.KEDA != nil
}

// Monitored reports whether the app exposes metrics (a ServiceMonitor
// scrapes them).
func (a *App) Monitored() bool { return a.MetricsPort > 0 || a.MetricsPath != "" }

// metricsPortName is the name of the container and Service port serving
// metrics: "http" when they share the app's port, else "metrics".
func (a *App) metricsPortName() string {
	if a.MetricsPort == 0 || a.MetricsPort == a.Port {
		return "http"
	}
	return "metrics"
}

// hasService: a Service fronts the app's port (and its metrics port).
func (a *App) hasService() bool { return a.Port > 0 }

// hasLiveness reports whether the container gets a liveness probe.
func (a *App) hasLiveness() bool { return a.Port > 0 && (a.LivenessPath != "" || a.HealthPath != "") }
