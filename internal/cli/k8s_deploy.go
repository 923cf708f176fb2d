package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/slimship/slimship/pkg/k8s/deploy"
	"github.com/slimship/slimship/pkg/k8s/rollout"
)

// kubeFlags are kubectl's cluster selection flags, resolved with
// clientcmd's loading rules ($KUBECONFIG, ~/.kube/config).
type kubeFlags struct {
	Kubeconfig string
	Context    string
	Namespace  string

	config *rest.Config
	// namespace is the effective namespace; explicit when set by --namespace.
	namespace string
	explicit  bool
}

func (k *kubeFlags) add(f *pflag.FlagSet) {
	f.StringVar(&k.Kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	f.StringVar(&k.Context, "context", "", "kubeconfig context to use")
	f.StringVarP(&k.Namespace, "namespace", "n", "", "namespace (default: the context's, else default)")
}

// complete loads the kubeconfig. A missing or broken kubeconfig is a usage
// error.
func (k *kubeFlags) complete() error {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = k.Kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: k.Context}
	overrides.Context.Namespace = k.Namespace
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		return usageErr("kubeconfig: %v", err)
	}
	ns, explicit, err := cc.Namespace()
	if err != nil {
		return usageErr("kubeconfig: %v", err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	cfg.UserAgent = "slimship/" + versionString()
	k.config, k.namespace, k.explicit = cfg, ns, explicit && k.Namespace != ""
	return nil
}

// clients returns a dynamic client and a discovery-backed mapper sharing
// one HTTP client (and so its connections). slimship reads typed objects
// through the dynamic client: client-go's typed clientset and discovery
// client would link (and initialise at every start) the scheme of every
// built-in API group.
func (k *kubeFlags) clients() (dynamic.Interface, *deploy.Discovery, error) {
	hc, err := rest.HTTPClientFor(dynamic.ConfigFor(k.config))
	if err != nil {
		return nil, nil, err
	}
	dyn, err := dynamic.NewForConfigAndClient(k.config, hc)
	if err != nil {
		return nil, nil, err
	}
	disc, err := deploy.NewDiscovery(k.config, hc)
	if err != nil {
		return nil, nil, err
	}
	return dyn, disc, nil
}

// ExitUnreachable is the exit code of k8s deploy, status and rollback when
// the API server cannot be reached at all.
const ExitUnreachable = 3

// probeTimeout bounds the one request that checks the API server answers.
const probeTimeout = 15 * time.Second

// connect loads the kubeconfig, makes the clients and checks, with one
// request, that the API server answers: an unreachable server is one error
// (exit 3), not one per object or resource type. A server that answers
// with any HTTP status (even 401 or 403) is reachable.
func (k *kubeFlags) connect(ctx context.Context) (dynamic.Interface, *deploy.Discovery, error) {
	if err := k.complete(); err != nil {
		return nil, nil, err
	}
	dyn, disc, err := k.clients()
	if err != nil {
		return nil, nil, usageErr("kubeconfig: %v", err)
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	err = disc.Client.Get().AbsPath("/version").Do(pctx).Error()
	var status apierrors.APIStatus
	if err != nil && !errors.As(err, &status) {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, nil, &ExitError{Code: ExitUnreachable, Err: fmt.Errorf("cannot reach the Kubernetes API server %s: %v", k.config.Host, err)}
	}
	return dyn, disc, nil
}

// failErr is a failure on the cluster's side (exit 1).
func failErr(format string, a ...any) error {
	return &ExitError{Code: ExitFindings, Err: fmt.Errorf(format, a...)}
}

// K8sDeployOptions are the flags of `slimship k8s deploy`.
type K8sDeployOptions struct {
	Kube           kubeFlags
	Filenames      []string
	DryRun         string
	Wait           bool
	Timeout        time.Duration
	ForceConflicts bool
	FieldManager   string
	VerifyKey      string
	PinDigests     bool
	RegInsecure    bool

	check *imageCheck
	ctx   context.Context
	s     Streams
}

func newK8sDeployCmd(s Streams) *cobra.Command {
	o := &K8sDeployOptions{s: s}
	cmd := &cobra.Command{
		Use:   "deploy [-f] PATH...",
		Short: "Apply manifests with server-side apply and wait for their rollouts",
		Long: `Apply Kubernetes manifests with server-side apply (field manager
"slimship"), then wait for every Deployment, StatefulSet and DaemonSet to
finish rolling out, as "kubectl apply --server-side" followed by "kubectl
rollout status" would. PATH is a multi-document YAML or JSON file, a
directory of them, or - for standard input.

With --dry-run=server the API server validates and admits each object
without persisting it, and each object's result is printed.

With --verify-key cosign.pub nothing is applied unless every container
image (init, regular and ephemeral, of every kind with a pod template) has
a signature by the key on the digest its reference resolves to, as slimship
verify and cosign verify --key check (COSIGN_REPOSITORY is honoured); each
image is then pinned to that digest (REF@sha256:...) so the kubelet pulls
what was verified, unless --pin-digests=false.

When a rollout fails (the controller reports ProgressDeadlineExceeded) or
--timeout passes, the failing condition is printed with what the pods say:
unschedulable reasons (e.g. "Insufficient cpu"), waiting containers and
warning events.

Exit codes: 0 applied (and rolled out), 1 an object was rejected, an image
is not signed by --verify-key, or a rollout failed or timed out, 2 usage,
kubeconfig, manifest or registry error, 3 the API server cannot be reached.`,
		Example: `  slimship k8s deploy manifests/
  slimship k8s generate ... | slimship k8s deploy -
  slimship k8s deploy --dry-run=server -f app.yaml
  slimship k8s deploy --verify-key cosign.pub manifests/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Filenames = append(o.Filenames, args...)
			o.ctx = cmd.Context()
			return run(o)
		},
	}
	f := cmd.Flags()
	o.Kube.add(f)
	f.StringSliceVarP(&o.Filenames, "filename", "f", nil, "manifest file, directory or - (repeatable; same as PATH)")
	f.StringVar(&o.DryRun, "dry-run", "none", `"server": the API server validates each object without persisting it; "none": apply`)
	f.BoolVar(&o.Wait, "wait", true, "wait for Deployment, StatefulSet and DaemonSet rollouts")
	f.DurationVar(&o.Timeout, "timeout", 5*time.Minute, "how long to wait for all rollouts")
	f.BoolVar(&o.ForceConflicts, "force-conflicts", false, "take over fields another field manager changed (kubectl edit, a rollback) instead of failing, as kubectl's flag does")
	f.StringVar(&o.FieldManager, "field-manager", deploy.DefaultFieldManager, "server-side apply field manager name")
	f.StringVar(&o.VerifyKey, "verify-key", "", "apply only if every container image is signed with this cosign public key (as slimship verify checks)")
	f.BoolVar(&o.PinDigests, "pin-digests", true, "with --verify-key, pin each image to the digest that verified (REF@sha256:...)")
	f.BoolVar(&o.RegInsecure, "insecure-registry", false, "with --verify-key, allow plain HTTP to loopback registries")
	return cmd
}

// Complete fills defaults. The kubeconfig is loaded by Run, after the
// flags and the manifests were checked.
func (o *K8sDeployOptions) Complete() error {
	o.ctx = orBackground(o.ctx)
	if o.DryRun == "" {
		o.DryRun = "none"
	}
	var err error
	o.check, err = completeImageCheck(o.VerifyKey, o.RegInsecure, o.PinDigests)
	return err
}

// Validate checks flags.
func (o *K8sDeployOptions) Validate() error {
	if len(o.Filenames) == 0 {
		return usageErr("no manifests: give a PATH, -f PATH or - for stdin")
	}
	switch o.DryRun {
	case "none", "server":
	case "client":
		return usageErr("--dry-run=client is not supported: use --dry-run=server to have the API server validate")
	default:
		return usageErr("--dry-run must be none or server, not %q", o.DryRun)
	}
	if o.Timeout <= 0 {
		return usageErr("--timeout must be positive")
	}
	if o.FieldManager == "" {
		return usageErr("--field-manager must not be empty")
	}
	return nil
}

// Run applies the manifests, then follows the rollouts.
func (o *K8sDeployOptions) Run() error {
	objs, err := deploy.ReadPaths(o.Filenames, o.s.In)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if len(objs) == 0 {
		return usageErr("%s: no Kubernetes objects found", strings.Join(o.Filenames, ", "))
	}
	if o.check != nil {
		if err := o.check.verifyImages(o.ctx, objs, o.s); err != nil {
			return err
		}
	}
	dyn, disc, err := o.Kube.connect(o.ctx)
	if err != nil {
		return err
	}
	a := &deploy.Applier{
		Client:           dyn,
		Mapper:           disc,
		FieldManager:     o.FieldManager,
		Force:            o.ForceConflicts,
		DryRun:           o.DryRun == "server",
		Namespace:        o.Kube.namespace,
		EnforceNamespace: o.Kube.explicit,
	}
	suffix := ""
	if a.DryRun {
		suffix = " (server dry run)"
	}
	results := a.Apply(o.ctx, objs)
	failed, inputErr := 0, false
	var workloads []rollout.Workload
	for _, r := range results {
		if r.Err != nil {
			failed++
			inputErr = inputErr || deploy.IsInputError(r.Err)
			fmt.Fprintf(o.s.Out, "%s failed%s: %v\n", r.Object, suffix, r.Err)
			continue
		}
		fmt.Fprintf(o.s.Out, "%s %s%s\n", r.Object, r.Op, suffix)
		gk, ns, name := r.Ref()
		if rollout.Followed(gk.Group, gk.Kind) {
			workloads = append(workloads, rollout.Workload{Kind: gk.Kind, Namespace: ns, Name: name})
		}
	}
	if err := o.ctx.Err(); err != nil {
		return err
	}
	if failed > 0 {
		code := ExitFindings
		if inputErr {
			code = ExitUsage
		}
		return &ExitError{Code: code, Err: fmt.Errorf("%d of %d objects failed", failed, len(results))}
	}
	if a.DryRun || !o.Wait || len(workloads) == 0 {
		return nil
	}
	return waitAll(o.ctx, dyn, workloads, o.Timeout, o.s)
}

// waitAll follows each workload's rollout within one overall timeout,
// printing progress on stderr and the outcome on stdout.
func waitAll(ctx context.Context, c dynamic.Interface, workloads []rollout.Workload, timeout time.Duration, s Streams) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	w := &rollout.Waiter{
		Client: c,
		Progress: func(w rollout.Workload, msg string) {
			fmt.Fprintf(s.Err, "%s: %s\n", w, msg)
		},
	}
	failed := 0
	for _, wl := range workloads {
		err := w.Wait(ctx, wl)
		var re *rollout.Error
		switch {
		case err == nil:
			fmt.Fprintf(s.Out, "%s rolled out\n", wl)
		case errors.As(err, &re):
			failed++
			fmt.Fprintf(s.Err, "slimship: %v\n", re)
		case errors.Is(err, context.Canceled):
			return err
		default:
			failed++
			fmt.Fprintf(s.Err, "slimship: %v\n", err)
		}
	}
	if failed > 0 {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%d of %d rollouts failed", failed, len(workloads))}
	}
	return nil
}
