package lint

import (
	"os"
	"path/filepath"
	"testing"
)

// npmCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_npm.go; a name starts with its rule's ID.
var npmCases = table([]tableCase{
	{"DL3016 unpinned", "FROM a:1\nRUN npm install express\n", 1, nil},
	{"DL3016 scoped unpinned", "FROM a:1\nRUN npm install @org/pkg\n", 1, nil},
	{"DL3016 pinned", "FROM a:1\nRUN npm install express@4.1.1 @org/pkg@1.0.0\n", 0, nil},
	{"DL3016 package.json", "FROM a:1\nRUN npm install\n", 0, nil},
	{"DL3016 registry value", "FROM a:1\nRUN npm install --registry https://r sax@0.1.1\n", 0, nil},

	{"DL3060", "FROM node\nRUN yarn install\n", 1, nil},
	{"DL3060", "FROM node\nRUN yarn install && yarn cache clean\n", 0, nil},
	{"DL3060", "FROM node\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n", 0, nil},
	{"DL3060", "FROM node AS build\nRUN yarn install\nFROM scratch\nCOPY --from=build /a /a\n", 0, nil},
	{"DL3060", "FROM node AS build\nRUN yarn install\nFROM build\n", 1, nil},

	{"SS010", "FROM node:20\nRUN yarn\n", 1, nil},
	{"SS010", "FROM python:3.12-slim\nCOPY . .\nRUN pip install -e '.[dev]'\n", 1, nil},
	{"SS010", "FROM python:3.12-slim\nCOPY . .\nRUN pip install -c constraints.txt .\n", 0, nil},
	{"SS010", "FROM node:20\nRUN yarn add left-pad && npm install -g pnpm\n", 0, nil},
})

func TestNpmRules(t *testing.T) { runTableCases(t, npmCases) }

// npmFixes are the in-file fixes of the rules of rules_npm.go.
var npmFixes = []fixCase{
	{"DL3060", "FROM node\nRUN yarn install --frozen-lockfile\n", "FROM node\nRUN yarn install --frozen-lockfile && yarn cache clean\n"},
}

func TestNpmFixes(t *testing.T) { runFixCases(t, npmFixes) }

// TestSS010Context: npm install is only reported with a lockfile in the
// context (or an unknown context), and fixed only when the lockfile is
// copied in.
func TestSS010Context(t *testing.T) {
	src := []byte("FROM node:20-alpine\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCMD [\"node\", \"server.js\"]\n")
	for _, tc := range []struct {
		name    string
		lock    bool
		stdin   bool
		want    int
		wantFix bool
	}{
		{"no lockfile", false, false, 0, false},
		{"lockfile not copied", true, false, 1, false},
		{"stdin", false, true, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.lock {
				os.WriteFile(filepath.Join(dir, "package-lock.json"), []byte("{}"), 0o644)
			}
			if tc.stdin {
				dir = ""
			}
			fs := lintInContext(t, "SS010", "Dockerfile", src, dir)
			if len(fs) != tc.want || tc.want > 0 && (fs[0].Fix != nil) != tc.wantFix {
				t.Fatalf("got %+v", fs)
			}
		})
	}
}
