package lint

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// securityRules check what a pod may do to its node: security contexts
// (user and group, privileges, capabilities, seccomp, read-only root), host
// namespaces, host paths and runtime sockets, sysctls.
func securityRules() []Rule {
	return []Rule{
		containerCheck(kubeScore(finding.Spec{ID: "container-security-context-user-group-id", Severity: sevE, Category: finding.Security,
			Description: "Containers run as a user and group ID of 10000 or more",
			Remediation: "Set securityContext.runAsUser and runAsGroup to 10000 or more, on the container or the pod."}),
			checkUserGroup),
		containerCheck(kubeScore(finding.Spec{ID: "container-security-context-privileged", Severity: sevE, Category: finding.Security,
			Description: "Containers are not privileged",
			Remediation: "Remove securityContext.privileged: true and add only the capabilities the container needs."}),
			checkPrivileged),
		containerCheck(kubeScore(finding.Spec{ID: "container-security-context-readonlyrootfilesystem", Severity: sevE, Category: finding.Security,
			Description: "Containers have a read-only root filesystem",
			Remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the container writes."}),
			checkReadOnlyRoot),
		podCheck(kubeScore(finding.Spec{ID: "container-seccomp-profile", Severity: sevW, Category: finding.Security,
			Description: "Pods set a seccomp profile (optional in kube-score, on in slimship)",
			Remediation: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod."}),
			checkSeccomp),
		podCheck(kubeLinter(finding.Spec{ID: "host-network", Severity: sevW, Category: finding.Security,
			Description: "Pods do not share the host's network namespace",
			Remediation: "Remove hostNetwork: true and expose the pod through a Service."}),
			checkHostNS("hostNetwork")),
		podCheck(kubeLinter(finding.Spec{ID: "host-pid", Severity: sevW, Category: finding.Security,
			Description: "Pods do not share the host's process namespace",
			Remediation: "Remove hostPID: true."}),
			checkHostNS("hostPID")),
		podCheck(kubeLinter(finding.Spec{ID: "host-ipc", Severity: sevW, Category: finding.Security,
			Description: "Pods do not share the host's IPC namespace",
			Remediation: "Remove hostIPC: true."}),
			checkHostNS("hostIPC")),
		podCheck(kubeLinter(finding.Spec{ID: "sensitive-host-mounts", Severity: sevW, Category: finding.Security,
			Description: "Pods do not mount sensitive host directories",
			Remediation: "Replace the hostPath volume with a ConfigMap, Secret, emptyDir or PersistentVolumeClaim."}),
			checkSensitiveMounts),
		podCheck(kubeLinter(finding.Spec{ID: "docker-sock", Severity: sevW, Category: finding.Security,
			Description: "Pods do not mount the container runtime's socket",
			Remediation: "Remove the hostPath volume of the runtime socket; build images with a daemonless builder instead."}),
			checkDockerSock),
		containerCheck(kubeLinter(finding.Spec{ID: "privilege-escalation-container", Severity: sevW, Category: finding.Security,
			Description: "Containers do not allow privilege escalation",
			Remediation: "Set securityContext.allowPrivilegeEscalation: false on the container."}),
			checkPrivEsc),
		containerCheck(kubeLinter(finding.Spec{ID: "drop-net-raw-capability", Severity: sevW, Category: finding.Security,
			Description: "Containers drop NET_RAW (or ALL) capabilities",
			Remediation: "Set securityContext.capabilities.drop: [ALL] and add back only what the container needs."}),
			checkNetRaw),
		containerCheck(kubeLinter(finding.Spec{ID: "run-as-non-root", Severity: sevW, Category: finding.Security,
			Description: "Containers are set to run as a non-root user",
			Remediation: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser, on the container or the pod."}),
			checkRunAsNonRoot),
		podCheck(kubeLinter(finding.Spec{ID: "unsafe-sysctls", Severity: sevW, Category: finding.Security,
			Description: "Pods do not set unsafe sysctls",
			Remediation: "Remove the sysctl from securityContext.sysctls, or tune it on the node instead."}),
			checkUnsafeSysctls),
	}
}

func checkUserGroup(_ *Context, _ *Object, w *Workload, c ContainerRef, r *Reporter) {
	psc := w.Template.Spec.SecurityContext
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
}

func checkPrivileged(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
	if sc := c.C.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
		r.Report(c.At("securityContext", "privileged"), "container %q is privileged", c.C.Name)
	}
}

func checkReadOnlyRoot(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
	sc := c.C.SecurityContext
	if sc == nil {
		r.Report(c.Path, "container %q has no securityContext", c.C.Name)
		return
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		r.Report(c.At("securityContext", "readOnlyRootFilesystem"), "container %q has a writable root filesystem; set readOnlyRootFilesystem: true", c.C.Name)
	}
}

func checkSeccomp(_ *Context, _ *Object, w *Workload, r *Reporter) {
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

func checkHostNS(field string) func(*Context, *Object, *Workload, *Reporter) {
	return func(_ *Context, _ *Object, w *Workload, r *Reporter) {
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

// hostPaths calls fn with the index and path (without a trailing slash) of
// each hostPath volume.
func hostPaths(w *Workload, fn func(i int, path string)) {
	for i, v := range w.Template.Spec.Volumes {
		if v.HostPath != nil {
			fn(i, strings.TrimRight(v.HostPath.Path, "/"))
		}
	}
}

func checkSensitiveMounts(_ *Context, _ *Object, w *Workload, r *Reporter) {
	hostPaths(w, func(i int, p string) {
		if p == "" {
			p = "/"
		}
		for _, s := range sensitiveHostPaths {
			if p == s {
				r.Report(w.Path("spec", "volumes", i, "hostPath"), "volume %q mounts the host's %s", w.Template.Spec.Volumes[i].Name, p)
				return
			}
		}
	})
}

func checkDockerSock(_ *Context, _ *Object, w *Workload, r *Reporter) {
	hostPaths(w, func(i int, p string) {
		for _, s := range runtimeSockets {
			if p == s {
				r.Report(w.Path("spec", "volumes", i, "hostPath"), "volume %q mounts the container runtime socket %s: root on the node", w.Template.Spec.Volumes[i].Name, p)
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

func checkPrivEsc(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
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
}

func checkNetRaw(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
	sc := c.C.SecurityContext
	if sc != nil && sc.Capabilities != nil && hasCap(sc.Capabilities.Drop, "NET_RAW", "ALL") {
		return
	}
	r.Report(c.At("securityContext"), "container %q keeps NET_RAW; drop ALL capabilities", c.C.Name)
}

func checkRunAsNonRoot(_ *Context, _ *Object, w *Workload, c ContainerRef, r *Reporter) {
	var nonRoot *bool
	var uid *int64
	if psc := w.Template.Spec.SecurityContext; psc != nil {
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
}

var safeSysctls = map[string]bool{
	"kernel.shm_rmid_forced": true, "net.ipv4.ip_local_port_range": true, "net.ipv4.tcp_syncookies": true,
	"net.ipv4.ping_group_range": true, "net.ipv4.ip_unprivileged_port_start": true, "net.ipv4.ip_local_reserved_ports": true,
	"net.ipv4.tcp_keepalive_time": true, "net.ipv4.tcp_fin_timeout": true, "net.ipv4.tcp_keepalive_intvl": true, "net.ipv4.tcp_keepalive_probes": true,
}

func checkUnsafeSysctls(_ *Context, _ *Object, w *Workload, r *Reporter) {
	if w.Template.Spec.SecurityContext == nil {
		return
	}
	for i, s := range w.Template.Spec.SecurityContext.Sysctls {
		if !safeSysctls[s.Name] {
			r.Report(w.Path("spec", "securityContext", "sysctls", i), "sysctl %s is not in the safe set", s.Name)
		}
	}
}
