package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/internal/yamlstrict"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/k8s/generate"
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
	KEDA          generate.KEDA

	app   generate.App
	flags *cobra.Command
	s     Streams
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
	a := &o.app
	f.StringVarP(&o.File, "file", "f", "", "app file (slimship.yaml)")
	f.StringVarP(&o.OutDir, "output", "o", "", "write one file per kind into this directory instead of stdout")
	f.BoolVar(&o.Kustomize, "kustomize", false, "with -o, also write kustomization.yaml (a Kustomize base)")
	f.BoolVar(&o.ResolveDigest, "resolve-digest", false, "pin the image by digest, asking its registry")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP registries (for --resolve-digest and --from-image)")
	f.StringVar(&o.FromImage, "from-image", "", "read port, user and HEALTHCHECK path from this image's config (any transport: registry, oci:DIR, docker-archive:FILE...)")
	f.StringVar(&a.Name, "name", "", "app name (a DNS label)")
	f.StringVar(&a.Image, "image", "", "container image")
	f.StringVarP(&a.Namespace, "namespace", "n", "", "namespace")
	f.StringVar(&a.PartOf, "part-of", "", "app.kubernetes.io/part-of label")
	f.Int32Var(&a.Port, "port", 0, "container port (0: no Service, Ingress or probes)")
	f.StringVar(&a.HealthPath, "health-path", "", "HTTP readiness path (default: TCP checks)")
	f.StringVar(&a.LivenessPath, "liveness-path", "", "HTTP liveness path (default: TCP check)")
	f.BoolVar(&a.StartupProbe, "startup-probe", false, "add a startup probe for slow starters")
	f.StringVar(&a.ServiceType, "service-type", "ClusterIP", "Service type: ClusterIP, NodePort or LoadBalancer")
	f.StringVar(&a.Host, "host", "", "Ingress host (no Ingress without it)")
	f.StringVar(&a.Path, "path", "/", "Ingress path (pathType Prefix)")
	f.StringVar(&a.TLSSecret, "tls-secret", "", "TLS Secret for the Ingress host")
	f.StringVar(&a.IngressClass, "ingress-class", "", "ingressClassName")
	f.Int32Var(&a.Replicas, "replicas", 0, "replicas when no autoscaler owns them (default 2)")
	f.Int32Var(&a.MinReplicas, "min", 0, "autoscaler minimum (default 2)")
	f.Int32Var(&a.MaxReplicas, "max", 0, "autoscaler maximum (default 10)")
	f.Int32Var(&a.HPACPU, "hpa-cpu", 0, "HPA target CPU utilisation, percent")
	f.Int32Var(&a.HPAMemory, "hpa-memory", 0, "HPA target memory utilisation, percent")
	f.StringVar(&o.KEDA.Prometheus, "keda-prometheus", "", "KEDA ScaledObject: Prometheus server address")
	f.StringVar(&o.KEDA.Query, "keda-query", "", "KEDA ScaledObject: PromQL query")
	f.StringVar(&o.KEDA.Threshold, "keda-threshold", "", "KEDA ScaledObject: target value per pod")
	f.StringVar(&a.CPU, "cpu", "", "CPU request (default 100m; limit twice that)")
	f.StringVar(&a.CPULimit, "cpu-limit", "", "CPU limit")
	f.StringVar(&a.Memory, "memory", "", "memory request and limit (default 128Mi)")
	f.StringVar(&a.MemoryLimit, "memory-limit", "", "memory limit")
	f.StringVar(&a.EphemeralStorage, "ephemeral-storage", "", "ephemeral-storage request (default 64Mi)")
	f.StringVar(&a.EphemeralLimit, "ephemeral-storage-limit", "", "ephemeral-storage limit (default 256Mi)")
	f.StringVar(&a.ImagePullPolicy, "image-pull-policy", "", "imagePullPolicy (default Always)")
	f.Int64Var(&a.User, "user", 0, "UID to run as (default 10001)")
	f.Int64Var(&a.Group, "group", 0, "GID to run as (default: the UID)")
	f.StringArrayVar(&o.Env, "env", nil, "environment variable NAME=VALUE (repeatable)")
	f.StringArrayVar(&o.EnvSecret, "env-secret", nil, "environment variable from a Secret: NAME=SECRET/KEY (repeatable)")
	f.StringSliceVar(&a.EgressCIDRs, "egress-cidr", nil, "allow egress only to DNS and these CIDRs")
	return cmd
}

// appFileMaxSize bounds k8s generate's app file.
const appFileMaxSize = 1 << 20

// Complete merges the app file, flags and image, and fills defaults.
func (o *K8sGenerateOptions) Complete() error {
	ctx := orBackground(o.ctx)
	flagApp := o.app
	if o.File != "" {
		b, err := bounded.ReadFile(o.File, appFileMaxSize)
		if err != nil {
			return usageErr("%v", err)
		}
		var fileApp generate.App
		if err := yamlstrict.Decode(o.File, b, &fileApp); err != nil {
			return usageErr("%v", err)
		}
		o.app = mergeFlags(fileApp, flagApp, o.flags)
	}
	if o.KEDA != (generate.KEDA{}) {
		k := o.KEDA
		o.app.KEDA = &k
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
		for _, n := range generate.FromConfig(&o.app, cfg) {
			fmt.Fprintln(o.s.Err, "note:", n)
		}
		if r, err := transport.ParseRef(o.FromImage, pathExists); err == nil && r.Kind == transport.Registry && o.app.Image == "" {
			o.app.Image = r.Name
		}
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

// mergeFlags lays the flags the user set over the app file.
func mergeFlags(file, flags generate.App, cmd *cobra.Command) generate.App {
	out := file
	set := func(name string, fn func()) {
		if cmd != nil && cmd.Flags().Changed(name) {
			fn()
		}
	}
	set("name", func() { out.Name = flags.Name })
	set("image", func() { out.Image = flags.Image })
	set("namespace", func() { out.Namespace = flags.Namespace })
	set("part-of", func() { out.PartOf = flags.PartOf })
	set("port", func() { out.Port = flags.Port })
	set("health-path", func() { out.HealthPath = flags.HealthPath })
	set("liveness-path", func() { out.LivenessPath = flags.LivenessPath })
	set("startup-probe", func() { out.StartupProbe = flags.StartupProbe })
	set("service-type", func() { out.ServiceType = flags.ServiceType })
	set("host", func() { out.Host = flags.Host })
	set("path", func() { out.Path = flags.Path })
	set("tls-secret", func() { out.TLSSecret = flags.TLSSecret })
	set("ingress-class", func() { out.IngressClass = flags.IngressClass })
	set("replicas", func() { out.Replicas = flags.Replicas })
	set("min", func() { out.MinReplicas = flags.MinReplicas })
	set("max", func() { out.MaxReplicas = flags.MaxReplicas })
	set("hpa-cpu", func() { out.HPACPU = flags.HPACPU })
	set("hpa-memory", func() { out.HPAMemory = flags.HPAMemory })
	set("cpu", func() { out.CPU = flags.CPU })
	set("cpu-limit", func() { out.CPULimit = flags.CPULimit })
	set("memory", func() { out.Memory = flags.Memory })
	set("memory-limit", func() { out.MemoryLimit = flags.MemoryLimit })
	set("ephemeral-storage", func() { out.EphemeralStorage = flags.EphemeralStorage })
	set("ephemeral-storage-limit", func() { out.EphemeralLimit = flags.EphemeralLimit })
	set("image-pull-policy", func() { out.ImagePullPolicy = flags.ImagePullPolicy })
	set("user", func() { out.User = flags.User })
	set("group", func() { out.Group = flags.Group })
	set("egress-cidr", func() { out.EgressCIDRs = flags.EgressCIDRs })
	return out
}

// resolveDigest pins image by the digest its registry reports.
func resolveDigest(ctx context.Context, image string, insecure bool) (string, error) {
	var nopts []name.Option
	if insecure {
		nopts = append(nopts, name.Insecure)
	}
	ref, err := name.ParseReference(image, nopts...)
	if err != nil {
		return "", err
	}
	if d, ok := ref.(name.Digest); ok {
		return d.String(), nil
	}
	desc, err := remote.Head(ref, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain))
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
	if err := o.app.Validate(); err != nil {
		return usageErr("%v", err)
	}
	return nil
}

// Run builds and writes the manifests.
func (o *K8sGenerateOptions) Run() error {
	objs, err := generate.Build(o.app)
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
	fmt.Fprintf(o.s.Err, "wrote %d manifests to %s\n", len(objs), o.OutDir)
	return nil
}

func pathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
