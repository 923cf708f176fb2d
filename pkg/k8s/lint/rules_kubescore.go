package lint

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/slimship/slimship/pkg/finding"
)

const (
	sevE = finding.Error
	sevW = finding.Warning
	sevI = finding.Info
)

// kubeScoreRules are kube-score's checks (v1.20), named as kube-score names
// them. A CRITICAL grade is an error, WARNING a warning, and kube-score's
// "almost OK" (a missing livenessProbe) is info.
func kubeScoreRules() []Rule {
	return []Rule{
		{rule("container-resources", sevE, finding.Correctness, "Containers set CPU and memory requests and limits"), checkContainerResources},
		{rule("container-image-tag", sevE, finding.Correctness, "Images use an explicit tag other than latest"), checkImageTag},
		{rule("container-image-pull-policy", sevE, finding.Security, "imagePullPolicy is Always, so imagePullSecrets are always checked"), checkPullPolicy},
		{rule("container-ephemeral-storage-request-and-limit", sevE, finding.Correctness, "Containers set ephemeral-storage requests and limits"), checkEphemeral},
		{rule("environment-variable-key-duplication", sevE, finding.Correctness, "A container does not set the same environment variable twice"), checkEnvDup},
		{rule("pod-probes", sevE, finding.Correctness, "Pods behind a Service have a readinessProbe (and a livenessProbe)"), checkProbes},
		{rule("pod-probes-identical", sevE, finding.Correctness, "readinessProbe and livenessProbe differ"), checkProbesIdentical},
		{rule("container-security-context-user-group-id", sevE, finding.Security, "Containers run as a user and group ID of 10000 or more"), checkUserGroup},
		{rule("container-security-context-privileged", sevE, finding.Security, "Containers are not privileged"), checkPrivileged},
		{rule("container-security-context-readonlyrootfilesystem", sevE, finding.Security, "Containers have a read-only root filesystem"), checkReadOnlyRoot},
		{rule("container-seccomp-profile", sevW, finding.Security, "Pods set a seccomp profile (optional in kube-score, on in slimship)"), checkSeccomp},
		{rule("pod-networkpolicy", sevE, finding.Security, "Pods are targeted by ingress and egress NetworkPolicies"), checkPodNetpol},
		{rule("networkpolicy-targets-pod", sevE, finding.Correctness, "A NetworkPolicy selects at least one pod"), checkNetpolTargets},
		{rule("service-targets-pod", sevE, finding.Correctness, "A Service selects at least one pod"), checkServiceTargets},
		{rule("service-type", sevW, finding.Security, "Services are not of type NodePort"), checkServiceType},
		{rule("stable-version", sevW, finding.Maintainability, "Objects use a stable apiVersion"), checkStableVersion},
		{rule("label-values", sevE, finding.Correctness, "Label values are valid"), checkLabelValues},
		{rule("deployment-has-host-podantiaffinity", sevW, finding.Correctness, "Deployments with several replicas keep pods apart with a host podAntiAffinity"), checkAntiAffinity("Deployment")},
		{rule("statefulset-has-host-podantiaffinity", sevW, finding.Correctness, "StatefulSets with several replicas keep pods apart with a host podAntiAffinity"), checkAntiAffinity("StatefulSet")},
		{rule("deployment-has-poddisruptionbudget", sevE, finding.Correctness, "Deployments with several replicas are covered by a PodDisruptionBudget"), checkHasPDB("Deployment")},
		{rule("statefulset-has-poddisruptionbudget", sevE, finding.Correctness, "StatefulSets with several replicas are covered by a PodDisruptionBudget"), checkHasPDB("StatefulSet")},
		{rule("poddisruptionbudget-has-policy", sevE, finding.Correctness, "PodDisruptionBudgets set minAvailable or maxUnavailable"), checkPDBPolicy},
		{rule("deployment-targeted-by-hpa-does-not-have-replicas-configured", sevE, finding.Correctness, "Deployments scaled by an HPA do not set spec.replicas"), checkHPAReplicasField},
		{rule("statefulset-has-servicename", sevE, finding.Correctness, "StatefulSets name an existing headless Service that selects their pods"), checkServiceName},
		{rule("deployment-pod-selector-labels-match-template-metadata-labels", sevE, finding.Correctness, "A Deployment's selector matches its pod template's labels"), checkSelectorMatch("Deployment")},
		{rule("statefulset-pod-selector-labels-match-template-metadata-labels", sevE, finding.Correctness, "A StatefulSet's selector matches its pod template's labels"), checkSelectorMatch("StatefulSet")},
		{rule("horizontalpodautoscaler-has-target", sevE, finding.Correctness, "An HPA's scaleTargetRef names an object in the input"), checkHPATarget},
		{rule("horizontalpodautoscaler-replicas", sevW, finding.Correctness, "An HPA keeps at least 2 replicas"), checkHPAMin},
		{rule("deployment-strategy", sevW, finding.Correctness, "Deployments behind a Service use the RollingUpdate strategy"), checkStrategy},
		{rule("deployment-replicas", sevW, finding.Correctness, "Deployments behind a Service, without an HPA, run at least 2 replicas"), checkDeploymentReplicas},
		{rule("pod-topology-spread-constraints", sevE, finding.Correctness, "topologySpreadConstraints are valid"), checkTopologySpread},
		{rule("ingress-targets-service", sevE, finding.Correctness, "Every Ingress backend names a Service and port in the input"), checkIngressTargets},
		{rule("cronjob-has-deadline", sevE, finding.Correctness, "CronJobs set startingDeadlineSeconds"), checkCronDeadline},
		{rule("cronjob-restartpolicy", sevE, finding.Correctness, "CronJob pods set restartPolicy Never or OnFailure"), checkCronRestart},
		// kube-score's optional checks: off unless a config override or a
		// kube-score/enable annotation turns them on.
		off(Rule{rule("container-resource-requests-equal-limits", sevE, finding.Correctness, "CPU and memory requests equal limits"), checkRequestsEqualLimits(true, true)}),
		off(Rule{rule("container-cpu-requests-equal-limits", sevE, finding.Correctness, "CPU requests equal limits"), checkRequestsEqualLimits(true, false)}),
		off(Rule{rule("container-memory-requests-equal-limits", sevE, finding.Correctness, "Memory requests equal limits"), checkRequestsEqualLimits(false, true)}),
		off(Rule{rule("container-ephemeral-storage-request-equals-limit", sevE, finding.Correctness, "ephemeral-storage requests equal limits"), checkEphemeralEqual}),
		off(Rule{rule("container-ports-check", sevE, finding.Correctness, "Container ports are named uniquely, briefly, and have a number"), checkPorts}),
	}
}

func off(r Rule) Rule {
	r.DefaultOff = true
	return r
}

// workloadWithContainers runs fn for each container of a workload.
func eachContainer(o *Object, fn func(c ContainerRef)) {
	if o.Workload == nil {
		return
	}
	for _, c := range o.Workload.Containers() {
		fn(c)
	}
}

func noContainers(o *Object, r *Reporter) bool {
	if o.Workload == nil {
		return true
	}
	if len(o.Workload.Template.Spec.Containers)+len(o.Workload.Template.Spec.InitContainers) == 0 {
		r.ReportSev(sevE, o.Workload.Path("spec"), "no containers defined")
		return true
	}
	return false
}

func checkContainerResources(_ *Context, o *Object, r *Reporter) {
	if noContainers(o, r) {
		return
	}
	eachContainer(o, func(c ContainerRef) {
		res := c.C.Resources
		if res.Limits.Cpu().IsZero() {
			r.ReportSev(sevE, c.At("resources"), "container %q: CPU limit is not set", c.C.Name)
		}
		if res.Limits.Memory().IsZero() {
			r.ReportSev(sevE, c.At("resources"), "container %q: memory limit is not set", c.C.Name)
		}
		if res.Requests.Cpu().IsZero() {
			r.ReportSev(sevW, c.At("resources"), "container %q: CPU request is not set", c.C.Name)
		}
		if res.Requests.Memory().IsZero() {
			r.ReportSev(sevW, c.At("resources"), "container %q: memory request is not set", c.C.Name)
		}
	})
}

// imageTag returns the tag of an image reference ("" for none) and whether
// it is pinned by digest.
func imageTag(image string) (tag string, digest bool) {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		return "", true
	}
	last := image
	if i := strings.LastIndexByte(image, '/'); i >= 0 {
		last = image[i+1:]
	}
	if i := strings.LastIndexByte(last, ':'); i >= 0 {
		return last[i+1:], false
	}
	return "", false
}

func unpinned(image string) bool {
	tag, digest := imageTag(image)
	return !digest && (tag == "" || tag == "latest")
}

func checkImageTag(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		if unpinned(c.C.Image) {
			r.Report(c.At("image"), "container %q: image %q has no tag or uses latest; pin a version or digest", c.C.Name, c.C.Image)
		}
	})
}

func checkPullPolicy(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		p := c.C.ImagePullPolicy
		if p == "" && unpinned(c.C.Image) {
			return // Kubernetes defaults to Always
		}
		if p != corev1.PullAlways {
			r.Report(c.At("imagePullPolicy"), "container %q: imagePullPolicy is %q, not Always", c.C.Name, orUnset(string(p)))
		}
	})
}

func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

func checkEphemeral(_ *Context, o *Object, r *Reporter) {
	if noContainers(o, r) {
		return
	}
	eachContainer(o, func(c ContainerRef) {
		if c.C.Resources.Limits.StorageEphemeral().IsZero() {
			r.ReportSev(sevE, c.At("resources"), "container %q: ephemeral-storage limit is not set", c.C.Name)
		}
		if c.C.Resources.Requests.StorageEphemeral().IsZero() {
			r.ReportSev(sevW, c.At("resources"), "container %q: ephemeral-storage request is not set", c.C.Name)
		}
	})
}

func checkEnvDup(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		seen := map[string]bool{}
		for i, e := range c.C.Env {
			if seen[e.Name] {
				r.Report(c.At("env", i), "container %q: environment variable %q is set more than once", c.C.Name, e.Name)
			}
			seen[e.Name] = true
		}
	})
}

func checkProbes(c *Context, o *Object, r *Reporter) {
	w := o.Workload
	if w == nil || w.IsJob || !c.targetedByService(o) {
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
		if len(a.Exec.Command) != len(b.Exec.Command) {
			return false
		}
		for i := range a.Exec.Command {
			if a.Exec.Command[i] != b.Exec.Command[i] {
				return false
			}
		}
		return true
	}
	return false
}

func checkProbesIdentical(_ *Context, o *Object, r *Reporter) {
	if o.Workload == nil || o.Workload.IsJob {
		return
	}
	eachContainer(o, func(c ContainerRef) {
		if c.C.ReadinessProbe != nil && c.C.LivenessProbe != nil && probesIdentical(c.C.ReadinessProbe, c.C.LivenessProbe) {
			r.Report(c.At("livenessProbe"), "container %q: readinessProbe and livenessProbe are the same; a slow dependency would restart the pod", c.C.Name)
		}
	})
}

func checkUserGroup(_ *Context, o *Object, r *Reporter) {
	if o.Workload == nil {
		return
	}
	psc := o.Workload.Template.Spec.SecurityContext
	eachContainer(o, func(c ContainerRef) {
		if c.C.SecurityContext == nil && psc == nil {
			r.Report(c.Path, "container %q has no securityContext", c.C.Name)
			return
		}
		var uid, gid *int64
		if sc := c.C.SecurityContext; sc != nil {
			uid, gid = sc.RunAsUser, sc.RunAsGroup
		}
		if psc != nil {
			if uid == nil {
				uid = psc.RunAsUser
			}
			if gid == nil {
				gid = psc.RunAsGroup
			}
		}
		if uid == nil || *uid < 10000 {
			r.Report(c.At("securityContext", "runAsUser"), "container %q runs with a low user ID; set runAsUser to 10000 or more", c.C.Name)
		}
		if gid == nil || *gid < 10000 {
			r.Report(c.At("securityContext", "runAsGroup"), "container %q runs with a low group ID; set runAsGroup to 10000 or more", c.C.Name)
		}
	})
}

func checkPrivileged(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		if sc := c.C.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
			r.Report(c.At("securityContext", "privileged"), "container %q is privileged", c.C.Name)
		}
	})
}

func checkReadOnlyRoot(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		sc := c.C.SecurityContext
		if sc == nil {
			r.Report(c.Path, "container %q has no securityContext", c.C.Name)
			return
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			r.Report(c.At("securityContext", "readOnlyRootFilesystem"), "container %q has a writable root filesystem; set readOnlyRootFilesystem: true", c.C.Name)
		}
	})
}

func checkSeccomp(_ *Context, o *Object, r *Reporter) {
	w := o.Workload
	if w == nil {
		return
	}
	if _, ok := w.Template.Annotations["seccomp.security.alpha.kubernetes.io/defaultProfileName"]; ok {
		return
	}
	if sc := w.Template.Spec.SecurityContext; sc != nil && sc.SeccompProfile != nil {
		return
	}
	for i, c := range w.Template.Spec.Containers {
		if c.SecurityContext == nil || c.SecurityContext.SeccompProfile == nil {
			r.Report(w.Path("spec", "containers", i), "container %q has no seccomp profile; set seccompProfile.type RuntimeDefault", c.Name)
		}
	}
}

func checkPodNetpol(c *Context, o *Object, r *Reporter) {
	w := o.Workload
	if w == nil {
		return
	}
	ingress, egress := false, false
	for _, n := range c.in(o.Namespace).netpols {
		np := n.Typed.(*networkingv1.NetworkPolicy)
		if n.Namespace != o.Namespace || !labelSelectorMatches(&np.Spec.PodSelector, w.Template.Labels) {
			continue
		}
		if len(np.Spec.PolicyTypes) == 0 {
			ingress = true
			if len(np.Spec.Egress) > 0 {
				egress = true
			}
			continue
		}
		for _, t := range np.Spec.PolicyTypes {
			switch t {
			case networkingv1.PolicyTypeIngress:
				ingress = true
			case networkingv1.PolicyTypeEgress:
				egress = true
			}
		}
	}
	path := w.Path("metadata")
	switch {
	case ingress && egress:
	case ingress:
		r.ReportSev(sevW, path, "no NetworkPolicy restricts the pod's egress")
	case egress:
		r.ReportSev(sevW, path, "no NetworkPolicy restricts the pod's ingress")
	default:
		r.ReportSev(sevE, path, "no NetworkPolicy selects the pod")
	}
}

func checkNetpolTargets(c *Context, o *Object, r *Reporter) {
	np, ok := o.Typed.(*networkingv1.NetworkPolicy)
	if !ok {
		return
	}
	for _, w := range c.in(o.Namespace).workloads {
		if w.Namespace == o.Namespace && labelSelectorMatches(&np.Spec.PodSelector, w.Workload.Template.Labels) {
			return
		}
	}
	r.Report([]any{"spec", "podSelector"}, "the podSelector matches no pod in the input")
}

func checkServiceTargets(c *Context, o *Object, r *Reporter) {
	svc, ok := o.Typed.(*corev1.Service)
	if !ok || svc.Spec.Type == corev1.ServiceTypeExternalName {
		return
	}
	for _, w := range c.in(o.Namespace).workloads {
		if w.Namespace == o.Namespace && selectorMatches(svc.Spec.Selector, w.Workload.Template.Labels) {
			return
		}
	}
	r.Report([]any{"spec", "selector"}, "the selector matches no pod in the input")
}

func checkServiceType(_ *Context, o *Object, r *Reporter) {
	if svc, ok := o.Typed.(*corev1.Service); ok && svc.Spec.Type == corev1.ServiceTypeNodePort {
		r.Report([]any{"spec", "type"}, "Service of type NodePort opens a port on every node; use ClusterIP behind an Ingress, or a LoadBalancer")
	}
}

// stableAPIs is kube-score's table of deprecated apiVersions and their
// replacements.
var stableAPIs = map[string]map[string]string{
	"extensions/v1beta1":        {"Deployment": "apps/v1", "DaemonSet": "apps/v1", "Ingress": "networking.k8s.io/v1", "IngressClass": "networking.k8s.io/v1"},
	"apps/v1beta1":              {"Deployment": "apps/v1", "StatefulSet": "apps/v1"},
	"apps/v1beta2":              {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1"},
	"batch/v1beta1":             {"CronJob": "batch/v1"},
	"policy/v1beta1":            {"PodDisruptionBudget": "policy/v1"},
	"networking.k8s.io/v1beta1": {"Ingress": "networking.k8s.io/v1", "IngressClass": "networking.k8s.io/v1"},
}

func checkStableVersion(_ *Context, o *Object, r *Reporter) {
	if repl, ok := stableAPIs[o.APIVersion][o.Kind]; ok {
		r.Report([]any{"apiVersion"}, "%s %s is deprecated; use %s", o.APIVersion, o.Kind, repl)
	}
}

// isLabelValue reports whether v matches
// ^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$ (the label value syntax
// without the length limit).
func isLabelValue(v string) bool {
	if v == "" {
		return true
	}
	if !isAlnum(v[0]) || !isAlnum(v[len(v)-1]) {
		return false
	}
	for i := 1; i < len(v)-1; i++ {
		if c := v[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func checkLabelValues(_ *Context, o *Object, r *Reporter) {
	for k, v := range o.Meta.Labels {
		if len(v) > 63 || !isLabelValue(v) {
			r.Report([]any{"metadata", "labels", k}, "label %s has an invalid value %q", k, v)
		}
	}
}

// isAppsV1 limits Deployment and StatefulSet checks to apps/v1, as kube-score does.
func isAppsV1(o *Object, kind string) bool {
	return o.Workload != nil && o.Kind == kind && o.APIVersion == "apps/v1"
}

var hostTopologyKeys = map[string]bool{
	"kubernetes.io/hostname": true, "topology.kubernetes.io/region": true, "topology.kubernetes.io/zone": true,
	"failure-domain.beta.kubernetes.io/region": true, "failure-domain.beta.kubernetes.io/zone": true,
}

func checkAntiAffinity(kind string) func(*Context, *Object, *Reporter) {
	return func(_ *Context, o *Object, r *Reporter) {
		if !isAppsV1(o, kind) {
			return
		}
		w := o.Workload
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

func checkHasPDB(kind string) func(*Context, *Object, *Reporter) {
	return func(c *Context, o *Object, r *Reporter) {
		if !isAppsV1(o, kind) {
			return
		}
		w := o.Workload
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
}

func checkPDBPolicy(_ *Context, o *Object, r *Reporter) {
	if pdb, ok := o.Typed.(*policyv1.PodDisruptionBudget); ok && pdb.Spec.MinAvailable == nil && pdb.Spec.MaxUnavailable == nil {
		r.Report([]any{"spec"}, "PodDisruptionBudget sets neither minAvailable nor maxUnavailable")
	}
}

func checkHPAReplicasField(c *Context, o *Object, r *Reporter) {
	if !isAppsV1(o, "Deployment") || o.Workload.Replicas == nil {
		return
	}
	for _, h := range c.in(o.Namespace).hpas {
		ref := h.Typed.(*HPA).Spec.ScaleTargetRef
		if h.Namespace == o.Namespace && strings.EqualFold(ref.Kind, o.Kind) && ref.Name == o.Name {
			r.Report([]any{"spec", "replicas"}, "spec.replicas is set but HorizontalPodAutoscaler %s scales this Deployment; every apply resets the replica count", h.Name)
			return
		}
	}
	if len(c.in(o.Namespace).scaled) > 0 && c.hpaTargets(o) {
		r.Report([]any{"spec", "replicas"}, "spec.replicas is set but a KEDA ScaledObject scales this Deployment; every apply resets the replica count")
	}
}

func checkServiceName(c *Context, o *Object, r *Reporter) {
	if !isAppsV1(o, "StatefulSet") {
		return
	}
	for _, s := range c.in(o.Namespace).services {
		svc := s.Typed.(*corev1.Service)
		if s.Namespace == o.Namespace && s.Name == o.Workload.ServiceName && svc.Spec.ClusterIP == corev1.ClusterIPNone &&
			selectorMatches(svc.Spec.Selector, o.Workload.Template.Labels) {
			return
		}
	}
	r.Report([]any{"spec", "serviceName"}, "serviceName %q names no headless Service that selects the pods", o.Workload.ServiceName)
}

func checkSelectorMatch(kind string) func(*Context, *Object, *Reporter) {
	return func(_ *Context, o *Object, r *Reporter) {
		if !isAppsV1(o, kind) {
			return
		}
		if !labelSelectorMatches(o.Workload.Selector, o.Workload.Template.Labels) {
			r.Report([]any{"spec", "selector"}, "spec.selector does not match the pod template's labels")
		}
	}
}

func checkHPATarget(c *Context, o *Object, r *Reporter) {
	h, ok := o.Typed.(*HPA)
	if !ok {
		return
	}
	ref := h.Spec.ScaleTargetRef
	for _, t := range c.in(o.Namespace).all {
		if t.APIVersion == ref.APIVersion && t.Kind == ref.Kind && t.Name == ref.Name && t.Namespace == o.Namespace {
			return
		}
	}
	r.Report([]any{"spec", "scaleTargetRef"}, "scaleTargetRef %s %s %s matches no object in the input", ref.APIVersion, ref.Kind, ref.Name)
}

func checkHPAMin(_ *Context, o *Object, r *Reporter) {
	h, ok := o.Typed.(*HPA)
	if !ok {
		return
	}
	if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
		r.Report([]any{"spec", "minReplicas"}, "minReplicas is below 2: one pod disruption takes the app down")
	}
}

func checkStrategy(c *Context, o *Object, r *Reporter) {
	if !isAppsV1(o, "Deployment") || !c.targetedByService(o) {
		return
	}
	if s := o.Workload.Strategy; s != "" && s != "RollingUpdate" {
		r.Report([]any{"spec", "strategy", "type"}, "a Service sends traffic to this Deployment but its strategy is %s, not RollingUpdate", s)
	}
}

func checkDeploymentReplicas(c *Context, o *Object, r *Reporter) {
	if !isAppsV1(o, "Deployment") || !c.targetedByService(o) {
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
	if o.Workload.Replicas == nil || *o.Workload.Replicas < 2 {
		r.Report([]any{"spec", "replicas"}, "a Service sends traffic to this Deployment but it runs fewer than 2 replicas")
	}
}

func checkTopologySpread(_ *Context, o *Object, r *Reporter) {
	w := o.Workload
	if w == nil {
		return
	}
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

func checkIngressTargets(c *Context, o *Object, r *Reporter) {
	ing, ok := o.Typed.(*Ingress)
	if !ok {
		return
	}
	for ri, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for pi, p := range rule.HTTP.Paths {
			name, num, port := "", int32(0), ""
			if b := p.Backend.Service; b != nil {
				name, num, port = b.Name, b.Port.Number, b.Port.Name
			} else if p.Backend.ServiceName != "" {
				name = p.Backend.ServiceName
				switch v := p.Backend.ServicePort.(type) {
				case float64:
					num = int32(v)
				case string:
					port = v
				}
			} else {
				continue // a resource backend
			}
			if ingressMatch(c, o.Namespace, name, num, port) {
				continue
			}
			want := port
			if num > 0 {
				want = fmt.Sprint(num)
			}
			r.Report([]any{"spec", "rules", ri, "http", "paths", pi, "backend"}, "path %q: no Service %s with port %s in the input", p.Path, name, want)
		}
	}
}

func ingressMatch(c *Context, ns, name string, num int32, port string) bool {
	for _, s := range c.in(ns).services {
		if s.Namespace != ns || s.Name != name {
			continue
		}
		for _, sp := range s.Typed.(*corev1.Service).Spec.Ports {
			if (num > 0 && sp.Port == num) || (num == 0 && sp.Name == port) {
				return true
			}
		}
	}
	return false
}

func checkCronDeadline(_ *Context, o *Object, r *Reporter) {
	if o.Workload != nil && o.Workload.IsCronJob && o.Workload.StartingDeadline == nil {
		r.Report([]any{"spec"}, "CronJob has no startingDeadlineSeconds: missed runs may pile up")
	}
}

func checkCronRestart(_ *Context, o *Object, r *Reporter) {
	if o.Workload == nil || !o.Workload.IsCronJob {
		return
	}
	p := o.Workload.Template.Spec.RestartPolicy
	if p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
		r.Report(o.Workload.Path("spec"), "CronJob pods have restartPolicy %q; use Never or OnFailure", orUnset(string(p)))
	}
}

func checkRequestsEqualLimits(cpu, mem bool) func(*Context, *Object, *Reporter) {
	return func(_ *Context, o *Object, r *Reporter) {
		eachContainer(o, func(c ContainerRef) {
			res := c.C.Resources
			if cpu && !res.Requests.Cpu().Equal(*res.Limits.Cpu()) {
				r.Report(c.At("resources"), "container %q: CPU request differs from its limit", c.C.Name)
			}
			if mem && !res.Requests.Memory().Equal(*res.Limits.Memory()) {
				r.Report(c.At("resources"), "container %q: memory request differs from its limit", c.C.Name)
			}
		})
	}
}

func checkEphemeralEqual(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		res := c.C.Resources
		l, q := res.Limits.StorageEphemeral(), res.Requests.StorageEphemeral()
		if !l.IsZero() && !q.IsZero() && !l.Equal(*q) {
			r.Report(c.At("resources"), "container %q: ephemeral-storage request differs from its limit", c.C.Name)
		}
	})
}

func checkPorts(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		names := map[string]bool{}
		for i, p := range c.C.Ports {
			path := c.At("ports", i)
			if p.Name != "" && names[p.Name] {
				r.Report(path, "container %q: port name %q is used twice", c.C.Name, p.Name)
			}
			names[p.Name] = true
			if len(p.Name) > 15 {
				r.Report(path, "container %q: port name %q is longer than 15 characters", c.C.Name, p.Name)
			}
			if p.ContainerPort == 0 {
				r.Report(path, "container %q: port has no containerPort", c.C.Name)
			}
		}
	})
}
