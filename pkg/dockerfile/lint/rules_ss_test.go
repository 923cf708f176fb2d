package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// lintSS runs one SS rule over src with the build context dir.
func lintSS(t *testing.T, id, name string, src []byte, dir string) (*dockerfile.File, []finding.Finding) {
	t.Helper()
	f, err := dockerfile.ParseBytes(name, src)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f, Lint(f, Options{Config: &config.Config{}, Dir: dir, Rules: []Rule{ssRuleByID(id)}})
}

func ssRuleByID(id string) Rule {
	for _, r := range ssRules() {
		if r.ID == id {
			return r
		}
	}
	panic("no rule " + id)
}

func TestSSRegistry(t *testing.T) {
	rules := ssRules()
	if len(rules) != 15 {
		t.Fatalf("want SS001-SS015, got %d rules", len(rules))
	}
	for i, r := range rules {
		want := fmt.Sprintf("SS%03d", i+1)
		if r.ID != want || r.Domain != finding.Dockerfile || r.Severity == finding.Off || r.Category == "" ||
			r.DocsURL != "https://github.com/slimship/slimship/blob/main/docs/rules/"+want+".md" || !strings.HasSuffix(r.Description, ".") || r.Check == nil {
			t.Errorf("rule %d: %+v", i, r.Rule)
		}
	}
}

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
			_, fs := lintSS(t, "SS006", filepath.Join(dir, "Dockerfile"), src, ctxDir)
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
			_, fs := lintSS(t, "SS010", "Dockerfile", src, dir)
			if len(fs) != tc.want || tc.want > 0 && (fs[0].Fix != nil) != tc.wantFix {
				t.Fatalf("got %+v", fs)
			}
		})
	}
}

// TestSSTable holds small cases that need no testdata file.
func TestSSTable(t *testing.T) {
	tests := []struct {
		id, src string
		want    int
	}{
		{"SS001", "FROM python:3.9@sha256:0000000000000000000000000000000000000000000000000000000000000000\nCMD [\"python\", \"app.py\"]\n", 1},
		{"SS001", "ARG PY=3.11\nFROM python:${PY}\nCMD [\"python\", \"app.py\"]\n", 1},
		{"SS001", "FROM python:3.11-slim\nCMD [\"python\", \"app.py\"]\n", 0},
		{"SS001", "FROM node:20 AS build\nRUN npm ci\nFROM nginx:alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n", 0},
		{"SS003", "FROM node:20\nCOPY . .\nRUN yarn --version\n", 0},
		{"SS005", "FROM ruby:3.3-slim\nCOPY Gemfile* ./\nRUN bundle install && rm -rf /usr/local/bundle/cache\nCMD [\"ruby\", \"app.rb\"]\n", 0},
		{"SS005", "FROM ruby:3.3-slim\nCOPY Gemfile* ./\nRUN bundle install\nCMD [\"ruby\", \"app.rb\"]\n", 1},
		{"SS005", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nCMD [\"curl\"]\n", 0},
		{"SS005", "FROM debian:bookworm-slim\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nCMD [\"curl\"]\n", 1},
		{"SS005", "FROM debian:bookworm-slim\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y curl\nCMD [\"curl\"]\n", 0},
		{"SS007", "FROM postgres:16\nRUN apt-get update && apt-get install -y gosu\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"postgres\"]\n", 0},
		{"SS007", "FROM python:3.12-slim\nCMD [\"python3\"]\n", 0},
		{"SS007", "FROM alpine:3.20\nUSER root\nCMD [\"sh\", \"-c\", \"sleep 1\"]\n", 0},
		{"SS008", "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n", 1},
		{"SS009", "FROM alpine\nENV SLACK=xoxb-123456789012-abcdefghijkl\n", 1},
		{"SS009", "FROM alpine\nENV KEY=\"-----BEGIN RSA PRIVATE KEY-----\"\n", 1},
		{"SS009", "FROM alpine\nARG SECRET_KEY_BASE=dummy\nENV SECRET_TOKEN=\"\"\n", 0},
		{"SS010", "FROM node:20\nRUN yarn\n", 1},
		{"SS010", "FROM python:3.12-slim\nCOPY . .\nRUN pip install -e '.[dev]'\n", 1},
		{"SS010", "FROM python:3.12-slim\nCOPY . .\nRUN pip install -c constraints.txt .\n", 0},
		{"SS010", "FROM node:20\nRUN yarn add left-pad && npm install -g pnpm\n", 0},
		{"SS011", "FROM golang:1.22 AS b\nRUN go build -ldflags '-extldflags \"-static\"' -o /app .\nFROM gcr.io/distroless/static\nCOPY --from=b /app /app\n", 0},
		{"SS011", "FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM alpine:3.20\nCOPY --from=b /app /app\n", 1},
		{"SS012", "FROM golang:1.22 AS b\nRUN CGO_ENABLED=0 go build -o /app .\nFROM alpine:3.20\nCOPY --from=b /app /app\nCOPY entrypoint.sh /\nENTRYPOINT [\"/entrypoint.sh\"]\n", 0},
		{"SS013", "FROM alpine:3.20\nRUN apk add --no-cache --virtual .b gcc musl-dev && make && apk del .b\n", 0},
		{"SS014", "FROM alpine:3.20\nRUN apk update\nRUN apk update && apk add curl\n", 0},
		{"SS015", "FROM alpine:3.20\nCOPY app /usr/local/bin/app\nRUN chmod +x /usr/local/bin/app\n", 0},
		{"SS015", "FROM alpine:3.20\nCOPY app /usr/local/bin/app\nRUN chown nobody /usr/local/bin/app\n", 1},
		{"SS004", "FROM alpine:3.20\nCOPY requirements.txt /tmp/\nRUN rm /tmp/requirements.txt\n", 0},
		{"SS004", "FROM nginx:alpine\nCOPY conf/ /etc/nginx/conf.d/\nRUN rm /etc/nginx/conf.d/default.vhost\n", 0},
		{"SS004", "FROM alpine:3.20\nWORKDIR /app\nCOPY . .\nRUN rm -rf /app/testdata\n", 1},
		{"SS004", "FROM alpine:3.20\nWORKDIR /tmp\nRUN wget -qO- https://example.com/x.tar.gz | tar xz\nRUN rm -f x.tar.gz\n", 0},
		{"SS009", "FROM alpine\nARG PIP_INDEX_URL=https://user:hunter2@pypi.example.com/simple\nARG MIRROR=https://${U}:${P}@example.com\n", 1},
		{"SS013", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y gcc-12-base libgcc-s1 && rm -rf /var/lib/apt/lists/*\n", 0},
		{"SS007", "FROM debian:bookworm-slim\nEXPOSE 80\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n", 0},
		{"SS007", "FROM node:20-alpine\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n", 0},
		{"SS004", "FROM alpine:3.20\nRUN git clone https://example.com/repo.git /src\nRUN make -C /src\nRUN rm -rf /src\n", 1},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%d-%s", i, tc.id), func(t *testing.T) {
			_, fs := lintSS(t, tc.id, "Dockerfile", []byte(tc.src), "")
			if len(fs) != tc.want {
				t.Fatalf("%s: got %d findings, want %d: %+v", tc.src, len(fs), tc.want, fs)
			}
		})
	}
}

// FuzzSSRules runs every SS rule over arbitrary Dockerfiles: no panics,
// and every edit stays inside the source.
func FuzzSSRules(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(rulesDir, "*", "*.Dockerfile"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		df, err := dockerfile.ParseBytes("Dockerfile", src)
		if err != nil {
			return
		}
		for _, fd := range Lint(df, Options{Config: &config.Config{}, Rules: ssRules()}) {
			if fd.Fix == nil {
				continue
			}
			for _, e := range fd.Fix.Edits {
				if e.File == "" && (e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > len(src)) {
					t.Fatalf("%s: edit out of range: %+v", fd.RuleID, e)
				}
			}
		}
	})
}

// SS005 names the cache a go command fills: `go mod download` the module
// cache (it used to speak of the build cache), a build the build cache.
func TestSS005GoCaches(t *testing.T) {
	tests := []struct{ src, want string }{
		{"FROM alpine:3.20\nRUN apk add --no-cache go\nCOPY go.mod go.sum ./\nRUN go mod download\nCMD [\"/app\"]\n",
			"the go module cache stays in this layer: clean it in the same RUN (go clean -modcache) or use RUN --mount=type=cache"},
		{"FROM alpine:3.20\nRUN apk add --no-cache go\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n",
			"the go build cache stays in this layer: clean it in the same RUN (go clean -cache -modcache) or use RUN --mount=type=cache"},
		{"FROM alpine:3.20\nRUN apk add --no-cache go\nCOPY go.mod go.sum ./\nRUN go mod download && go clean -modcache\nCMD [\"/app\"]\n", ""},
		{"FROM alpine:3.20\nRUN apk add --no-cache go\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/root/go/pkg/mod go mod download\nCMD [\"/app\"]\n", ""},
	}
	for _, tt := range tests {
		_, fs := lintSS(t, "SS005", "Dockerfile", []byte(tt.src), "")
		got := ""
		if len(fs) > 0 {
			got = fs[0].Message
		}
		if len(fs) > 1 || got != tt.want {
			t.Errorf("%q:\ngot  %q (%d findings)\nwant %q", tt.src, got, len(fs), tt.want)
		}
	}
}
