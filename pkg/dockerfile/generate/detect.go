// Package generate detects what kind of project a directory holds and
// writes a best-practice multi-stage Dockerfile and .dockerignore for it:
// dependency manifests copied and installed before the source, BuildKit
// cache mounts, the smallest runtime base that fits, a non-root USER,
// a HEALTHCHECK or exposed port where detectable, and pinned tags.
package generate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"
)

// Kind is a project type.
type Kind string

// Project kinds.
const (
	Go     Kind = "go"
	Node   Kind = "node"
	Python Kind = "python"
	Maven  Kind = "maven"
	Gradle Kind = "gradle"
	Rust   Kind = "rust"
	Static Kind = "static"
)

// ErrUnknown is returned when no known project is found.
var ErrUnknown = errors.New("no known project found (looked for go.mod, package.json, requirements.txt/pyproject.toml, pom.xml, build.gradle, Cargo.toml, index.html)")

// Project is what detection found.
type Project struct {
	Kind Kind
	Dir  string
	// Name of the app (binary, module or package name).
	Name string
	// Port the app listens on, 0 when unknown.
	Port int
	// Go: the main package to build ("." or "./cmd/x") and Go version.
	GoPackage string
	GoVersion string
	// Node: package manager (npm, yarn, pnpm), lockfile, build script,
	// build output directory, entry file, Node major version.
	PackageManager string
	Lockfile       string
	HasBuild       bool
	BuildDir       string
	Entry          string
	NodeVersion    string
	// Python: tool (pip, poetry, uv), module or file to run, server.
	PythonTool string
	PythonCmd  []string
	// Static site: directory holding index.html.
	SiteDir string
	// Files present, for .dockerignore.
	Has map[string]bool
}

func exists(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

func read(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	if len(b) > 1<<20 {
		b = b[:1<<20]
	}
	return string(b)
}

// Detect inspects dir.
func Detect(dir string) (*Project, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	p := &Project{Dir: dir, Has: map[string]bool{}, Name: sanitize(filepath.Base(absPath(dir)))}
	for _, n := range []string{".git", "node_modules", "venv", ".venv", "__pycache__", ".env", "target", "build", "dist", ".idea", ".vscode", "coverage", ".pytest_cache", ".gradle"} {
		if exists(dir, n) {
			p.Has[n] = true
		}
	}
	switch {
	case exists(dir, "go.mod"):
		p.Kind = Go
		detectGo(p)
	case exists(dir, "Cargo.toml"):
		p.Kind = Rust
		detectRust(p)
	case exists(dir, "pom.xml"):
		p.Kind = Maven
		p.Port = 8080
	case exists(dir, "build.gradle") || exists(dir, "build.gradle.kts"):
		p.Kind = Gradle
		p.Port = 8080
	case exists(dir, "package.json"):
		p.Kind = Node
		if err := detectNode(p); err != nil {
			return nil, err
		}
	case exists(dir, "requirements.txt") || exists(dir, "pyproject.toml"):
		p.Kind = Python
		detectPython(p)
	default:
		for _, d := range []string{".", "public", "site", "dist", "build", "_site"} {
			if exists(filepath.Join(dir, d), "index.html") {
				p.Kind, p.SiteDir, p.Port = Static, d, 8080
				return p, nil
			}
		}
		return nil, ErrUnknown
	}
	return p, nil
}

func absPath(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

var packageMainRe = lazyre.New(`(?m)^package main\b`)

var nameRe = lazyre.New(`[^a-z0-9._-]+`)

func sanitize(s string) string {
	s = nameRe.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.Trim(s, "-.")
	if s == "" {
		return "app"
	}
	return s
}

var (
	goVersionRe = lazyre.New(`(?m)^go\s+(\d+\.\d+)`)
	goModuleRe  = lazyre.New(`(?m)^module\s+(\S+)`)
	portRe      = lazyre.New(`(?:Listen(?:AndServe(?:TLS)?)?\(\s*"[^"]*:|PORT[^\n]{0,40}?|\.listen\(\s*|port\s*=\s*|EXPOSE\s+|:)(\d{4,5})\b`)
)

func detectGo(p *Project) {
	mod := read(p.Dir, "go.mod")
	p.GoVersion = "1.23"
	if m := goVersionRe.FindStringSubmatch(mod); m != nil {
		p.GoVersion = m[1]
	}
	if m := goModuleRe.FindStringSubmatch(mod); m != nil {
		p.Name = sanitize(filepath.Base(m[1]))
	}
	p.GoPackage = "."
	if !hasMain(p.Dir) {
		cmds, _ := filepath.Glob(filepath.Join(p.Dir, "cmd", "*"))
		sort.Strings(cmds)
		for _, c := range cmds {
			if hasMain(c) {
				p.GoPackage = "./cmd/" + filepath.Base(c)
				p.Name = sanitize(filepath.Base(c))
				break
			}
		}
	}
	p.Port = scanPort(p.Dir, ".go")
}

func hasMain(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err == nil && packageMainRe.Match(b) {
			return true
		}
	}
	return false
}

// scanPort looks for a listening port in source files with ext (first
// level and one directory down, bounded).
func scanPort(dir, ext string) int {
	var files []string
	for _, pat := range []string{"*" + ext, "*/*" + ext, "*/*/*" + ext} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) > 200 {
		files = files[:200]
	}
	for _, f := range files {
		if strings.Contains(f, "node_modules") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if m := portRe.FindSubmatch(b); m != nil {
			var n int
			fmt.Sscan(string(m[1]), &n)
			if n >= 1024 && n < 65536 {
				return n
			}
		}
	}
	return 0
}

var cargoNameRe = lazyre.New(`(?ms)^\[package\].*?^name\s*=\s*"([^"]+)"`)
var cargoBinRe = lazyre.New(`(?ms)^\[\[bin\]\].*?^name\s*=\s*"([^"]+)"`)

func detectRust(p *Project) {
	toml := read(p.Dir, "Cargo.toml")
	if m := cargoBinRe.FindStringSubmatch(toml); m != nil {
		p.Name = m[1]
	} else if m := cargoNameRe.FindStringSubmatch(toml); m != nil {
		p.Name = m[1]
	}
	p.Port = scanPort(filepath.Join(p.Dir, "src"), ".rs")
}

type packageJSON struct {
	Name    string            `json:"name"`
	Main    string            `json:"main"`
	Scripts map[string]string `json:"scripts"`
	Engines struct {
		Node string `json:"node"`
	} `json:"engines"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
}

var majorRe = lazyre.New(`\d+`)

func detectNode(p *Project) error {
	var pkg packageJSON
	if err := json.Unmarshal([]byte(read(p.Dir, "package.json")), &pkg); err != nil {
		return fmt.Errorf("%s: %v", filepath.Join(p.Dir, "package.json"), err)
	}
	if pkg.Name != "" {
		p.Name = sanitize(strings.TrimPrefix(pkg.Name, "@"))
	}
	switch {
	case exists(p.Dir, "pnpm-lock.yaml"):
		p.PackageManager, p.Lockfile = "pnpm", "pnpm-lock.yaml"
	case exists(p.Dir, "yarn.lock"):
		p.PackageManager, p.Lockfile = "yarn", "yarn.lock"
	case exists(p.Dir, "package-lock.json"):
		p.PackageManager, p.Lockfile = "npm", "package-lock.json"
	default:
		p.PackageManager = "npm"
	}
	p.NodeVersion = "22"
	if m := majorRe.FindString(pkg.Engines.Node); m != "" {
		p.NodeVersion = m
	}
	_, p.HasBuild = pkg.Scripts["build"]
	p.BuildDir = "dist"
	for _, d := range []string{"dist", "build", "out", ".next"} {
		if strings.Contains(pkg.Scripts["build"], d) || exists(p.Dir, d) {
			p.BuildDir = d
			break
		}
	}
	p.Entry = pkg.Main
	if p.Entry == "" {
		for _, f := range []string{"server.js", "index.js", "app.js", "main.js", "src/index.js", "src/server.js"} {
			if exists(p.Dir, f) {
				p.Entry = f
				break
			}
		}
	}
	if p.HasBuild && pkg.Main == "" {
		p.Entry = p.BuildDir + "/index.js"
	}
	if p.Entry == "" {
		p.Entry = "index.js"
	}
	p.Port = scanPort(p.Dir, ".js")
	if p.Port == 0 {
		p.Port = scanPort(p.Dir, ".ts")
	}
	if p.Port == 0 && (pkg.Dependencies["express"] != "" || pkg.Dependencies["fastify"] != "" || pkg.Dependencies["koa"] != "") {
		p.Port = 3000
	}
	return nil
}

func detectPython(p *Project) {
	py := read(p.Dir, "pyproject.toml")
	switch {
	case exists(p.Dir, "uv.lock"):
		p.PythonTool = "uv"
	case strings.Contains(py, "[tool.poetry]") || exists(p.Dir, "poetry.lock"):
		p.PythonTool = "poetry"
	default:
		p.PythonTool = "pip"
	}
	deps := strings.ToLower(read(p.Dir, "requirements.txt") + py)
	entry := ""
	for _, f := range []string{"app.py", "main.py", "server.py", "wsgi.py", "run.py"} {
		if exists(p.Dir, f) {
			entry = f
			break
		}
	}
	module := strings.TrimSuffix(entry, ".py")
	switch {
	case exists(p.Dir, "manage.py") && strings.Contains(deps, "django"):
		p.Port = 8000
		if strings.Contains(deps, "gunicorn") {
			p.PythonCmd = []string{"gunicorn", "--bind", "0.0.0.0:8000", p.Name + ".wsgi"}
		} else {
			p.PythonCmd = []string{"python", "manage.py", "runserver", "0.0.0.0:8000"}
		}
	case strings.Contains(deps, "uvicorn") && module != "":
		p.Port = 8000
		p.PythonCmd = []string{"uvicorn", module + ":app", "--host", "0.0.0.0", "--port", "8000"}
	case strings.Contains(deps, "gunicorn") && module != "":
		p.Port = 8000
		p.PythonCmd = []string{"gunicorn", "--bind", "0.0.0.0:8000", module + ":app"}
	case entry != "":
		p.PythonCmd = []string{"python", entry}
		if strings.Contains(deps, "flask") {
			p.Port = 5000
		}
		if n := scanPort(p.Dir, ".py"); n != 0 {
			p.Port = n
		}
	default:
		p.PythonCmd = []string{"python", "-m", strings.ReplaceAll(p.Name, "-", "_")}
	}
}
