package generate

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/edge/unit"
)

// containerSpec is a small HTTP image's spec, as edge generate completes
// it from the image's config and flags.
func containerSpec() Spec {
	s := Defaults()
	s.Name = "hello"
	s.Image = "registry.example.com/hello@sha256:189db13196399c129fabc20f385c1959951b80db37560e7b3f6ed03601e9d062"
	s.Source = "docker://registry.example.com/hello:1"
	s.Platform = "linux/arm64"
	s.Digest = "sha256:189db13196399c129fabc20f385c1959951b80db37560e7b3f6ed03601e9d062"
	s.User, s.Group = "65532", "65532"
	s.Env = []EnvVar{{"ADDR", ":8080"}, {"GREETING", "50% off $today"}}
	s.Publish = []string{"8080:8080/tcp"}
	s.Health = &Health{Cmd: `["/hello","-health"]`, Interval: 30 * time.Second, Timeout: 5 * time.Second, Retries: 3, OnFailure: "kill"}
	s.Limits.MemoryHigh = DefaultMemoryHigh(s.Limits.MemoryMax)
	s.Limits.IODevice = "/var/lib/containers"
	return s
}

func binarySpec() Spec {
	s := Defaults()
	s.Name = "hello"
	s.Binary = "/usr/local/bin/hello"
	s.Source = "/usr/local/bin/hello"
	s.Platform = "linux/amd64"
	s.Args = []string{"--addr", ":8080", "--motd", "it's 100%"}
	s.Env = []EnvVar{{"GOMAXPROCS", "1"}}
	s.Limits.MemoryHigh = DefaultMemoryHigh(s.Limits.MemoryMax)
	s.Limits.IODevice = "/"
	return s
}

// TestGolden writes every kind, and the variants the target versions and
// options make, to testdata/<name> (-update rewrites them).
func TestGolden(t *testing.T) {
	cases := []struct {
		file string
		kind Kind
		spec func() Spec
	}{
		{"quadlet-podman4.4.container", Quadlet, containerSpec},
		{"quadlet-podman4.5.container", Quadlet, func() Spec { s := containerSpec(); s.Podman = Version{4, 5, 0}; return s }},
		{"quadlet-podman5.8.2.container", Quadlet, func() Spec {
			s := containerSpec()
			s.Podman, s.Systemd = Version{5, 8, 2}, 254
			s.CapAdd = []string{"net_bind_service"}
			return s
		}},
		{"quadlet-shell-health.container", Quadlet, func() Spec {
			s := containerSpec()
			s.Podman = Version{4, 5, 0}
			s.Health = &Health{Cmd: "wget -qO- http://127.0.0.1:8080/ || exit 1", Interval: time.Minute, Timeout: 10 * time.Second, Retries: 2, OnFailure: "none"}
			s.Args = []string{"-v"}
			s.Network = "host"
			s.PodmanArgs = []string{"--userns=auto"}
			return s
		}},
		{"podman-run.service", Service, containerSpec},
		{"podman-run-systemd254.service", Service, func() Spec {
			s := containerSpec()
			s.Systemd = 254
			s.Health = nil
			s.Limits.IORead, s.Limits.IOWrite = 0, 0
			return s
		}},
		{"binary.service", Binary, binarySpec},
		{"binary-user-caps.service", Binary, func() Spec {
			s := binarySpec()
			s.User, s.Group = "app", "app"
			s.CapAdd = []string{"CAP_NET_BIND_SERVICE"}
			s.Systemd = 255
			return s
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f, err := Generate(c.spec(), c.kind)
			if err != nil {
				t.Fatal(err)
			}
			if want := ".service"; c.kind == Quadlet {
				want = ".container"
				if !strings.HasSuffix(f.Name, want) {
					t.Errorf("name %s", f.Name)
				}
			} else if !strings.HasSuffix(f.Name, want) {
				t.Errorf("name %s", f.Name)
			}
			golden.Assert(t, filepath.Join("testdata", c.file), f.Content)
			// the unit reads back with systemd's rules
			if _, err := unit.Parse(c.file, f.Content); err != nil {
				t.Errorf("generated unit does not parse: %v", err)
			}
		})
	}
}

// TestLiteralsRoundTrip: the podman service's ExecStart splits back into
// the words generate meant, with % and $ doubled.
func TestLiteralsRoundTrip(t *testing.T) {
	f, err := Generate(containerSpec(), Service)
	if err != nil {
		t.Fatal(err)
	}
	u, err := unit.Parse("hello.service", f.Content)
	if err != nil {
		t.Fatal(err)
	}
	run, ok := u.PodmanRun()
	if !ok {
		t.Fatal("no podman run")
	}
	if got := run.Flags.Values("health-cmd"); len(got) != 1 || got[0] != `["/hello","-health"]` {
		t.Errorf("health-cmd %q", got)
	}
	if got := run.Flags.Values("env"); len(got) != 2 || got[1] != "GREETING=50%% off $$today" {
		t.Errorf("env %q (want %% and $ doubled for systemd)", got)
	}
	if run.Image != containerSpec().Image {
		t.Errorf("image %q", run.Image)
	}
}

func TestValidateRefuses(t *testing.T) {
	cases := []struct {
		name string
		kind Kind
		edit func(*Spec)
		flag string
		want string
	}{
		{"cpu quota 0", Quadlet, func(s *Spec) { s.Limits.CPUQuota = 0 }, "cpu-quota", "above 0%"},
		{"memory high above max", Service, func(s *Spec) { s.Limits.MemoryHigh = 512 << 20 }, "memory-high", "not below --memory-max 256M"},
		{"memory high equal max", Service, func(s *Spec) { s.Limits.MemoryHigh = s.Limits.MemoryMax }, "memory-high", "not below"},
		{"unknown capability", Quadlet, func(s *Spec) { s.CapAdd = []string{"NET_BIND_SERVCE"} }, "cap-add", `unknown capability "NET_BIND_SERVCE"`},
		{"bad unit name", Quadlet, func(s *Spec) { s.Name = "hello@1" }, "name", "not a unit name"},
		{"unit name with slash", Binary, func(s *Spec) { s.Name = "../x" }, "name", "not a unit name"},
		{"root container", Service, func(s *Spec) { s.User = "0" }, "user", "does not run as root"},
		{"no user", Quadlet, func(s *Spec) { s.User = "" }, "user", "runs as root"},
		{"named user in a container", Quadlet, func(s *Spec) { s.User = "app" }, "user", "numeric UID"},
		{"root binary", Binary, func(s *Spec) { s.User = "root" }, "user", "does not run as root"},
		{"tasks 0", Binary, func(s *Spec) { s.Limits.TasksMax = 0 }, "tasks-max", "above 0"},
		{"bad restart", Binary, func(s *Spec) { s.Restart.Policy = "sometimes" }, "restart", "want one of"},
		{"no restart delay", Quadlet, func(s *Spec) { s.Restart.Delay = 0 }, "restart-delay", "tight loop"},
		{"max delay below delay", Quadlet, func(s *Spec) { s.Systemd = 254; s.Restart.MaxDelay = time.Second }, "restart-max-delay", "below --restart-delay"},
		{"old systemd", Binary, func(s *Spec) { s.Systemd = 240 }, "systemd-version", "247 or later"},
		{"old podman", Quadlet, func(s *Spec) { s.Podman = Version{4, 3, 0} }, "podman-version", "4.4"},
		{"bad env", Service, func(s *Spec) { s.Env = []EnvVar{{"1X", "y"}} }, "env", "not a variable name"},
		{"bad publish", Quadlet, func(s *Spec) { s.Publish = []string{"http"} }, "publish", "want [IP:][HOST:]CONTAINER"},
		{"bad health json", Quadlet, func(s *Spec) { s.Health.Cmd = `["/x",` }, "health-cmd", "JSON array"},
		{"health timeout above interval", Service, func(s *Spec) { s.Health.Timeout = time.Hour }, "health-timeout", "at most --health-interval"},
		{"health on binary", Binary, func(s *Spec) { s.Health = &Health{Cmd: "true"} }, "health-cmd", "podman's"},
		{"publish on binary", Binary, func(s *Spec) { s.Publish = []string{"80"} }, "publish", "container units"},
		{"relative tmpfs", Quadlet, func(s *Spec) { s.Tmpfs = []string{"tmp"} }, "tmpfs", "absolute"},
		{"relative io device", Binary, func(s *Spec) { s.Limits.IODevice = "sda" }, "io-device", "absolute"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := containerSpec()
			if c.kind == Binary {
				s = binarySpec()
			}
			c.edit(&s)
			err := s.Validate(c.kind)
			if err == nil {
				t.Fatal("accepted")
			}
			var fe *FieldError
			found := false
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				if errors.As(e, &fe) && fe.Flag == c.flag && strings.Contains(fe.Reason, c.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("want --%s ...%s..., got %v", c.flag, c.want, err)
			}
			if _, gerr := Generate(s, c.kind); gerr == nil {
				t.Error("Generate wrote a refused spec")
			}
		})
	}
	for _, k := range []Kind{Quadlet, Service} {
		s := containerSpec()
		if err := s.Validate(k); err != nil {
			t.Errorf("%s: the test spec is refused: %v", k, err)
		}
	}
	s := binarySpec()
	if err := s.Validate(Binary); err != nil {
		t.Errorf("binary: %v", err)
	}
}

func TestCapabilities(t *testing.T) {
	for in, want := range map[string]string{"net_bind_service": "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN": "CAP_SYS_ADMIN",
		"cap_bpf": "CAP_BPF", "checkpoint_restore": "CAP_CHECKPOINT_RESTORE", "NET_BIND_SERVCE": "", "ALL": ""} {
		if got := NormalizeCap(in); got != want {
			t.Errorf("NormalizeCap(%q) = %q, want %q", in, got, want)
		}
	}
	if n := len(Capabilities()); n < 41 {
		t.Errorf("%d capabilities, want the 41 of Linux 5.9+", n)
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]Version{"4.4": {4, 4, 0}, "v5.8.2": {5, 8, 2}} {
		if got, err := ParseVersion(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"4", "4.x", "1.2.3.4", ""} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if !(Version{5, 8, 2}).AtLeast(5, 8, 2) || (Version{5, 8, 1}).AtLeast(5, 8, 2) || !(Version{6, 0, 0}).AtLeast(4, 5, 0) {
		t.Error("AtLeast")
	}
}

func TestHealthFromImage(t *testing.T) {
	for _, c := range []struct {
		test []string
		want string
	}{
		{[]string{"CMD", "/hello", "-health"}, `["/hello","-health"]`},
		{[]string{"CMD-SHELL", "curl -f http://localhost/"}, "curl -f http://localhost/"},
		{[]string{"NONE"}, ""},
		{nil, ""},
	} {
		if got := HealthFromImage(c.test); got != c.want {
			t.Errorf("%q: %q, want %q", c.test, got, c.want)
		}
	}
}

func TestDefaultMemoryHigh(t *testing.T) {
	if got := DefaultMemoryHigh(256 << 20); got != 217<<20 {
		t.Errorf("256M: %s", unit.FormatSize(got))
	}
	if got := DefaultMemoryHigh(1000); got != 850 {
		t.Errorf("1000: %d", got)
	}
}
