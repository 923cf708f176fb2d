package lint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
)

// lintAll runs every rule (ShellCheck aside) and returns "line RULE+ALIAS"
// strings for the findings of the given IDs.
func lintAll(t *testing.T, src string, cfg *config.Config, ids ...string) []string {
	t.Helper()
	f, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var rules []Rule
	for _, r := range All() {
		if r.Requires == "" {
			rules = append(rules, r)
		}
	}
	var out []string
	for _, fd := range Lint(f, Options{Config: cfg, Rules: rules}) {
		for _, id := range ids {
			if fd.Matches(id) {
				out = append(out, fmt.Sprintf("%d %s", fd.Line, strings.Join(fd.IDs(), "+")))
				break
			}
		}
	}
	return out
}

func TestTwinsReportOneFinding(t *testing.T) {
	tests := []struct {
		name, src string
		cfg       *config.Config
		ids       []string
		want      string
	}{
		{"json args", "FROM alpine\nCMD echo hi\n", nil, []string{"DL3025", "JSONArgsRecommended"}, "2 DL3025+JSONArgsRecommended"},
		{"maintainer", "FROM alpine\nMAINTAINER me\n", nil, []string{"DL4000", "MaintainerDeprecated"}, "2 DL4000+MaintainerDeprecated"},
		{"workdir", "FROM alpine\nWORKDIR app\n", nil, []string{"DL3000", "WorkdirRelativePath"}, "2 DL3000+WorkdirRelativePath"},
		{"platform", "FROM --platform=linux/amd64 alpine\n", nil, []string{"DL3029", "FromPlatformFlagConstDisallowed"}, "1 DL3029+FromPlatformFlagConstDisallowed"},
		{"stage name", "FROM alpine AS a\nFROM alpine AS a\n", nil, []string{"DL3024", "DuplicateStageName"}, "2 DL3024+DuplicateStageName"},
		{"secret", "FROM alpine\nENV GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n", nil, []string{"DL3064", "SecretsUsedInArgOrEnv", "SS009"}, "2 DL3064+SecretsUsedInArgOrEnv+SS009"},
		{"cmd twice", "FROM alpine\nCMD [\"a\"]\nCMD [\"b\"]\n", nil, []string{"DL4003", "MultipleInstructionsDisallowed"}, "3 DL4003+MultipleInstructionsDisallowed"},
		{"cmd three times", "FROM alpine\nCMD [\"a\"]\nCMD [\"b\"]\nCMD [\"c\"]\nFROM alpine\nCMD [\"d\"]\n", nil, []string{"DL4003", "MultipleInstructionsDisallowed"}, "3 DL4003+MultipleInstructionsDisallowed; 4 DL4003+MultipleInstructionsDisallowed"},
		{"entrypoint twice", "FROM alpine\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n", nil, []string{"DL4004", "MultipleInstructionsDisallowed"}, "3 DL4004+MultipleInstructionsDisallowed"},
		// A twin that fires alone keeps its own ID.
		{"healthcheck twice", "FROM alpine\nHEALTHCHECK CMD [\"a\"]\nHEALTHCHECK CMD [\"b\"]\n", nil, []string{"DL4003", "MultipleInstructionsDisallowed"}, "2 MultipleInstructionsDisallowed"},
		// Ignoring DL4003 leaves the HEALTHCHECK finding, which is not its twin.
		{"ignore DL4003 keeps healthcheck", "FROM alpine\nHEALTHCHECK CMD [\"a\"]\nHEALTHCHECK CMD [\"b\"]\n", &config.Config{Ignored: []string{"DL4003"}}, []string{"MultipleInstructionsDisallowed"}, "2 MultipleInstructionsDisallowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(lintAll(t, tt.src, tt.cfg, tt.ids...), "; ")
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTwinIgnoredByEitherID(t *testing.T) {
	const body = "FROM alpine\n%sCMD echo hi\n"
	ids := []string{"DL3025", "JSONArgsRecommended"}
	tests := []struct {
		name, head, pragma string
		cfg                *config.Config
	}{
		{name: "config DL3025", cfg: &config.Config{Ignored: []string{"DL3025"}}},
		{name: "config buildkit", cfg: &config.Config{Ignored: []string{"JSONArgsRecommended"}}},
		{name: "config lower case", cfg: &config.Config{Ignored: []string{"jsonargsrecommended"}}},
		{name: "hadolint pragma DL3025", pragma: "# hadolint ignore=DL3025\n"},
		{name: "hadolint pragma buildkit", pragma: "# hadolint ignore=JSONArgsRecommended\n"},
		{name: "slimship pragma buildkit", pragma: "# slimship ignore=JSONArgsRecommended\n"},
		{name: "global pragma", head: "# hadolint global ignore=JSONArgsRecommended\n"},
		{name: "check directive", head: "# check=skip=JSONArgsRecommended\n"},
		{name: "check skip all", head: "# check=skip=all\n"},
		{name: "check comment", pragma: "# check=skip=JSONArgsRecommended\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.head + fmt.Sprintf(body, tt.pragma)
			if got := lintAll(t, src, tt.cfg, ids...); len(got) != 0 {
				t.Errorf("%q: got %v, want nothing", src, got)
			}
		})
	}
	// check=skip=all is for BuildKit's checks: a DL finding without a
	// twin stays.
	if got := lintAll(t, "# check=skip=all\nFROM alpine\nRUN cd /x\n", nil, "DL3003"); len(got) != 1 {
		t.Errorf("check=skip=all silenced DL3003: %v", got)
	}
}

func TestCheckErrorRaisesTwin(t *testing.T) {
	f, err := dockerfile.ParseBytes("Dockerfile", []byte("# check=error=true\nFROM alpine\nCMD echo hi\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range Lint(f, Options{}) {
		if fd.RuleID == "DL3025" && fd.Severity.String() != "error" {
			t.Errorf("DL3025+JSONArgsRecommended under check=error=true: severity %v", fd.Severity)
		}
	}
}

// Every declared twin is a rule, and no rule is its own twin.
func TestTwinTableNamesRules(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range All() {
		ids[r.ID] = true
	}
	n := 0
	for _, r := range All() {
		for _, tw := range r.Twins {
			n++
			if !ids[tw] || tw == r.ID {
				t.Errorf("%s declares twin %q, which is not another rule", r.ID, tw)
			}
		}
	}
	if n == 0 {
		t.Error("no twins declared")
	}
}
