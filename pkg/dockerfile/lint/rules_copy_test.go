package lint

import (
	"os"
	"path/filepath"
	"testing"
)

// copyCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_copy.go; a name starts with its rule's ID.
var copyCases = table([]tableCase{
	{"DL3010 copy then extract", "FROM a:1\nCOPY app.tar.gz /src/\nRUN tar -xzf /src/app.tar.gz\n", 1, nil},
	{"DL3010 copy without extract", "FROM a:1\nCOPY app.tar.gz /src/\n", 0, nil},
	{"DL3010 copy from stage", "FROM a:1\nCOPY --from=b /x.tar /x.tar\nRUN tar -xf /x.tar\n", 0, nil},
	{"DL3010 other stage", "FROM a:1\nCOPY app.tar /src/\nFROM b:1\nRUN tar -xf app.tar\n", 0, nil},

	{"DL3020 add file", "FROM a:1\nADD app /app/\n", 1, nil},
	{"DL3020 add zip", "FROM a:1\nADD app.zip /app/\n", 1, nil},
	{"DL3020 add tarball", "FROM a:1\nADD app.tar.gz /app/\n", 0, nil},
	{"DL3020 add url", "FROM a:1\nADD https://x/y /y\n", 0, nil},
	{"DL3020 add git", "FROM a:1\nADD git@github.com:a/b.git /src\n", 0, nil},

	{"DL3021 no slash", "FROM a:1\nCOPY a b c\n", 1, nil},
	{"DL3021 slash", "FROM a:1\nCOPY a b c/\n", 0, nil},
	{"DL3021 two args", "FROM a:1\nCOPY a b\n", 0, nil},
	{"DL3021 quoted path with space", "FROM a:1\nCOPY a \"C:\\Program Files\\\"\n", 0, nil},

	{"DL3022 unknown alias", "FROM a:1\nCOPY --from=build /x /x\n", 1, nil},
	{"DL3022 alias defined later", "FROM a:1\nCOPY --from=build /x /x\nFROM b:1 AS build\n", 1, nil},
	{"DL3022 known alias", "FROM a:1 AS build\nFROM b:1\nCOPY --from=build /x /x\n", 0, nil},
	{"DL3022 image", "FROM a:1\nCOPY --from=alpine:3 /x /x\n", 0, nil},
	{"DL3022 index", "FROM a:1\nFROM b:1\nCOPY --from=0 /x /x\n", 0, nil},
	{"DL3022 index out of range", "FROM a:1\nCOPY --from=0 /x /x\n", 1, nil},

	{"DL3023 own alias", "FROM a:1 AS app\nCOPY --from=app /x /x\n", 1, nil},
	{"DL3023 other alias", "FROM a:1 AS build\nFROM b:1 AS app\nCOPY --from=build /x /x\n", 0, nil},

	{"DL3045", "FROM debian\nCOPY a b\n", 1, nil},
	{"DL3045", "FROM debian\nCOPY --chmod=755 a \"rel/\"\n", 1, nil},
	{"DL3045", "FROM debian\nCOPY a /b\nCOPY a $X\nCOPY a c:\\\\x\n", 0, nil},
	{"DL3045", "ARG ENV=git\nFROM debian:12 AS build\nWORKDIR /app\nFROM build AS build_git\nFROM build AS build_copy\nFROM build_${ENV}\nCOPY a b\n", 0, nil},
	{"DL3045", "ARG ENV=git\nFROM debian:12 AS build_git\nFROM debian:12 AS build_copy\nWORKDIR /app\nFROM build_${ENV}\nCOPY a b\n", 1, nil},
	{"DL3045", "FROM debian\nWORKDIR /app\nCOPY a b\n", 0, nil},
	{"DL3045", "FROM debian AS base\nWORKDIR /app\nFROM base\nCOPY a b\n", 0, nil},
	{"DL3045", "FROM debian AS base\nWORKDIR /app\nFROM debian\nCOPY a b\n", 1, nil},

	{"DL3067", "FROM debian\nCOPY --from=build / /\n", 1, nil},
	{"DL3067", "FROM debian\nCOPY --from=build /app /\n", 0, nil},
	{"DL3067", "FROM debian\nCOPY / /\n", 0, nil},

	{"SS015", "FROM alpine:3.20\nCOPY app /usr/local/bin/app\nRUN chmod +x /usr/local/bin/app\n", 0, nil},
	{"SS015", "FROM alpine:3.20\nCOPY app /usr/local/bin/app\nRUN chown nobody /usr/local/bin/app\n", 1, nil},
})

func TestCopyRules(t *testing.T) { runTableCases(t, copyCases) }

// TestSS006Context covers the context-dependent parts with real
// directories: dependency trees present, the per-Dockerfile ignore file
// and stdin (no context).
func TestSS006Context(t *testing.T) {
	src := []byte("FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n")
	tests := []struct {
		name     string
		files    map[string]string
		dirs     []string
		stdin    bool
		want     int
		wantText string
	}{
		{name: "none", dirs: []string{"node_modules", ".venv"}, want: 1, wantText: ".git\nnode_modules\n.venv\n"},
		{name: "ignore misses node_modules", files: map[string]string{".dockerignore": ".git"}, dirs: []string{"node_modules"}, want: 1, wantText: "\nnode_modules\n"},
		{name: "allow-list", files: map[string]string{".dockerignore": "*\n!src\n!package*.json\n"}, dirs: []string{"node_modules"}, want: 0},
		{name: "dockerfile-specific wins", files: map[string]string{"Dockerfile.dockerignore": ".git\nnode_modules\n", ".dockerignore": ""}, dirs: []string{"node_modules"}, want: 0},
		{name: "glob", files: map[string]string{".dockerignore": "**/.git\n**/node_modules\n.env\n"}, dirs: []string{"node_modules"}, want: 0},
		{name: "stdin", stdin: true, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, c := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, d := range tc.dirs {
				if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			ctxDir := dir
			if tc.stdin {
				ctxDir = ""
			}
			fs := lintInContext(t, "SS006", filepath.Join(dir, "Dockerfile"), src, ctxDir)
			if len(fs) != tc.want {
				t.Fatalf("got %d findings, want %d: %+v", len(fs), tc.want, fs)
			}
			if tc.want > 0 {
				fx := fs[0].Fix
				if fx == nil || len(fx.Edits) != 1 || fx.Edits[0].NewText != tc.wantText {
					t.Fatalf("fix = %+v, want text %q", fx, tc.wantText)
				}
			}
		})
	}
}
