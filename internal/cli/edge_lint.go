package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/edge/lint"
	"github.com/slimship/slimship/pkg/edge/unit"
)

// unitMaxSize bounds a unit file (systemd's own units are a few KB).
const unitMaxSize = 1 << 20

// EdgeLintOptions are the flags of `slimship edge lint`.
type EdgeLintOptions struct {
	fileLint
	s Streams
}

func newEdgeLintCmd(s Streams) *cobra.Command {
	o := &EdgeLintOptions{s: s}
	cmd := &cobra.Command{
		Use: "lint UNIT...",
		Example: `  slimship edge lint /etc/systemd/system/app.service
  slimship edge lint -f sarif --fail-on error units/`,
		Short: "Lint systemd units and Podman Quadlet files for hardening gaps",
		Long: `Lint hand-written systemd units for the gaps 'edge generate' closes: no
restart or restart delay, no memory, CPU, task or disk limits, and the
sandbox settings of 'systemd-analyze security' (one rule each). UNIT is a
.service or Quadlet .container file, a directory (searched for both) or - for
standard input.

The rules apply by what a unit runs: a service running its program directly
gets every sandbox rule; a service running 'podman run' and a Quadlet get the
sandbox podman can run under plus the container's (non-root user, read-only
root, no new privileges, dropped capabilities, health check, pinned image,
and for 'podman run', --cgroups=split so the limits hold the container).
See 'slimship rules --domain systemd'.

Silence rules for one unit with a comment '# slimship ignore=SSU101,SSU102',
everywhere with --ignore or ignored: in .slimship.yaml.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return run(o)
		},
	}
	f := cmd.Flags()
	o.fileLint.bind(f)
	return cmd
}

// Complete expands directories and loads the config.
func (o *EdgeLintOptions) Complete() error {
	return o.fileLint.complete(unit.Find, "*.service or *.container file", false)
}

// Validate checks flags.
func (o *EdgeLintOptions) Validate() error { return o.findingsOutput.validate() }

// Run parses every unit, lints them and reports.
func (o *EdgeLintOptions) Run() error {
	var files []*unit.File
	rejected := false
	for _, p := range o.inputs {
		var (
			b   []byte
			err error
		)
		name := p
		if p == "-" {
			name = "<stdin>"
			b, err = bounded.Read(name, o.s.In, unitMaxSize)
		} else {
			b, err = bounded.ReadFile(p, unitMaxSize)
		}
		if err == nil {
			var f *unit.File
			if f, err = unit.Parse(name, b); err == nil {
				if f.Kind() == unit.Other {
					fmt.Fprintf(o.s.Err, "note: %s runs no service: skipped\n", name)
				}
				files = append(files, f)
				continue
			}
		}
		fmt.Fprintln(o.s.Err, "slimship:", err)
		rejected = true
	}
	return o.findingsOutput.report(o.s.Out, lint.Lint(files, o.pol), o.inputs, o.pol, rejected)
}
