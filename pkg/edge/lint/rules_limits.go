package lint

import (
	"fmt"
	"strings"

	"github.com/slimship/slimship/pkg/edge/unit"
	"github.com/slimship/slimship/pkg/finding"
)

// Rule IDs of limits and restarts.
const (
	NoRestart      = "SSU001"
	NoRestartDelay = "SSU002"
	NoMemoryMax    = "SSU003"
	MemoryHighGap  = "SSU004"
	NoCPUQuota     = "SSU005"
	NoTasksMax     = "SSU006"
	NoIOBandwidth  = "SSU007"
)

var limitRules = []Rule{
	define(NoRestart, finding.Warning, finding.Correctness, allKinds,
		"The service restarts when its program fails (Restart=on-failure or always)",
		"Set `Restart=on-failure` (or `always`) with a `RestartSec=` delay, so a crash does not leave an edge machine without its service.",
		func(c *Context) []Gap {
			o, ok := c.service("Restart")
			switch {
			case !ok:
				return c.missing("no Restart=: the service stays down after its program fails")
			case o.Value == "no":
				return at(o, "Restart=no: the service stays down after its program fails")
			}
			return nil
		}),
	define(NoRestartDelay, finding.Warning, finding.Correctness, allKinds,
		"A restarting service waits before each restart (RestartSec=)",
		"Set `RestartSec=5s` or more (and, from systemd 254, `RestartSteps=` with `RestartMaxDelaySec=` to back off further): the default 100ms restarts a failing program five times in a second, and then systemd gives up on it.",
		func(c *Context) []Gap {
			o, ok := c.service("Restart")
			if !ok || o.Value == "no" {
				return nil
			}
			d, ok := c.service("RestartSec")
			if !ok {
				return at(o, "Restart= without RestartSec=: systemd restarts after 100ms and stops trying after 5 failures in 10s")
			}
			if t, err := unit.ParseTimespan(d.Value); err == nil && t < 1e9 {
				return at(d, fmt.Sprintf("RestartSec=%s: under a second, a failing program restarts in a tight loop until systemd gives up", d.Value))
			}
			return nil
		}),
	define(NoMemoryMax, finding.Warning, finding.Correctness, allKinds,
		"The service has a hard memory limit (MemoryMax=)",
		"Set `MemoryMax=` to what the program may use (e.g. `MemoryMax=256M`): without it a leak takes the whole machine's memory.",
		func(c *Context) []Gap {
			o, ok := c.service("MemoryMax")
			switch {
			case !ok:
				return c.missing("no MemoryMax=: the service may take all of the machine's memory")
			case o.Value == "" || o.Value == "infinity":
				return at(o, "MemoryMax="+o.Value+": no memory limit")
			}
			return nil
		}),
	define(MemoryHighGap, finding.Warning, finding.Correctness, allKinds,
		"The service has a memory high mark below its limit (MemoryHigh= below MemoryMax=)",
		"Set `MemoryHigh=` below `MemoryMax=` (about 85% of it): the kernel then reclaims and throttles the service before it is killed at the limit.",
		func(c *Context) []Gap {
			mx, okMax := c.service("MemoryMax")
			hi, okHigh := c.service("MemoryHigh")
			if !okMax || mx.Value == "infinity" {
				return nil // NoMemoryMax reports it
			}
			if !okHigh || hi.Value == "infinity" {
				return at(mx, "MemoryMax= without MemoryHigh=: the service is killed at the limit without being throttled first")
			}
			h, err1 := unit.ParseSize(hi.Value)
			m, err2 := unit.ParseSize(mx.Value)
			if err1 == nil && err2 == nil && h >= m {
				return at(hi, fmt.Sprintf("MemoryHigh=%s is not below MemoryMax=%s: it never throttles before the kill", hi.Value, mx.Value))
			}
			return nil
		}),
	define(NoCPUQuota, finding.Warning, finding.Correctness, allKinds,
		"The service has a CPU limit (CPUQuota=)",
		"Set `CPUQuota=` (e.g. `CPUQuota=100%` for one CPU) so a busy loop cannot starve the rest of the machine.",
		func(c *Context) []Gap {
			o, ok := c.service("CPUQuota")
			if !ok || o.Value == "" {
				return c.missing("no CPUQuota=: the service may use every CPU")
			}
			if p, err := unit.ParsePercent(o.Value); err == nil && p == 0 {
				return at(o, "CPUQuota=0%: the service never gets CPU time")
			}
			return nil
		}),
	define(NoTasksMax, finding.Info, finding.Correctness, allKinds,
		"The service has a limit on processes and threads (TasksMax=)",
		"Set `TasksMax=` (e.g. 256) so a fork bomb or a thread leak stops at the service.",
		func(c *Context) []Gap {
			o, ok := c.service("TasksMax")
			switch {
			case !ok:
				return c.missing("no TasksMax=: the service gets systemd's default share of the machine's process IDs")
			case o.Value == "infinity" || o.Value == "":
				return at(o, "TasksMax="+o.Value+": no limit on processes and threads")
			}
			return nil
		}),
	define(NoIOBandwidth, finding.Info, finding.Correctness, allKinds,
		"The service has disk bandwidth limits (IOReadBandwidthMax=, IOWriteBandwidthMax=)",
		"Set `IOReadBandwidthMax=` and `IOWriteBandwidthMax=` for the disk the service uses (`IOWriteBandwidthMax=/var/lib/containers 50M`), so it cannot saturate a small machine's storage.",
		func(c *Context) []Gap {
			var lacks []string
			for _, k := range []string{"IOReadBandwidthMax", "IOWriteBandwidthMax"} {
				if !c.File.Has(unit.Service, k) {
					lacks = append(lacks, k+"=")
				}
			}
			if len(lacks) > 0 {
				return c.missing("no " + strings.Join(lacks, " or ") + ": the service may saturate the disk")
			}
			return nil
		}),
}
