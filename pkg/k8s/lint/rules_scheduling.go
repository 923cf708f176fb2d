package lint

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// schedulingRules check how pods are spread over nodes and zones:
// podAntiAffinity and topologySpreadConstraints.
func schedulingRules() []Rule {
	return []Rule{
		appsV1Check("Deployment", kubeScore(finding.Spec{ID: "deployment-has-host-podantiaffinity", Severity: sevW, Category: finding.Correctness,
			Description: "Deployments with several replicas keep pods apart with a host podAntiAffinity",
			Remediation: "Add a podAntiAffinity term on topologyKey kubernetes.io/hostname that selects the Deployment's own pods."}),
			checkAntiAffinity("Deployment")),
		appsV1Check("StatefulSet", kubeScore(finding.Spec{ID: "statefulset-has-host-podantiaffinity", Severity: sevW, Category: finding.Correctness,
			Description: "StatefulSets with several replicas keep pods apart with a host podAntiAffinity",
			Remediation: "Add a podAntiAffinity term on topologyKey kubernetes.io/hostname that selects the StatefulSet's own pods."}),
			checkAntiAffinity("StatefulSet")),
		podCheck(kubeScore(finding.Spec{ID: "pod-topology-spread-constraints", Severity: sevE, Category: finding.Correctness,
			Description: "topologySpreadConstraints are valid",
			Remediation: "Give each topologySpreadConstraint a labelSelector, a topologyKey, maxSkew of 1 or more, and whenUnsatisfiable DoNotSchedule or ScheduleAnyway."}),
			checkTopologySpread),
	}
}

var hostTopologyKeys = map[string]bool{
	"kubernetes.io/hostname": true, "topology.kubernetes.io/region": true, "topology.kubernetes.io/zone": true,
	"failure-domain.beta.kubernetes.io/region": true, "failure-domain.beta.kubernetes.io/zone": true,
}

func checkAntiAffinity(kind string) func(*Context, *Object, *Workload, *Reporter) {
	return func(_ *Context, _ *Object, w *Workload, r *Reporter) {
		if w.Replicas != nil && *w.Replicas < 2 {
			return
		}
		if a := w.Template.Spec.Affinity; a != nil && a.PodAntiAffinity != nil {
			for _, p := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
				if hostTopologyKeys[p.PodAffinityTerm.TopologyKey] && labelSelectorMatches(p.PodAffinityTerm.LabelSelector, w.Template.Labels) {
					return
				}
			}
			for _, t := range a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution {
				if hostTopologyKeys[t.TopologyKey] && labelSelectorMatches(t.LabelSelector, w.Template.Labels) {
					return
				}
			}
		}
		r.Report(w.Path("spec"), "no podAntiAffinity keeps the %s's pods on different nodes", kind)
	}
}

func checkTopologySpread(_ *Context, _ *Object, w *Workload, r *Reporter) {
	for i, s := range w.Template.Spec.TopologySpreadConstraints {
		p := w.Path("spec", "topologySpreadConstraints", i)
		switch {
		case s.LabelSelector == nil:
			r.Report(p, "topologySpreadConstraint has no labelSelector")
		case s.MaxSkew == 0:
			r.Report(p, "topologySpreadConstraint has maxSkew 0")
		case s.MinDomains != nil && *s.MinDomains == 0:
			r.Report(p, "topologySpreadConstraint has minDomains 0")
		case s.TopologyKey == "":
			r.Report(p, "topologySpreadConstraint has no topologyKey")
		case s.WhenUnsatisfiable != corev1.DoNotSchedule && s.WhenUnsatisfiable != corev1.ScheduleAnyway:
			r.Report(p, "topologySpreadConstraint has an invalid whenUnsatisfiable %q", s.WhenUnsatisfiable)
		default:
			continue
		}
		return
	}
}
