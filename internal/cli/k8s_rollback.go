package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/slimship/slimship/pkg/k8s/deploy"
	"github.com/slimship/slimship/pkg/k8s/rollout"
)

// K8sRollbackOptions are the flags of `slimship k8s rollback`.
type K8sRollbackOptions struct {
	Kube         kubeFlags
	Deployment   string
	ToRevision   int64
	DryRun       string
	Wait         bool
	Timeout      time.Duration
	FieldManager string

	ctx context.Context
	s   Streams
}

func newK8sRollbackCmd(s Streams) *cobra.Command {
	o := &K8sRollbackOptions{s: s}
	cmd := &cobra.Command{
		Use:   "rollback DEPLOYMENT",
		Short: "Roll a Deployment back to a previous revision, as kubectl rollout undo",
		Long: `Roll a Deployment back: find its ReplicaSets (by owner) and their
deployment.kubernetes.io/revision annotations, and patch the chosen
revision's pod template (without the pod-template-hash label) into the
Deployment, as "kubectl rollout undo" does. The default is the revision
before the current one. Then wait for the rollout, as deploy does.

Exit codes: 0 rolled back (or nothing to do), 1 the rollback or its
rollout failed, 2 usage or kubeconfig error, 3 the API server cannot be
reached.`,
		Example: `  slimship k8s rollback web
  slimship k8s rollback web --to-revision 3 -n shop`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("rollback takes exactly one DEPLOYMENT name")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Deployment = args[0]
			o.ctx = cmd.Context()
			return run(o)
		},
	}
	f := cmd.Flags()
	o.Kube.add(f)
	f.Int64Var(&o.ToRevision, "to-revision", 0, "revision to roll back to (default: the previous one)")
	f.StringVar(&o.DryRun, "dry-run", "none", `"server": the API server validates the change without persisting it; "none": roll back`)
	f.BoolVar(&o.Wait, "wait", true, "wait for the rollout the rollback starts")
	f.DurationVar(&o.Timeout, "timeout", 5*time.Minute, "how long to wait for the rollout")
	f.StringVar(&o.FieldManager, "field-manager", deploy.DefaultFieldManager, "field manager name recorded for the change")
	return cmd
}

// Complete fills defaults. The kubeconfig is loaded by Run, after the
// flags were checked.
func (o *K8sRollbackOptions) Complete() error {
	o.ctx = orBackground(o.ctx)
	return nil
}

// Validate checks flags.
func (o *K8sRollbackOptions) Validate() error {
	if o.Deployment == "" {
		return usageErr("a DEPLOYMENT name is required")
	}
	if o.ToRevision < 0 {
		return usageErr("--to-revision must not be negative")
	}
	if o.DryRun != "none" && o.DryRun != "server" {
		return usageErr("--dry-run must be none or server, not %q", o.DryRun)
	}
	if o.Timeout <= 0 {
		return usageErr("--timeout must be positive")
	}
	return nil
}

// Run rolls back and waits.
func (o *K8sRollbackOptions) Run() error {
	dyn, _, err := o.Kube.connect(o.ctx)
	if err != nil {
		return err
	}
	ns := o.Kube.namespace
	dry := o.DryRun == "server"
	res, err := rollout.Rollback(o.ctx, dyn, ns, o.Deployment, o.ToRevision, o.FieldManager, dry)
	if apierrors.IsNotFound(err) {
		return failErr("deployment %q not found in namespace %q", o.Deployment, ns)
	}
	if err != nil {
		return failErr("%v", err)
	}
	wl := rollout.Workload{Kind: "Deployment", Namespace: ns, Name: o.Deployment}
	suffix := ""
	if dry {
		suffix = " (server dry run)"
	}
	if res.Skipped {
		fmt.Fprintf(o.s.Out, "%s skipped rollback: the current template already matches revision %d%s\n", wl, res.To, suffix)
		return nil
	}
	fmt.Fprintf(o.s.Out, "%s rolled back from revision %d to the template of revision %d%s\n", wl, res.From, res.To, suffix)
	if dry || !o.Wait {
		return nil
	}
	return waitAll(o.ctx, dyn, []rollout.Workload{wl}, o.Timeout, o.s)
}
