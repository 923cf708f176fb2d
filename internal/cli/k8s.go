package cli

import (
	"github.com/spf13/cobra"
)

// k8sSubcommands lists the constructors of `slimship k8s` subcommands,
// explicitly. Add a command by appending its constructor here.
var k8sSubcommands = []func(Streams) *cobra.Command{
	newK8sLintCmd,
	newK8sGenerateCmd, newK8sAlertsCmd,
	newK8sDeployCmd, newK8sRollbackCmd, newK8sStatusCmd,
}

// newK8sCmd builds the `k8s` parent command.
func newK8sCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "k8s",
		Short: "Generate, lint and deploy Kubernetes manifests",
		Long: `Kubernetes manifests: generate hardened manifests for an app, lint
manifests with kube-score's and kube-linter's checks, and deploy them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	for _, add := range k8sSubcommands {
		cmd.AddCommand(add(s))
	}
	return cmd
}
