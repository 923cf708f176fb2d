package cli

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/k8s/fleet"
)

// jobsOptions are k8s generate's --jobs flags: slimship's own work across a
// registry as an Indexed Job (scans, sharded) and a CronJob (retention).
type jobsOptions struct {
	On               bool
	Targets          []string
	TargetsFile      string
	Shards           int32
	Parallelism      int32
	ScanCommand      string
	SetupCommand     string
	Schedule         string
	RetentionCommand string
	RegistrySecret   string

	spec  fleet.Spec
	flags *pflag.FlagSet
}

func (j *jobsOptions) addFlags(f *pflag.FlagSet) {
	j.flags = f
	f.BoolVar(&j.On, "jobs", false, "generate slimship's own fleet work instead of an app: an Indexed Job scanning --target images in --shards shards and a retention CronJob, run by the image --image (slimship build ./cmd/slimship), with --name, --namespace, --cpu, --memory and their limits")
	f.StringArrayVar(&j.Targets, "target", nil, "with --jobs: an image to scan (repeatable)")
	f.StringVar(&j.TargetsFile, "targets-file", "", "with --jobs: a file of images to scan, one a line (# comments)")
	f.Int32Var(&j.Shards, "shards", 0, "with --jobs: the Indexed Job's completions, each scanning a stable shard of the targets (default 4)")
	f.Int32Var(&j.Parallelism, "parallelism", 0, "with --jobs: shards running at once (default min(shards, 4))")
	f.StringVar(&j.ScanCommand, "scan-command", strings.Join(fleet.DefaultScanArgs, " "), "with --jobs: the slimship command each target is given to")
	f.StringVar(&j.SetupCommand, "setup-command", strings.Join(fleet.DefaultSetupArgs, " "), "with --jobs: a slimship command each pod runs first (empty: none)")
	f.StringVar(&j.Schedule, "schedule", "17 3 * * *", "with --jobs: the retention CronJob's schedule")
	f.StringVar(&j.RetentionCommand, "retention-command", strings.Join(fleet.DefaultRetentionArgs, " "), "with --jobs: the slimship command each repository of the targets is given to on schedule")
	f.StringVar(&j.RegistrySecret, "registry-secret", "", "with --jobs: a kubernetes.io/dockerconfigjson Secret with registry credentials")
}

// complete builds the fleet spec from these flags and the app flags they
// share (name, namespace, image, resources, user).
func (j *jobsOptions) complete(o *K8sGenerateOptions) error {
	// An explicit 0 is refused, never replaced by the default.
	for _, c := range []struct {
		flag string
		v    int32
	}{{"shards", j.Shards}, {"parallelism", j.Parallelism}} {
		if j.flags != nil && j.flags.Changed(c.flag) && c.v < 1 {
			return usageErr("--%s %d: want 1 or more", c.flag, c.v)
		}
	}
	a := o.app
	s := fleet.Spec{
		Name: a.Name, Namespace: a.Namespace, Image: a.Image,
		Targets: j.Targets, Shards: j.Shards, Parallelism: j.Parallelism,
		ScanArgs: strings.Fields(j.ScanCommand), SetupArgs: strings.Fields(j.SetupCommand),
		Schedule: j.Schedule, RetentionArgs: strings.Fields(j.RetentionCommand),
		CPU: a.CPU, CPULimit: a.CPULimit, Memory: a.Memory, MemoryLimit: a.MemoryLimit,
		RegistrySecret: j.RegistrySecret,
	}
	if a.User != nil {
		s.User = *a.User
	}
	if a.Group != nil {
		s.Group = *a.Group
	}
	if s.SetupArgs == nil {
		s.SetupArgs = []string{}
	}
	if j.TargetsFile != "" {
		b, err := bounded.ReadFile(j.TargetsFile, 16<<20)
		if err != nil {
			return usageErr("--targets-file: %v", err)
		}
		s.Targets = append(s.Targets, readTargets(string(b))...)
	}
	j.spec = s
	return nil
}

func (j *jobsOptions) validate() error {
	s := j.spec
	s.Complete()
	if err := s.Validate(); err != nil {
		return usageErr("%v", err)
	}
	return nil
}

// readTargets reads a targets file: one a line, blank lines and # comments
// skipped.
func readTargets(s string) []string {
	var out []string
	for line := range strings.Lines(s) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if t := strings.TrimSpace(line); t != "" {
			out = append(out, t)
		}
	}
	return out
}
