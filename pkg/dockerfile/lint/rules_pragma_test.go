package lint

import (
	"testing"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
)

// pragmaCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_pragma.go; a name starts with its rule's ID.
var pragmaCases = table([]tableCase{
	{"DL1001 inline ignore", "# hadolint ignore=DL3003\nRUN cd /x\n", 1, nil},
	{"DL1001 global ignore is fine", "# hadolint global ignore=DL3003\nRUN cd /x\n", 0, nil},
	{"DL1001 shell pragma", "# hadolint shell=powershell\nRUN foo\n", 0, nil},
})

func TestPragmaRules(t *testing.T) { runTableCases(t, pragmaCases) }

func TestDL1001DefaultOff(t *testing.T) {
	f, _ := dockerfile.ParseBytes("Dockerfile", []byte("# hadolint ignore=DL3003\nRUN cd /x\n"))
	if got := Lint(f, Options{Config: &config.Config{}, Rules: []Rule{ruleByID(t, "DL1001")}}); len(got) != 0 {
		t.Errorf("DL1001 must be off by default, got %v", got)
	}
}
