package lint

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// workloadRules check the shape of Deployments and StatefulSets: their
// selectors, update strategy and governing Service.
func workloadRules() []Rule {
	return []Rule{
		appsV1Check("Deployment", kubeScore(finding.Spec{ID: "deployment-pod-selector-labels-match-template-metadata-labels", Severity: sevE, Category: finding.Correctness,
			Description: "A Deployment's selector matches its pod template's labels",
			Remediation: "Make spec.selector match spec.template.metadata.labels."}),
			checkSelectorMatch),
		appsV1Check("StatefulSet", kubeScore(finding.Spec{ID: "statefulset-pod-selector-labels-match-template-metadata-labels", Severity: sevE, Category: finding.Correctness,
			Description: "A StatefulSet's selector matches its pod template's labels",
			Remediation: "Make spec.selector match spec.template.metadata.labels."}),
			checkSelectorMatch),
		appsV1Check("Deployment", kubeScore(finding.Spec{ID: "deployment-strategy", Severity: sevW, Category: finding.Correctness,
			Description: "Deployments behind a Service use the RollingUpdate strategy",
			Remediation: "Set spec.strategy.type: RollingUpdate (or remove it: RollingUpdate is the default)."}),
			checkStrategy),
		appsV1Check("StatefulSet", kubeScore(finding.Spec{ID: "statefulset-has-servicename", Severity: sevE, Category: finding.Correctness,
			Description: "StatefulSets name an existing headless Service that selects their pods",
			Remediation: "Set spec.serviceName to a Service with clusterIP: None whose selector matches the pod labels."}),
			checkServiceName),
	}
}

func checkSelectorMatch(_ *Context, _ *Object, w *Workload, r *Reporter) {
	if !labelSelectorMatches(w.Selector, w.Template.Labels) {
		r.Report([]any{"spec", "selector"}, "spec.selector does not match the pod template's labels")
	}
}

func checkStrategy(c *Context, o *Object, w *Workload, r *Reporter) {
	if !c.targetedByService(o) {
		return
	}
	if s := w.Strategy; s != "" && s != "RollingUpdate" {
		r.Report([]any{"spec", "strategy", "type"}, "a Service sends traffic to this Deployment but its strategy is %s, not RollingUpdate", s)
	}
}

func checkServiceName(c *Context, o *Object, w *Workload, r *Reporter) {
	for _, s := range c.in(o.Namespace).services {
		svc := s.Typed.(*corev1.Service)
		if s.Namespace == o.Namespace && s.Name == w.ServiceName && svc.Spec.ClusterIP == corev1.ClusterIPNone &&
			selectorMatches(svc.Spec.Selector, w.Template.Labels) {
			return
		}
	}
	r.Report([]any{"spec", "serviceName"}, "serviceName %q names no headless Service that selects the pods", w.ServiceName)
}
