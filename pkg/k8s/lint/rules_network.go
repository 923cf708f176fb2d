package lint

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// networkRules check how traffic reaches pods: NetworkPolicies, Services,
// Ingresses and container ports.
func networkRules() []Rule {
	return []Rule{
		podCheck(kubeScore(finding.Spec{ID: "pod-networkpolicy", Severity: sevE, Category: finding.Security,
			Description: "Pods are targeted by ingress and egress NetworkPolicies",
			Remediation: "Add a NetworkPolicy whose podSelector matches the pod's labels, with Ingress and Egress policyTypes."}),
			checkPodNetpol),
		networkPolicyCheck(kubeScore(finding.Spec{ID: "networkpolicy-targets-pod", Severity: sevE, Category: finding.Correctness,
			Description: "A NetworkPolicy selects at least one pod",
			Remediation: "Change spec.podSelector to match the labels of a pod template in the same namespace."}),
			checkNetpolTargets),
		serviceCheck(kubeScore(finding.Spec{ID: "service-targets-pod", Severity: sevE, Category: finding.Correctness,
			Description: "A Service selects at least one pod",
			Remediation: "Change spec.selector to match the labels of a pod template in the same namespace."}),
			checkServiceTargets),
		serviceCheck(kubeScore(finding.Spec{ID: "service-type", Severity: sevW, Category: finding.Security,
			Description: "Services are not of type NodePort",
			Remediation: "Use type ClusterIP behind an Ingress, or type LoadBalancer."}),
			checkServiceType),
		ingressCheck(kubeScore(finding.Spec{ID: "ingress-targets-service", Severity: sevE, Category: finding.Correctness,
			Description: "Every Ingress backend names a Service and port in the input",
			Remediation: "Name a Service of the Ingress's namespace, and one of its ports, in each backend."}),
			checkIngressTargets),
		containerCheck(kubeScore(finding.Spec{ID: "container-ports-check", Severity: sevE, Category: finding.Correctness, DefaultOff: true,
			Description: "Container ports are named uniquely, briefly, and have a number",
			Remediation: "Give each container port a containerPort and a unique name of at most 15 characters."}),
			checkPorts),
		containerCheck(kubeLinter(finding.Spec{ID: "ssh-port", Severity: sevW, Category: finding.Security,
			Description: "Containers do not expose port 22",
			Remediation: "Remove port 22 from the container and use kubectl exec to get a shell."}),
			checkSSHPort),
	}
}

func checkPodNetpol(c *Context, o *Object, w *Workload, r *Reporter) {
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

func checkNetpolTargets(c *Context, o *Object, np *networkingv1.NetworkPolicy, r *Reporter) {
	for _, w := range c.in(o.Namespace).workloads {
		if w.Namespace == o.Namespace && labelSelectorMatches(&np.Spec.PodSelector, w.Workload.Template.Labels) {
			return
		}
	}
	r.Report([]any{"spec", "podSelector"}, "the podSelector matches no pod in the input")
}

func checkServiceTargets(c *Context, o *Object, svc *corev1.Service, r *Reporter) {
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return
	}
	for _, w := range c.in(o.Namespace).workloads {
		if w.Namespace == o.Namespace && selectorMatches(svc.Spec.Selector, w.Workload.Template.Labels) {
			return
		}
	}
	r.Report([]any{"spec", "selector"}, "the selector matches no pod in the input")
}

func checkServiceType(_ *Context, _ *Object, svc *corev1.Service, r *Reporter) {
	if svc.Spec.Type == corev1.ServiceTypeNodePort {
		r.Report([]any{"spec", "type"}, "Service of type NodePort opens a port on every node; use ClusterIP behind an Ingress, or a LoadBalancer")
	}
}

func checkIngressTargets(c *Context, o *Object, ing *Ingress, r *Reporter) {
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

func checkPorts(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
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
}

func checkSSHPort(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
	for i, p := range c.C.Ports {
		if p.ContainerPort == 22 && (p.Protocol == "" || p.Protocol == corev1.ProtocolTCP) {
			r.Report(c.At("ports", i), "container %q exposes SSH port 22", c.C.Name)
		}
	}
}
