package lint

import (
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// probeRules check readiness and liveness probes.
func probeRules() []Rule {
	return []Rule{
		podCheck(kubeScore(finding.Spec{ID: "pod-probes", Severity: sevE, Category: finding.Correctness,
			Description: "Pods behind a Service have a readinessProbe (and a livenessProbe)",
			Remediation: "Give the pod's serving container a readinessProbe, and a livenessProbe that checks something else."}),
			checkProbes),
		containerCheck(kubeScore(finding.Spec{ID: "pod-probes-identical", Severity: sevE, Category: finding.Correctness,
			Description: "readinessProbe and livenessProbe differ",
			Remediation: "Point the livenessProbe at a check of the process itself, not at the readinessProbe's endpoint."}),
			checkProbesIdentical),
	}
}

func checkProbes(c *Context, o *Object, w *Workload, r *Reporter) {
	if w.IsJob || !c.targetedByService(o) {
		return
	}
	ready, live := false, false
	for _, ct := range w.Containers() {
		ready = ready || ct.C.ReadinessProbe != nil
		live = live || ct.C.LivenessProbe != nil
	}
	path := w.Path("spec", "containers", 0)
	if !ready {
		r.ReportSev(sevE, path, "no container has a readinessProbe: the pod may get traffic before it is ready")
		return
	}
	if !live {
		r.ReportSev(sevI, path, "no container has a livenessProbe")
	}
}

func probesIdentical(a, b *corev1.Probe) bool {
	switch {
	case a.HTTPGet != nil && b.HTTPGet != nil:
		return a.HTTPGet.Path == b.HTTPGet.Path && a.HTTPGet.Port.IntValue() == b.HTTPGet.Port.IntValue()
	case a.TCPSocket != nil && b.TCPSocket != nil:
		return a.TCPSocket.Port == b.TCPSocket.Port
	case a.Exec != nil && b.Exec != nil:
		return slices.Equal(a.Exec.Command, b.Exec.Command)
	}
	return false
}

func checkProbesIdentical(_ *Context, _ *Object, w *Workload, c ContainerRef, r *Reporter) {
	if w.IsJob {
		return
	}
	if c.C.ReadinessProbe != nil && c.C.LivenessProbe != nil && probesIdentical(c.C.ReadinessProbe, c.C.LivenessProbe) {
		r.Report(c.At("livenessProbe"), "container %q: readinessProbe and livenessProbe are the same; a slow dependency would restart the pod", c.C.Name)
	}
}
