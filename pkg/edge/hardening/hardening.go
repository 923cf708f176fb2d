// Package hardening is the one table of systemd sandbox settings slimship
// knows: what `edge generate` writes into a service that runs a program
// directly, what it writes into a service that runs podman (less: podman
// must set up mounts, namespaces and cgroups for its container), why a
// setting is left out of podman units, and how `edge lint` tells a
// hand-written unit has it (each row is one lint rule).
package hardening

import (
	"strconv"
	"strings"

	"github.com/slimship/slimship/pkg/edge/unit"
	"github.com/slimship/slimship/pkg/finding"
)

// Setting is one [Service] sandbox setting.
type Setting struct {
	// Key is the [Service] key.
	Key string
	// Value is what a direct service gets.
	Value string
	// Podman is what a podman service or Quadlet gets; empty: nothing,
	// for the reason in NotPodman.
	Podman    string
	NotPodman string
	// RuleID names the lint rule checking the setting; empty: the setting
	// is written but not checked on its own (another rule covers it, or
	// systemd-analyze security does not score it).
	RuleID      string
	Severity    finding.Severity
	Description string
	// Accept reports whether a value (the last assignment) gives the
	// protection; nil means a true boolean.
	Accept func(v string) bool
	// DynamicUser is set when DynamicUser=yes implies the protection.
	DynamicUser bool
}

// Accepts reports whether v gives s's protection.
func (s Setting) Accepts(v string) bool {
	if s.Accept == nil {
		b, ok := unit.Bool(v)
		return ok && b
	}
	return s.Accept(v)
}

// mountNS is why settings that give the service its own mount namespace
// stay out of podman units.
const mountNS = "it gives the service its own mount namespace: podman's mounts (the container's root, its network namespace) would be hidden from the host's podman (podman ps, exec, stop, healthcheck timers)"

// podmanCaps is the capability bounding set of a podman service: rootful
// podman, conmon and the OCI runtime mount, pivot_root, create
// namespaces, change owners and users, and drop the container's
// capabilities; the container's own capabilities (--cap-add) must be in
// the set too.
var podmanCaps = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_MKNOD",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_SETFCAP", "CAP_SYS_ADMIN",
	"CAP_SYS_CHROOT", "CAP_SYS_RESOURCE"}

// PodmanCaps returns the bounding set of a podman unit whose container
// adds caps.
func PodmanCaps(add []string) []string {
	out := append([]string(nil), podmanCaps...)
	for _, c := range add {
		if !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// DirectSyscalls is the system call filter of a direct service:
// systemd's @system-service allow-list, less privileged and resource
// calls.
var DirectSyscalls = []string{"@system-service", "~@privileged @resources"}

// PodmanSyscalls is the filter of a podman unit: podman needs @mount,
// @privileged and more of what @system-service leaves out, so the groups
// it never uses are denied instead. The container inherits this filter
// under its own seccomp profile.
var PodmanSyscalls = []string{"~@clock @cpu-emulation @debug @module @obsolete @raw-io @reboot @swap"}

// PodmanNamespaces are the namespaces rootful podman creates for a
// container (never a user namespace, unless told to with --userns).
const PodmanNamespaces = "cgroup ipc mnt net pid uts"

// Families is RestrictAddressFamilies= of a direct service, PodmanFamilies
// of a podman unit (netlink sets up the container's network).
const (
	Families       = "AF_UNIX AF_INET AF_INET6"
	PodmanFamilies = "AF_UNIX AF_NETLINK AF_INET AF_INET6"
)

func oneOf(vals ...string) func(string) bool {
	return func(v string) bool { return contains(vals, strings.ToLower(strings.TrimSpace(v))) }
}

// Settings is the table, in the order generated units list them.
var Settings = []Setting{
	{Key: "NoNewPrivileges", Value: "yes", Podman: "yes", RuleID: "SSU101", Severity: finding.Warning, DynamicUser: true,
		Description: "The service cannot gain privileges through setuid programs or file capabilities (NoNewPrivileges=yes)"},
	{Key: "ProtectSystem", Value: "strict", NotPodman: mountNS, RuleID: "SSU102", Severity: finding.Warning, DynamicUser: true,
		Accept: oneOf("strict"), Description: "The file system is read-only to the service except for paths it names (ProtectSystem=strict)"},
	{Key: "ProtectHome", Value: "yes", NotPodman: mountNS, RuleID: "SSU103", Severity: finding.Warning, DynamicUser: true,
		Accept:      func(v string) bool { b, ok := unit.Bool(v); return ok && b || oneOf("read-only", "tmpfs")(v) },
		Description: "Home directories are hidden from the service (ProtectHome=yes, read-only or tmpfs)"},
	{Key: "PrivateTmp", Value: "yes", NotPodman: mountNS, RuleID: "SSU104", Severity: finding.Warning, DynamicUser: true,
		Description: "The service has its own /tmp and /var/tmp (PrivateTmp=yes)"},
	{Key: "PrivateDevices", Value: "yes", NotPodman: mountNS + "; podman also creates the container's device nodes", RuleID: "SSU105", Severity: finding.Warning,
		Description: "The service sees only pseudo devices in /dev (PrivateDevices=yes)"},
	{Key: "ProtectKernelTunables", Value: "yes", NotPodman: mountNS, RuleID: "SSU106", Severity: finding.Warning,
		Description: "Kernel tunables in /proc/sys and /sys are read-only to the service (ProtectKernelTunables=yes)"},
	{Key: "ProtectKernelModules", Value: "yes", NotPodman: mountNS + " (CAP_SYS_MODULE and @module are denied instead)", RuleID: "SSU107", Severity: finding.Warning,
		Description: "The service cannot load kernel modules (ProtectKernelModules=yes)"},
	{Key: "ProtectKernelLogs", Value: "yes", NotPodman: mountNS, RuleID: "SSU108", Severity: finding.Warning,
		Description: "The service cannot read or write the kernel log (ProtectKernelLogs=yes)"},
	{Key: "ProtectControlGroups", Value: "yes", NotPodman: "podman creates the container's cgroup under the service's (--cgroups=split)", RuleID: "SSU109", Severity: finding.Warning,
		Description: "The cgroup file system is read-only to the service (ProtectControlGroups=yes)"},
	{Key: "ProtectClock", Value: "yes", NotPodman: "it installs a device allow-list on the service's cgroup, which the container inherits (@clock is denied instead)", RuleID: "SSU110", Severity: finding.Info,
		Description: "The service cannot set the system clock (ProtectClock=yes)"},
	{Key: "ProtectHostname", Value: "yes", NotPodman: "its filter denies sethostname, which the OCI runtime calls to name the container", RuleID: "SSU111", Severity: finding.Info,
		Description: "The service cannot change the host name (ProtectHostname=yes)"},
	{Key: "ProtectProc", Value: "invisible", NotPodman: mountNS, RuleID: "SSU112", Severity: finding.Info,
		Accept: oneOf("invisible", "noaccess", "ptraceable"), Description: "Other users' processes are hidden in /proc (ProtectProc=invisible)"},
	{Key: "ProcSubset", Value: "pid", NotPodman: mountNS, RuleID: "SSU113", Severity: finding.Info,
		Accept: oneOf("pid"), Description: "The service's /proc shows processes only (ProcSubset=pid)"},
	{Key: "PrivateUsers", Value: "yes", NotPodman: "podman maps users itself", RuleID: "", Severity: finding.Info,
		Description: "The service runs in its own user namespace (PrivateUsers=yes)"},
	{Key: "PrivateIPC", Value: "yes", NotPodman: "the container gets its own IPC namespace from podman"},
	{Key: "PrivateMounts", Value: "yes", NotPodman: mountNS},
	{Key: "RestrictAddressFamilies", Value: Families, Podman: PodmanFamilies, RuleID: "SSU114", Severity: finding.Warning,
		Accept:      func(v string) bool { return v != "" && !strings.HasPrefix(v, "~") },
		Description: "The service may open sockets of the address families it names only (RestrictAddressFamilies=)"},
	{Key: "RestrictNamespaces", Value: "yes", Podman: PodmanNamespaces, RuleID: "SSU115", Severity: finding.Warning,
		Accept: func(v string) bool {
			if b, ok := unit.Bool(v); ok {
				return b
			}
			return v != "" && !strings.HasPrefix(v, "~") && !contains(strings.Fields(v), "user")
		},
		Description: "The service cannot create namespaces, or user namespaces for a podman unit (RestrictNamespaces=yes, or a list without user)"},
	{Key: "RestrictRealtime", Value: "yes", Podman: "yes", RuleID: "SSU116", Severity: finding.Info,
		Description: "The service cannot take realtime scheduling (RestrictRealtime=yes)"},
	{Key: "RestrictSUIDSGID", Value: "yes", NotPodman: "podman pulls images whose files have setuid bits", RuleID: "SSU117", Severity: finding.Info, DynamicUser: true,
		Description: "The service cannot create setuid or setgid files (RestrictSUIDSGID=yes)"},
	{Key: "LockPersonality", Value: "yes", Podman: "yes", RuleID: "SSU118", Severity: finding.Info,
		Description: "The service cannot change its execution domain (LockPersonality=yes)"},
	{Key: "MemoryDenyWriteExecute", Value: "yes", NotPodman: "the container inherits it, and JIT compilers (Java, Node.js) need writable executable memory", RuleID: "SSU119", Severity: finding.Info,
		Description: "The service cannot map memory both writable and executable (MemoryDenyWriteExecute=yes)"},
	{Key: "RemoveIPC", Value: "yes", NotPodman: "podman runs as root, for which RemoveIPC does nothing", DynamicUser: true},
	{Key: "SystemCallArchitectures", Value: "native", Podman: "native", RuleID: "SSU120", Severity: finding.Warning,
		Accept: oneOf("native"), Description: "The service makes system calls of the native architecture only (SystemCallArchitectures=native)"},
	{Key: "SystemCallErrorNumber", Value: "EPERM", Podman: "EPERM"},
	{Key: "UMask", Value: "0077", NotPodman: "podman writes the container's /etc/hosts and /etc/resolv.conf with the service's umask: 0077 makes them unreadable to a non-root container user", RuleID: "SSU121", Severity: finding.Info,
		Accept: func(v string) bool {
			m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			return err == nil && m&0o007 == 0o007
		},
		Description: "Files the service creates are not readable by other users (UMask=0077 or 0027)"},
	{Key: "DevicePolicy", Value: "closed", NotPodman: "the container inherits the service's device cgroup"},
	{Key: "KeyringMode", Value: "private", Podman: "private"},
}

// Find returns the row of key.
func Find(key string) (Setting, bool) {
	for _, s := range Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}
