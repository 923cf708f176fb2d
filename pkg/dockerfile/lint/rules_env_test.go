package lint

import "testing"

// envCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_env.go; a name starts with its rule's ID.
var envCases = table([]tableCase{
	{"DL3044", "FROM debian\nENV A=1 B=${A}/x\n", 1, nil},
	{"DL3044", "FROM debian\nENV A=1 B=$A\n", 1, nil},
	{"DL3044", "FROM debian\nENV A=1 B=$AB\n", 0, nil},
	{"DL3044", "FROM debian\nENV A=1\nENV B=${A}\n", 0, nil},
	{"DL3044", "FROM debian\nENV PATH=/x:${PATH}\n", 0, nil},
})

func TestEnvRules(t *testing.T) { runTableCases(t, envCases) }
