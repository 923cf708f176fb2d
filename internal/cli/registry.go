package cli

import (
	"github.com/spf13/cobra"
)

// registrySubcommands lists the constructors of `slimship registry`
// subcommands, explicitly.
var registrySubcommands = []func(Streams) *cobra.Command{
	newRegistryPruneCmd,
}

// newRegistryCmd builds the `registry` parent command.
func newRegistryCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "Look after image repositories in any OCI registry (retention)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	for _, add := range registrySubcommands {
		cmd.AddCommand(add(s))
	}
	return cmd
}
