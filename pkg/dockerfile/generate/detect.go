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
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"

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
	// PythonInstall: the build stage installs the project itself, for its
	// pyproject.toml script (console entry point) or its module.
	PythonInstall bool
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
		if err := detectPython(p); err != nil {
			return nil, err
		}
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
	// go.mod's go line is a minimum: build with the current toolchain
	// unless the module asks for a newer one.
	p.GoVersion = Versions.Go
	if m := goVersionRe.FindStringSubmatch(mod); m != nil && newer(m[1], p.GoVersion) {
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

var (
	majorRe    = lazyre.New(`\d+`)
	lowerBound = lazyre.New(`^\s*>=?\s*v?(\d+)`)
)

// nodeVersion picks the Node major for an engines.node range: a range that
// names a supported LTS line, or a lower bound at or below the current LTS
// (">=18"), gets the LTS the range allows; a pinned major ("20", "^20") is
// kept as asked.
func nodeVersion(engines string) string {
	if m := lowerBound.FindStringSubmatch(engines); m != nil && !newer(m[1], Versions.Node) {
		return Versions.Node
	}
	if m := majorRe.FindString(engines); m != "" {
		return m
	}
	return Versions.Node
}

// newer reports whether dotted version a is above b.
func newer(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x > y
		}
	}
	return false
}

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
	p.NodeVersion = nodeVersion(pkg.Engines.Node)
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

// pyproject is what init reads from pyproject.toml: PEP 621's [project]
// and Poetry's [tool.poetry].
type pyproject struct {
	Project struct {
		Name    string            `toml:"name"`
		Scripts map[string]string `toml:"scripts"`
	} `toml:"project"`
	Tool struct {
		Poetry *struct {
			Name    string         `toml:"name"`
			Scripts map[string]any `toml:"scripts"`
		} `toml:"poetry"`
		UV *struct{} `toml:"uv"`
	} `toml:"tool"`
}

// readPyproject parses dir's pyproject.toml (nil when there is none).
func readPyproject(dir string) (*pyproject, error) {
	b, err := os.ReadFile(filepath.Join(dir, "pyproject.toml"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var py pyproject
	if err := toml.Unmarshal(b, &py); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("%s:%d:%d: %v", filepath.Join(dir, "pyproject.toml"), row, col, de.Error())
		}
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "pyproject.toml"), err)
	}
	return &py, nil
}

// name is the project's distribution name.
func (py *pyproject) name() string {
	if py.Project.Name != "" {
		return py.Project.Name
	}
	if py.Tool.Poetry != nil {
		return py.Tool.Poetry.Name
	}
	return ""
}

// script is the console script to run: the one named like the project, else
// the first by name.
func (py *pyproject) script() string {
	names := map[string]bool{}
	for n := range py.Project.Scripts {
		names[n] = true
	}
	if py.Tool.Poetry != nil {
		for n := range py.Tool.Poetry.Scripts {
			names[n] = true
		}
	}
	if len(names) == 0 {
		return ""
	}
	if n := py.name(); names[n] {
		return n
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	return sorted[0]
}

func detectPython(p *Project) error {
	pp, err := readPyproject(p.Dir)
	if err != nil {
		return err
	}
	py := read(p.Dir, "pyproject.toml")
	switch {
	case exists(p.Dir, "uv.lock"):
		p.PythonTool = "uv"
	case (pp != nil && pp.Tool.Poetry != nil) || exists(p.Dir, "poetry.lock"):
		p.PythonTool = "poetry"
	default:
		p.PythonTool = "pip"
	}
	module := strings.ReplaceAll(p.Name, "-", "_")
	if pp != nil && pp.name() != "" {
		p.Name = sanitize(pp.name())
		module = strings.ReplaceAll(strings.ToLower(pp.name()), "-", "_")
		module = strings.ReplaceAll(module, ".", "_")
	}
	deps := strings.ToLower(read(p.Dir, "requirements.txt") + py)
	entry := ""
	for _, f := range []string{"app.py", "main.py", "server.py", "wsgi.py", "run.py"} {
		if exists(p.Dir, f) {
			entry = f
			break
		}
	}
	if pp != nil {
		if s := pp.script(); s != "" {
			// The project's own entry point, installed by the build stage.
			p.PythonInstall = true
			p.PythonCmd = []string{s}
			p.Port = scanPort(p.Dir, ".py")
			return nil
		}
	}
	entryModule := strings.TrimSuffix(entry, ".py")
	switch {
	case exists(p.Dir, "manage.py") && strings.Contains(deps, "django"):
		p.Port = 8000
		if strings.Contains(deps, "gunicorn") {
			p.PythonCmd = []string{"gunicorn", "--bind", "0.0.0.0:8000", p.Name + ".wsgi"}
		} else {
			p.PythonCmd = []string{"python", "manage.py", "runserver", "0.0.0.0:8000"}
		}
	case strings.Contains(deps, "uvicorn") && entryModule != "":
		p.Port = 8000
		p.PythonCmd = []string{"uvicorn", entryModule + ":app", "--host", "0.0.0.0", "--port", "8000"}
	case strings.Contains(deps, "gunicorn") && entryModule != "":
		p.Port = 8000
		p.PythonCmd = []string{"gunicorn", "--bind", "0.0.0.0:8000", entryModule + ":app"}
	case entry != "":
		p.PythonCmd = []string{"python", entry}
		if strings.Contains(deps, "flask") {
			p.Port = 5000
		}
		if n := scanPort(p.Dir, ".py"); n != 0 {
			p.Port = n
		}
	default:
		// The project's own module (pyproject.toml's name), the directory's
		// name only for a requirements.txt project without one.
		p.PythonCmd = []string{"python", "-m", module}
		p.PythonInstall = pp != nil && pp.name() != ""
	}
	return nil
}
