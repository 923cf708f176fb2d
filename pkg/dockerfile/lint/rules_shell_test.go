package lint

import "testing"

// shellCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_shell.go; a name starts with its rule's ID.
var shellCases = table([]tableCase{
	{"DL3025 shell form cmd", "FROM a:1\nCMD node app.js\n", 1, nil},
	{"DL3025 shell form healthcheck", "FROM a:1\nHEALTHCHECK CMD curl -f http://localhost/\n", 1, nil},
	{"DL3025 exec form", "FROM a:1\nENTRYPOINT [\"node\"]\nCMD [\"app.js\"]\nHEALTHCHECK NONE\n", 0, nil},

	{"DL4003", "FROM debian\nCMD a\nCMD b\n", 1, nil},
	{"DL4003", "FROM debian\nCMD a\nFROM debian\nCMD b\n", 0, nil},

	{"DL4004", "FROM debian\nENTRYPOINT a\nENTRYPOINT b\n", 1, nil},
	{"DL4004", "FROM debian\nENTRYPOINT a\n", 0, nil},

	{"DL4005", "FROM debian\nRUN ln -sf /bin/bash /bin/sh\n", 1, nil},
	{"DL4005", "FROM debian\nRUN ln -sf /bin/bash /bin/bash2\n", 0, nil},

	{"DL4006", "FROM debian\nRUN a | b\n", 1, nil},
	{"DL4006", "FROM debian\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN a | b\n", 0, nil},
	{"DL4006", "FROM debian\nSHELL [\"/bin/sh\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\n", 1, nil},
	{"DL4006", "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\nFROM debian\nRUN a | b\n", 1, nil},
})

func TestShellRules(t *testing.T) { runTableCases(t, shellCases) }

// shellBuildKitCases are the BuildKit checks of rules_shell.go: the findings
// ("line: message") each Dockerfile gives.
var shellBuildKitCases = []bkCase{
	{"JSONArgsRecommended", "FROM alpine\nCMD echo hi\nENTRYPOINT [\"x\"]\n", []string{"2: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals"}},
	{"JSONArgsRecommended", "FROM alpine AS a\nSHELL [\"/bin/bash\", \"-c\"]\nFROM a\nCMD echo hi\n", nil},
	{"MultipleInstructionsDisallowed", "FROM alpine\nCMD [\"a\"]\nCMD [\"b\"]\nFROM alpine\nCMD [\"c\"]\n", []string{"2: Multiple CMD instructions should not be used in the same stage because only the last one will be used"}},
}

func TestShellBuildKitRules(t *testing.T) { runBKCases(t, shellBuildKitCases) }
