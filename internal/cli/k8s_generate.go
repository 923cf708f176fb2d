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
'slimship k8s lint' and kube-score without a CRITICAL.

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
	f.StringVarP(&o.File, "file", "f", "", "app file (slimship.yaml)")
	f.StringVarP(&o.OutDir, "output", "o", "", "write one file per kind into this directory instead of stdout")
	f.BoolVar(&o.Kustomize, "kustomize", false, "with -o, also write kustomization.yaml (a Kustomize base)")
	f.BoolVar(&o.ResolveDigest, "resolve-digest", false, "pin the image by digest, asking its registry")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP registries (for --resolve-digest and --from-image)")
	f.StringVar(&o.FromImage, "from-image", "", "read port, user and HEALTHCHECK path from this image's config (any transport: registry, oci:DIR, docker-archive:FILE...)")
	f.StringArrayVar(&o.Env, "env", nil, "environment variable NAME=VALUE (repeatable)")
	f.StringArrayVar(&o.EnvSecret, "env-secret", nil, "environment variable from a Secret: NAME=SECRET/KEY (repeatable)")
	o.vals = appFlags(f)
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
	if err := o.app.Validate(); err != nil {
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
	if o.jobs.On {
		objs, err = fleet.Build(o.jobs.spec)
	} else {
		objs, err = generate.Build(o.app)
	}
	if err != nil {
		return usageErr("%v", err)
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
	b   map[string]*bool
	ss  map[string]*[]string
}

// appFlag binds one flag to one app-file key.
type appFlag struct {
	flag, short, key, usage string
	kind                    string // "s", "i32", "i64", "b" or "ss"
	set                     func(a *generate.App, v *appFlagValues)
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

// appFlagTable is every flag that sets an App value, with its app-file key.
var appFlagTable = []appFlag{
	strFlag("name", "name", "app name (a DNS label)", func(a *generate.App) *string { return &a.Name }),
	strFlag("image", "image", "container image", func(a *generate.App) *string { return &a.Image }),
	{flag: "namespace", short: "n", key: "namespace", usage: "namespace", kind: "s",
		set: func(a *generate.App, v *appFlagValues) { a.Namespace = *v.str["namespace"] }},
	strFlag("part-of", "partOf", "app.kubernetes.io/part-of label", func(a *generate.App) *string { return &a.PartOf }),
	i32Flag("port", "port", "container port (0: no Service, Ingress or probes)", func(a *generate.App) *int32 { return &a.Port }),
	strFlag("health-path", "healthPath", "HTTP readiness path (default: TCP checks)", func(a *generate.App) *string { return &a.HealthPath }),
	strFlag("liveness-path", "livenessPath", "HTTP liveness path (default: TCP check)", func(a *generate.App) *string { return &a.LivenessPath }),
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
}

// appFlags registers appFlagTable's flags on f.
func appFlags(f *pflag.FlagSet) *appFlagValues {
	v := &appFlagValues{str: map[string]*string{}, i32: map[string]*int32{}, i64: map[string]*int64{},
		b: map[string]*bool{}, ss: map[string]*[]string{}}
	for _, af := range appFlagTable {
		switch af.kind {
		case "s":
			v.str[af.flag] = f.StringP(af.flag, af.short, "", af.usage)
		case "i32":
			v.i32[af.flag] = f.Int32P(af.flag, af.short, 0, af.usage)
		case "i64":
			v.i64[af.flag] = f.Int64P(af.flag, af.short, 0, af.usage)
		case "b":
			v.b[af.flag] = f.BoolP(af.flag, af.short, false, af.usage)
		case "ss":
			v.ss[af.flag] = f.StringSliceP(af.flag, af.short, nil, af.usage)
		}
	}
	return v
}
