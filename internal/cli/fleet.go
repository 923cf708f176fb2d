package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/k8s/fleet"
)

// FleetRunOptions are the flags of `slimship fleet run`.
type FleetRunOptions struct {
	Shards           int
	Index            int
	Targets          string
	Setup            string
	ResultsConfigMap string
	ResultsDir       string
	kube             kubeFlags

	args    []string
	targets []string
	ctx     context.Context
	s       Streams
}

func newFleetCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fleet",
		Short: "Run slimship's work on a shard of a fleet (inside the Jobs that k8s generate --jobs writes)",
	}
	cmd.AddCommand(newFleetRunCmd(s))
	return cmd
}

func newFleetRunCmd(s Streams) *cobra.Command {
	o := &FleetRunOptions{s: s, Index: -1}
	cmd := &cobra.Command{
		Use: "run --targets FILE --shards N [--index I] -- COMMAND [FLAGS]",
		Example: `  slimship fleet run --targets targets.txt --shards 4 --index 1 --results-dir out -- scan --fail-on high
  # in an Indexed Job (JOB_COMPLETION_INDEX set by Kubernetes):
  slimship fleet run --targets /etc/slimship/targets.txt --shards 4 --results-configmap scan-results -- scan --fail-on high`,
		Short: "Give each target of this index's shard to a slimship command and collect the results",
		Long: `Read the targets (images or repositories, one a line, # comments), take
those of shard --index of --shards (the stable shard function of
pkg/k8s/fleet: each target goes to exactly one index), run --setup once,
then the slimship COMMAND with each target appended, in this process, and
write the results as JSON (target, exit code, output) to --results-dir or to
the ConfigMap <results-configmap>-<index> in the pod's namespace. --index
defaults to $JOB_COMPLETION_INDEX, as an Indexed Job sets it.
Exit codes: the highest of the commands' (0 clean, 1 findings, 2 errors);
2 for bad flags or when the results cannot be written.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args, o.ctx = args, cmd.Context()
			return run(o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Shards, "shards", 1, "number of shards")
	f.IntVar(&o.Index, "index", -1, "this shard's index (default: $JOB_COMPLETION_INDEX)")
	f.StringVar(&o.Targets, "targets", "", "file of targets, one a line (required)")
	f.StringVar(&o.Setup, "setup", "", "a slimship command to run once first (e.g. \"db update\")")
	f.StringVar(&o.ResultsConfigMap, "results-configmap", "", "write results to the ConfigMap NAME-<index> (it must exist)")
	f.StringVar(&o.ResultsDir, "results-dir", "", "write results to DIR/results-<index>.json")
	o.kube.add(f)
	return cmd
}

// Complete reads the targets and the index.
func (o *FleetRunOptions) Complete() error {
	if o.Index < 0 {
		v := os.Getenv("JOB_COMPLETION_INDEX")
		if v == "" {
			return usageErr("--index is not set and neither is $JOB_COMPLETION_INDEX")
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			return usageErr("$JOB_COMPLETION_INDEX %q: %v", v, err)
		}
		o.Index = i
	}
	if o.Targets == "" {
		return usageErr("--targets is required")
	}
	b, err := bounded.ReadFile(o.Targets, 16<<20)
	if err != nil {
		return usageErr("--targets: %v", err)
	}
	o.targets = readTargets(string(b))
	if o.ResultsConfigMap != "" {
		if err := o.kube.complete(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the shard.
func (o *FleetRunOptions) Validate() error {
	if o.Shards < 1 {
		return usageErr("--shards %d: want 1 or more", o.Shards)
	}
	if o.Index >= o.Shards {
		return usageErr("index %d is not below --shards %d", o.Index, o.Shards)
	}
	if o.ResultsConfigMap != "" && o.ResultsDir != "" {
		return usageErr("--results-configmap and --results-dir: give one")
	}
	if o.args[0] == "fleet" {
		return usageErr("fleet run cannot run fleet")
	}
	return nil
}

// fleetResult is one command run of a shard.
type fleetResult struct {
	Target   string `json:"target,omitempty"`
	Command  string `json:"command"`
	ExitCode int    `json:"exitCode"`
	Output   string `json:"output,omitempty"`
	Stderr   string `json:"stderr,omitempty"`
	Seconds  string `json:"seconds"`
}

type fleetReport struct {
	Index    int           `json:"index"`
	Shards   int           `json:"shards"`
	Finished string        `json:"finished"`
	Setup    *fleetResult  `json:"setup,omitempty"`
	Results  []fleetResult `json:"results"`
}

// maxResultBytes keeps a report inside a ConfigMap (1 MiB in all).
const maxResultBytes = 900 << 10

// Run runs the shard and writes its report.
func (o *FleetRunOptions) Run() error {
	ctx := orBackground(o.ctx)
	mine := fleet.Of(o.targets, o.Index, o.Shards)
	rep := fleetReport{Index: o.Index, Shards: o.Shards, Results: []fleetResult{}}
	runOne := func(args []string, target string) fleetResult {
		var out, errb bytes.Buffer
		start := time.Now()
		if target != "" {
			args = append(append([]string{}, args...), target)
		}
		code := Execute(ctx, args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		r := fleetResult{Target: target, Command: strings.Join(args, " "), ExitCode: code,
			Output: out.String(), Stderr: errb.String(), Seconds: fmt.Sprintf("%.1f", time.Since(start).Seconds())}
		fmt.Fprintf(o.s.Err, "fleet: %s: exit %d in %ss\n", r.Command, code, r.Seconds)
		return r
	}
	worst := 0
	if setup := strings.Fields(o.Setup); len(setup) > 0 {
		r := runOne(setup, "")
		rep.Setup = &r
		worst = max(worst, r.ExitCode)
	}
	fmt.Fprintf(o.s.Err, "fleet: shard %d of %d: %d of %d targets\n", o.Index, o.Shards, len(mine), len(o.targets))
	for _, t := range mine {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r := runOne(o.args, t)
		worst = max(worst, r.ExitCode)
		rep.Results = append(rep.Results, r)
	}
	rep.Finished = time.Now().UTC().Format(time.RFC3339)
	b := fitReport(rep)
	if err := o.write(ctx, b); err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("writing the results: %w", err)}
	}
	o.s.Out.Write(b)
	if worst != 0 {
		return &ExitError{Code: worst}
	}
	return nil
}

// fitReport marshals the report, cutting outputs (longest first) until it
// fits a ConfigMap.
func fitReport(rep fleetReport) []byte {
	for {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if len(b) <= maxResultBytes {
			return append(b, '\n')
		}
		longest, n := -1, 0
		for i, r := range rep.Results {
			if l := len(r.Output) + len(r.Stderr); l > n {
				longest, n = i, l
			}
		}
		if longest < 0 || n < 64 {
			return append(b, '\n')
		}
		r := &rep.Results[longest]
		r.Output = cut(r.Output)
		r.Stderr = cut(r.Stderr)
	}
}

func cut(s string) string {
	if len(s) < 64 {
		return s
	}
	return s[:len(s)/2] + "\n[cut to fit the ConfigMap]"
}

func (o *FleetRunOptions) write(ctx context.Context, b []byte) error {
	switch {
	case o.ResultsDir != "":
		return atomicfile.Write(filepath.Join(o.ResultsDir, fmt.Sprintf("results-%d.json", o.Index)), b, 0o644)
	case o.ResultsConfigMap != "":
		dyn, _, err := o.kube.clients()
		if err != nil {
			return err
		}
		name := fleet.ResultsName(o.ResultsConfigMap, o.Index)
		cms := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace(o.kube.namespace)
		cm, err := cms.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cm.Object["data"] = map[string]any{"results.json": string(b)}
		_, err = cms.Update(ctx, cm, metav1.UpdateOptions{FieldManager: "slimship"})
		return err
	}
	return nil
}
