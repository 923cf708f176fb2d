package lint

import "testing"

// apkCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_apk.go; a name starts with its rule's ID.
var apkCases = table([]tableCase{
	{"DL3018 unpinned", "FROM a:1\nRUN apk add curl\n", 1, nil},
	{"DL3018 pinned", "FROM a:1\nRUN apk add --no-cache curl=8.5.0-r0 'git>=2.40'\n", 0, nil},
	{"DL3018 virtual value", "FROM a:1\nRUN apk add --virtual .build gcc=13.2.1-r0\n", 0, nil},

	{"DL3019 cache", "FROM a:1\nRUN apk add curl=1\n", 1, nil},
	{"DL3019 no-cache", "FROM a:1\nRUN apk add --no-cache curl=1\n", 0, nil},
	{"DL3019 cache mount", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=1\n", 0, nil},
})

func TestApkRules(t *testing.T) { runTableCases(t, apkCases) }

// apkFixes are the in-file fixes of the rules of rules_apk.go.
var apkFixes = []fixCase{
	{"DL3019 no-cache", "FROM a:1\nRUN apk add curl=1\n", "FROM a:1\nRUN apk --no-cache add curl=1\n"},
	{"DL3019 every apk", "FROM a:1\nRUN apk update && apk add a=1 && apk add b=2\n", "FROM a:1\nRUN apk update && apk --no-cache add a=1 && apk --no-cache add b=2\n"},
}

func TestApkFixes(t *testing.T) { runFixCases(t, apkFixes) }
