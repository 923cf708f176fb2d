package lint

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// kubeLinterRules are kube-linter's workload checks that kube-score lacks,
// named as kube-linter names them.
func kubeLinterRules() []Rule {
	return []Rule{
		{rule("host-network", sevW, finding.Security, "Pods do not share the host's network namespace"), checkHostNS("hostNetwork")},
		{rule("host-pid", sevW, finding.Security, "Pods do not share the host's process namespace"), checkHostNS("hostPID")},
		{rule("host-ipc", sevW, finding.Security, "Pods do not share the host's IPC namespace"), checkHostNS("hostIPC")},
		{rule("sensitive-host-mounts", sevW, finding.Security, "Pods do not mount sensitive host directories"), checkSensitiveMounts},
		{rule("docker-sock", sevW, finding.Security, "Pods do not mount the container runtime's socket"), checkDockerSock},
		{rule("privilege-escalation-container", sevW, finding.Security, "Containers do not allow privilege escalation"), checkPrivEsc},
		{rule("drop-net-raw-capability", sevW, finding.Security, "Containers drop NET_RAW (or ALL) capabilities"), checkNetRaw},
		{rule("run-as-non-root", sevW, finding.Security, "Containers are set to run as a non-root user"), checkRunAsNonRoot},
		{rule("env-var-secret", sevW, finding.Security, "Secrets are not written into environment variable literals"), checkEnvSecret},
		{rule("no-extensions-v1beta", sevW, finding.Maintainability, "Objects do not use the removed extensions/v1beta* APIs"), checkNoExtensions},
		{rule("deprecated-service-account-field", sevW, finding.Maintainability, "Pods use serviceAccountName, not the deprecated serviceAccount"), checkDeprecatedSAField},
		{rule("ssh-port", sevW, finding.Security, "Containers do not expose port 22"), checkSSHPort},
		{rule("unsafe-sysctls", sevW, finding.Security, "Pods do not set unsafe sysctls"), checkUnsafeSysctls},
		{rule("pdb-unhealthy-pod-eviction-policy", sevI, finding.Correctness, "PodDisruptionBudgets set unhealthyPodEvictionPolicy, so crash-looping pods do not block node drains"), checkPDBEviction},
	}
}

// ownRules are slimship's checks for what neither tool covers.
func ownRules() []Rule {
	return []Rule{
		{rule("hpa-min-below-max", sevE, finding.Correctness, "An HPA's minReplicas is below its maxReplicas"), checkHPAMinMax},
		{rule("deprecated-api-version", sevW, finding.Maintainability, "Objects do not use apiVersions removed from current Kubernetes"), checkRemovedAPI},
		{rule("keda-scaledobject", sevE, finding.Correctness, "KEDA ScaledObjects target an object in the input, have triggers and sane replica bounds"), checkScaledObject},
	}
}

func checkHostNS(field string) func(*Context, *Object, *Reporter) {
	return func(_ *Context, o *Object, r *Reporter) {
		w := o.Workload
		if w == nil {
			return
		}
		s := &w.Template.Spec
		var on bool
		switch field {
		case "hostNetwork":
			on = s.HostNetwork
		case "hostPID":
			on = s.HostPID
		case "hostIPC":
			on = s.HostIPC
		}
		if on {
			r.Report(w.Path("spec", field), "%s is true: the pod shares the node's namespace", field)
		}
	}
}

var sensitiveHostPaths = []string{"/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/var/lib/kubelet", "/var/lib/docker", "/root"}

var runtimeSockets = []string{"/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock", "/var/run/crio/crio.sock"}

func hostPaths(o *Object, fn func(i int, path string)) {
	if o.Workload == nil {
		return
	}
	for i, v := range o.Workload.Template.Spec.Volumes {
		if v.HostPath != nil {
			fn(i, strings.TrimRight(v.HostPath.Path, "/"))
		}
	}
}

func checkSensitiveMounts(_ *Context, o *Object, r *Reporter) {
	hostPaths(o, func(i int, p string) {
		if p == "" {
			p = "/"
		}
		for _, s := range sensitiveHostPaths {
			if p == s {
				r.Report(o.Workload.Path("spec", "volumes", i, "hostPath"), "volume %q mounts the host's %s", o.Workload.Template.Spec.Volumes[i].Name, p)
				return
			}
		}
	})
}

func checkDockerSock(_ *Context, o *Object, r *Reporter) {
	hostPaths(o, func(i int, p string) {
		for _, s := range runtimeSockets {
			if p == s {
				r.Report(o.Workload.Path("spec", "volumes", i, "hostPath"), "volume %q mounts the container runtime socket %s: root on the node", o.Workload.Template.Spec.Volumes[i].Name, p)
				return
			}
		}
	})
}

func hasCap(caps []corev1.Capability, names ...string) bool {
	for _, c := range caps {
		for _, n := range names {
			if strings.EqualFold(strings.TrimPrefix(string(c), "CAP_"), n) {
				return true
			}
		}
	}
	return false
}

func checkPrivEsc(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		sc := c.C.SecurityContext
		if sc == nil {
			return
		}
		if sc.AllowPrivilegeEscalation != nil && *sc.AllowPrivilegeEscalation {
			r.Report(c.At("securityContext", "allowPrivilegeEscalation"), "container %q allows privilege escalation", c.C.Name)
			return
		}
		if sc.AllowPrivilegeEscalation == nil && sc.Capabilities != nil && hasCap(sc.Capabilities.Add, "SYS_ADMIN", "ALL") {
			r.Report(c.At("securityContext", "capabilities", "add"), "container %q adds SYS_ADMIN without allowPrivilegeEscalation: false", c.C.Name)
		}
	})
}

func checkNetRaw(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		sc := c.C.SecurityContext
		if sc != nil && sc.Capabilities != nil && hasCap(sc.Capabilities.Drop, "NET_RAW", "ALL") {
			return
		}
		r.Report(c.At("securityContext"), "container %q keeps NET_RAW; drop ALL capabilities", c.C.Name)
	})
}

func checkRunAsNonRoot(_ *Context, o *Object, r *Reporter) {
	w := o.Workload
	if w == nil {
		return
	}
	psc := w.Template.Spec.SecurityContext
	eachContainer(o, func(c ContainerRef) {
		var nonRoot *bool
		var uid *int64
		if psc != nil {
			nonRoot, uid = psc.RunAsNonRoot, psc.RunAsUser
		}
		if sc := c.C.SecurityContext; sc != nil {
			if sc.RunAsNonRoot != nil {
				nonRoot = sc.RunAsNonRoot
			}
			if sc.RunAsUser != nil {
				uid = sc.RunAsUser
			}
		}
		if (nonRoot != nil && *nonRoot) || (uid != nil && *uid > 0) {
			return
		}
		r.Report(c.At("securityContext"), "container %q may run as root; set runAsNonRoot: true and a runAsUser", c.C.Name)
	})
}

// secretNameRE is what isSecretName matches, for names that are not ASCII
// (where case folding goes beyond ASCII letters).
var secretNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(secret|password|passwd|token|api_?key|private_?key|credential)`)
})

var secretWords = []string{"secret", "password", "passwd", "token", "apikey", "api_key", "privatekey", "private_key", "credential"}

// isSecretName reports whether an environment variable's name looks like it
// holds a secret: secretNameRE matches it.
func isSecretName(name string) bool {
	var buf [64]byte
	if len(name) > len(buf) {
		return secretNameRE().MatchString(name)
	}
	lower := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return secretNameRE().MatchString(name)
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	for _, w := range secretWords {
		if bytes.Contains(lower, []byte(w)) {
			return true
		}
	}
	return false
}

func checkEnvSecret(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		for i, e := range c.C.Env {
			if e.Value != "" && e.ValueFrom == nil && isSecretName(e.Name) {
				r.Report(c.At("env", i, "value"), "container %q: environment variable %s holds a literal secret; use valueFrom.secretKeyRef", c.C.Name, e.Name)
			}
		}
	})
}

func checkNoExtensions(_ *Context, o *Object, r *Reporter) {
	if strings.HasPrefix(o.APIVersion, "extensions/v1beta") {
		r.Report([]any{"apiVersion"}, "%s was removed in Kubernetes 1.16/1.22", o.APIVersion)
	}
}

func checkDeprecatedSAField(_ *Context, o *Object, r *Reporter) {
	if w := o.Workload; w != nil && w.Template.Spec.DeprecatedServiceAccount != "" {
		r.Report(w.Path("spec", "serviceAccount"), "serviceAccount is deprecated; use serviceAccountName")
	}
}

func checkSSHPort(_ *Context, o *Object, r *Reporter) {
	eachContainer(o, func(c ContainerRef) {
		for i, p := range c.C.Ports {
			if p.ContainerPort == 22 && (p.Protocol == "" || p.Protocol == corev1.ProtocolTCP) {
				r.Report(c.At("ports", i), "container %q exposes SSH port 22", c.C.Name)
			}
		}
	})
}

var safeSysctls = map[string]bool{
	"kernel.shm_rmid_forced": true, "net.ipv4.ip_local_port_range": true, "net.ipv4.tcp_syncookies": true,
	"net.ipv4.ping_group_range": true, "net.ipv4.ip_unprivileged_port_start": true, "net.ipv4.ip_local_reserved_ports": true,
	"net.ipv4.tcp_keepalive_time": true, "net.ipv4.tcp_fin_timeout": true, "net.ipv4.tcp_keepalive_intvl": true, "net.ipv4.tcp_keepalive_probes": true,
}

func checkUnsafeSysctls(_ *Context, o *Object, r *Reporter) {
	w := o.Workload
	if w == nil || w.Template.Spec.SecurityContext == nil {
		return
	}
	for i, s := range w.Template.Spec.SecurityContext.Sysctls {
		if !safeSysctls[s.Name] {
			r.Report(w.Path("spec", "securityContext", "sysctls", i), "sysctl %s is not in the safe set", s.Name)
		}
	}
}

func checkPDBEviction(_ *Context, o *Object, r *Reporter) {
	if pdb, ok := o.Typed.(*policyv1.PodDisruptionBudget); ok && pdb.Spec.UnhealthyPodEvictionPolicy == nil {
		r.Report([]any{"spec"}, "unhealthyPodEvictionPolicy is unset; AlwaysAllow lets a node drain evict pods that are not ready")
	}
}

func checkHPAMinMax(_ *Context, o *Object, r *Reporter) {
	h, ok := o.Typed.(*HPA)
	if !ok {
		return
	}
	min := int32(1)
	if h.Spec.MinReplicas != nil {
		min = *h.Spec.MinReplicas
	}
	if min >= h.Spec.MaxReplicas {
		r.Report([]any{"spec", "maxReplicas"}, "minReplicas %d is not below maxReplicas %d: the HPA cannot scale", min, h.Spec.MaxReplicas)
	}
}

// removedAPIs are apiVersions no longer served, beyond kube-score's table.
var removedAPIs = map[string]string{
	"autoscaling/v2beta1":                  "autoscaling/v2",
	"autoscaling/v2beta2":                  "autoscaling/v2",
	"rbac.authorization.k8s.io/v1beta1":    "rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1alpha1":   "rbac.authorization.k8s.io/v1",
	"apiextensions.k8s.io/v1beta1":         "apiextensions.k8s.io/v1",
	"admissionregistration.k8s.io/v1beta1": "admissionregistration.k8s.io/v1",
	"storage.k8s.io/v1beta1":               "storage.k8s.io/v1",
	"scheduling.k8s.io/v1beta1":            "scheduling.k8s.io/v1",
	"discovery.k8s.io/v1beta1":             "discovery.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1beta3": "flowcontrol.apiserver.k8s.io/v1",
}

func checkRemovedAPI(_ *Context, o *Object, r *Reporter) {
	if o.APIVersion == "policy/v1beta1" && o.Kind == "PodSecurityPolicy" {
		r.Report([]any{"apiVersion"}, "PodSecurityPolicy was removed in Kubernetes 1.25; use Pod Security Admission")
		return
	}
	if repl, ok := removedAPIs[o.APIVersion]; ok {
		r.Report([]any{"apiVersion"}, "%s is no longer served; use %s", o.APIVersion, repl)
	}
}

func checkScaledObject(c *Context, o *Object, r *Reporter) {
	s, ok := o.Typed.(*ScaledObject)
	if !ok {
		return
	}
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
