package lint

import "testing"

// userCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_user.go; a name starts with its rule's ID.
var userCases = table([]tableCase{
	{"DL3000 relative", "FROM a:1\nWORKDIR app\n", 1, nil},
	{"DL3000 quoted relative", "FROM a:1\nWORKDIR \"app\"\n", 1, nil},
	{"DL3000 absolute", "FROM a:1\nWORKDIR /app\n", 0, nil},
	{"DL3000 variable", "FROM a:1\nWORKDIR ${HOME}\n", 0, nil},
	{"DL3000 windows", "FROM a:1\nWORKDIR C:\\app\n", 0, nil},
	{"DL3000 onbuild", "FROM a:1\nONBUILD WORKDIR app\n", 1, nil},

	{"DL3002 last user root", "FROM a:1\nUSER root\n", 1, nil},
	{"DL3002 uid 0 with group", "FROM a:1\nUSER 0:0\n", 1, nil},
	{"DL3002 switched back", "FROM a:1\nUSER root\nRUN x\nUSER app\n", 0, nil},
	{"DL3002 root in a base stage", "FROM a:1 AS base\nUSER root\nFROM base\nRUN x\n", 1, nil},
	{"DL3002 no FROM", "USER root\n", 0, nil},

	{"DL3003 cd", "FROM a:1\nRUN cd /opt && make\n", 1, nil},
	{"DL3003 workdir", "FROM a:1\nWORKDIR /opt\n", 0, nil},

	{"DL3011 too high", "FROM a:1\nEXPOSE 80000\n", 1, nil},
	{"DL3011 range too high", "FROM a:1\nEXPOSE 40000-80000/tcp\n", 1, nil},
	{"DL3011 fine", "FROM a:1\nEXPOSE 8080 53/udp\n", 0, nil},
	{"DL3011 variable", "FROM a:1\nEXPOSE ${PORT}\n", 0, nil},

	{"DL3046", "FROM debian\nRUN useradd -u 123456 app\n", 1, nil},
	{"DL3046", "FROM debian\nRUN useradd -l -u 123456 app\n", 0, nil},
	{"DL3046", "FROM debian\nRUN useradd -u 1000 app\n", 0, nil},

	{"DL3066", "FROM debian\nUSER app\n", 1, nil},
	{"DL3066", "FROM debian\nUSER 1000:1000\n", 0, nil},
	{"DL3066", "FROM debian\nUSER ${UID}\n", 0, nil},

	{"SS007", "FROM postgres:16\nRUN apt-get update && apt-get install -y gosu\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"postgres\"]\n", 0, nil},
	{"SS007", "FROM python:3.12-slim\nCMD [\"python3\"]\n", 0, nil},
	{"SS007", "FROM alpine:3.20\nUSER root\nCMD [\"sh\", \"-c\", \"sleep 1\"]\n", 0, nil},
	{"SS007", "FROM debian:bookworm-slim\nEXPOSE 80\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n", 0, nil},
	{"SS007", "FROM node:20-alpine\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n", 0, nil},
})

func TestUserRules(t *testing.T) { runTableCases(t, userCases) }

// userFixes are the in-file fixes of the rules of rules_user.go.
var userFixes = []fixCase{
	{"DL3046", "FROM debian\nRUN useradd -u 123456 app\n", "FROM debian\nRUN useradd -l -u 123456 app\n"},
}

func TestUserFixes(t *testing.T) { runFixCases(t, userFixes) }

// userBuildKitCases are the BuildKit checks of rules_user.go: the findings
// ("line: message") each Dockerfile gives.
var userBuildKitCases = []bkCase{
	{"ExposeInvalidFormat", "FROM alpine\nEXPOSE 8080:80 80\nEXPOSE 127.0.0.1:80:80/tcp\n", []string{"2: EXPOSE instruction should not define an IP address or host-port mapping, found '8080:80'", "3: EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80/tcp'"}},
	{"ExposeProtoCasing", "FROM alpine\nEXPOSE 80/TCP 443/tcp $P/UDP\n", []string{"2: Defined protocol '80/TCP' in EXPOSE instruction should be lowercase"}},
	{"WorkdirRelativePath", "FROM alpine AS a\nWORKDIR app\nWORKDIR sub\nFROM alpine\nWORKDIR /app\nWORKDIR rel\nFROM a\nWORKDIR x\nFROM alpine\nWORKDIR $HOME\n", []string{`2: Relative workdir "app" can have unexpected results if the base image changes`}},
	{"WorkdirRelativePath", "FROM alpine\nWORKDIR \"$APP\"\n", nil},
}

func TestUserBuildKitRules(t *testing.T) { runBKCases(t, userBuildKitCases) }
