package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/slimship/slimship/pkg/k8s/rollout"
)

// K8sStatusOptions are the flags of `slimship k8s status`.
type K8sStatusOptions struct {
	Kube       kubeFlags
	Deployment string
	Output     string
	Format     string

	ctx context.Context
	s   Streams
}

func newK8sStatusCmd(s Streams) *cobra.Command {
	o := &K8sStatusOptions{s: s}
	cmd := &cobra.Command{
		Use:   "status [DEPLOYMENT]",
		Short: "Show Deployments' rollout state, replicas and autoscaler replicas",
		Long: `Show the rollout state of one Deployment (with its conditions, revisions
and HorizontalPodAutoscalers) or of every Deployment in the namespace (a
table). The HPA column is current/desired replicas (min-max).

Exit codes: 0 shown, 1 a rollout has failed (ProgressDeadlineExceeded) or
the Deployment does not exist, 2 usage or kubeconfig error, 3 the API
server cannot be reached.`,
		Example: `  slimship k8s status
  slimship k8s status web -o json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr("status takes at most one DEPLOYMENT name")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Deployment = args[0]
			}
			o.ctx = cmd.Context()
			return run(o)
		},
	}
	o.Kube.add(cmd.Flags())
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text or json (as kubectl's -o)")
	cmd.Flags().StringVarP(&o.Format, "format", "f", "", "output format: text or json (the same as --output, as other commands spell it)")
	return cmd
}

// Complete fills defaults. The kubeconfig is loaded by Run, after the
// flags were checked.
func (o *K8sStatusOptions) Complete() error {
	o.ctx = orBackground(o.ctx)
	return nil
}

// Validate checks flags.
func (o *K8sStatusOptions) Validate() error {
	if o.Format != "" {
		if o.Output != "text" && o.Output != o.Format {
			return usageErr("--format %s and --output %s disagree: give one", o.Format, o.Output)
		}
		o.Output = o.Format
	}
	if o.Output != "text" && o.Output != "json" {
		return usageErr("--output must be text or json, not %q", o.Output)
	}
	return nil
}

// Run prints the summaries.
func (o *K8sStatusOptions) Run() error {
	dyn, _, err := o.Kube.connect(o.ctx)
	if err != nil {
		return err
	}
	sums, err := rollout.Summarize(o.ctx, dyn, o.Kube.namespace, o.Deployment)
	if apierrors.IsNotFound(err) {
		return failErr("deployment %q not found in namespace %q", o.Deployment, o.Kube.namespace)
	}
	if err != nil {
		return failErr("%v", err)
	}
	switch {
	case o.Output == "json":
		enc := json.NewEncoder(o.s.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sums); err != nil {
			return err
		}
	case o.Deployment != "":
		writeStatusDetail(o.s.Out, sums[0])
	case len(sums) == 0:
		fmt.Fprintf(o.s.Out, "no deployments in namespace %q\n", o.Kube.namespace)
	default:
		writeStatusTable(o.s.Out, sums)
	}
	for _, s := range sums {
		if s.Rollout.Failed {
			return &ExitError{Code: ExitFindings}
		}
	}
	return nil
}

func hpaCell(s rollout.Summary) string {
	if len(s.HPAs) == 0 {
		return "-"
	}
	var cells []string
	for _, h := range s.HPAs {
		cells = append(cells, fmt.Sprintf("%d/%d (%d-%d)", h.CurrentReplicas, h.DesiredReplicas, h.MinReplicas, h.MaxReplicas))
	}
	return strings.Join(cells, ",")
}

func writeStatusTable(w io.Writer, sums []rollout.Summary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREADY\tUP-TO-DATE\tAVAILABLE\tREVISION\tHPA\tROLLOUT")
	for _, s := range sums {
		fmt.Fprintf(tw, "%s\t%d/%d\t%d\t%d\t%d\t%s\t%s\n", s.Name, s.Ready, s.Desired, s.Updated, s.Available, s.Revision, hpaCell(s), s.Rollout.Message)
	}
	tw.Flush()
}

func conditionLine(c rollout.Condition) string {
	s := c.Type + "=" + c.Status
	if c.Reason != "" {
		s += " " + c.Reason
	}
	if c.Message != "" {
		s += ": " + c.Message
	}
	return s
}

func writeStatusDetail(w io.Writer, s rollout.Summary) {
	fmt.Fprintf(w, "Deployment:  %s/%s (revision %d)\n", s.Namespace, s.Name, s.Revision)
	fmt.Fprintf(w, "Rollout:     %s\n", s.Rollout.Message)
	fmt.Fprintf(w, "Replicas:    %d desired, %d current, %d updated, %d ready, %d available, %d unavailable\n",
		s.Desired, s.Current, s.Updated, s.Ready, s.Available, s.Unavailable)
	if len(s.Conditions) > 0 {
		fmt.Fprintln(w, "Conditions:")
		for _, c := range s.Conditions {
			fmt.Fprintf(w, "  %s\n", conditionLine(c))
		}
	}
	for _, h := range s.HPAs {
		fmt.Fprintf(w, "Autoscaler:  %s: %d current, %d desired replicas (min %d, max %d)\n", h.Name, h.CurrentReplicas, h.DesiredReplicas, h.MinReplicas, h.MaxReplicas)
		for _, c := range h.Conditions {
			fmt.Fprintf(w, "  %s\n", conditionLine(c))
		}
	}
	if len(s.ReplicaSets) > 0 {
		fmt.Fprintln(w, "Revisions:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  REVISION\tREPLICASET\tREADY\tIMAGES")
		for i := len(s.ReplicaSets) - 1; i >= 0; i-- {
			r := s.ReplicaSets[i]
			fmt.Fprintf(tw, "  %d\t%s\t%d/%d\t%s\n", r.Revision, r.Name, r.Ready, r.Replicas, strings.Join(r.Images, ","))
		}
		tw.Flush()
	}
}
