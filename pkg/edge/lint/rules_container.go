package lint

import (
	"regexp"
	"strings"

	"github.com/slimship/slimship/pkg/edge/unit"
	"github.com/slimship/slimship/pkg/finding"
)

// Rule IDs of the container (podman services and Quadlets).
const (
	RootContainer   = "SSU201"
	WritableRoot    = "SSU202"
	ContainerNNP    = "SSU203"
	ContainerCaps   = "SSU204"
	Privileged      = "SSU205"
	ReadOnlyTmp     = "SSU206"
	NoHealthCheck   = "SSU207"
	LimitsMissCtr   = "SSU208"
	UnpinnedImage   = "SSU209"
	podmanNoNewPriv = "no-new-privileges"
)

var containerRules = []Rule{
	define(RootContainer, finding.Error, finding.Security, containerOnly,
		"The container runs as a non-root user (Quadlet User=, podman run --user)",
		"Set `User=` (and `Group=`) to a numeric non-root ID in [Container], or `--user=UID:GID` in the podman run command.",
		func(c *Context) []Gap {
			user, line := "", c.runLine()
			if o, ok := c.container("User"); ok {
				user, line = o.Value, o.Line
			}
			for _, name := range []string{"user", "u"} {
				if v := c.Flags.Values(name); len(v) > 0 {
					user, line = v[len(v)-1], c.flagLine(name)
				}
			}
			u, _, _ := strings.Cut(user, ":")
			switch u {
			case "":
				return []Gap{{Line: line, Message: "no user: the container runs as the image's USER, root unless the image says otherwise"}}
			case "0", "root":
				return []Gap{{Line: line, Message: "the container runs as root"}}
			}
			return nil
		}),
	define(WritableRoot, finding.Warning, finding.Security, containerOnly,
		"The container's root file system is read-only (Quadlet ReadOnly=true, podman run --read-only)",
		"Set `ReadOnly=true` in [Container] (or `--read-only`), with a tmpfs for the paths the program writes (`Tmpfs=/tmp`).",
		func(c *Context) []Gap {
			if c.readOnly() {
				return nil
			}
			return []Gap{{Line: c.keyLine("ReadOnly"), Message: "the container's root file system is writable"}}
		}),
	define(ContainerNNP, finding.Warning, finding.Security, containerOnly,
		"The container's processes cannot gain privileges (Quadlet NoNewPrivileges=true, --security-opt=no-new-privileges)",
		"Set `NoNewPrivileges=true` in [Container], or `--security-opt=no-new-privileges` in the podman run command.",
		func(c *Context) []Gap {
			if c.File.True(unit.Container, "NoNewPrivileges") {
				return nil
			}
			for _, v := range c.Flags.Values("security-opt") {
				if v == podmanNoNewPriv || v == podmanNoNewPriv+"=true" || v == podmanNoNewPriv+":true" {
					return nil
				}
			}
			return []Gap{{Line: c.keyLine("NoNewPrivileges"), Message: "the container's processes may gain privileges through setuid programs"}}
		}),
	define(ContainerCaps, finding.Warning, finding.Security, containerOnly,
		"The container drops every capability (Quadlet DropCapability=all, --cap-drop=all) and adds back only named ones",
		"Set `DropCapability=all` in [Container] (or `--cap-drop=all`) and `AddCapability=` the ones the program needs.",
		func(c *Context) []Gap {
			drops := c.Flags.Values("cap-drop")
			for _, o := range c.File.All(unit.Container, "DropCapability") {
				drops = append(drops, strings.Fields(o.Value)...)
			}
			for _, d := range drops {
				for _, x := range strings.Split(d, ",") {
					if strings.EqualFold(x, "all") {
						return nil
					}
				}
			}
			return []Gap{{Line: c.keyLine("DropCapability"), Message: "the container keeps podman's default capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_BIND_SERVICE ...)"}}
		}),
	define(Privileged, finding.Error, finding.Security, containerOnly,
		"The container is not privileged and keeps its seccomp profile (no --privileged, no seccomp=unconfined)",
		"Remove `--privileged` and `--security-opt seccomp=unconfined`; give the container the capabilities and devices it needs by name (`AddCapability=`, `AddDevice=`).",
		func(c *Context) []Gap {
			if c.Flags.Bool("privileged", false) {
				return []Gap{{Line: c.flagLine("privileged"), Message: "--privileged: the container has every capability and device of the host"}}
			}
			for _, v := range c.Flags.Values("security-opt") {
				if v == "seccomp=unconfined" || v == "seccomp:unconfined" {
					return []Gap{{Line: c.flagLine("security-opt"), Message: "seccomp=unconfined: the container may make every system call"}}
				}
			}
			if o, ok := c.container("SeccompProfile"); ok && o.Value == "unconfined" {
				return at(o, "SeccompProfile=unconfined: the container may make every system call")
			}
			return nil
		}),
	define(ReadOnlyTmp, finding.Info, finding.Correctness, containerOnly,
		"A read-only container has a writable /tmp (Quadlet Tmpfs=/tmp, --tmpfs /tmp)",
		"Add `Tmpfs=/tmp:rw,size=64m,mode=1777` in [Container] (before podman 4.5: `PodmanArgs=--tmpfs=/tmp:...`), or `--tmpfs=/tmp:...` to podman run.",
		func(c *Context) []Gap {
			if !c.readOnly() || c.tmpfsTmp() {
				return nil
			}
			if c.Kind == unit.PodmanRun {
				if c.Flags.Bool("read-only-tmpfs", true) {
					return nil // podman's default tmpfs on /tmp
				}
				return []Gap{{Line: c.runLine(), Message: "--read-only-tmpfs=false without --tmpfs /tmp: /tmp is read-only"}}
			}
			if c.File.True(unit.Container, "VolatileTmp") || c.File.True(unit.Container, "ReadOnlyTmpfs") || c.Flags.Bool("read-only-tmpfs", false) {
				return nil
			}
			return []Gap{{Line: c.runLine(), Message: "ReadOnly=true without Tmpfs=/tmp: /tmp is read-only under podman 4.4 to 4.7 (Quadlet adds --read-only-tmpfs=false) and left to podman's default after"}}
		}),
	define(NoHealthCheck, finding.Info, finding.Correctness, containerOnly,
		"The container has a health check that acts (Quadlet HealthCmd=, --health-cmd, with --health-on-failure)",
		"Add `HealthCmd=` (podman 4.5+; before, `PodmanArgs=--health-cmd=...`) with `HealthOnFailure=kill`, so systemd restarts an unhealthy container; the image's HEALTHCHECK runs without acting on failure.",
		func(c *Context) []Gap {
			if c.Flags.Bool("no-healthcheck", false) {
				return []Gap{{Line: c.flagLine("no-healthcheck"), Message: "--no-healthcheck: nothing notices a hung program"}}
			}
			cmd := c.Flags.Has("health-cmd")
			if _, ok := c.container("HealthCmd"); ok {
				cmd = true
			}
			onFailure := ""
			if v := c.Flags.Values("health-on-failure"); len(v) > 0 {
				onFailure = v[len(v)-1]
			}
			if o, ok := c.container("HealthOnFailure"); ok {
				onFailure = o.Value
			}
			switch {
			case !cmd:
				return []Gap{{Line: c.runLine(), Message: "no health check in the unit: only the image's HEALTHCHECK, if it has one, and nothing acts on it"}}
			case onFailure == "" || onFailure == "none":
				return []Gap{{Line: c.keyLine("HealthCmd"), Message: "a health check without an action: an unhealthy container keeps running (set --health-on-failure=kill)"}}
			}
			return nil
		}),
	define(LimitsMissCtr, finding.Warning, finding.Correctness, []unit.Kind{unit.PodmanRun},
		"The container runs in the service's cgroup, so the service's limits hold it (podman run --cgroups=split with Delegate=yes)",
		"Add `--cgroups=split` to podman run and `Delegate=yes` to [Service] (as Quadlet does): otherwise the container runs in a scope of its own and MemoryMax=, CPUQuota= and TasksMax= limit only podman and conmon.",
		func(c *Context) []Gap {
			v := c.Flags.Values("cgroups")
			if len(v) == 0 || v[len(v)-1] != "split" {
				return []Gap{{Line: c.runLine(), Message: "podman run without --cgroups=split: the container runs outside the service's cgroup and its limits"}}
			}
			if !c.File.True(unit.Service, "Delegate") {
				return c.missing("--cgroups=split without Delegate=yes: podman cannot create the container's cgroup under the service's")
			}
			return nil
		}),
	define(UnpinnedImage, finding.Info, finding.Correctness, containerOnly,
		"The image is pinned by digest or ID (REPO@sha256:...)",
		"Name the image by digest (`REPO@sha256:...`, e.g. from `slimship edge generate`): a tag can point to another image on the next pull, so two edge machines may run different code.",
		func(c *Context) []Gap {
			image, line := "", c.runLine()
			if c.Run != nil {
				image = c.Run.Image
			}
			if o, ok := c.container("Image"); ok {
				image, line = o.Value, o.Line
			}
			if image == "" || pinned(image) {
				return nil
			}
			return []Gap{{Line: line, Message: image + " is not pinned by digest"}}
		}),
}

var imageID = regexp.MustCompile(`^(sha256:)?[0-9a-f]{64}$`)

// pinned reports whether an image reference names one image for good: a
// digest, an image ID, or a local archive or layout (and Quadlet .image
// and .build units, which pin themselves).
func pinned(ref string) bool {
	if strings.Contains(ref, "@sha256:") || imageID.MatchString(ref) {
		return true
	}
	for _, p := range []string{"oci-archive:", "docker-archive:", "oci:", "dir:"} {
		if strings.HasPrefix(ref, p) {
			return true
		}
	}
	return strings.HasSuffix(ref, ".image") || strings.HasSuffix(ref, ".build")
}

// keyLine is the line of a Quadlet [Container] key when set, else where
// the container is.
func (c *Context) keyLine(key string) int {
	if o, ok := c.container(key); ok {
		return o.Line
	}
	return c.runLine()
}

// readOnly reports whether the container's root is read-only.
func (c *Context) readOnly() bool {
	return c.File.True(unit.Container, "ReadOnly") || c.Flags.Bool("read-only", false)
}

// tmpfsTmp reports whether a tmpfs is mounted on /tmp.
func (c *Context) tmpfsTmp() bool {
	mounts := c.Flags.Values("tmpfs")
	for _, o := range c.File.All(unit.Container, "Tmpfs") {
		mounts = append(mounts, o.Value)
	}
	for _, m := range mounts {
		if p, _, _ := strings.Cut(m, ":"); p == "/tmp" {
			return true
		}
	}
	return false
}
