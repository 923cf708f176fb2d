package cli

import (
	"github.com/spf13/cobra"
)

// edgeSubcommands lists the constructors of `slimship edge` subcommands.
var edgeSubcommands = []func(Streams) *cobra.Command{
	newEdgeGenerateCmd,
	newEdgeLintCmd,
}

// newEdgeCmd builds the `edge` parent command.
func newEdgeCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "edge",
		Short: "Run images and binaries on edge machines under systemd, without Kubernetes",
		Long: `Edge machines: generate systemd units (Podman Quadlet, podman run, or a
static binary) with hard limits and a sandbox, and lint hand-written units for
the same hardening gaps.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	for _, add := range edgeSubcommands {
		cmd.AddCommand(add(s))
	}
	return cmd
}
