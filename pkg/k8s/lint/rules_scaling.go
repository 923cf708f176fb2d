package lint

import (
	"fmt"
	"strings"

	policyv1 "k8s.io/api/policy/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// scalingRules check how many pods run and stay up: replicas,
// HorizontalPodAutoscalers, KEDA ScaledObjects and PodDisruptionBudgets.
func scalingRules() []Rule {
	return []Rule{
		appsV1Check("Deployment", kubeScore(finding.Spec{ID: "deployment-replicas", Severity: sevW, Category: finding.Correctness,
			Description: "Deployments behind a Service, without an HPA, run at least 2 replicas",
			Remediation: "Set spec.replicas to 2 or more, or scale the Deployment with a HorizontalPodAutoscaler."}),
			checkDeploymentReplicas),
		appsV1Check("Deployment", kubeScore(finding.Spec{ID: "deployment-targeted-by-hpa-does-not-have-replicas-configured", Severity: sevE, Category: finding.Correctness,
			Description: "Deployments scaled by an HPA do not set spec.replicas",
			Remediation: "Remove spec.replicas from the Deployment and let the autoscaler set it."}),
			checkHPAReplicasField),
		hpaCheck(kubeScore(finding.Spec{ID: "horizontalpodautoscaler-has-target", Severity: sevE, Category: finding.Correctness,
			Description: "An HPA's scaleTargetRef names an object in the input",
			Remediation: "Make scaleTargetRef's apiVersion, kind and name those of a workload in the HPA's namespace."}),
			checkHPATarget),
		hpaCheck(kubeScore(finding.Spec{ID: "horizontalpodautoscaler-replicas", Severity: sevW, Category: finding.Correctness,
			Description: "An HPA keeps at least 2 replicas",
			Remediation: "Set spec.minReplicas to 2 or more."}),
			checkHPAMin),
		hpaCheck(finding.Spec{ID: "hpa-min-below-max", Severity: sevE, Category: finding.Correctness,
			Description: "An HPA's minReplicas is below its maxReplicas",
			Remediation: "Raise spec.maxReplicas above spec.minReplicas (which defaults to 1)."},
			checkHPAMinMax),
		scaledObjectCheck(finding.Spec{ID: "keda-scaledobject", Severity: sevE, Category: finding.Correctness,
			Description: "KEDA ScaledObjects target an object in the input, have triggers and sane replica bounds",
			Remediation: "Name a workload of the input in scaleTargetRef, give the ScaledObject triggers, keep minReplicaCount between 2 and maxReplicaCount, and drop any HPA of the same target."},
			checkScaledObject),
		appsV1Check("Deployment", kubeScore(finding.Spec{ID: "deployment-has-poddisruptionbudget", Severity: sevE, Category: finding.Correctness,
			Description: "Deployments with several replicas are covered by a PodDisruptionBudget",
			Remediation: "Add a PodDisruptionBudget in the Deployment's namespace whose selector matches its pod labels."}),
			checkHasPDB),
		appsV1Check("StatefulSet", kubeScore(finding.Spec{ID: "statefulset-has-poddisruptionbudget", Severity: sevE, Category: finding.Correctness,
			Description: "StatefulSets with several replicas are covered by a PodDisruptionBudget",
			Remediation: "Add a PodDisruptionBudget in the StatefulSet's namespace whose selector matches its pod labels."}),
			checkHasPDB),
		pdbCheck(kubeScore(finding.Spec{ID: "poddisruptionbudget-has-policy", Severity: sevE, Category: finding.Correctness,
			Description: "PodDisruptionBudgets set minAvailable or maxUnavailable",
			Remediation: "Set spec.minAvailable or spec.maxUnavailable."}),
			checkPDBPolicy),
		pdbCheck(kubeLinter(finding.Spec{ID: "pdb-unhealthy-pod-eviction-policy", Severity: sevI, Category: finding.Correctness,
			Description: "PodDisruptionBudgets set unhealthyPodEvictionPolicy, so crash-looping pods do not block node drains",
			Remediation: "Set spec.unhealthyPodEvictionPolicy: AlwaysAllow."}),
			checkPDBEviction),
	}
}

func checkDeploymentReplicas(c *Context, o *Object, w *Workload, r *Reporter) {
	if !c.targetedByService(o) {
		return
	}
	for _, h := range c.in(o.Namespace).hpas {
		ref := h.Typed.(*HPA).Spec.ScaleTargetRef
		if h.Namespace == o.Namespace && ref.APIVersion == o.APIVersion && ref.Kind == o.Kind && ref.Name == o.Name {
			return
		}
	}
	if len(c.in(o.Namespace).scaled) > 0 && c.hpaTargets(o) {
		return // KEDA's ScaledObject creates the HPA at run time
	}
	if w.Replicas == nil || *w.Replicas < 2 {
		r.Report([]any{"spec", "replicas"}, "a Service sends traffic to this Deployment but it runs fewer than 2 replicas")
	}
}

func checkHPAReplicasField(c *Context, o *Object, w *Workload, r *Reporter) {
	if w.Replicas == nil {
		return
	}
	if h := c.scaledByHPA(o); h != nil {
		r.Report([]any{"spec", "replicas"}, "spec.replicas is set but HorizontalPodAutoscaler %s scales this Deployment; every apply resets the replica count", h.Name)
		return
	}
	if len(c.in(o.Namespace).scaled) > 0 && c.hpaTargets(o) {
		r.Report([]any{"spec", "replicas"}, "spec.replicas is set but a KEDA ScaledObject scales this Deployment; every apply resets the replica count")
	}
}

func checkHPATarget(c *Context, o *Object, h *HPA, r *Reporter) {
	ref := h.Spec.ScaleTargetRef
	for _, t := range c.in(o.Namespace).all {
		if t.APIVersion == ref.APIVersion && t.Kind == ref.Kind && t.Name == ref.Name && t.Namespace == o.Namespace {
			return
		}
	}
	r.Report([]any{"spec", "scaleTargetRef"}, "scaleTargetRef %s %s %s matches no object in the input", ref.APIVersion, ref.Kind, ref.Name)
}

func checkHPAMin(_ *Context, _ *Object, h *HPA, r *Reporter) {
	if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
		r.Report([]any{"spec", "minReplicas"}, "minReplicas is below 2: one pod disruption takes the app down")
	}
}

func checkHPAMinMax(_ *Context, _ *Object, h *HPA, r *Reporter) {
	min := int32(1)
	if h.Spec.MinReplicas != nil {
		min = *h.Spec.MinReplicas
	}
	if min >= h.Spec.MaxReplicas {
		r.Report([]any{"spec", "maxReplicas"}, "minReplicas %d is not below maxReplicas %d: the HPA cannot scale", min, h.Spec.MaxReplicas)
	}
}

func checkScaledObject(c *Context, o *Object, s *ScaledObject, r *Reporter) {
	ref := s.Spec.ScaleTargetRef
	if ref == nil || ref.Name == "" {
		r.Report([]any{"spec"}, "ScaledObject has no scaleTargetRef.name")
	} else {
		kind := ref.Kind
		if kind == "" {
			kind = "Deployment"
		}
		found := false
		for _, t := range c.in(o.Namespace).all {
			if t.Kind == kind && t.Name == ref.Name && t.Namespace == o.Namespace {
				found = true
				break
			}
		}
		if !found {
			r.ReportSev(sevW, []any{"spec", "scaleTargetRef"}, "scaleTargetRef %s %s matches no object in the input", kind, ref.Name)
		}
		for _, h := range c.in(o.Namespace).hpas {
			hr := h.Typed.(*HPA).Spec.ScaleTargetRef
			if h.Namespace == o.Namespace && hr.Kind == kind && hr.Name == ref.Name {
				r.Report([]any{"spec", "scaleTargetRef"}, "HorizontalPodAutoscaler %s also scales %s %s; KEDA creates its own HPA", h.Name, kind, ref.Name)
			}
		}
	}
	if len(s.Spec.Triggers) == 0 {
		r.Report([]any{"spec"}, "ScaledObject has no triggers")
	}
	for i, t := range s.Spec.Triggers {
		if t.Type == "prometheus" {
			for _, k := range []string{"serverAddress", "query", "threshold"} {
				if t.Metadata[k] == "" {
					r.Report([]any{"spec", "triggers", i, "metadata"}, "prometheus trigger has no %s", k)
				}
			}
		}
	}
	min, max := int32(0), int32(100)
	if s.Spec.MinReplicaCount != nil {
		min = *s.Spec.MinReplicaCount
	}
	if s.Spec.MaxReplicaCount != nil {
		max = *s.Spec.MaxReplicaCount
	}
	if min > max {
		r.Report([]any{"spec", "minReplicaCount"}, "minReplicaCount %d is above maxReplicaCount %d", min, max)
	} else if min < 2 {
		r.ReportSev(sevW, []any{"spec", "minReplicaCount"}, "minReplicaCount %d is below 2: one disruption takes the app down (or scales it to zero)", min)
	}
}

func checkHasPDB(c *Context, o *Object, w *Workload, r *Reporter) {
	if w.Replicas != nil && *w.Replicas < 2 {
		return
	}
	// A budget in the object's namespace settles it; only without one
	// are the others, in input order, named.
	for _, p := range c.in(o.Namespace).pdbs {
		if p.Namespace == o.Namespace && p.selector.matches(w.Template.Labels) {
			return
		}
	}
	var elsewhere []string
	for _, p := range c.pdbs {
		if p.Namespace != o.Namespace && p.selector.matches(w.Template.Labels) {
			elsewhere = append(elsewhere, p.Namespace)
		}
	}
	msg := "no PodDisruptionBudget covers the pods; a node drain may take them all down"
	if len(elsewhere) > 0 {
		msg += fmt.Sprintf(" (a matching one is in namespace %s)", strings.Join(elsewhere, ", "))
	}
	r.Report(nil, "%s", msg)
}

func checkPDBPolicy(_ *Context, _ *Object, pdb *policyv1.PodDisruptionBudget, r *Reporter) {
	if pdb.Spec.MinAvailable == nil && pdb.Spec.MaxUnavailable == nil {
		r.Report([]any{"spec"}, "PodDisruptionBudget sets neither minAvailable nor maxUnavailable")
	}
}

func checkPDBEviction(_ *Context, _ *Object, pdb *policyv1.PodDisruptionBudget, r *Reporter) {
	if pdb.Spec.UnhealthyPodEvictionPolicy == nil {
		r.Report([]any{"spec"}, "unhealthyPodEvictionPolicy is unset; AlwaysAllow lets a node drain evict pods that are not ready")
	}
}
