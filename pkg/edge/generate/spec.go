// Package generate writes systemd units that run one program on an edge
// machine under hard limits and a sandbox: a Podman Quadlet .container
// (podman 4.4 and later), a plain .service running `podman run` (for older
// podman: Debian 12 has 4.3), or a .service running a static binary
// directly. The sandbox settings come from pkg/edge/hardening, the table
// `edge lint` checks hand-written units against, so every generated unit
// is lint-clean.
package generate

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/sys/capability"

	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/edge/unit"
)

// Kind is one kind of unit file.
type Kind string

// Kinds.
const (
	Quadlet Kind = "quadlet"
	Service Kind = "service"
	Binary  Kind = "binary"
)

// Spec is everything a unit says: flags of `edge generate` and what the
// image's config adds.
type Spec struct {
	// Name is the unit's name without suffix (also the container's).
	Name        string
	Description string

	// Image is the reference a container unit runs (pinned by digest
	// where the source allows); Binary the absolute path of a program.
	Image string
	// Source is where the image or program was read from, Platform and
	// Digest what was chosen there (for the header comment).
	Source   string
	Platform string
	Digest   string
	Binary   string

	// Args follow the image's entrypoint (Exec=) or the binary.
	Args []string
	Env  []EnvVar
	// User and Group: numeric IDs for containers; for a binary, empty
	// means a transient user (DynamicUser=yes).
	User, Group string
	Publish     []string
	Network     string
	// Tmpfs are the container's writable tmpfs mounts, PATH[:OPTIONS].
	Tmpfs []string
	// CapAdd are capabilities (CAP_NET_BIND_SERVICE) given back.
	CapAdd     []string
	Health     *Health
	PodmanArgs []string
	PodmanPath string
	// Podman is the oldest podman the Quadlet must work with; Systemd
	// the oldest systemd every unit must work with.
	Podman  Version
	Systemd int

	Limits  Limits
	Restart Restart
}

// EnvVar is one environment variable.
type EnvVar struct{ Name, Value string }

// Limits are the service's cgroup limits.
type Limits struct {
	// CPUQuota is a percentage of one CPU (200 is two CPUs).
	CPUQuota   float64
	MemoryMax  int64
	MemoryHigh int64
	TasksMax   int
	// IODevice is the path whose block device IORead and IOWrite
	// (bytes per second; 0 for none) limit.
	IODevice        string
	IORead, IOWrite int64
}

// Restart is the restart policy with its back-off.
type Restart struct {
	Policy string
	Delay  time.Duration
	// Steps and MaxDelay grow the delay (systemd 254 and later).
	Steps    int
	MaxDelay time.Duration
}

// Health is a container health check, as podman's --health-* options.
type Health struct {
	// Cmd is a JSON array (exec form) or a shell command.
	Cmd                            string
	Interval, Timeout, StartPeriod time.Duration
	Retries                        int
	OnFailure                      string
}

// Version is a podman version.
type Version struct{ Major, Minor, Patch int }

// ParseVersion reads "4.4" or "5.8.2".
func ParseVersion(s string) (Version, error) {
	var v Version
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(s), "v"), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("bad version %q (want MAJOR.MINOR[.PATCH], e.g. 4.4)", s)
	}
	nums := []*int{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("bad version %q (want MAJOR.MINOR[.PATCH], e.g. 4.4)", s)
		}
		*nums[i] = n
	}
	return v, nil
}

func (v Version) String() string {
	if v.Patch == 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// AtLeast reports whether v is maj.min.patch or later.
func (v Version) AtLeast(maj, min, patch int) bool {
	return v.Major > maj || v.Major == maj && (v.Minor > min || v.Minor == min && v.Patch >= patch)
}

// Versions the output depends on.
var (
	// MinPodman is the first podman with Quadlet.
	MinPodman = Version{4, 4, 0}
	// MinSystemd is the oldest systemd whose settings the units use
	// (PrivateIPC=, ProtectProc=).
	MinSystemd = 247
	// RestartStepsSystemd added RestartSteps= and RestartMaxDelaySec=.
	RestartStepsSystemd = 254
)

// Defaults are the safe defaults of every flag.
func Defaults() Spec {
	return Spec{
		Tmpfs:      []string{DefaultTmpfs},
		PodmanPath: "/usr/bin/podman",
		Podman:     MinPodman,
		Systemd:    252,
		Limits: Limits{CPUQuota: 100, MemoryMax: 256 << 20, TasksMax: 256,
			IORead: 100 << 20, IOWrite: 50 << 20},
		Restart: Restart{Policy: "on-failure", Delay: 5 * time.Second, Steps: 10, MaxDelay: 5 * time.Minute},
	}
}

// DefaultTmpfs is the container's /tmp.
const DefaultTmpfs = "/tmp:rw,size=64m,mode=1777,nosuid,nodev,noexec"

// DefaultMemoryHigh is MemoryHigh= for a MemoryMax= of max: 85%, where
// the alert rules warn, rounded down to a MiB.
func DefaultMemoryHigh(max int64) int64 {
	h := max / 100 * 85
	if h >= 1<<20 {
		h -= h % (1 << 20)
	}
	return h
}

// FieldError is a refused value, naming its flag.
type FieldError struct {
	Flag   string
	Reason string
}

func (e *FieldError) Error() string { return "--" + e.Flag + ": " + e.Reason }

var (
	unitName  = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	envName   = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)
	numericID = lazyre.New(`^[0-9]+$`)
	portSpec  = lazyre.New(`^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(?:[0-9]+(?:-[0-9]+)?:)?[0-9]+(?:-[0-9]+)?(?:/(?:tcp|udp|sctp))?$`)
	healthOn  = []string{"none", "kill", "restart", "stop"}
	restarts  = []string{"no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"}
)

// Capabilities are the capability names the kernel headers define, from
// moby/sys/capability (not the running kernel's: the unit runs elsewhere).
func Capabilities() []string {
	var out []string
	for _, c := range capability.ListKnown() {
		out = append(out, "CAP_"+strings.ToUpper(c.String()))
	}
	return out
}

// NormalizeCap spells a capability as systemd and podman do (CAP_NET_RAW
// for net_raw), or returns "" for an unknown one.
func NormalizeCap(s string) string {
	c := strings.ToUpper(strings.TrimSpace(s))
	if !strings.HasPrefix(c, "CAP_") {
		c = "CAP_" + c
	}
	if slices.Contains(Capabilities(), c) {
		return c
	}
	return ""
}

// Validate checks s for what systemd or podman would refuse or what makes
// no sense as a limit, and what generate will not write (root). It returns
// every problem, each a *FieldError, joined.
func (s *Spec) Validate(kind Kind) error {
	var errs []error
	bad := func(flag, format string, v ...any) {
		errs = append(errs, &FieldError{Flag: flag, Reason: fmt.Sprintf(format, v...)})
	}
	if !unitName.MatchString(s.Name) || len(s.Name) > 200 {
		bad("name", "%q is not a unit name (letters, digits, _ . -, starting with a letter or digit; no @ templates)", s.Name)
	}
	if strings.ContainsAny(s.Description, "\n\r") {
		bad("description", "must be one line")
	}
	l := s.Limits
	switch {
	case l.CPUQuota <= 0:
		bad("cpu-quota", "%s: must be above 0%% (a quota of 0 never runs the service)", formatPercent(l.CPUQuota))
	case l.CPUQuota > 100*1024:
		bad("cpu-quota", "%s: more than 1024 CPUs", formatPercent(l.CPUQuota))
	}
	switch {
	case l.MemoryMax <= 0:
		bad("memory-max", "must be above 0")
	case l.MemoryHigh <= 0:
		bad("memory-high", "must be above 0")
	case l.MemoryHigh >= l.MemoryMax:
		bad("memory-high", "%s is not below --memory-max %s: MemoryHigh= throttles before MemoryMax= kills, so it must be lower",
			unit.FormatSize(l.MemoryHigh), unit.FormatSize(l.MemoryMax))
	}
	if l.TasksMax <= 0 {
		bad("tasks-max", "%d: must be above 0", l.TasksMax)
	}
	if (l.IORead > 0 || l.IOWrite > 0) && !strings.HasPrefix(l.IODevice, "/") {
		bad("io-device", "%q: want an absolute path (a block device or a file on it)", l.IODevice)
	}
	if l.IORead < 0 || l.IOWrite < 0 {
		bad("io-read-max", "bandwidths must not be negative")
	}
	if !slices.Contains(restarts, s.Restart.Policy) {
		bad("restart", "%q: want one of %s", s.Restart.Policy, strings.Join(restarts, ", "))
	}
	if s.Restart.Delay <= 0 && s.Restart.Policy != "no" {
		bad("restart-delay", "must be above 0 (no delay restarts a failing program in a tight loop)")
	}
	if s.Systemd >= RestartStepsSystemd && s.Restart.Policy != "no" {
		if s.Restart.Steps < 1 {
			bad("restart-steps", "%d: must be at least 1", s.Restart.Steps)
		}
		if s.Restart.MaxDelay < s.Restart.Delay {
			bad("restart-max-delay", "%s is below --restart-delay %s", unit.FormatTimespan(s.Restart.MaxDelay), unit.FormatTimespan(s.Restart.Delay))
		}
	}
	if s.Systemd < MinSystemd {
		bad("systemd-version", "%d: the units need systemd %d or later (PrivateIPC=, ProtectProc=)", s.Systemd, MinSystemd)
	}
	for _, e := range s.Env {
		if !envName.MatchString(e.Name) {
			bad("env", "%q is not a variable name", e.Name)
		}
		if strings.ContainsAny(e.Value, "\n\r") {
			bad("env", "%s: values must be one line", e.Name)
		}
	}
	for _, c := range s.CapAdd {
		if NormalizeCap(c) == "" {
			bad("cap-add", "unknown capability %q (see capabilities(7): e.g. NET_BIND_SERVICE)", c)
		}
	}
	if kind == Binary {
		errs = append(errs, s.validateBinary()...)
	} else {
		errs = append(errs, s.validateContainer()...)
	}
	return errors.Join(errs...)
}

func (s *Spec) validateBinary() []error {
	var errs []error
	bad := func(flag, format string, v ...any) {
		errs = append(errs, &FieldError{Flag: flag, Reason: fmt.Sprintf(format, v...)})
	}
	if !strings.HasPrefix(s.Binary, "/") {
		bad("binary", "%q: want an absolute path", s.Binary)
	}
	switch {
	case s.User == "" && s.Group != "":
		bad("group", "needs --user (without it the service gets a transient user and group)")
	case isRoot(s.User):
		bad("user", "%q: the service does not run as root", s.User)
	case isRoot(s.Group):
		bad("group", "%q: the service does not run in the root group", s.Group)
	}
	if s.Health != nil {
		bad("health-cmd", "health checks are podman's; a binary's service has none (systemd restarts it when it exits)")
	}
	for _, f := range []struct {
		flag string
		set  bool
	}{{"publish", len(s.Publish) > 0}, {"network", s.Network != ""}, {"podman-arg", len(s.PodmanArgs) > 0}} {
		if f.set {
			bad(f.flag, "is for container units, not --binary")
		}
	}
	return errs
}

func (s *Spec) validateContainer() []error {
	var errs []error
	bad := func(flag, format string, v ...any) {
		errs = append(errs, &FieldError{Flag: flag, Reason: fmt.Sprintf(format, v...)})
	}
	if s.Image == "" {
		bad("image", "is required")
	}
	switch {
	case s.User == "":
		bad("user", "the image runs as root: give --user UID (the container does not run as root)")
	case !numericID.MatchString(s.User):
		bad("user", "%q: want a numeric UID (Quadlet before podman 4.8 reads User= as a number)", s.User)
	case isRoot(s.User):
		bad("user", "%q: the container does not run as root", s.User)
	}
	if s.Group != "" && !numericID.MatchString(s.Group) {
		bad("group", "%q: want a numeric GID", s.Group)
	} else if isRoot(s.Group) {
		bad("group", "%q: the container does not run in the root group", s.Group)
	}
	for _, p := range s.Publish {
		if !portSpec.MatchString(p) {
			bad("publish", "%q: want [IP:][HOST:]CONTAINER[/PROTOCOL]", p)
		}
	}
	for _, t := range s.Tmpfs {
		if !strings.HasPrefix(t, "/") || strings.ContainsAny(t, " \t\n") {
			bad("tmpfs", "%q: want an absolute PATH[:OPTIONS]", t)
		}
	}
	if !s.Podman.AtLeast(MinPodman.Major, MinPodman.Minor, 0) {
		bad("podman-version", "%s: Quadlet came with podman 4.4 (the .service kind runs on older podman)", s.Podman)
	}
	if !strings.HasPrefix(s.PodmanPath, "/") {
		bad("podman-path", "%q: want an absolute path", s.PodmanPath)
	}
	if h := s.Health; h != nil {
		if strings.TrimSpace(h.Cmd) == "" {
			bad("health-cmd", "is empty")
		} else if strings.HasPrefix(strings.TrimSpace(h.Cmd), "[") {
			var argv []string
			if err := json.Unmarshal([]byte(h.Cmd), &argv); err != nil || len(argv) == 0 {
				bad("health-cmd", "%q: a command starting with [ must be a JSON array of strings", h.Cmd)
			}
		}
		if strings.ContainsAny(h.Cmd, "\n\r") {
			bad("health-cmd", "must be one line")
		}
		if h.Interval < time.Second {
			bad("health-interval", "%s: at least 1s", unit.FormatTimespan(h.Interval))
		}
		if h.Timeout <= 0 || h.Timeout > h.Interval {
			bad("health-timeout", "%s: want above 0 and at most --health-interval", unit.FormatTimespan(h.Timeout))
		}
		if h.Retries < 1 {
			bad("health-retries", "%d: at least 1", h.Retries)
		}
		if !slices.Contains(healthOn, h.OnFailure) {
			bad("health-on-failure", "%q: want one of %s", h.OnFailure, strings.Join(healthOn, ", "))
		}
	}
	return errs
}

func isRoot(id string) bool {
	if id == "root" {
		return true
	}
	n, err := strconv.ParseUint(id, 10, 32)
	return err == nil && n == 0
}

func formatPercent(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64) + "%"
}
