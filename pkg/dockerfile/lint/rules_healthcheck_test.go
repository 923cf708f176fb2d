package lint

import "testing"

// healthcheckCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_healthcheck.go; a name starts with its rule's ID.
var healthcheckCases = table([]tableCase{
	{"DL3012 two healthchecks", "FROM a:1\nHEALTHCHECK CMD [\"a\"]\nHEALTHCHECK CMD [\"b\"]\n", 1, nil},
	{"DL3012 one per stage", "FROM a:1\nHEALTHCHECK CMD [\"a\"]\nFROM b:1\nHEALTHCHECK CMD [\"b\"]\n", 0, nil},

	{"DL3057", "FROM debian\n", 1, nil},
	{"DL3057", "FROM debian AS base\nHEALTHCHECK NONE\nFROM base\n", 0, nil},
	{"DL3057", "FROM debian AS base\nHEALTHCHECK NONE\nFROM debian\n", 1, nil},

	{"SS008", "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n", 1, nil},
})

func TestHealthcheckRules(t *testing.T) { runTableCases(t, healthcheckCases) }
