package lint

import (
	"fmt"
	"strings"

	"github.com/slimship/slimship/pkg/edge/hardening"
	"github.com/slimship/slimship/pkg/edge/unit"
	"github.com/slimship/slimship/pkg/finding"
)

// Rule IDs of the service sandbox that are not rows of the hardening
// table.
const (
	RootService    = "SSU100"
	AllCaps        = "SSU130"
	NoSyscallAllow = "SSU131"
)

// sandboxRules are the root-user, capability and system call rules and
// one rule per row of the hardening table that names a rule ID. A row
// applies to podman units when podman runs under it.
func sandboxRules() []Rule {
	out := []Rule{rootService, capabilities, syscalls}
	for _, h := range hardening.Settings {
		if h.RuleID == "" {
			continue
		}
		kinds := directOnly
		if h.Podman != "" {
			kinds = allKinds
		}
		remedy := fmt.Sprintf("Set `%s=%s` in [Service].", h.Key, h.Value)
		if h.Podman != "" && h.Podman != h.Value {
			remedy = fmt.Sprintf("Set `%s=%s` in [Service] (`%s=%s` for a podman unit).", h.Key, h.Value, h.Key, h.Podman)
		}
		if h.Podman == "" {
			remedy += " Podman units go without it: " + h.NotPodman + "."
		}
		out = append(out, define(h.RuleID, h.Severity, finding.Security, kinds, h.Description, remedy, settingCheck(h)))
	}
	return out
}

// settingCheck checks one row of the table.
func settingCheck(h hardening.Setting) Check {
	return func(c *Context) []Gap {
		if h.DynamicUser && c.dynamicUser() {
			return nil
		}
		want := h.Value
		if c.Kind != unit.Exec {
			want = h.Podman
		}
		o, ok := c.service(h.Key)
		switch {
		case !ok:
			return c.missing(fmt.Sprintf("no %s=%s", h.Key, want))
		case !h.Accepts(o.Value):
			return at(o, fmt.Sprintf("%s=%s, want %s", h.Key, o.Value, want))
		}
		return nil
	}
}

var rootService = define(RootService, finding.Error, finding.Security, directOnly,
	"The service does not run as root (User= or DynamicUser=yes)",
	"Set `DynamicUser=yes` (a transient user with no files of its own; `StateDirectory=` gives it one), or `User=` and `Group=` of an unprivileged account.",
	func(c *Context) []Gap {
		if c.dynamicUser() {
			return nil
		}
		o, ok := c.service("User")
		switch {
		case !ok:
			return c.missing("no User= or DynamicUser=yes: the program runs as root")
		case o.Value == "root" || o.Value == "0":
			return at(o, "User="+o.Value+": the program runs as root")
		}
		return nil
	})

// dangerousCaps are capabilities that make a service as good as root.
var dangerousCaps = []string{"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_DAC_READ_SEARCH", "CAP_BPF", "CAP_SYS_BOOT", "CAP_MAC_ADMIN"}

// capSet is a capability bounding set: every capability but names when
// all is set, else names.
type capSet struct {
	all   bool
	names map[string]bool
}

func (s capSet) has(c string) bool { return s.all != s.names[c] }

// boundingSet is the set a unit's assignments give, by systemd's rules:
// an empty assignment is the empty set, a ~ list removes capabilities, a
// list adds to the set a previous list made (the first replaces "all").
func boundingSet(opts []unit.Option) capSet {
	s := capSet{all: true, names: map[string]bool{}}
	listed := false
	for _, o := range opts {
		v := strings.TrimSpace(o.Value)
		switch {
		case v == "":
			s, listed = capSet{names: map[string]bool{}}, true
		case strings.HasPrefix(v, "~"):
			for _, c := range strings.Fields(v[1:]) {
				s.names[strings.ToUpper(c)] = s.all
				if !s.all {
					delete(s.names, strings.ToUpper(c))
				}
			}
		default:
			if !listed {
				s, listed = capSet{names: map[string]bool{}}, true
			}
			for _, c := range strings.Fields(v) {
				if s.all {
					delete(s.names, strings.ToUpper(c))
				} else {
					s.names[strings.ToUpper(c)] = true
				}
			}
		}
	}
	return s
}

var capabilities = define(AllCaps, finding.Warning, finding.Security, allKinds,
	"The service's capability bounding set is limited (CapabilityBoundingSet=)",
	"Set `CapabilityBoundingSet=` to the capabilities the program needs (empty for none; `CAP_NET_BIND_SERVICE` with `AmbientCapabilities=` for a port below 1024). A podman unit needs podman's own (CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SETUID ...) but not CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_SYS_RAWIO, CAP_SYS_TIME or CAP_BPF.",
	func(c *Context) []Gap {
		opts := c.File.All(unit.Service, "CapabilityBoundingSet")
		if len(opts) == 0 {
			return c.missing("no CapabilityBoundingSet=: the service keeps every capability")
		}
		set := boundingSet(opts)
		bad := dangerousCaps
		if c.Kind != unit.Exec {
			bad = podmanNeedless
		}
		var kept []string
		for _, cp := range bad {
			if set.has(cp) {
				kept = append(kept, cp)
			}
		}
		if len(kept) > 0 {
			return at(opts[len(opts)-1], "the bounding set keeps "+strings.Join(kept, ", "))
		}
		return nil
	})

// podmanNeedless are capabilities podman does not need to run a container
// (a container that needs one gets it with --cap-add and the set).
var podmanNeedless = []string{"CAP_SYS_MODULE", "CAP_SYS_PTRACE", "CAP_SYS_RAWIO", "CAP_SYS_TIME", "CAP_BPF", "CAP_SYS_BOOT", "CAP_MAC_ADMIN"}

var syscalls = define(NoSyscallAllow, finding.Warning, finding.Security, allKinds,
	"The service's system calls are filtered (SystemCallFilter=@system-service, or a deny-list for a podman unit)",
	"Set `SystemCallFilter=@system-service` (an allow-list; add `SystemCallErrorNumber=EPERM`). Podman needs @mount and @privileged, so a podman unit denies the groups it never uses instead: `SystemCallFilter=~@clock @cpu-emulation @debug @module @obsolete @raw-io @reboot @swap`.",
	func(c *Context) []Gap {
		opts := c.File.List(unit.Service, "SystemCallFilter")
		allow := false
		for _, o := range opts {
			if o.Value != "" && !strings.HasPrefix(o.Value, "~") {
				allow = true
			}
		}
		switch {
		case len(opts) == 0 || len(opts) == 1 && opts[0].Value == "":
			return c.missing("no SystemCallFilter=: the service may make every system call")
		case c.Kind == unit.Exec && !allow:
			return at(opts[len(opts)-1], "only a deny-list: every system call it does not name is allowed (use the @system-service allow-list)")
		}
		return nil
	})
