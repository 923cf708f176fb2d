package lint

import "github.com/slimship/slimship/pkg/finding"

// resourceRules check containers' resource requests and limits: CPU,
// memory and ephemeral storage.
func resourceRules() []Rule {
	return []Rule{
		podCheck(kubeScore(finding.Spec{ID: "container-resources", Severity: sevE, Category: finding.Correctness,
			Description: "Containers set CPU and memory requests and limits",
			Remediation: "Set resources.requests and resources.limits for cpu and memory on every container."}),
			checkContainerResources),
		podCheck(kubeScore(finding.Spec{ID: "container-ephemeral-storage-request-and-limit", Severity: sevE, Category: finding.Correctness,
			Description: "Containers set ephemeral-storage requests and limits",
			Remediation: "Set resources.requests and resources.limits for ephemeral-storage on every container."}),
			checkEphemeral),
		// kube-score's optional checks: off unless a config override or a
		// kube-score/enable annotation turns them on.
		containerCheck(kubeScore(finding.Spec{ID: "container-resource-requests-equal-limits", Severity: sevE, Category: finding.Correctness,
			Description: "CPU and memory requests equal limits", DefaultOff: true,
			Remediation: "Set each container's cpu and memory requests to the same values as its limits."}),
			checkRequestsEqualLimits(true, true)),
		containerCheck(kubeScore(finding.Spec{ID: "container-cpu-requests-equal-limits", Severity: sevE, Category: finding.Correctness,
			Description: "CPU requests equal limits", DefaultOff: true,
			Remediation: "Set each container's cpu request to the same value as its cpu limit."}),
			checkRequestsEqualLimits(true, false)),
		containerCheck(kubeScore(finding.Spec{ID: "container-memory-requests-equal-limits", Severity: sevE, Category: finding.Correctness,
			Description: "Memory requests equal limits", DefaultOff: true,
			Remediation: "Set each container's memory request to the same value as its memory limit."}),
			checkRequestsEqualLimits(false, true)),
		containerCheck(kubeScore(finding.Spec{ID: "container-ephemeral-storage-request-equals-limit", Severity: sevE, Category: finding.Correctness,
			Description: "ephemeral-storage requests equal limits", DefaultOff: true,
			Remediation: "Set each container's ephemeral-storage request to the same value as its limit."}),
			checkEphemeralEqual),
	}
}

// noContainers reports a pod template without containers.
func noContainers(w *Workload, r *Reporter) bool {
	if len(w.Template.Spec.Containers)+len(w.Template.Spec.InitContainers) == 0 {
		r.ReportSev(sevE, w.Path("spec"), "no containers defined")
		return true
	}
	return false
}

func checkContainerResources(_ *Context, _ *Object, w *Workload, r *Reporter) {
	if noContainers(w, r) {
		return
	}
	for _, c := range w.Containers() {
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
	}
}

func checkEphemeral(_ *Context, _ *Object, w *Workload, r *Reporter) {
	if noContainers(w, r) {
		return
	}
	for _, c := range w.Containers() {
		if c.C.Resources.Limits.StorageEphemeral().IsZero() {
			r.ReportSev(sevE, c.At("resources"), "container %q: ephemeral-storage limit is not set", c.C.Name)
		}
		if c.C.Resources.Requests.StorageEphemeral().IsZero() {
			r.ReportSev(sevW, c.At("resources"), "container %q: ephemeral-storage request is not set", c.C.Name)
		}
	}
}

func checkRequestsEqualLimits(cpu, mem bool) func(*Context, *Object, *Workload, ContainerRef, *Reporter) {
	return func(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
		res := c.C.Resources
		if cpu && !res.Requests.Cpu().Equal(*res.Limits.Cpu()) {
			r.Report(c.At("resources"), "container %q: CPU request differs from its limit", c.C.Name)
		}
		if mem && !res.Requests.Memory().Equal(*res.Limits.Memory()) {
			r.Report(c.At("resources"), "container %q: memory request differs from its limit", c.C.Name)
		}
	}
}

func checkEphemeralEqual(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
	res := c.C.Resources
	l, q := res.Limits.StorageEphemeral(), res.Requests.StorageEphemeral()
	if !l.IsZero() && !q.IsZero() && !l.Equal(*q) {
		r.Report(c.At("resources"), "container %q: ephemeral-storage request differs from its limit", c.C.Name)
	}
}
