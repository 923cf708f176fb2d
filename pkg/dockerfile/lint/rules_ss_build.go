package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

// buildTool names the build a command runs, or "".
func buildTool(cmd shell.Command) string {
	sub := cmd.Sub()
	switch {
	case cmd.Is("go") && sub == "build":
		return "go build"
	case cmd.Is("cargo") && (sub == "build" || sub == "install"):
		return "cargo " + sub
	case cmd.Is("mvn") || cmd.Is("mvnw"):
		for _, a := range cmd.Positional() {
			if a == "package" || a == "install" || a == "verify" || a == "compile" || strings.HasSuffix(a, ":repackage") {
				return "mvn " + a
			}
		}
	case cmd.Is("gradle") || cmd.Is("gradlew"):
		for _, a := range cmd.Positional() {
			switch a {
			case "build", "assemble", "bootJar", "jar", "shadowJar", "installDist", "war":
				return "gradle " + a
			}
		}
	case (cmd.Is("npm") || cmd.Is("pnpm") || cmd.Is("yarn")) && (sub == "build" || sub == "run" && len(cmd.Positional()) > 1 && cmd.Positional()[1] == "build"):
		return path.Base(cmd.Name) + " run build"
	case cmd.Is("gcc") || cmd.Is("g++") || cmd.Is("cc") || cmd.Is("c++") || cmd.Is("clang") || cmd.Is("make") || cmd.Is("cmake") || cmd.Is("ninja"):
		return path.Base(cmd.Name)
	case cmd.Is("dotnet") && (sub == "build" || sub == "publish"):
		return "dotnet " + sub
	}
	return ""
}

// removesPackages reports whether a script uninstalls packages (the
// official-image pattern of installing build deps and purging them in the
// same RUN).
func removesPackages(sc *shell.Script) bool {
	for _, cmd := range sc.Commands {
		switch {
		case (cmd.Is("apt-get") || cmd.Is("apt")) && (cmd.Sub() == "purge" || cmd.Sub() == "remove" || cmd.Sub() == "autoremove"):
			return true
		case cmd.Is("apk") && cmd.Sub() == "del":
			return true
		case (cmd.Is("yum") || cmd.Is("dnf") || cmd.Is("microdnf")) && (cmd.Sub() == "remove" || cmd.Sub() == "erase" || cmd.Sub() == "autoremove"):
			return true
		}
	}
	return false
}

// checkSS002: build toolchain runs in the final stage.
func checkSS002(c *Context, r *Reporter) {
	runs := finalStageTools(c, func(cmd shell.Command) []string {
		if t := buildTool(cmd); t != "" {
			return []string{t}
		}
		return nil
	})
	if len(runs) > 0 {
		r.At(runs[0].in, fmt.Sprintf("%s runs in the final stage, so the toolchain and sources ship in the image: build in a separate stage (FROM ... AS build) and COPY --from=build only the output", joinMax(uniq(runs[0].tools), 3)))
	}
}

// runTools is a RUN and the tools found in it.
type runTools struct {
	in    *dockerfile.Instruction
	tools []string
}

// finalStageTools returns the RUNs of the final stage, in order, whose
// commands pick finds tools in, skipping RUNs that remove packages; none
// when the final stage is built on a toolchain image.
func finalStageTools(c *Context, pick func(shell.Command) []string) []runTools {
	final := finalStage(c)
	if final == nil || toolchainImage(c, final) {
		return nil
	}
	var out []runTools
	for _, in := range chainInstructions(c, final) {
		sc := runScript(c, in)
		if sc == nil || removesPackages(sc) {
			continue
		}
		var tools []string
		for _, cmd := range sc.Commands {
			tools = append(tools, pick(cmd)...)
		}
		if len(tools) > 0 {
			out = append(out, runTools{in, tools})
		}
	}
	return out
}

// manifestNames are dependency manifests and lockfiles.
var manifestNames = []string{"requirements*.txt", "*requirements*.txt", "constraints*.txt", "package.json", "package*.json", "package-lock.json", "npm-shrinkwrap.json",
	"yarn.lock", "pnpm-lock.yaml", ".yarnrc*", "go.mod", "go.sum", "Gemfile*", "*.gemspec", "pom.xml", "Cargo.toml", "Cargo.lock", "Cargo.*", "pyproject.toml",
	"poetry.lock", "Pipfile*", "uv.lock", "setup.py", "setup.cfg", "composer.json", "composer.lock", "composer.*", "*.csproj", "*.sln", "build.gradle*", "settings.gradle*", "mix.exs", "mix.lock"}

func isManifest(src string) bool {
	base := path.Base(strings.TrimSuffix(unquote(src), "/"))
	for _, m := range manifestNames {
		if ok, _ := path.Match(m, base); ok {
			return true
		}
	}
	return false
}

// depInstall names the dependency install a command runs, or "".
func depInstall(cmd shell.Command) string {
	sub := cmd.Sub()
	switch {
	case isPip(cmd):
		if cmd.HasFlag("-r", "--requirement") {
			return "pip install -r"
		}
	case cmd.Is("pipenv") && (sub == "install" || sub == "sync"):
		return "pipenv " + sub
	case cmd.Is("poetry") && (sub == "install"):
		return "poetry install"
	case cmd.Is("uv") && sub == "sync":
		return "uv sync"
	case cmd.Is("npm") && (sub == "ci" || (sub == "install" || sub == "i") && len(cmd.Positional()) == 1 && !cmd.HasFlag("-g", "--global")):
		return "npm " + sub
	case cmd.Is("yarn") && (sub == "install" || bareCommand(cmd)):
		return "yarn install"
	case cmd.Is("pnpm") && (sub == "install" || sub == "i") && len(cmd.Positional()) == 1:
		return "pnpm install"
	case cmd.Is("go") && sub == "mod" && len(cmd.Positional()) > 1 && cmd.Positional()[1] == "download":
		return "go mod download"
	case cmd.Is("bundle") && (sub == "install" || bareCommand(cmd)):
		return "bundle install"
	case cmd.Is("mvn") || cmd.Is("mvnw"):
		for _, a := range cmd.Positional() {
			if strings.HasPrefix(a, "dependency:") {
				return "mvn " + a
			}
		}
	case cmd.Is("cargo") && sub == "fetch":
		return "cargo fetch"
	case cmd.Is("composer") && sub == "install":
		return "composer install"
	case cmd.Is("dotnet") && sub == "restore":
		return "dotnet restore"
	case cmd.Is("mix") && sub == "deps.get":
		return "mix deps.get"
	}
	return ""
}

// isPip reports whether a command is `pip install` (pip, pip3, python -m pip).
func isPip(cmd shell.Command) bool {
	if cmd.Is("pip") || cmd.Is("pip3") || strings.HasPrefix(path.Base(cmd.Name), "pip3.") {
		return cmd.Sub() == "install"
	}
	if strings.HasPrefix(path.Base(cmd.Name), "python") && len(cmd.Args) >= 3 && cmd.Args[0] == "-m" && (cmd.Args[1] == "pip" || cmd.Args[1] == "pip3") {
		return cmd.Args[2] == "install"
	}
	return false
}

// checkSS003: the whole context is copied before dependencies are installed.
func checkSS003(c *Context, r *Reporter) {
	for _, s := range c.File.Stages {
		manifest := false
		var whole *dockerfile.Instruction
		for _, in := range c.StageEffective(s) {
			switch in.Cmd {
			case "copy", "add":
				if whole != nil || copyFrom(in) != "" {
					continue
				}
				if wholeContext(in) {
					whole = in
					continue
				}
				srcs, _ := copyParts(in)
				for _, src := range srcs {
					if isManifest(src) {
						manifest = true
					}
				}
			case "run":
				sc := runScript(c, in)
				if sc == nil {
					continue
				}
				if whole == nil {
					// Dependencies installed before the COPY (from copied
					// manifests or bind mounts) are cached already.
					for _, cmd := range sc.Commands {
						if depInstall(cmd) != "" {
							manifest = true
						}
					}
					continue
				}
				if manifest || hasBindMount(in) {
					continue
				}
				for _, cmd := range sc.Commands {
					if d := depInstall(cmd); d != "" {
						r.At(whole, fmt.Sprintf("the whole context is copied before %s (line %d), so any source change re-installs every dependency: COPY the manifests (requirements.txt, package*.json, go.mod/go.sum, Gemfile*, pom.xml, Cargo.*) first, install, then COPY the rest", d, in.Line))
						whole, manifest = nil, true
						break
					}
				}
			}
		}
	}
}

// buildToolPackage reports whether a package is a compiler, build tool or
// development headers.
func buildToolPackage(p string) bool {
	switch p {
	case "gcc", "g++", "gcc-c++", "make", "cmake", "clang", "build-essential", "build-base", "autoconf", "automake",
		"libtool", "linux-headers", "musl-dev", "ninja-build", "cargo", "rust", "golang", "golang-go", "go":
		return true
	}
	if strings.HasSuffix(p, "-base") || strings.HasPrefix(p, "lib") && !strings.HasSuffix(p, "-dev") && !strings.HasSuffix(p, "-devel") {
		return false // gcc-12-base, libgcc-s1: runtime pieces
	}
	if strings.HasPrefix(p, "gcc-") || strings.HasPrefix(p, "g++-") || strings.HasPrefix(p, "clang-") {
		return true
	}
	return strings.HasSuffix(p, "-dev") || strings.HasSuffix(p, "-devel")
}

// checkSS013: compilers or build tools left in the final stage.
func checkSS013(c *Context, r *Reporter) {
	runs := finalStageTools(c, func(cmd shell.Command) []string {
		var tools []string
		for _, p := range installedPackages(cmd) {
			if buildToolPackage(p) {
				tools = append(tools, p)
			}
		}
		return tools
	})
	for _, run := range runs {
		r.At(run.in, fmt.Sprintf("build tools (%s) are installed in the final stage and never removed: compile in a build stage, or remove them in the same RUN (apt-get purge -y --auto-remove, apk add --virtual .build-deps ... && apk del .build-deps)", joinMax(uniq(run.tools), 4)))
	}
}

// pkgAction returns the package manager family of a command and whether
// it updates the package index or installs packages.
func pkgAction(cmd shell.Command) (family string, update, install bool) {
	sub := cmd.Sub()
	switch {
	case cmd.Is("apt-get") || cmd.Is("apt"):
		family = "apt"
		update = sub == "update"
		install = sub == "install" || sub == "upgrade" || sub == "dist-upgrade" || sub == "full-upgrade" || sub == "build-dep"
	case cmd.Is("apk"):
		family = "apk"
		update = sub == "update"
		install = sub == "add" || sub == "upgrade"
	case cmd.Is("yum") || cmd.Is("dnf") || cmd.Is("microdnf"):
		family = "rpm"
		update = sub == "makecache"
		install = sub == "install" || sub == "upgrade" || sub == "update" || sub == "groupinstall"
	}
	return
}

// checkSS014: index update in a different RUN from the install needing it.
func checkSS014(c *Context, r *Reporter) {
	for _, s := range c.File.Stages {
		ins := c.StageEffective(s)
		for i, in := range ins {
			sc := runScript(c, in)
			if sc == nil {
				continue
			}
			fams := map[string]bool{}
			onlyUpdate := true
			installs := map[string]bool{}
			for _, cmd := range sc.Commands {
				fam, upd, inst := pkgAction(cmd)
				switch {
				case upd:
					fams[fam] = true
				case inst:
					installs[fam] = true
					onlyUpdate = false
				default:
					onlyUpdate = false
				}
			}
			for fam := range installs {
				delete(fams, fam)
			}
			if len(fams) == 0 {
				continue
			}
			// Find the later install of the same family in this stage.
			var target *dockerfile.Instruction
			var targetHasUpdate bool
			for _, later := range ins[i+1:] {
				lsc := runScript(c, later)
				if lsc == nil {
					continue
				}
				for _, cmd := range lsc.Commands {
					fam, upd, inst := pkgAction(cmd)
					if !fams[fam] {
						continue
					}
					if upd {
						targetHasUpdate = true
					}
					if inst && target == nil {
						target = later
					}
				}
				if target != nil {
					break
				}
			}
			if target == nil || targetHasUpdate {
				continue
			}
			msg := fmt.Sprintf("the package index is updated in its own layer and installed from at line %d: a cached update layer goes stale. Run the update and the install in one RUN (apt-get update && apt-get install ...)", target.Line)
			var fix *finding.Fix
			if onlyUpdate && simpleShellRun(in) && simpleShellRun(target) && len(sc.Commands) > 0 {
				if j, ok := joinRuns(c, in, target, sc.Source, target.ShellSource()); ok {
					start, end := lineSpan(c.File, in)
					body := instructionBody(c.File, target)
					text, closing := strings.TrimSpace(sc.Source)+" && ", ""
					if j.Group {
						text, closing = text+"{ ", "; }"
					}
					fix = &finding.Fix{Description: "merge the update into the install RUN", Edits: []finding.Edit{
						Edit(c.File, start, end, ""),
						Edit(c.File, body, body, text),
					}}
					if closing != "" {
						fix.Edits = append(fix.Edits, Edit(c.File, target.EndOffset, target.EndOffset, closing))
					}
				}
			}
			r.Fix(in, msg, fix)
		}
	}
}

// copyRecord is a COPY/ADD and where its files went.
type copyRecord struct {
	in    *dockerfile.Instruction
	dest  string
	paths []string // absolute destinations of the files
}

func recordCopy(in *dockerfile.Instruction, wd *workdirTracker) copyRecord {
	srcs, dest := copyParts(in)
	destAbs := wd.abs(dest)
	rec := copyRecord{in: in, dest: destAbs}
	dirDest := strings.HasSuffix(dest, "/") || dest == "." || len(srcs) > 1
	for _, s := range srcs {
		s = unquote(s)
		if wholeContext(in) || strings.HasSuffix(s, "/") || !dirDest || strings.Contains(s, "://") {
			rec.paths = append(rec.paths, destAbs)
			continue
		}
		rec.paths = append(rec.paths, path.Join(destAbs, path.Base(s)))
	}
	if len(rec.paths) == 0 {
		rec.paths = []string{destAbs}
	}
	return rec
}

// checkSS015: chown/chmod -R over copied files.
func checkSS015(c *Context, r *Reporter) {
	final := finalStage(c)
	if final == nil {
		return
	}
	wd := &workdirTracker{}
	var copies []copyRecord
	lastRun := map[*dockerfile.Instruction]int{}
	ins := chainInstructions(c, final)
	for idx, in := range ins {
		wd.apply(in)
		switch in.Cmd {
		case "copy", "add":
			copies = append(copies, recordCopy(in, wd))
			lastRun[in] = idx
			continue
		case "run":
		default:
			continue
		}
		sc := runScript(c, in)
		if sc == nil {
			continue
		}
		for _, cmd := range sc.Commands {
			if !cmd.Is("chown") && !cmd.Is("chmod") {
				continue
			}
			recursive := cmd.HasFlag("-R", "--recursive")
			pos := cmd.Positional()
			if len(pos) < 2 {
				continue
			}
			owner, targets := pos[0], pos[1:]
			var matched []copyRecord
			var where []string
			for _, t := range targets {
				if strings.Contains(t, "$") && !strings.HasPrefix(t, "$HOME") {
					continue
				}
				ta := wd.abs(t)
				for _, cp := range copies {
					hit := false
					for _, p := range cp.paths {
						if recursive && pathCovers(ta, p) || !recursive && ta == p && p != cp.dest+"/" && !wholeContext(cp.in) && !strings.HasSuffix(copyDestRaw(cp.in), "/") {
							hit = true
						}
					}
					if hit && !containsCopy(matched, cp.in) {
						matched = append(matched, cp)
						where = append(where, fmt.Sprintf("line %d", cp.in.Line))
					}
				}
			}
			if len(matched) == 0 {
				continue
			}
			verb, flag := "chown", "--chown"
			if cmd.Is("chmod") {
				verb, flag = "chmod", "--chmod"
				if !recursive {
					continue
				}
			}
			msg := fmt.Sprintf("RUN %s rewrites files copied at %s into a new layer, doubling their size: use COPY %s=%s instead", verb, strings.Join(where, ", "), flag, owner)
			r.Fix(in, msg, ss015Fix(c, final, in, sc, ins, lastRun, matched, flag, owner))
			break
		}
	}
}

func copyDestRaw(in *dockerfile.Instruction) string {
	_, d := copyParts(in)
	return d
}

func containsCopy(list []copyRecord, in *dockerfile.Instruction) bool {
	for _, c := range list {
		if c.in == in {
			return true
		}
	}
	return false
}

// ss015Fix moves the owner/mode onto the COPYs when the RUN is only that
// command, every matched COPY is in the final stage without the flag, and
// no RUN sits between the COPYs and the chown.
func ss015Fix(c *Context, final *dockerfile.Stage, run *dockerfile.Instruction, sc *shell.Script, ins []*dockerfile.Instruction,
	pos map[*dockerfile.Instruction]int, matched []copyRecord, flag, owner string) *finding.Fix {
	if len(sc.Commands) != 1 || !simpleShellRun(run) || strings.Contains(owner, "$") {
		return nil
	}
	if flag == "--chmod" && strings.Trim(owner, "01234567") != "" {
		return nil
	}
	runIdx := -1
	for i, in := range ins {
		if in == run {
			runIdx = i
		}
	}
	first := runIdx
	for _, m := range matched {
		if m.in.Stage != final.Index || m.in.InOnBuild {
			return nil
		}
		if _, has := m.in.Flag(strings.TrimPrefix(flag, "--")); has {
			return nil
		}
		if pos[m.in] < first {
			first = pos[m.in]
		}
	}
	for _, in := range ins[first+1 : runIdx] {
		if in.Cmd == "run" {
			return nil
		}
	}
	fix := &finding.Fix{Description: "set " + flag + " on the COPY and drop the RUN (directories created before the COPY keep their owner)", OptIn: true}
	for _, m := range matched {
		body := instructionBody(c.File, m.in)
		fix.Edits = append(fix.Edits, Edit(c.File, body, body, flag+"="+owner+" "))
	}
	start, end := lineSpan(c.File, run)
	fix.Edits = append(fix.Edits, Edit(c.File, start, end, ""))
	return fix
}

// bareCommand reports a command run without a subcommand, which for yarn
// and bundle means install (but not `yarn --version`).
func bareCommand(cmd shell.Command) bool {
	return cmd.Sub() == "" && !cmd.HasFlag("--version", "-v", "--help", "-h", "-V")
}
