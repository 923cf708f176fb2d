// Package generate builds hardened Kubernetes manifests for one app from
// k8s.io/api's typed structs (never text templates): a Deployment, Service,
// Ingress, HorizontalPodAutoscaler or KEDA ScaledObject, PodDisruptionBudget,
// NetworkPolicy and ServiceAccount, with the defaults kube-score and
// kube-linter ask for.
package generate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"k8s.io/apimachinery/pkg/api/resource"
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

	// Replicas when no autoscaler owns them (default 2).
	Replicas int32 `json:"replicas,omitempty"`
	// MinReplicas and MaxReplicas bound an autoscaler (defaults 2 and 10).
	MinReplicas int32 `json:"min,omitempty"`
	MaxReplicas int32 `json:"max,omitempty"`
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
	// User and Group the container runs as (default 10001).
	User  int64 `json:"user,omitempty"`
	Group int64 `json:"group,omitempty"`

	Env []EnvVar `json:"env,omitempty"`

	// EgressCIDRs restricts egress to DNS plus these CIDRs; empty allows all
	// egress (the NetworkPolicy still declares the Egress type).
	EgressCIDRs []string `json:"egressCIDRs,omitempty"`
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
	ManagedBy               = "slimship"
	scaleDownStabilization  = 300
	tmpVolumeName           = "tmp"
	tmpSizeLimit            = "64Mi"
	defaultTerminationGrace = 30
)

var dnsLabel = lazyre.New(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Complete fills defaults.
func (a *App) Complete() {
	if a.User == 0 {
		a.User = DefaultUser
	}
	if a.Group == 0 {
		a.Group = a.User
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
		a.EphemeralLimit = DefaultEphemeralLimit
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
	if a.Autoscaled() {
		if a.MinReplicas == 0 {
			a.MinReplicas = DefaultMinReplicas
		}
		if a.MaxReplicas == 0 {
			a.MaxReplicas = DefaultMaxReplicas
		}
	} else if a.Replicas == 0 {
		a.Replicas = DefaultReplicas
	}
}

// Autoscaled reports whether an HPA or a ScaledObject owns the replica count.
func (a *App) Autoscaled() bool {
	return a.HPACPU > 0 || a.HPAMemory > 0 || a.KEDA != nil
}

// Validate checks a completed App.
func (a *App) Validate() error {
	var errs []error
	bad := func(format string, v ...any) { errs = append(errs, fmt.Errorf(format, v...)) }
	if a.Name == "" {
		bad("name is required")
	} else if len(a.Name) > 63 || !dnsLabel.MatchString(a.Name) {
		bad("name %q is not a DNS label (lower-case letters, digits and -, at most 63)", a.Name)
	}
	if a.Namespace != "" && !dnsLabel.MatchString(a.Namespace) {
		bad("namespace %q is not a DNS label", a.Namespace)
	}
	if a.Image == "" {
		bad("image is required")
	}
	if a.Port < 0 || a.Port > 65535 {
		bad("port %d is out of range", a.Port)
	}
	if a.HealthPath != "" && !strings.HasPrefix(a.HealthPath, "/") {
		bad("health path %q must start with /", a.HealthPath)
	}
	if a.HealthPath != "" && a.HealthPath == a.LivenessPath {
		bad("liveness path must differ from the readiness path")
	}
	if (a.HealthPath != "" || a.Host != "") && a.Port == 0 {
		bad("health path and host need a port")
	}
	switch a.ServiceType {
	case "ClusterIP", "NodePort", "LoadBalancer":
	default:
		bad("service type %q: want ClusterIP, NodePort or LoadBalancer", a.ServiceType)
	}
	switch a.ImagePullPolicy {
	case "Always", "IfNotPresent", "Never":
	default:
		bad("image pull policy %q: want Always, IfNotPresent or Never", a.ImagePullPolicy)
	}
	if a.TLSSecret != "" && a.Host == "" {
		bad("a TLS secret needs a host")
	}
	for _, p := range []int32{a.HPACPU, a.HPAMemory} {
		if p < 0 || p > 1000 {
			bad("HPA target %d%% is out of range", p)
		}
	}
	if a.KEDA != nil {
		if a.HPACPU > 0 || a.HPAMemory > 0 {
			bad("use either an HPA (cpu/memory) or a KEDA ScaledObject, not both: KEDA creates its own HPA")
		}
		if a.KEDA.Prometheus == "" || a.KEDA.Query == "" || a.KEDA.Threshold == "" {
			bad("KEDA needs a Prometheus address, a query and a threshold")
		}
	}
	if a.Autoscaled() {
		if a.MinReplicas < 1 || a.MaxReplicas <= a.MinReplicas {
			bad("replicas: want 1 <= min < max, got min %d max %d", a.MinReplicas, a.MaxReplicas)
		}
	} else if a.Replicas < 1 {
		bad("replicas must be at least 1")
	}
	if a.User < 1 || a.Group < 1 {
		bad("user and group must be non-root")
	}
	for _, q := range []struct{ name, v string }{{"cpu", a.CPU}, {"cpu limit", a.CPULimit}, {"memory", a.Memory},
		{"memory limit", a.MemoryLimit}, {"ephemeral storage", a.EphemeralStorage}, {"ephemeral storage limit", a.EphemeralLimit}} {
		if _, err := resource.ParseQuantity(q.v); err != nil {
			bad("%s %q: %v", q.name, q.v, err)
		}
	}
	seen := map[string]bool{}
	for _, e := range a.Env {
		if e.Name == "" {
			bad("env: a variable has no name")
		}
		if seen[e.Name] {
			bad("env: %s is set twice", e.Name)
		}
		seen[e.Name] = true
		if e.SecretRef != "" && !strings.Contains(e.SecretRef, "/") {
			bad("env %s: secretRef %q: want secret-name/key", e.Name, e.SecretRef)
		}
	}
	return errors.Join(errs...)
}
