package fleet

import (
	"fmt"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/slimship/slimship/pkg/k8s/generate"
	"github.com/slimship/slimship/pkg/registry"
)

// Spec describes the fleet work.
type Spec struct {
	// Name prefixes every object (default "slimship").
	Name      string
	Namespace string
	// Image is slimship's own image (slimship build ./cmd/slimship).
	Image string
	// Targets are the images (or repositories) scans take, sharded.
	Targets []string
	// Shards is the Indexed Job's completions; Parallelism how many run at
	// once.
	Shards, Parallelism int32
	// ScanArgs is the slimship command each target is given to (the
	// target is appended): by default `scan --fail-on high`.
	ScanArgs []string
	// SetupArgs runs once in each pod before the targets (by default `db
	// update`, the vulnerability database); empty: none.
	SetupArgs []string
	// Schedule is the retention CronJob's cron schedule; RetentionArgs the
	// command each repository of RetentionTargets is given to (by default
	// `registry prune` with the seed's retention, maxImages 10, keepLast 5,
	// keepDaily 3, keepWeekly 2, over the targets' repositories).
	Schedule         string
	RetentionArgs    []string
	RetentionTargets []string
	// Resources of each pod's container.
	CPU, CPULimit, Memory, MemoryLimit string
	// User and Group the pods run as (default 65532, slimship build's).
	User, Group int64
	// RegistrySecret is a Secret of type kubernetes.io/dockerconfigjson
	// mounted as the Docker config for registry credentials.
	RegistrySecret string
}

// Object is one manifest (the same as k8s generate's).
type Object = generate.Object

// Defaults.
var (
	DefaultScanArgs      = []string{"scan", "--fail-on", "high"}
	DefaultSetupArgs     = []string{"db", "update"}
	DefaultRetentionArgs = []string{"registry", "prune", "--max", "10", "--keep-last", "5", "--keep-daily", "3", "--keep-weekly", "2", "--yes"}
)

// Complete fills defaults.
func (s *Spec) Complete() {
	if s.Name == "" {
		s.Name = "slimship"
	}
	if s.Shards == 0 {
		s.Shards = 4
	}
	if s.Parallelism == 0 {
		s.Parallelism = min(s.Shards, 4)
	}
	if s.ScanArgs == nil {
		s.ScanArgs = DefaultScanArgs
	}
	if s.SetupArgs == nil {
		s.SetupArgs = DefaultSetupArgs
	}
	if s.Schedule == "" {
		s.Schedule = "17 3 * * *"
	}
	if s.RetentionArgs == nil {
		s.RetentionArgs = DefaultRetentionArgs
	}
	if s.RetentionTargets == nil {
		s.RetentionTargets = Repositories(s.Targets)
	}
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&s.CPU, "250m")
	def(&s.CPULimit, "1")
	def(&s.Memory, "256Mi")
	def(&s.MemoryLimit, "512Mi")
	if s.User == 0 {
		s.User = 65532
	}
	if s.Group == 0 {
		s.Group = s.User
	}
}

// Repositories are the distinct repositories of image references, in
// order.
func Repositories(images []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, im := range images {
		r, err := (registry.Options{}).ParseReference(im)
		if err != nil {
			continue
		}
		repo := r.Context().Name()
		if !seen[repo] {
			seen[repo] = true
			out = append(out, repo)
		}
	}
	return out
}

// Validate refuses what the API server or the run would reject.
func (s *Spec) Validate() error {
	var errs []string
	bad := func(key, format string, v ...any) { errs = append(errs, key+": "+fmt.Sprintf(format, v...)) }
	// The longest object name is NAME-results-<shards-1> (a ConfigMap,
	// a DNS subdomain) and the CronJob NAME-retention (52 characters at
	// most, for the Jobs it names).
	if e := validation.IsDNS1123Label(s.Name); len(e) > 0 {
		bad("--name", "%q: %s", s.Name, strings.Join(e, "; "))
	} else if len(s.Name+"-retention") > 52 {
		bad("--name", "%q is too long: the CronJob %s-retention must be at most 52 characters", s.Name, s.Name)
	}
	if s.Namespace != "" {
		if e := validation.IsDNS1123Label(s.Namespace); len(e) > 0 {
			bad("--namespace", "%q: %s", s.Namespace, strings.Join(e, "; "))
		}
	}
	if s.Image == "" {
		bad("--image", "slimship's image is required (slimship build ./cmd/slimship -o REF)")
	} else if _, err := (registry.Options{}).ParseReference(s.Image); err != nil {
		bad("--image", "%v", err)
	}
	if len(s.Targets) == 0 {
		bad("--target", "at least one image to scan is required")
	}
	for _, t := range s.Targets {
		if _, err := (registry.Options{}).ParseReference(t); err != nil {
			bad("--target", "%v", err)
		}
	}
	if s.Shards < 1 || s.Shards > 1000 {
		bad("--shards", "%d: want 1 to 1000", s.Shards)
	}
	if s.Parallelism < 1 || s.Parallelism > s.Shards {
		bad("--parallelism", "%d: want 1 to --shards (%d)", s.Parallelism, s.Shards)
	}
	if f := strings.Fields(s.Schedule); len(f) != 5 && !strings.HasPrefix(s.Schedule, "@") {
		bad("--schedule", "%q: want a cron schedule of 5 fields (minute hour day month weekday) or @daily etc.", s.Schedule)
	}
	if len(s.ScanArgs) == 0 {
		bad("--scan-command", "empty")
	}
	if s.User <= 0 || s.Group <= 0 {
		bad("--user", "the pods run as non-root: user and group must be above 0")
	}
	req := func(key, r, l string) {
		rq, err1 := resource.ParseQuantity(r)
		lq, err2 := resource.ParseQuantity(l)
		switch {
		case err1 != nil:
			bad(key, "%q: %v", r, err1)
		case err2 != nil:
			bad(key+"-limit", "%q: %v", l, err2)
		case rq.Sign() <= 0:
			bad(key, "%q: must be above 0", r)
		case lq.Cmp(rq) < 0:
			bad(key+"-limit", "%s is below the request %s", l, r)
		}
	}
	req("--cpu", s.CPU, s.CPULimit)
	req("--memory", s.Memory, s.MemoryLimit)
	if s.RegistrySecret != "" {
		if e := validation.IsDNS1123Subdomain(s.RegistrySecret); len(e) > 0 {
			bad("--registry-secret", "%q: %s", s.RegistrySecret, strings.Join(e, "; "))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

const (
	targetsFile   = "/etc/slimship/targets.txt"
	retentionFile = "/etc/slimship/repositories.txt"
	cacheDir      = "/cache"
)

func ptr[T any](v T) *T { return &v }

func (s *Spec) labels(component string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       s.Name,
		"app.kubernetes.io/instance":   s.Name,
		"app.kubernetes.io/component":  component,
		"app.kubernetes.io/managed-by": generate.ManagedBy,
	}
}

func (s *Spec) meta(name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: s.Namespace, Labels: s.labels(component)}
}

// ResultsName is the ConfigMap index i of a job writes its results to.
func ResultsName(prefix string, i int) string { return prefix + "-" + strconv.Itoa(i) }

// Build returns the manifests in apply order: ServiceAccount, Role,
// RoleBinding, the targets ConfigMap, one results ConfigMap per shard and
// one for retention (created here so the Role names them and needs no
// create), the Indexed Job, the CronJob and a NetworkPolicy.
func Build(s Spec) ([]Object, error) {
	s.Complete()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var out []Object
	add := func(kind, file string, v any) { out = append(out, Object{Kind: kind, File: file, Value: v}) }
	scanResults := s.Name + "-results"
	retentionResults := s.Name + "-retention-results"
	var names []string
	for i := range int(s.Shards) {
		names = append(names, ResultsName(scanResults, i))
	}
	names = append(names, ResultsName(retentionResults, 0))

	add("ServiceAccount", "serviceaccount.yaml", &corev1.ServiceAccount{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: s.meta(s.Name, "fleet"),
		AutomountServiceAccountToken: ptr(false),
	})
	add("Role", "role.yaml", &rbacv1.Role{
		TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"}, ObjectMeta: s.meta(s.Name, "fleet"),
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: names, Verbs: []string{"get", "update", "patch"}}},
	})
	add("RoleBinding", "rolebinding.yaml", &rbacv1.RoleBinding{
		TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"}, ObjectMeta: s.meta(s.Name, "fleet"),
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: s.Name},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: s.Name, Namespace: s.Namespace}},
	})
	add("ConfigMap", "configmap-targets.yaml", &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: s.meta(s.Name+"-targets", "fleet"),
		Data: map[string]string{
			"targets.txt":      strings.Join(s.Targets, "\n") + "\n",
			"repositories.txt": strings.Join(s.RetentionTargets, "\n") + "\n",
		},
	})
	for _, n := range names {
		add("ConfigMap", "configmap-"+n+".yaml", &corev1.ConfigMap{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: s.meta(n, "results"),
		})
	}
	scanArgs := append([]string{"fleet", "run", "--shards", strconv.Itoa(int(s.Shards)), "--targets", targetsFile, "--results-configmap", scanResults}, setupFlags(s.SetupArgs)...)
	scanArgs = append(append(scanArgs, "--"), s.ScanArgs...)
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: s.meta(s.Name+"-scan", "scan"),
		Spec: batchv1.JobSpec{
			CompletionMode:          ptr(batchv1.IndexedCompletion),
			Completions:             ptr(s.Shards),
			Parallelism:             ptr(s.Parallelism),
			BackoffLimit:            ptr(int32(2) * s.Shards),
			ActiveDeadlineSeconds:   ptr(int64(6 * 3600)),
			TTLSecondsAfterFinished: ptr(int32(7 * 24 * 3600)),
			Template:                s.pod("scan", scanArgs),
		},
	}
	add("Job", "job-scan.yaml", job)
	retArgs := []string{"fleet", "run", "--shards", "1", "--index", "0", "--targets", retentionFile, "--results-configmap", retentionResults, "--"}
	retArgs = append(retArgs, s.RetentionArgs...)
	add("CronJob", "cronjob-retention.yaml", &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: s.meta(s.Name+"-retention", "retention"),
		Spec: batchv1.CronJobSpec{
			Schedule:                   s.Schedule,
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			StartingDeadlineSeconds:    ptr(int64(3600)),
			SuccessfulJobsHistoryLimit: ptr(int32(3)),
			FailedJobsHistoryLimit:     ptr(int32(3)),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: s.labels("retention")},
				Spec: batchv1.JobSpec{
					BackoffLimit:            ptr(int32(1)),
					ActiveDeadlineSeconds:   ptr(int64(3 * 3600)),
					TTLSecondsAfterFinished: ptr(int32(7 * 24 * 3600)),
					Template:                s.pod("retention", retArgs),
				},
			},
		},
	})
	add("NetworkPolicy", "networkpolicy.yaml", &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: s.meta(s.Name, "fleet"),
		Spec: networkingv1.NetworkPolicySpec{
			// No ingress at all; egress to registries and the API server.
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/instance": s.Name}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Egress:      []networkingv1.NetworkPolicyEgressRule{{}},
		},
	})
	return out, nil
}

func setupFlags(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	return []string{"--setup", strings.Join(args, " ")}
}

// pod is the hardened pod of a job: slimship's image, read-only as
// non-root, the targets mounted, a cache and /tmp on size-limited
// emptyDirs, the token mounted (results go to ConfigMaps the Role names).
func (s *Spec) pod(component string, args []string) corev1.PodTemplateSpec {
	tmpVol, tmpMount := generate.TmpVolume()
	cpu, cpuLimit := resource.MustParse(s.CPU), resource.MustParse(s.CPULimit)
	mem, memLimit := resource.MustParse(s.Memory), resource.MustParse(s.MemoryLimit)
	eph, ephLimit := resource.MustParse("256Mi"), resource.MustParse("1Gi")
	c := corev1.Container{
		Name:            "slimship",
		Image:           s.Image,
		ImagePullPolicy: corev1.PullAlways,
		Args:            args,
		Env: []corev1.EnvVar{
			{Name: "XDG_CACHE_HOME", Value: cacheDir},
			{Name: "HOME", Value: "/tmp"},
		},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: mem, corev1.ResourceEphemeralStorage: eph},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: cpuLimit, corev1.ResourceMemory: memLimit, corev1.ResourceEphemeralStorage: ephLimit},
		},
		SecurityContext: generate.ContainerSecurity(s.User, s.Group),
		VolumeMounts: []corev1.VolumeMount{
			tmpMount,
			{Name: "cache", MountPath: cacheDir},
			{Name: "targets", MountPath: "/etc/slimship", ReadOnly: true},
		},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
	vols := []corev1.Volume{
		tmpVol,
		{Name: "cache", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("512Mi"))}}},
		{Name: "targets", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: s.Name + "-targets"}}}},
	}
	if s.RegistrySecret != "" {
		c.Env = append(c.Env, corev1.EnvVar{Name: "DOCKER_CONFIG", Value: "/etc/slimship-docker"})
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "docker-config", MountPath: "/etc/slimship-docker", ReadOnly: true})
		vols = append(vols, corev1.Volume{Name: "docker-config", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: s.RegistrySecret, Items: []corev1.KeyToPath{{Key: ".dockerconfigjson", Path: "config.json"}}}}})
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: s.labels(component)},
		Spec: corev1.PodSpec{
			ServiceAccountName:           s.Name,
			AutomountServiceAccountToken: ptr(true),
			EnableServiceLinks:           ptr(false),
			RestartPolicy:                corev1.RestartPolicyNever,
			SecurityContext:              generate.PodSecurity(s.User, s.Group),
			Containers:                   []corev1.Container{c},
			Volumes:                      vols,
		},
	}
}
