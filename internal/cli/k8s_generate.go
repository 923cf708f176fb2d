package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/internal/yamlstrict"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/k8s/alerts"
	"github.com/slimship/slimship/pkg/k8s/fleet"
	"github.com/slimship/slimship/pkg/k8s/generate"
	"github.com/slimship/slimship/pkg/registry"
)

// K8sGenerateOptions are the flags of `slimship k8s generate`.
type K8sGenerateOptions struct {
	ctx context.Context

	File          string
	OutDir        string
	Kustomize     bool
	ResolveDigest bool
	Insecure      bool
	FromImage     string
	Env           []string
	EnvSecret     []string
	// Alerts adds a PrometheusRule; alertsOnly (`k8s alerts`) writes only
	// it and the ServiceMonitor.
	Alerts     bool
	alertsOnly bool

	app      generate.App
	jobs     jobsOptions
	vals     *appFlagValues
	fileKeys map[string]bool
	flags    *cobra.Command
	s        Streams
}

func newK8sGenerateCmd(s Streams) *cobra.Command {
	o := &K8sGenerateOptions{s: s}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate hardened Kubernetes manifests for an app",
		Long: `Generate hardened manifests for one app from flags or an app file
(slimship.yaml, with the flags' names in camelCase: name, image, port,
healthPath, host, tlsSecret, hpaCPU, hpaMemory, min, max, keda {prometheus,
query, threshold}, cpu, memory, namespace, serviceType, startupProbe,
imagePullPolicy, ingressClass, env [{name, value | secretRef}], egressCIDRs).
Flags override the file.

An explicit value, 0 included, is taken or refused, never replaced by a
default: --replicas 0 is taken; --min 0 only with KEDA (an HPA cannot scale to
zero); --user 0 is refused (the pod runs as non-root). Values the API server, a
controller or KEDA would reject (names that are not DNS labels, a limit below
its request, a bad CIDR, host, path, port, image reference or env name, a
non-numeric KEDA threshold, --min above --max) are refused with exit 2, naming
the flag or app-file key.

Objects: ServiceAccount (no token), Deployment, Service, PodDisruptionBudget,
HorizontalPodAutoscaler (autoscaling/v2, with --hpa-cpu/--hpa-memory) or a KEDA
ScaledObject (with --keda-*), NetworkPolicy and Ingress (with --host). They pass
'slimship k8s lint' and kube-score without a CRITICAL. With --metrics-port or
--metrics-path, a prometheus-operator ServiceMonitor (a PodMonitor without
--port); with --alerts (or any --alert-*/--slo-* flag), a PrometheusRule: see
'slimship k8s alerts --help' for the alerts and their flags.

The NetworkPolicy denies ingress except to the app's port. It declares
egress but allows all of it unless --egress-cidr is given (then DNS and those
CIDRs only): which databases and APIs an app calls is not something a
generator can know, and a wrong guess breaks the app.

Output: one multi-document YAML stream on stdout, or with -o DIR one file per
kind (and kustomization.yaml with --kustomize).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.ctx = cmd.Context()
			return run(o)
		},
	}
	o.flags = cmd
	f := cmd.Flags()
	o.bindAppOutput(f)
	f.BoolVar(&o.ResolveDigest, "resolve-digest", false, "pin the image by digest, asking its registry")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP registries (for --resolve-digest and --from-image)")
	f.StringVar(&o.FromImage, "from-image", "", "read port, user and HEALTHCHECK path from this image's config (any transport: registry, oci:DIR, docker-archive:FILE...)")
	f.StringArrayVar(&o.Env, "env", nil, "environment variable NAME=VALUE (repeatable)")
	f.StringArrayVar(&o.EnvSecret, "env-secret", nil, "environment variable from a Secret: NAME=SECRET/KEY (repeatable)")
	f.BoolVar(&o.Alerts, "alerts", false, "add a PrometheusRule with the app's alerts (see 'slimship k8s alerts --help')")
	o.vals = appFlags(f, func(appFlag) bool { return true })
	o.jobs.addFlags(f)
	return cmd
}

// appFileMaxSize bounds k8s generate's app file.
const appFileMaxSize = 1 << 20

// Complete merges the app file, flags and image, and fills defaults.
func (o *K8sGenerateOptions) Complete() error {
	ctx := orBackground(o.ctx)
	if o.File != "" {
		b, err := bounded.ReadFile(o.File, appFileMaxSize)
		if err != nil {
			return usageErr("%v", err)
		}
		if err := yamlstrict.Decode(o.File, b, &o.app); err != nil {
			return usageErr("%v", err)
		}
		o.fileKeys = appFileKeys(b)
	}
	// The flags the user set lie over the app file; unset flags leave it
	// (and the defaults Complete fills) alone.
	for _, af := range appFlagTable {
		if o.flags != nil && o.flags.Flags().Changed(af.flag) {
			af.set(&o.app, o.vals)
		}
	}
	if (o.Alerts || o.alertsOnly) && o.app.Alerts == nil {
		o.app.Alerts = &alerts.Config{}
	}
	for _, e := range o.Env {
		k, v, ok := strings.Cut(e, "=")
		if !ok {
			return usageErr("--env %q: want NAME=VALUE", e)
		}
		o.app.Env = append(o.app.Env, generate.EnvVar{Name: k, Value: v})
	}
	for _, e := range o.EnvSecret {
		k, v, ok := strings.Cut(e, "=")
		if !ok {
			return usageErr("--env-secret %q: want NAME=SECRET/KEY", e)
		}
		o.app.Env = append(o.app.Env, generate.EnvVar{Name: k, SecretRef: v})
	}
	if o.FromImage != "" {
		img, err := transport.Open(ctx, o.FromImage, transport.Options{Insecure: o.Insecure})
		if err != nil {
			return usageErr("--from-image: %v", err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			return usageErr("--from-image %s: %v", o.FromImage, err)
		}
		// an explicit port (0 included: no Service) is the user's, not
		// the image's
		port, portSet := o.app.Port, o.fileKeys["port"] || o.flags != nil && o.flags.Flags().Changed("port")
		health := o.app.HealthPath
		for _, n := range generate.FromConfig(&o.app, cfg) {
			fmt.Fprintln(o.s.Err, "note:", n)
		}
		if portSet {
			o.app.Port = port
			if port == 0 && health == "" && o.app.HealthPath != "" {
				fmt.Fprintf(o.s.Err, "note: the image's HEALTHCHECK path %s is not used: --port 0 means no probes\n", o.app.HealthPath)
				o.app.HealthPath = ""
			}
		}
		if r, err := transport.ParseRef(o.FromImage, pathExists); err == nil && r.Kind == transport.Registry && o.app.Image == "" {
			o.app.Image = r.Name
		}
	}
	if o.jobs.On {
		return o.jobs.complete(o)
	}
	o.app.Complete()
	if o.ResolveDigest && o.app.Image != "" {
		img, err := resolveDigest(ctx, o.app.Image, o.Insecure)
		if err != nil {
			return usageErr("--resolve-digest: %v", err)
		}
		o.app.Image = img
	}
	return nil
}

// resolveDigest pins image by the digest its registry reports.
func resolveDigest(ctx context.Context, image string, insecure bool) (string, error) {
	ro := registry.Options{Insecure: insecure}
	ref, err := ro.ParseReference(image)
	if err != nil {
		return "", err
	}
	if d, ok := ref.(name.Digest); ok {
		return d.String(), nil
	}
	desc, err := remote.Head(ref, ro.Remote(ctx)...)
	if err != nil {
		return "", err
	}
	return image + "@" + desc.Digest.String(), nil
}

// Validate checks the flags and the app.
func (o *K8sGenerateOptions) Validate() error {
	if o.Kustomize && o.OutDir == "" {
		return usageErr("--kustomize needs -o DIR")
	}
	if o.jobs.On {
		return o.jobs.validate()
	}
	validate := o.app.Validate
	if o.alertsOnly {
		validate = o.app.ValidateMonitoring
	}
	if err := validate(); err != nil {
		return usageErr("%v", o.explain(err))
	}
	return nil
}

// explain names, for each refused value, the flag that set it, or the app
// file key, or says it is the default.
func (o *K8sGenerateOptions) explain(err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var lines []string
	for _, e := range joined.Unwrap() {
		fe, ok := e.(*generate.FieldError)
		if !ok {
			lines = append(lines, e.Error())
			continue
		}
		lines = append(lines, o.source(fe.Key)+": "+fe.Reason)
	}
	return errors.New(strings.Join(lines, "\n"))
}

// source is where the value of an app-file key came from.
func (o *K8sGenerateOptions) source(key string) string {
	var flags []string
	for _, af := range appFlagTable {
		if (af.key == key || strings.HasPrefix(af.key, key+".")) && o.flags != nil && o.flags.Flags().Changed(af.flag) {
			flags = append(flags, "--"+af.flag)
		}
	}
	if key == "env" {
		for _, fl := range []string{"env", "env-secret"} {
			if o.flags != nil && o.flags.Flags().Changed(fl) {
				flags = append(flags, "--"+fl)
			}
		}
	}
	switch {
	case len(flags) > 0:
		return strings.Join(flags, "/")
	case o.fileKeys[key] || o.fileKeys[strings.SplitN(key, ".", 2)[0]]:
		return o.File + ": " + key
	default:
		return key + " (default)"
	}
}

// Run builds and writes the manifests.
func (o *K8sGenerateOptions) Run() error {
	var (
		objs []generate.Object
		err  error
	)
	switch {
	case o.jobs.On:
		objs, err = fleet.Build(o.jobs.spec)
	case o.alertsOnly:
		objs, err = generate.Monitoring(o.app)
	default:
		objs, err = generate.Build(o.app)
	}
	if err != nil {
		return usageErr("%v", err)
	}
	if o.app.Alerts != nil && o.app.Port > 0 && o.app.LivenessPath == "" && o.app.HealthPath == "" {
		fmt.Fprintln(o.s.Err, "note: no LivenessProbeFailing alert: the container has no liveness probe (give --liveness-path or --health-path)")
	}
	if o.OutDir == "" {
		b, err := generate.Stream(objs)
		if err != nil {
			return err
		}
		_, err = o.s.Out.Write(b)
		return err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return err
	}
	for _, obj := range objs {
		b, err := generate.Marshal(obj.Value)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(o.OutDir, obj.File), b, 0o644); err != nil {
			return err
		}
	}
	if o.Kustomize {
		b, err := generate.Kustomization(objs)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(o.OutDir, "kustomization.yaml"), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.s.Err, "wrote %s to %s\n", units.Count(len(objs), "manifest"), o.OutDir)
	return nil
}

func pathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// appFileKeys lists the keys an app file sets ("keda.threshold" for
// nested ones), to name them in errors.
func appFileKeys(b []byte) map[string]bool {
	var m map[string]any
	_ = yaml.Unmarshal(b, &m)
	keys := map[string]bool{}
	for k, v := range m {
		keys[k] = true
		if sub, ok := v.(map[string]any); ok {
			for sk := range sub {
				keys[k+"."+sk] = true
			}
		}
	}
	return keys
}

// appFlagValues holds what the App flags parse into, by flag name;
// appFlagTable copies the flags the user set into the App, so an explicit 0
// stays 0 and an unset flag leaves the app file and the defaults alone.
type appFlagValues struct {
	str map[string]*string
	i32 map[string]*int32
	i64 map[string]*int64
	f64 map[string]*float64
	b   map[string]*bool
	ss  map[string]*[]string
}

// appFlag binds one flag to one app-file key.
type appFlag struct {
	flag, short, key, usage string
	kind                    string // "s", "i32", "i64", "f64", "b" or "ss"
	set                     func(a *generate.App, v *appFlagValues)
	// monitoring: `k8s alerts` takes this flag too.
	monitoring bool
}

func strFlag(flag, key, usage string, field func(a *generate.App) *string) appFlag {
	return appFlag{flag: flag, key: key, usage: usage, kind: "s", set: func(a *generate.App, v *appFlagValues) { *field(a) = *v.str[flag] }}
}

func kedaFlag(flag, key, usage string, field func(k *generate.KEDA) *string) appFlag {
	return appFlag{flag: flag, key: key, usage: usage, kind: "s", set: func(a *generate.App, v *appFlagValues) {
		if a.KEDA == nil {
			a.KEDA = &generate.KEDA{}
		}
		*field(a.KEDA) = *v.str[flag]
	}}
}

func i32Flag(flag, key, usage string, field func(a *generate.App) *int32) appFlag {
	return appFlag{flag: flag, key: key, usage: usage, kind: "i32", set: func(a *generate.App, v *appFlagValues) { *field(a) = *v.i32[flag] }}
}

func i32PtrFlag(flag, key, usage string, field func(a *generate.App) **int32) appFlag {
	return appFlag{flag: flag, key: key, usage: usage, kind: "i32", set: func(a *generate.App, v *appFlagValues) { n := *v.i32[flag]; *field(a) = &n }}
}

func i64PtrFlag(flag, key, usage string, field func(a *generate.App) **int64) appFlag {
	return appFlag{flag: flag, key: key, usage: usage, kind: "i64", set: func(a *generate.App, v *appFlagValues) { n := *v.i64[flag]; *field(a) = &n }}
}

// alertFlag binds a flag to a key of the app file's alerts section; the
// flag turns the alerts on.
func alertFlag(flag, key, kind, usage string, set func(c *alerts.Config, v *appFlagValues)) appFlag {
	return appFlag{flag: flag, key: "alerts." + key, usage: usage, kind: kind, monitoring: true, set: func(a *generate.App, v *appFlagValues) {
		if a.Alerts == nil {
			a.Alerts = &alerts.Config{}
		}
		set(a.Alerts, v)
	}}
}

func alertStr(flag, key, usage string, field func(c *alerts.Config) *string) appFlag {
	return alertFlag(flag, key, "s", usage, func(c *alerts.Config, v *appFlagValues) { *field(c) = *v.str[flag] })
}

func alertF64(flag, key, usage string, field func(c *alerts.Config) **float64) appFlag {
	return alertFlag(flag, key, "f64", usage, func(c *alerts.Config, v *appFlagValues) { f := *v.f64[flag]; *field(c) = &f })
}

// monitored marks a flag `k8s alerts` takes too.
func monitored(f appFlag) appFlag { f.monitoring = true; return f }

// appFlagTable is every flag that sets an App value, with its app-file key.
var appFlagTable = []appFlag{
	monitored(strFlag("name", "name", "app name (a DNS label)", func(a *generate.App) *string { return &a.Name })),
	monitored(strFlag("image", "image", "container image", func(a *generate.App) *string { return &a.Image })),
	{flag: "namespace", short: "n", key: "namespace", usage: "namespace", kind: "s", monitoring: true,
		set: func(a *generate.App, v *appFlagValues) { a.Namespace = *v.str["namespace"] }},
	monitored(strFlag("part-of", "partOf", "app.kubernetes.io/part-of label", func(a *generate.App) *string { return &a.PartOf })),
	monitored(i32Flag("port", "port", "container port (0: no Service, Ingress or probes)", func(a *generate.App) *int32 { return &a.Port })),
	monitored(strFlag("health-path", "healthPath", "HTTP readiness path (default: TCP checks)", func(a *generate.App) *string { return &a.HealthPath })),
	monitored(strFlag("liveness-path", "livenessPath", "HTTP liveness path (default: TCP check)", func(a *generate.App) *string { return &a.LivenessPath })),
	{flag: "startup-probe", key: "startupProbe", usage: "add a startup probe for slow starters", kind: "b",
		set: func(a *generate.App, v *appFlagValues) { a.StartupProbe = *v.b["startup-probe"] }},
	strFlag("service-type", "serviceType", "Service type: ClusterIP, NodePort or LoadBalancer (default ClusterIP)", func(a *generate.App) *string { return &a.ServiceType }),
	strFlag("host", "host", "Ingress host (no Ingress without it)", func(a *generate.App) *string { return &a.Host }),
	strFlag("path", "path", "Ingress path (pathType Prefix; default /)", func(a *generate.App) *string { return &a.Path }),
	strFlag("tls-secret", "tlsSecret", "TLS Secret for the Ingress host", func(a *generate.App) *string { return &a.TLSSecret }),
	strFlag("ingress-class", "ingressClass", "ingressClassName", func(a *generate.App) *string { return &a.IngressClass }),
	i32PtrFlag("replicas", "replicas", "replicas when no autoscaler owns them (default 2; 0 is taken)", func(a *generate.App) **int32 { return &a.Replicas }),
	i32PtrFlag("min", "min", "autoscaler minimum (default 2; 0 only with KEDA)", func(a *generate.App) **int32 { return &a.MinReplicas }),
	i32PtrFlag("max", "max", "autoscaler maximum (default 10, or min if larger)", func(a *generate.App) **int32 { return &a.MaxReplicas }),
	i32Flag("hpa-cpu", "hpaCPU", "HPA target CPU utilisation, percent", func(a *generate.App) *int32 { return &a.HPACPU }),
	i32Flag("hpa-memory", "hpaMemory", "HPA target memory utilisation, percent", func(a *generate.App) *int32 { return &a.HPAMemory }),
	kedaFlag("keda-prometheus", "keda.prometheus", "KEDA ScaledObject: Prometheus server address (http:// or https://)", func(k *generate.KEDA) *string { return &k.Prometheus }),
	kedaFlag("keda-query", "keda.query", "KEDA ScaledObject: PromQL query", func(k *generate.KEDA) *string { return &k.Query }),
	kedaFlag("keda-threshold", "keda.threshold", "KEDA ScaledObject: target value per pod (a number)", func(k *generate.KEDA) *string { return &k.Threshold }),
	strFlag("cpu", "cpu", "CPU request (default 100m; limit twice that)", func(a *generate.App) *string { return &a.CPU }),
	strFlag("cpu-limit", "cpuLimit", "CPU limit", func(a *generate.App) *string { return &a.CPULimit }),
	strFlag("memory", "memory", "memory request and limit (default 128Mi)", func(a *generate.App) *string { return &a.Memory }),
	strFlag("memory-limit", "memoryLimit", "memory limit", func(a *generate.App) *string { return &a.MemoryLimit }),
	strFlag("ephemeral-storage", "ephemeralStorage", "ephemeral-storage request (default 64Mi)", func(a *generate.App) *string { return &a.EphemeralStorage }),
	strFlag("ephemeral-storage-limit", "ephemeralLimit", "ephemeral-storage limit (default 256Mi, or the request if larger)", func(a *generate.App) *string { return &a.EphemeralLimit }),
	strFlag("image-pull-policy", "imagePullPolicy", "imagePullPolicy (default Always)", func(a *generate.App) *string { return &a.ImagePullPolicy }),
	i64PtrFlag("user", "user", "UID to run as (default 10001; 0 is refused)", func(a *generate.App) **int64 { return &a.User }),
	i64PtrFlag("group", "group", "GID to run as (default: the UID; 0 is refused)", func(a *generate.App) **int64 { return &a.Group }),
	{flag: "egress-cidr", key: "egressCIDRs", usage: "allow egress only to DNS and these CIDRs", kind: "ss",
		set: func(a *generate.App, v *appFlagValues) { a.EgressCIDRs = *v.ss["egress-cidr"] }},

	monitored(i32Flag("metrics-port", "metricsPort", "port serving Prometheus metrics, if not --port (adds a ServiceMonitor, or a PodMonitor without --port)",
		func(a *generate.App) *int32 { return &a.MetricsPort })),
	monitored(strFlag("metrics-path", "metricsPath", "path of the Prometheus metrics (default /metrics; adds a ServiceMonitor)",
		func(a *generate.App) *string { return &a.MetricsPath })),

	alertF64("alert-cpu", "cpu", "alert when a container uses more than this share of its CPU limit (default 0.85)", func(c *alerts.Config) **float64 { return &c.CPU }),
	alertStr("alert-cpu-for", "cpuFor", "... for this long (default 5m)", func(c *alerts.Config) *string { return &c.CPUFor }),
	alertF64("alert-memory", "memory", "alert when a container's working set is above this share of its memory limit (default 0.85)", func(c *alerts.Config) **float64 { return &c.Memory }),
	alertStr("alert-memory-for", "memoryFor", "... for this long (default 5m)", func(c *alerts.Config) *string { return &c.MemoryFor }),
	alertF64("alert-probe-failures", "probeFailures", "alert when more than this share of liveness probes fail over 5m (default 0.05)", func(c *alerts.Config) **float64 { return &c.ProbeFailures }),
	alertStr("alert-probe-for", "probeFor", "... for this long (default 5m)", func(c *alerts.Config) *string { return &c.ProbeFor }),
	alertStr("alert-pending-for", "pendingFor", "alert when a pod is Pending this long (default 10m)", func(c *alerts.Config) *string { return &c.PendingFor }),
	alertStr("alert-node-not-ready-for", "nodeNotReadyFor", "alert when a node running the app is not Ready this long (default 10m)", func(c *alerts.Config) *string { return &c.NodeNotReadyFor }),
	alertStr("alert-crashloop-for", "crashLoopFor", "alert when a container is in CrashLoopBackOff this long (default 15m)", func(c *alerts.Config) *string { return &c.CrashLoopFor }),
	alertFlag("alert-restarts", "restarts", "i32", "alert when a container restarts this many times ... (default 3)", func(c *alerts.Config, v *appFlagValues) {
		n := *v.i32["alert-restarts"]
		c.Restarts = &n
	}),
	alertStr("alert-restarts-window", "restartsWindow", "... within this window (default 1h)", func(c *alerts.Config) *string { return &c.RestartsWindow }),
	alertStr("alert-replicas-for", "replicasFor", "alert when the Deployment has fewer available replicas than desired this long (default 15m)", func(c *alerts.Config) *string { return &c.ReplicasFor }),
	alertF64("slo-availability", "sloAvailability", "availability SLO over 30 days, e.g. 0.999: adds multi-window burn-rate alerts on the error budget", func(c *alerts.Config) **float64 { return &c.SLOAvailability }),
	alertF64("slo-error-ratio", "sloErrorRatio", "alert when more than this share of requests fail (over 5m) for --slo-for", func(c *alerts.Config) **float64 { return &c.SLOErrorRatio }),
	alertStr("slo-latency", "sloLatency", "alert when the --slo-latency-quantile of request latency is above this (e.g. 300ms) for --slo-for", func(c *alerts.Config) *string { return &c.SLOLatency }),
	alertF64("slo-latency-quantile", "sloLatencyQuantile", "latency quantile (default 0.99)", func(c *alerts.Config) **float64 { return &c.SLOLatencyQuantile }),
	alertStr("slo-for", "sloFor", "how long the error ratio or latency must stay above target (default 5m)", func(c *alerts.Config) *string { return &c.SLOFor }),
	alertStr("slo-requests", "sloRequests", "request counter (default http_requests_total)", func(c *alerts.Config) *string { return &c.SLORequests }),
	alertStr("slo-errors", "sloErrors", `label matchers of failed requests (default code=~"5..")`, func(c *alerts.Config) *string { return &c.SLOErrors }),
	alertStr("slo-latency-metric", "sloLatencyMetric", "latency histogram, without _bucket (default http_request_duration_seconds)", func(c *alerts.Config) *string { return &c.SLOLatencyMetric }),
	alertStr("slo-selector", "sloSelector", `label matchers of the app's request series (default namespace="NS",job="NAME")`, func(c *alerts.Config) *string { return &c.SLOSelector }),
}

// appFlags registers the flags of appFlagTable that keep says to on f.
func appFlags(f *pflag.FlagSet, keep func(appFlag) bool) *appFlagValues {
	v := &appFlagValues{str: map[string]*string{}, i32: map[string]*int32{}, i64: map[string]*int64{},
		f64: map[string]*float64{}, b: map[string]*bool{}, ss: map[string]*[]string{}}
	for _, af := range appFlagTable {
		if !keep(af) {
			continue
		}
		switch af.kind {
		case "s":
			v.str[af.flag] = f.StringP(af.flag, af.short, "", af.usage)
		case "i32":
			v.i32[af.flag] = f.Int32P(af.flag, af.short, 0, af.usage)
		case "i64":
			v.i64[af.flag] = f.Int64P(af.flag, af.short, 0, af.usage)
		case "f64":
			v.f64[af.flag] = f.Float64P(af.flag, af.short, 0, af.usage)
		case "b":
			v.b[af.flag] = f.BoolP(af.flag, af.short, false, af.usage)
		case "ss":
			v.ss[af.flag] = f.StringSliceP(af.flag, af.short, nil, af.usage)
		}
	}
	return v
}

// bindAppOutput adds the flags k8s generate and k8s alerts share: the app
// file, the output directory and --kustomize.
func (o *K8sGenerateOptions) bindAppOutput(f *pflag.FlagSet) {
	f.StringVarP(&o.File, "file", "f", "", "app file (slimship.yaml)")
	f.StringVarP(&o.OutDir, "output", "o", "", "write one file per kind into this directory instead of stdout")
	f.BoolVar(&o.Kustomize, "kustomize", false, "with -o, also write kustomization.yaml (a Kustomize base)")
}
