package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func cacheRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "SS003", Severity: finding.Warning, Category: finding.Speed,
			Description: "The whole build context is copied before dependencies are installed, so every source change re-installs them.",
			Remediation: "Copy the dependency manifests and lockfiles first, install, then copy the rest of the context."}, checkSS003),
		rule(finding.Spec{ID: "SS004", Severity: finding.Warning, Category: finding.Size,
			Description: "Files are removed in a later layer than the one that created them, which saves no space.",
			Remediation: "Remove files in the same RUN that creates them, or use a cache or bind mount."}, checkSS004),
		rule(finding.Spec{ID: "SS005", Severity: finding.Warning, Category: finding.Size,
			Description: "Package manager cache is left in the layer.",
			Remediation: "Clean the package manager's cache in the same RUN, or use `RUN --mount=type=cache`."}, checkSS005),
		rule(finding.Spec{ID: "SS014", Severity: finding.Warning, Category: finding.Size,
			Description: "Package index update in a different RUN from the install that needs it.",
			Remediation: "Run the package index update in the same RUN as the install."}, checkSS014),
	}
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
				sc := c.Script(in)
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
			sc := c.Script(in)
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
				lsc := c.Script(later)
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

// runCreates returns the paths a command leaves behind (downloads, clones,
// package manager caches). Unknown commands create nothing.
func runCreates(cmd shell.Command, wd *workdirTracker) []string {
	sub := cmd.Sub()
	urlBase := func() string {
		for _, a := range cmd.Positional() {
			if strings.Contains(a, "://") {
				u := a
				if i := strings.IndexAny(u, "?#"); i >= 0 {
					u = u[:i]
				}
				return path.Base(u)
			}
		}
		return ""
	}
	switch {
	case cmd.Is("curl"):
		if v, ok := cmd.FlagValue("-o", "--output"); ok && v != "" && v != "-" && v != "/dev/null" {
			return []string{wd.abs(v)}
		}
		if cmd.HasFlag("-O", "--remote-name") {
			if b := urlBase(); b != "" {
				return []string{wd.abs(b)}
			}
		}
	case cmd.Is("wget"):
		for _, a := range cmd.Args {
			if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.HasSuffix(a, "O-") || a == "--output-document=-" {
				return nil // -qO- writes to stdout
			}
		}
		if v, ok := cmd.FlagValue("-O", "--output-document"); ok {
			if v != "" && v != "-" && v != "/dev/null" {
				return []string{wd.abs(v)}
			}
			return nil
		}
		if b := urlBase(); b != "" {
			dir, _ := cmd.FlagValue("-P", "--directory-prefix")
			return []string{wd.abs(path.Join(dir, b))}
		}
	case cmd.Is("git") && sub == "clone":
		pos := cmd.Positional()
		if len(pos) >= 3 {
			return []string{wd.abs(pos[2])}
		}
		if len(pos) == 2 {
			return []string{wd.abs(strings.TrimSuffix(path.Base(pos[1]), ".git"))}
		}
	case (cmd.Is("apt-get") || cmd.Is("apt")) && sub == "update":
		return []string{"/var/lib/apt/lists"}
	case cmd.Is("apk") && (sub == "update" || sub == "add") && !cmd.HasFlag("--no-cache"):
		return []string{"/var/cache/apk"}
	case isPip(cmd) && !cmd.HasFlag("--no-cache-dir"):
		return []string{"/root/.cache/pip"}
	case cmd.Is("npm") && (sub == "install" || sub == "ci" || sub == "i"):
		return []string{"/root/.npm"}
	}
	return nil
}

// runRemoves returns the paths a command removes.
func runRemoves(cmd shell.Command, wd *workdirTracker) []string {
	sub := cmd.Sub()
	switch {
	case cmd.Is("rm"):
		var out []string
		for _, a := range cmd.Positional() {
			if strings.Contains(a, "$") && !strings.HasPrefix(a, "$HOME") {
				continue
			}
			out = append(out, wd.abs(a))
		}
		return out
	case cmd.Is("npm") && sub == "cache":
		return []string{"/root/.npm"}
	case (cmd.Is("pip") || cmd.Is("pip3")) && sub == "cache":
		return []string{"/root/.cache/pip"}
	case (cmd.Is("yum") || cmd.Is("dnf")) && sub == "clean":
		return []string{"/var/cache/yum", "/var/cache/dnf"}
	}
	return nil
}

// smallFile reports whether a path looks like a small text file, whose
// late removal wastes too little to report.
func smallFile(p string) bool {
	switch path.Ext(p) {
	case ".txt", ".json", ".lock", ".sh", ".toml", ".yml", ".yaml", ".cfg", ".conf", ".ini", ".md", ".xml", ".properties", ".env", ".pem", ".crt", ".key", ".py", ".pub", ".asc", ".gpg", ".sig", ".sha256", ".patch", ".diff":
		return true
	}
	return false
}

// checkSS004: cleanup in a later layer than the files it removes.
func checkSS004(c *Context, r *Reporter) {
	_, ins, ok := finalInstructions(c)
	if !ok {
		return
	}
	var prior []created
	for step := range fileSteps(c, ins) {
		in, sc, wd, idx := step.in, step.sc, step.wd, step.idx
		if sc == nil {
			exact := !wholeContext(in)
			for _, p := range step.copy.paths {
				prior = append(prior, created{path: p, by: in, exact: exact})
			}
			continue
		}
		var local []string
		var hits []created
		var targets []string
		onlyRemoves := len(sc.Commands) > 0
		for _, cmd := range sc.Commands {
			if cmd.Is("mv") {
				// Moving copied files duplicates them (a different waste);
				// an rm of the emptied place afterwards is not SS004.
				if pos := cmd.Positional(); len(pos) >= 2 {
					for _, src := range pos[:len(pos)-1] {
						src = wd.abs(src)
						kept := prior[:0]
						for _, p := range prior {
							if !pathCovers(src, p.path) {
								kept = append(kept, p)
							}
						}
						prior = kept
					}
				}
				onlyRemoves = false
				continue
			}
			rm := runRemoves(cmd, wd)
			if rm == nil {
				onlyRemoves = false
			}
			for _, t := range rm {
				mine := false
				for i := 0; i < len(local); i++ {
					if pathCovers(t, local[i]) {
						mine = true
						local = append(local[:i], local[i+1:]...)
						i--
					}
				}
				if mine {
					continue
				}
				kept := prior[:0]
				for _, p := range prior {
					if p.removedBy(t) {
						if !smallFile(p.path) || !smallFile(t) {
							hits = append(hits, p)
							targets = append(targets, t)
						}
						continue
					}
					kept = append(kept, p)
				}
				prior = kept
			}
			for _, p := range runCreates(cmd, wd) {
				local = append(local, p)
			}
		}
		for _, p := range local {
			prior = append(prior, created{path: p, by: in})
		}
		if len(hits) == 0 {
			continue
		}
		first := hits[0]
		var firstTargets []string
		for i, h := range hits {
			if h.by == first.by {
				firstTargets = append(firstTargets, targets[i])
			}
		}
		targets = firstTargets
		msg := fmt.Sprintf("%s removes files created in an earlier layer (line %d), so the image does not get smaller: delete them in the same RUN that creates them", joinMax(uniq(targets), 3), first.by.Line)
		if first.by.Cmd != "run" {
			msg = fmt.Sprintf("%s removes files that %s added at line %d, so the image does not get smaller: keep them out with .dockerignore, or use RUN --mount=type=bind to use them without a layer", joinMax(uniq(targets), 3), strings.ToUpper(first.by.Cmd), first.by.Line)
		}
		r.Fix(in, msg, ss004Fix(c, in, sc, ins, idx, hits, onlyRemoves))
	}
}

// ss004Fix moves a RUN made only of removals into the RUN that created the
// files, when that RUN comes right before it in the same stage (only
// instructions that touch no files in between).
func ss004Fix(c *Context, in *dockerfile.Instruction, sc *shell.Script, ins []*dockerfile.Instruction, idx int, hits []created, onlyRemoves bool) *finding.Fix {
	if !onlyRemoves || !simpleShellRun(in) {
		return nil
	}
	creator := hits[0].by
	for _, h := range hits {
		if h.by != creator {
			return nil
		}
	}
	if creator.Cmd != "run" || creator.Stage != in.Stage || !simpleShellRun(creator) {
		return nil
	}
	// The removal then runs in the creator's shell, before the
	// instructions between: joinRuns checks both.
	j, ok := joinRuns(c, creator, in, creator.ShellSource(), sc.Source)
	if !ok {
		return nil
	}
	text := strings.TrimSpace(sc.Source)
	if j.Group {
		text = "{ " + text + "; }"
	}
	start, end := lineSpan(c.File, in)
	return &finding.Fix{Description: "move the removal into the RUN at line " + fmt.Sprint(creator.Line), Edits: []finding.Edit{
		Edit(c.File, creator.EndOffset, creator.EndOffset, " && \\\n    "+text),
		Edit(c.File, start, end, ""),
	}}
}

// cacheTool describes a package manager whose cache SS005 looks for.
type cacheTool struct {
	name string
	// uses reports whether a command fills the cache.
	uses func(cmd shell.Command) bool
	// cleans reports whether a command empties it.
	cleans func(cmd shell.Command) bool
	// keys are path fragments of the cache (for rm and cache mounts).
	keys []string
}

func subIn(cmd shell.Command, subs ...string) bool {
	s := cmd.Sub()
	for _, w := range subs {
		if s == w {
			return true
		}
	}
	return false
}

// cacheTools are the caches SS005 covers. Left out on purpose, because a
// DL rule already reports them: apt lists (DL3009), apk (DL3019), pip
// (DL3042), yarn (DL3060), yum/dnf/zypper (DL3032/DL3040/DL3036). apt's
// package archives are only reported once docker-clean is turned off (see
// aptKeepsArchives): the official Debian and Ubuntu images ship
// /etc/apt/apt.conf.d/docker-clean, which empties them after every install.
var cacheTools = []cacheTool{
	{name: "npm", keys: []string{".npm", "npm-cache", "npm_cache"},
		uses: func(c shell.Command) bool { return c.Is("npm") && subIn(c, "install", "i", "ci") },
		cleans: func(c shell.Command) bool {
			return c.Is("npm") && c.Sub() == "cache" && (c.HasArg("clean") || c.HasArg("clear"))
		}},
	{name: "gem/bundler", keys: []string{"bundle/cache", "gems/cache", ".gem", "gem/cache", "/cache/*.gem", "bundle"},
		uses: func(c shell.Command) bool {
			return c.Is("gem") && c.Sub() == "install" || c.Is("bundle") && (c.Sub() == "install" || bareCommand(c))
		},
		cleans: func(c shell.Command) bool { return c.Is("gem") && c.Sub() == "cleanup" }},
	// `go mod download` and `go get` fill the module cache only; a build
	// fills the build cache (and the module cache with what it fetches).
	{name: "go module", keys: []string{"/go/pkg", "GOMODCACHE", "pkg/mod"},
		uses: func(c shell.Command) bool { return c.Is("go") && subIn(c, "mod", "get") },
		cleans: func(c shell.Command) bool {
			return c.Is("go") && c.Sub() == "clean" && c.HasFlag("-modcache")
		}},
	{name: "go build", keys: []string{"go-build", "/go/pkg", "/root/.cache", "gocache", "GOCACHE", "GOMODCACHE"},
		uses: func(c shell.Command) bool { return c.Is("go") && subIn(c, "build", "install", "test") },
		cleans: func(c shell.Command) bool {
			return c.Is("go") && c.Sub() == "clean" && (c.HasFlag("-cache") || c.HasFlag("-modcache"))
		}},
	{name: "conda", keys: []string{"conda", "pkgs", "mamba"},
		uses: func(c shell.Command) bool {
			return (c.Is("conda") || c.Is("mamba") || c.Is("micromamba")) && subIn(c, "install", "create", "env", "update")
		},
		cleans: func(c shell.Command) bool {
			return (c.Is("conda") || c.Is("mamba") || c.Is("micromamba")) && c.Sub() == "clean"
		}},
	{name: "composer", keys: []string{"composer"},
		uses: func(c shell.Command) bool {
			return c.Is("composer") && subIn(c, "install", "require", "update", "create-project") && !c.HasFlag("--no-cache")
		},
		cleans: func(c shell.Command) bool {
			return c.Is("composer") && subIn(c, "clear-cache", "clearcache", "cc")
		}},
	{name: "poetry", keys: []string{"pypoetry", "POETRY_CACHE", "/root/.cache", "poetry"},
		uses: func(c shell.Command) bool { return c.Is("poetry") && c.Sub() == "install" && !c.HasFlag("--no-cache") },
		cleans: func(c shell.Command) bool {
			return c.Is("poetry") && c.Sub() == "cache"
		}},
	{name: "pipenv", keys: []string{"pipenv", "/root/.cache"},
		uses: func(c shell.Command) bool { return c.Is("pipenv") && subIn(c, "install", "sync") },
		cleans: func(c shell.Command) bool {
			return c.Is("pipenv") && c.HasFlag("--clear")
		}},
}

// cacheDisabledByEnv reports whether an ENV turns a tool's cache off
// (COMPOSER_CACHE_DIR=/dev/null, PIPENV_NOCACHE ...).
func cacheDisabledByEnv(c *Context, s *dockerfile.Stage, tool string) bool {
	for _, in := range chainInstructions(c, s) {
		for _, p := range envPairs(in) {
			switch {
			case tool == "composer" && p.Key == "COMPOSER_CACHE_DIR" && p.Value == "/dev/null",
				tool == "poetry" && p.Key == "POETRY_NO_CACHE" && p.Value != "" && p.Value != "0" && p.Value != "false",
				tool == "pipenv" && p.Key == "PIPENV_NOCACHE",
				tool == "npm" && strings.EqualFold(p.Key, "npm_config_cache") && strings.HasPrefix(p.Value, "/dev/null"):
				return true
			}
		}
	}
	return false
}

// checkSS005: package manager cache left in a layer of the final image.
func checkSS005(c *Context, r *Reporter) {
	final := finalStage(c)
	if final == nil || toolchainImage(c, final) {
		return
	}
	reported := map[string]bool{}
	keepArchives := false
	for _, in := range chainInstructions(c, final) {
		sc := c.Script(in)
		if sc == nil {
			continue
		}
		var left []string
		if aptKeepsArchives(sc) {
			keepArchives = true
		}
		if keepArchives && !reported["apt archives"] && aptArchivesLeft(sc, in) {
			reported["apt archives"] = true
			left = append(left, "apt archives")
		}
		for _, tool := range cacheTools {
			used, cleaned := false, false
			for _, cmd := range sc.Commands {
				if tool.uses(cmd) {
					used = true
				}
				if tool.cleans(cmd) {
					cleaned = true
				}
				if cmd.Is("rm") {
					for _, a := range cmd.Args {
						if hasKey(a, tool.keys) {
							cleaned = true
						}
					}
				}
			}
			for _, m := range in.Mounts {
				if m.Transient() && hasKey(m.Target, tool.keys) {
					cleaned = true
				}
			}
			// One finding per cache: it piles up over the layers, and
			// cleaning it in a later one does not help (SS004).
			if used && !cleaned && !reported[tool.name] && !cacheDisabledByEnv(c, final, tool.name) {
				reported[tool.name] = true
				left = append(left, tool.name)
			}
		}
		if len(left) == 0 {
			continue
		}
		r.At(in, fmt.Sprintf("the %s cache stays in this layer: clean it in the same RUN (%s) or use RUN --mount=type=cache", strings.Join(left, ", "), cleanHint(left[0])))
	}
}

func hasKey(s string, keys []string) bool {
	for _, k := range keys {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}

func cleanHint(tool string) string {
	switch tool {
	case "npm":
		return "npm cache clean --force"
	case "gem/bundler":
		return "rm -rf /usr/local/bundle/cache ~/.gem"
	case "go module":
		return "go clean -modcache"
	case "go build":
		return "go clean -cache -modcache"
	case "conda":
		return "conda clean -afy"
	case "composer":
		return "composer install --no-cache, or composer clear-cache"
	case "poetry":
		return "poetry install --no-cache"
	case "pipenv":
		return "pipenv install --clear"
	case "apt archives":
		return "apt-get clean"
	}
	return "rm -rf the cache directory"
}

// aptKeepsArchives reports a RUN that turns off the docker-clean hook of
// the Debian and Ubuntu images (as BuildKit's apt cache-mount recipe does),
// after which apt keeps every downloaded .deb under /var/cache/apt.
func aptKeepsArchives(sc *shell.Script) bool {
	if strings.Contains(sc.Source, "Keep-Downloaded-Packages") && strings.Contains(sc.Source, "true") {
		return true
	}
	for _, cmd := range sc.Commands {
		if cmd.Is("rm") {
			for _, a := range cmd.Args {
				if strings.HasSuffix(a, "apt.conf.d/docker-clean") {
					return true
				}
			}
		}
	}
	return false
}

// aptArchivesLeft reports an apt install whose downloaded packages are
// neither cleaned in the RUN nor kept in a cache mount.
func aptArchivesLeft(sc *shell.Script, in *dockerfile.Instruction) bool {
	install := false
	for _, cmd := range sc.Commands {
		if (cmd.Is("apt-get") || cmd.Is("apt")) && (cmd.Sub() == "install" || cmd.Sub() == "upgrade" || cmd.Sub() == "dist-upgrade") {
			install = true
		}
		if (cmd.Is("apt-get") || cmd.Is("apt")) && (cmd.Sub() == "clean" || cmd.Sub() == "autoclean") {
			return false
		}
		if cmd.Is("rm") {
			for _, a := range cmd.Args {
				if strings.HasPrefix(a, "/var/cache/apt") {
					return false
				}
			}
		}
	}
	return install && !in.CachesDir("/var/cache/apt/archives")
}
