package fleet

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/internal/k8sclean"
	"github.com/slimship/slimship/pkg/k8s/generate"
)

var specs = []struct {
	name string
	spec Spec
}{
	{"default", Spec{Namespace: "platform", Image: "registry.example.com/slimship:0.5.0",
		Targets: []string{"registry.example.com/shop/web:1.4.2", "registry.example.com/shop/api:3.1.0", "registry.example.com/shop/web:1.4.1"}}},
	{"custom", Spec{Name: "audit", Namespace: "ci", Image: "registry.example.com/slimship@sha256:" + strings.Repeat("ab", 32),
		Targets: []string{"registry.example.com/a:1", "registry.example.com/b:2"}, Shards: 8, Parallelism: 2,
		ScanArgs: []string{"audit", "--fail-on", "error"}, SetupArgs: []string{}, Schedule: "@weekly",
		RetentionArgs: []string{"registry", "prune", "--keep-last", "10", "--yes"}, CPU: "500m", CPULimit: "2", Memory: "512Mi", MemoryLimit: "1Gi",
		RegistrySecret: "registry-creds", User: 20000}},
}

func stream(t *testing.T, s Spec) []byte {
	t.Helper()
	objs, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := generate.Stream(objs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGolden(t *testing.T) {
	for _, v := range specs {
		t.Run(v.name, func(t *testing.T) {
			golden.Assert(t, filepath.Join("testdata", v.name+".yaml"), stream(t, v.spec))
		})
	}
}

// TestLintClean: the fleet's manifests pass slimship's own k8s lint with no
// finding at warning or above.
func TestLintClean(t *testing.T) {
	for _, v := range specs {
		t.Run(v.name, func(t *testing.T) {
			k8sclean.Assert(t, v.name+".yaml", stream(t, v.spec))
		})
	}
}

func TestValidateRefuses(t *testing.T) {
	ok := Spec{Image: "registry.example.com/slimship:1", Targets: []string{"registry.example.com/a:1"}}
	for _, c := range []struct {
		name string
		edit func(*Spec)
		want string
	}{
		{"no image", func(s *Spec) { s.Image = "" }, "--image"},
		{"bad image", func(s *Spec) { s.Image = "Registry/UPPER:tag" }, "--image"},
		{"no targets", func(s *Spec) { s.Targets = nil }, "--target"},
		{"bad target", func(s *Spec) { s.Targets = []string{"a b"} }, "--target"},
		{"shards 0", func(s *Spec) { s.Shards = -1 }, "--shards"},
		{"parallelism above shards", func(s *Spec) { s.Shards, s.Parallelism = 2, 3 }, "--parallelism"},
		{"schedule", func(s *Spec) { s.Schedule = "daily" }, "--schedule"},
		{"cpu limit below request", func(s *Spec) { s.CPU, s.CPULimit = "2", "1" }, "--cpu-limit"},
		{"memory zero", func(s *Spec) { s.Memory = "0" }, "--memory"},
		{"name", func(s *Spec) { s.Name = "Fleet_1" }, "--name"},
		{"long name", func(s *Spec) { s.Name = strings.Repeat("a", 50) }, "too long"},
		{"namespace", func(s *Spec) { s.Namespace = "-x" }, "--namespace"},
		{"root", func(s *Spec) { s.User = -5 }, "--user"},
		{"secret", func(s *Spec) { s.RegistrySecret = "Bad Secret" }, "--registry-secret"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := ok
			c.edit(&s)
			_, err := Build(s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want %q", err, c.want)
			}
		})
	}
	if _, err := Build(ok); err != nil {
		t.Errorf("valid spec: %v", err)
	}
}

func TestRepositories(t *testing.T) {
	got := Repositories([]string{"registry.example.com/a:1", "registry.example.com/a:2", "registry.example.com/b@sha256:" + strings.Repeat("0", 64), "bad ref!"})
	if strings.Join(got, ",") != "registry.example.com/a,registry.example.com/b" {
		t.Errorf("%v", got)
	}
}
