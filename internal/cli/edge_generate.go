package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/pkg/edge/generate"
	"github.com/slimship/slimship/pkg/edge/unit"
	"github.com/slimship/slimship/pkg/image/transport"
)

// EdgeGenerateOptions are the flags of `slimship edge generate`.
type EdgeGenerateOptions struct {
	ctx context.Context

	Image    string
	Binary   string
	Kinds    []string
	OutDir   string
	Platform string
	ImageRef string
	Insecure bool

	Name, Description string
	User, Group       string
	Env               []string
	Publish           []string
	Network           string
	Tmpfs             []string
	CapAdd            []string
	PodmanArgs        []string
	PodmanPath        string
	PodmanVersion     string
	SystemdVersion    int

	HealthCmd, HealthInterval, HealthTimeout, HealthStartPeriod, HealthOnFailure string
	HealthRetries                                                                int

	CPUQuota, MemoryMax, MemoryHigh string
	TasksMax                        int
	IODevice, IOReadMax, IOWriteMax string

	Restart, RestartDelay, RestartMaxDelay string
	RestartSteps                           int

	Args []string

	spec  generate.Spec
	kinds []generate.Kind
	cmd   *cobra.Command
	s     Streams
}

func newEdgeGenerateCmd(s Streams) *cobra.Command {
	o := &EdgeGenerateOptions{s: s}
	def := generate.Defaults()
	cmd := &cobra.Command{
		Use: "generate (IMAGE | --binary PATH) [-- ARGS...]",
		Example: `  slimship edge generate oci:app --platform linux/arm64 --image-ref registry.example.com/app:1.2.0 -o units/
  slimship edge generate --binary ./app --cpu-quota 50% --memory-max 256M -o units/`,
		Short: "Generate hardened systemd units for an image (Quadlet and podman run) or a static binary",
		Long: `Generate systemd units that run one program on an edge machine under hard
limits and a sandbox, without Kubernetes:

  IMAGE          a Podman Quadlet NAME.container (podman 4.4 and later) and a
                 NAME.service running 'podman run' (older podman: Debian 12
                 has 4.3); --kind picks one. IMAGE is any transport
                 (docker://REF, oci:DIR, oci-archive:PATH, docker-archive:PATH,
                 podman:NAME); --platform picks the variant of an index, and
                 the unit pins it: REPO@sha256:<that manifest's digest> for a
                 registry (or --image-ref), the image ID for podman:NAME.
  --binary PATH  a NAME.service running the program directly (an ELF
                 executable; a dynamically linked one needs its libraries).

Every unit has the limits (CPUQuota=, MemoryHigh= below MemoryMax=,
TasksMax=, IOReadBandwidthMax=/IOWriteBandwidthMax=), restarts on failure with
a delay (growing, with RestartSteps=, from --systemd-version 254), and the
sandbox 'slimship edge lint' checks. A binary's service runs as a transient
user (DynamicUser=) with no capabilities, a read-only file system
(ProtectSystem=strict), private /tmp and devices, and @system-service system
calls: 'systemd-analyze security' rates it 1.2 or lower. A container runs as
its image's non-root user (or --user), read-only with a tmpfs /tmp only, no
new privileges and no capabilities (--cap-add gives named ones back), with
the image's HEALTHCHECK (or --health-cmd) killing it when unhealthy; its
service gets the part of the sandbox podman can run under (the unit lists what
it leaves out and why).

Arguments after -- are the program's (the container's command).
Values systemd or podman would refuse, a CPU quota of 0, --memory-high not
below --memory-max, an unknown capability and a bad unit name are refused
with exit 2. Output: the units on standard output, or with -o DIR one file
each.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if n := cmd.ArgsLenAtDash(); n >= 0 {
				o.Args = args[n:]
				args = args[:n]
			}
			if len(args) > 1 {
				return usageErr("one IMAGE, not %d (program arguments go after --)", len(args))
			}
			if len(args) == 1 {
				o.Image = args[0]
			}
			o.ctx = cmd.Context()
			return run(o)
		},
	}
	o.cmd = cmd
	f := cmd.Flags()
	f.StringVar(&o.Binary, "binary", "", "a static binary to run directly (instead of IMAGE)")
	f.StringSliceVar(&o.Kinds, "kind", nil, "units to write for an image: quadlet, service (default both)")
	f.StringVarP(&o.OutDir, "output", "o", "", "write the units into this directory instead of standard output")
	f.StringVar(&o.Platform, "platform", "", "os/arch of the image in an index (default linux/<this machine's arch>), or that the binary must be")
	f.StringVar(&o.ImageRef, "image-ref", "", "the registry reference the edge machine pulls the image from (pinned by the chosen digest)")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP to a loopback registry")
	f.StringVar(&o.Name, "name", "", "unit name (default: the image's repository or the binary's file name)")
	f.StringVar(&o.Description, "description", "", "the unit's Description=")
	f.StringVar(&o.User, "user", "", "UID to run as (default: the image's USER; a binary gets a transient user)")
	f.StringVar(&o.Group, "group", "", "GID to run as")
	f.StringArrayVar(&o.Env, "env", nil, "environment variable NAME=VALUE (repeatable)")
	f.StringArrayVar(&o.Publish, "publish", nil, "publish a container port, [IP:][HOST:]CONTAINER[/PROTOCOL] (repeatable)")
	f.StringVar(&o.Network, "network", "", "the container's network (podman --network: host, none, a network name)")
	f.StringArrayVar(&o.Tmpfs, "tmpfs", def.Tmpfs, "writable tmpfs in the read-only container, PATH[:OPTIONS] (repeatable)")
	f.StringSliceVar(&o.CapAdd, "cap-add", nil, "capabilities to give back (NET_BIND_SERVICE); all others are dropped")
	f.StringArrayVar(&o.PodmanArgs, "podman-arg", nil, "extra podman run option for container units (repeatable)")
	f.StringVar(&o.PodmanPath, "podman-path", def.PodmanPath, "podman on the edge machine")
	f.StringVar(&o.PodmanVersion, "podman-version", def.Podman.String(), "oldest podman the Quadlet must work with (4.5 adds HealthCmd= and Tmpfs=, 4.8 ReadOnlyTmpfs=)")
	f.IntVar(&o.SystemdVersion, "systemd-version", def.Systemd, "oldest systemd the units must work with (254 adds RestartSteps=)")
	f.StringVar(&o.HealthCmd, "health-cmd", "", `health check: a JSON array (exec form, ["/app","-health"]) or a shell command; "none" drops the image's HEALTHCHECK`)
	f.StringVar(&o.HealthInterval, "health-interval", "30s", "time between health checks")
	f.StringVar(&o.HealthTimeout, "health-timeout", "10s", "time a health check may take")
	f.StringVar(&o.HealthStartPeriod, "health-start-period", "0s", "time after start during which failures do not count")
	f.IntVar(&o.HealthRetries, "health-retries", 3, "failures in a row that make the container unhealthy")
	f.StringVar(&o.HealthOnFailure, "health-on-failure", "kill", "what podman does to an unhealthy container: none, kill, restart, stop (kill: systemd restarts the unit)")
	f.StringVar(&o.CPUQuota, "cpu-quota", formatPct(def.Limits.CPUQuota), "CPUQuota=: CPU time per CPU second (200% is two CPUs)")
	f.StringVar(&o.MemoryMax, "memory-max", unit.FormatSize(def.Limits.MemoryMax), "MemoryMax=: the hard memory limit (K, M, G, T: powers of 1024)")
	f.StringVar(&o.MemoryHigh, "memory-high", "", "MemoryHigh=: where the kernel starts reclaiming (default 85% of --memory-max)")
	f.IntVar(&o.TasksMax, "tasks-max", def.Limits.TasksMax, "TasksMax=: processes and threads")
	f.StringVar(&o.IODevice, "io-device", "", "the path whose block device the I/O bandwidths limit (default / for a binary, /var/lib/containers for a container)")
	f.StringVar(&o.IOReadMax, "io-read-max", unit.FormatSize(def.Limits.IORead), `IOReadBandwidthMax= in bytes per second ("none": no limit)`)
	f.StringVar(&o.IOWriteMax, "io-write-max", unit.FormatSize(def.Limits.IOWrite), `IOWriteBandwidthMax= in bytes per second ("none": no limit)`)
	f.StringVar(&o.Restart, "restart", def.Restart.Policy, "Restart=: no, on-failure, on-abnormal, always ...")
	f.StringVar(&o.RestartDelay, "restart-delay", unit.FormatTimespan(def.Restart.Delay), "RestartSec=: the delay before a restart (the first, with --systemd-version 254)")
	f.IntVar(&o.RestartSteps, "restart-steps", def.Restart.Steps, "RestartSteps= (systemd 254+): restarts over which the delay grows to --restart-max-delay")
	f.StringVar(&o.RestartMaxDelay, "restart-max-delay", unit.FormatTimespan(def.Restart.MaxDelay), "RestartMaxDelaySec= (systemd 254+)")
	return cmd
}

func formatPct(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) + "%" }

// Complete opens the image or binary and turns the flags into a spec.
func (o *EdgeGenerateOptions) Complete() error {
	ctx := orBackground(o.ctx)
	switch {
	case o.Image == "" && o.Binary == "":
		return usageErr("give an IMAGE or --binary PATH")
	case o.Image != "" && o.Binary != "":
		return usageErr("give an IMAGE or --binary PATH, not both")
	}
	s := generate.Defaults()
	s.Name, s.Description = o.Name, o.Description
	s.User, s.Group = o.User, o.Group
	s.Publish, s.Network, s.Tmpfs, s.CapAdd = o.Publish, o.Network, o.Tmpfs, o.CapAdd
	s.PodmanArgs, s.PodmanPath, s.Systemd, s.Args = o.PodmanArgs, o.PodmanPath, o.SystemdVersion, o.Args
	var errs []string
	fail := func(flag string, err error) { errs = append(errs, "--"+flag+": "+err.Error()) }
	var err error
	if s.Podman, err = generate.ParseVersion(o.PodmanVersion); err != nil {
		fail("podman-version", err)
	}
	for _, e := range o.Env {
		k, v, ok := strings.Cut(e, "=")
		if !ok {
			fail("env", fmt.Errorf("%q: want NAME=VALUE", e))
			continue
		}
		s.Env = append(s.Env, generate.EnvVar{Name: k, Value: v})
	}
	if s.Limits.CPUQuota, err = unit.ParsePercent(o.CPUQuota); err != nil {
		fail("cpu-quota", err)
	}
	if s.Limits.MemoryMax, err = unit.ParseSize(o.MemoryMax); err != nil {
		fail("memory-max", err)
	}
	s.Limits.MemoryHigh = generate.DefaultMemoryHigh(s.Limits.MemoryMax)
	if o.MemoryHigh != "" {
		if s.Limits.MemoryHigh, err = unit.ParseSize(o.MemoryHigh); err != nil {
			fail("memory-high", err)
		}
	}
	s.Limits.TasksMax = o.TasksMax
	for _, bw := range []struct {
		flag, v string
		dst     *int64
	}{{"io-read-max", o.IOReadMax, &s.Limits.IORead}, {"io-write-max", o.IOWriteMax, &s.Limits.IOWrite}} {
		if bw.v == "none" || bw.v == "0" {
			*bw.dst = 0
		} else if *bw.dst, err = unit.ParseSize(bw.v); err != nil {
			fail(bw.flag, err)
		}
	}
	s.Restart.Policy, s.Restart.Steps = o.Restart, o.RestartSteps
	if s.Restart.Delay, err = unit.ParseTimespan(o.RestartDelay); err != nil {
		fail("restart-delay", err)
	}
	if s.Restart.MaxDelay, err = unit.ParseTimespan(o.RestartMaxDelay); err != nil {
		fail("restart-max-delay", err)
	}
	if len(errs) > 0 {
		return usageErr("%s", strings.Join(errs, "\n"))
	}
	if o.Binary != "" {
		err = o.completeBinary(&s)
	} else {
		err = o.completeImage(ctx, &s)
	}
	if err != nil {
		return err
	}
	o.spec = s
	return nil
}

func (o *EdgeGenerateOptions) completeBinary(s *generate.Spec) error {
	if len(o.Kinds) > 0 && !slices.Equal(o.Kinds, []string{string(generate.Binary)}) {
		return usageErr("--kind: a --binary gets one kind of unit, a service running it")
	}
	o.kinds = []generate.Kind{generate.Binary}
	abs, err := filepath.Abs(o.Binary)
	if err != nil {
		return usageErr("--binary: %v", err)
	}
	platform, static, err := generate.InspectBinary(abs)
	if err != nil {
		return usageErr("--binary: %v", err)
	}
	if o.Platform != "" && o.Platform != platform {
		return usageErr("--binary %s is %s, not --platform %s", o.Binary, platform, o.Platform)
	}
	if !static {
		fmt.Fprintf(o.s.Err, "note: %s is dynamically linked: the edge machine must have its libraries\n", o.Binary)
	}
	s.Binary, s.Platform, s.Source = abs, platform, abs
	if s.Name == "" {
		s.Name = filepath.Base(abs)
	}
	if o.HealthCmd != "" {
		s.Health = &generate.Health{Cmd: o.HealthCmd}
	}
	s.Limits.IODevice = o.IODevice
	if s.Limits.IODevice == "" {
		s.Limits.IODevice = "/"
	}
	return nil
}

func (o *EdgeGenerateOptions) completeImage(ctx context.Context, s *generate.Spec) error {
	o.kinds = nil
	for _, k := range o.Kinds {
		switch generate.Kind(k) {
		case generate.Quadlet, generate.Service:
			o.kinds = append(o.kinds, generate.Kind(k))
		default:
			return usageErr("--kind %q: want quadlet or service (binary units come from --binary)", k)
		}
	}
	if len(o.kinds) == 0 {
		o.kinds = []generate.Kind{generate.Quadlet, generate.Service}
	}
	ref, err := transport.ParseRef(o.Image, pathExists)
	if err != nil {
		return usageErr("%v", err)
	}
	img, err := transport.OpenRef(ctx, ref, transport.Options{Platform: o.Platform, Insecure: o.Insecure})
	if err != nil {
		return usageErr("%v", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return usageErr("%s: %v", o.Image, err)
	}
	if cfg.OS != "" && cfg.Architecture != "" {
		s.Platform = cfg.OS + "/" + cfg.Architecture
		if cfg.Variant != "" {
			s.Platform += "/" + cfg.Variant
		}
	}
	if o.Platform != "" && s.Platform != "" && !strings.HasPrefix(s.Platform, o.Platform) {
		return usageErr("%s is %s, not --platform %s", o.Image, s.Platform, o.Platform)
	}
	digest, err := img.Digest()
	if err != nil {
		return usageErr("%s: %v", o.Image, err)
	}
	s.Digest, s.Source = digest.String(), ref.String()
	var notes []string
	if s.Image, notes, err = generate.Pin(ref, img, o.ImageRef); err != nil {
		return usageErr("%v", err)
	}
	if o.HealthCmd != "" && o.HealthCmd != "none" {
		s.Health = &generate.Health{Cmd: o.HealthCmd}
	}
	notes = append(notes, generate.FromImage(s, cfg, o.HealthCmd == "none")...)
	if err := o.healthFlags(s.Health); err != nil {
		return err
	}
	if s.Health == nil && o.HealthCmd != "none" {
		notes = append(notes, "no health check: the image has no HEALTHCHECK; give --health-cmd")
	}
	if s.Name == "" {
		s.Name = imageName(ref, o.ImageRef)
	}
	s.Limits.IODevice = o.IODevice
	if s.Limits.IODevice == "" {
		s.Limits.IODevice = "/var/lib/containers"
	}
	for _, n := range notes {
		fmt.Fprintln(o.s.Err, "note:", n)
	}
	return nil
}

// healthFlags sets h's timing and action from the --health-* flags: all
// of them for a --health-cmd, those given over an image's HEALTHCHECK.
func (o *EdgeGenerateOptions) healthFlags(h *generate.Health) error {
	if h == nil {
		return nil
	}
	all := o.HealthCmd != ""
	set := func(flag string) bool { return all || o.cmd != nil && o.cmd.Flags().Changed(flag) }
	var errs []string
	for _, d := range []struct {
		flag, v string
		dst     *time.Duration
	}{{"health-interval", o.HealthInterval, &h.Interval}, {"health-timeout", o.HealthTimeout, &h.Timeout},
		{"health-start-period", o.HealthStartPeriod, &h.StartPeriod}} {
		if !set(d.flag) {
			continue
		}
		v, err := time.ParseDuration(d.v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("--%s %q: want a duration such as 30s or 1m", d.flag, d.v))
		}
		*d.dst = v
	}
	if set("health-retries") {
		h.Retries = o.HealthRetries
	}
	if set("health-on-failure") {
		h.OnFailure = o.HealthOnFailure
	}
	if len(errs) > 0 {
		return usageErr("%s", strings.Join(errs, "\n"))
	}
	return nil
}

// imageName is the default unit name: the last path element of the
// image's repository (or file), without tag or digest.
func imageName(r transport.Ref, imageRef string) string {
	n := imageRef
	if n == "" {
		n = r.Name
	}
	if n == "" {
		n = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(r.Path), ".gz"), ".tar")
	}
	n = n[strings.LastIndexByte(n, '/')+1:]
	if i := strings.IndexAny(n, ":@"); i >= 0 {
		n = n[:i]
	}
	return n
}

// Validate checks the spec.
func (o *EdgeGenerateOptions) Validate() error {
	for _, k := range o.kinds {
		if err := o.spec.Validate(k); err != nil {
			return usageErr("%v", joinedLines(err))
		}
	}
	return nil
}

// joinedLines prints a joined error one problem a line.
func joinedLines(err error) error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var lines []string
	for _, e := range j.Unwrap() {
		lines = append(lines, e.Error())
	}
	return errors.New(strings.Join(lines, "\n"))
}

// Run writes the units.
func (o *EdgeGenerateOptions) Run() error {
	var files []generate.File
	for _, k := range o.kinds {
		f, err := generate.Generate(o.spec, k)
		if err != nil {
			return usageErr("%v", joinedLines(err))
		}
		files = append(files, f)
	}
	if o.OutDir == "" {
		for i, f := range files {
			if len(files) > 1 {
				if i > 0 {
					fmt.Fprintln(o.s.Out)
				}
				fmt.Fprintf(o.s.Out, "# ---- %s ----\n", f.Name)
			}
			if _, err := o.s.Out.Write(f.Content); err != nil {
				return err
			}
		}
		return nil
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		p := filepath.Join(o.OutDir, f.Name)
		if err := atomicfile.Write(p, f.Content, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(o.s.Err, "wrote", p)
	}
	if len(files) > 1 {
		fmt.Fprintln(o.s.Err, "note: install one of them: the Quadlet on podman 4.4 and later, the .service on older podman")
	}
	return nil
}
