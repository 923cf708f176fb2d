package cli

import (
	"github.com/spf13/cobra"
)

// newK8sAlertsCmd is `slimship k8s alerts`: the PrometheusRule (and the
// ServiceMonitor) of `k8s generate --alerts` alone, from the same flags and
// app file.
func newK8sAlertsCmd(s Streams) *cobra.Command {
	o := &K8sGenerateOptions{s: s, alertsOnly: true}
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "Generate a PrometheusRule (and ServiceMonitor) watching an app",
		Long: `Generate the prometheus-operator PrometheusRule (monitoring.coreos.com/v1)
that watches an app as 'slimship k8s generate' writes it (a Deployment and
container named --name), and a ServiceMonitor (a PodMonitor without --port)
when it serves metrics (--metrics-port, --metrics-path). The same as
'k8s generate --alerts', without the other objects; the app file's alerts
section holds the flags' values in camelCase (cpu, cpuFor, sloAvailability...).

Alerts, each with a severity label, summary and description annotations,
and a runbook annotation naming the 'slimship k8s status' command for it:
  ContainerCPUNearLimit       rate(container_cpu_usage_seconds_total[5m]) over
                              kube_pod_container_resource_limits{resource="cpu"}
                              above --alert-cpu for --alert-cpu-for
  ContainerMemoryNearLimit    container_memory_working_set_bytes over the memory
                              limit above --alert-memory for --alert-memory-for
  LivenessProbeFailing        failed over all liveness probes (kubelet's
                              prober_probe_total, 5m) above --alert-probe-failures
                              for --alert-probe-for (only with a liveness probe)
  PodPending                  kube_pod_status_phase Pending for --alert-pending-for
  NodeNotReady                a node running the app's pods not Ready
                              (kube_node_status_condition) for --alert-node-not-ready-for
  ContainerRestarting         --alert-restarts restarts within --alert-restarts-window
  PodCrashLooping             waiting in CrashLoopBackOff for --alert-crashloop-for
  DeploymentReplicasUnavailable  available replicas below desired for --alert-replicas-for
With SLO targets, on the app's own request metrics (--slo-requests,
--slo-errors, --slo-latency-metric, selected by --slo-selector):
  HighErrorRatio              error ratio (5m) above --slo-error-ratio for --slo-for
  HighLatency                 histogram_quantile(--slo-latency-quantile) above
                              --slo-latency for --slo-for
  ErrorBudgetBurnFast/Slow    with --slo-availability: the SRE workbook's
                              multi-window multi-burn-rate alerts over a 30-day
                              budget: 14.4x over 1h and 5m or 6x over 6h and 30m
                              (critical); 3x over 1d and 2h or 1x over 3d and 6h
                              (warning), from recorded error ratios

Ratios are in (0,1] (0.85 is 85%; an SLO target in (0,1)), durations are
Prometheus durations above 0 (30s, 5m, 1h, 1d); other values are refused
with exit 2. Every expression is parsed by Prometheus's PromQL parser.`,
		Example: `  slimship k8s alerts --name web -n shop --port 8080 --health-path /ready --liveness-path /live \
    --metrics-port 9090 --slo-availability 0.999 --slo-latency 300ms
  slimship k8s alerts -f slimship.yaml --alert-cpu 0.9 --alert-cpu-for 10m -o deploy/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.ctx = cmd.Context()
			return run(o)
		},
	}
	o.flags = cmd
	f := cmd.Flags()
	o.bindAppOutput(f)
	o.vals = appFlags(f, func(af appFlag) bool { return af.monitoring })
	return cmd
}
