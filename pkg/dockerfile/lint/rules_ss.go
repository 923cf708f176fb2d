package lint

import (
	"path"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

// ssDocs is where the SS rules are documented (docs/rules/SSxxx.md).
const ssDocs = "https://github.com/slimship/slimship/blob/main/docs/rules/"

func ssRule(id string, sev finding.Severity, cat finding.Category, desc string, check func(*Context, *Reporter)) Rule {
	return Rule{Rule: finding.Rule{ID: id, Severity: sev, Category: cat, Domain: finding.Dockerfile,
		Description: desc, DocsURL: ssDocs + id + ".md"}, Check: check}
}

// ssRules are slimship's own size, cache and safety rules.
func ssRules() []Rule {
	return []Rule{
		ssRule("SS001", finding.Info, finding.Size, "Final stage uses a full-size base image where a slim, alpine, JRE or distroless variant exists.", checkSS001),
		ssRule("SS002", finding.Warning, finding.Size, "Build toolchain runs in the final stage: build in a separate stage and copy only the output.", checkSS002),
		ssRule("SS003", finding.Warning, finding.Speed, "The whole build context is copied before dependencies are installed, so every source change re-installs them.", checkSS003),
		ssRule("SS004", finding.Warning, finding.Size, "Files are removed in a later layer than the one that created them, which saves no space.", checkSS004),
		ssRule("SS005", finding.Warning, finding.Size, "Package manager cache is left in the layer.", checkSS005),
		ssRule("SS006", finding.Warning, finding.Speed, "The whole context is copied without a .dockerignore that excludes .git and local dependency trees.", checkSS006),
		ssRule("SS007", finding.Warning, finding.Security, "The final stage runs as root because no USER is set.", checkSS007),
		ssRule("SS008", finding.Info, finding.Maintainability, "Service image without a HEALTHCHECK.", checkSS008),
		ssRule("SS009", finding.Error, finding.Security, "Secret-looking value hard-coded in ENV or ARG: it stays in the image config or history.", checkSS009),
		ssRule("SS010", finding.Warning, finding.Correctness, "Dependency install that does not honour the lockfile (npm install, yarn without --frozen-lockfile, pip install . without constraints).", checkSS010),
		ssRule("SS011", finding.Warning, finding.Correctness, "go build without CGO_ENABLED=0 whose binary is copied into a scratch, distroless/static or alpine stage.", checkSS011),
		ssRule("SS012", finding.Info, finding.Size, "A static binary runs on an alpine, debian or ubuntu final stage where scratch or distroless/static would do.", checkSS012),
		ssRule("SS013", finding.Warning, finding.Size, "Compilers or build tools installed in the final stage and not removed in the same RUN.", checkSS013),
		ssRule("SS014", finding.Warning, finding.Size, "Package index update in a different RUN from the install that needs it.", checkSS014),
		ssRule("SS015", finding.Warning, finding.Size, "RUN chown/chmod -R over files copied in an earlier layer duplicates them: use COPY --chown/--chmod.", checkSS015),
	}
}

// --- stages -----------------------------------------------------------------

// parentStage returns the earlier stage s is built FROM, or nil when s starts
// from an image.
func parentStage(f *dockerfile.File, s *dockerfile.Stage) *dockerfile.Stage {
	if s.From == nil || s.Base == "" {
		return nil
	}
	return f.StageByRef(s.Base, s.Index)
}

// stageChain returns s and the stages it is built on, s first.
func stageChain(f *dockerfile.File, s *dockerfile.Stage) []*dockerfile.Stage {
	var out []*dockerfile.Stage
	seen := map[int]bool{}
	for s != nil && !seen[s.Index] {
		seen[s.Index] = true
		out = append(out, s)
		s = parentStage(f, s)
	}
	return out
}

// chainInstructions returns the effective instructions of s and its parent
// stages in build order (oldest first), FROM lines excluded.
func chainInstructions(c *Context, s *dockerfile.Stage) []*dockerfile.Instruction {
	chain := stageChain(c.File, s)
	var out []*dockerfile.Instruction
	for i := len(chain) - 1; i >= 0; i-- {
		for _, in := range c.StageEffective(chain[i]) {
			if in.Cmd != "from" {
				out = append(out, in)
			}
		}
	}
	return out
}

// rootStage is the first stage of s's chain: the one FROM an image.
func rootStage(f *dockerfile.File, s *dockerfile.Stage) *dockerfile.Stage {
	ch := stageChain(f, s)
	return ch[len(ch)-1]
}

// finalStage returns the last stage when it has a FROM.
func finalStage(c *Context) *dockerfile.Stage {
	s := c.File.Final()
	if s == nil || s.From == nil {
		return nil
	}
	return s
}

// metaDefaults are the defaults of ARGs before the first FROM.
func metaDefaults(f *dockerfile.File) map[string]string {
	m := map[string]string{}
	for _, in := range f.MetaArgs {
		for _, a := range in.Args {
			k, v, ok := strings.Cut(a, "=")
			if ok {
				m[k] = unquote(v)
			} else if _, seen := m[k]; !seen {
				m[k] = ""
			}
		}
	}
	return m
}

// expandMeta substitutes $VAR, ${VAR} and ${VAR:-default} from the meta
// ARG defaults. ok is false when a variable has no value.
func expandMeta(s string, vars map[string]string) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	ok := true
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		name, def, end := "", "", i+1
		if s[i+1] == '{' {
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return s, false
			}
			inner := s[i+2 : i+j]
			end = i + j + 1
			if k := strings.Index(inner, ":-"); k >= 0 {
				name, def = inner[:k], inner[k+2:]
			} else if k := strings.IndexAny(inner, ":-+?"); k >= 0 {
				name = inner[:k]
			} else {
				name = inner
			}
		} else {
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			name, end = s[i+1:j], j
		}
		v, has := vars[name]
		if !has || v == "" {
			v = def
		}
		if v == "" {
			ok = false
		}
		b.WriteString(v)
		i = end - 1
	}
	return b.String(), ok
}

// imageRef is a parsed image reference.
type imageRef struct {
	// Repo is the repository path with docker.io/library/ removed,
	// lower-cased: "python", "gcr.io/distroless/static".
	Repo   string
	Tag    string
	Digest string
}

func parseImage(s string) imageRef {
	var r imageRef
	if i := strings.IndexByte(s, '@'); i >= 0 {
		r.Digest = s[i+1:]
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		r.Tag = s[i+1:]
		s = s[:i]
	}
	s = strings.ToLower(s)
	for _, p := range []string{"docker.io/library/", "index.docker.io/library/", "registry-1.docker.io/library/", "docker.io/", "library/"} {
		if strings.HasPrefix(s, p) {
			s = strings.TrimPrefix(s, p)
			break
		}
	}
	r.Repo = s
	return r
}

// Name is the last path element of the repository.
func (r imageRef) Name() string { return path.Base(r.Repo) }

// baseImage resolves the image a stage chain starts from (meta ARGs
// expanded). ok is false when it cannot be known (unset variables).
func baseImage(f *dockerfile.File, s *dockerfile.Stage) (imageRef, *dockerfile.Stage, bool) {
	root := rootStage(f, s)
	if root.From == nil || root.Base == "" {
		return imageRef{}, root, false
	}
	img, ok := expandMeta(root.Base, metaDefaults(f))
	if !ok {
		return imageRef{}, root, false
	}
	return parseImage(img), root, true
}

func (r imageRef) isScratch() bool { return r.Repo == "scratch" }

func (r imageRef) isDistroless() bool {
	return strings.Contains(r.Repo, "distroless") || strings.HasPrefix(r.Repo, "cgr.dev/chainguard/static")
}

// isStaticBase is scratch or distroless/static: no libc.
func (r imageRef) isStaticBase() bool {
	return r.isScratch() || (r.isDistroless() && strings.Contains(r.Repo, "static"))
}

func (r imageRef) isWindows() bool {
	t := r.Repo + ":" + r.Tag
	return strings.Contains(t, "windows") || strings.Contains(t, "nanoserver") || strings.Contains(t, "servercore") || strings.Contains(t, "ltsc")
}

func (r imageRef) isAlpine() bool {
	return r.Name() == "alpine" || strings.Contains(r.Tag, "alpine")
}

// --- shell helpers ---------------------------------------------------------

// runScript returns the parsed shell of a RUN, or nil.
func runScript(c *Context, in *dockerfile.Instruction) *shell.Script {
	if in.Cmd != "run" {
		return nil
	}
	return c.Script(in)
}

// hasBindMount reports whether a RUN bind-mounts (sources from the context).
func hasBindMount(in *dockerfile.Instruction) bool {
	for _, m := range in.Mounts {
		if m.Type == "bind" {
			return true
		}
	}
	return false
}

// isSubcommand reports whether cmd is one of names with sub as subcommand
// (sub "" matches any).
func isSubcommand(cmd shell.Command, name string, subs ...string) bool {
	if !cmd.Is(name) {
		return false
	}
	if len(subs) == 0 {
		return true
	}
	s := cmd.Sub()
	for _, want := range subs {
		if s == want {
			return true
		}
	}
	return false
}

// installedPackages returns the package arguments of apt-get/apt/apk/yum/
// dnf/microdnf install commands (version pins removed).
func installedPackages(cmd shell.Command) []string {
	var pkgs []string
	switch {
	case cmd.Is("apt-get") || cmd.Is("apt") || cmd.Is("aptitude"):
		if cmd.Sub() != "install" {
			return nil
		}
	case cmd.Is("apk"):
		if cmd.Sub() != "add" {
			return nil
		}
	case cmd.Is("yum") || cmd.Is("dnf") || cmd.Is("microdnf") || cmd.Is("zypper"):
		if s := cmd.Sub(); s != "install" && s != "in" {
			return nil
		}
	default:
		return nil
	}
	skipNext := false
	for i, a := range cmd.Args {
		if skipNext {
			skipNext = false
			continue
		}
		if strings.HasPrefix(a, "-") {
			// Flags with a separate value.
			switch a {
			case "-t", "--target-release", "-o", "--option", "--virtual", "-t=", "--repository", "-X", "--setopt", "--enablerepo", "--disablerepo", "-c", "--config":
				skipNext = true
			}
			if cmd.Is("apk") && a == "-t" {
				skipNext = true
			}
			continue
		}
		if i == indexOf(cmd.Args, cmd.Sub()) {
			continue
		}
		name := a
		for _, sep := range []string{"=", ">", "<", "~"} {
			if j := strings.Index(name, sep); j > 0 {
				name = name[:j]
			}
		}
		pkgs = append(pkgs, name)
	}
	return pkgs
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// unquote removes one level of matching quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// kv is one key/value pair of ENV, LABEL or ARG; HasValue is false for an
// ARG without default.
type kv struct {
	Key, Value string
	HasValue   bool
}

// envPairs returns the key/value pairs of an ENV or ARG.
func envPairs(in *dockerfile.Instruction) []kv {
	var out []kv
	switch in.Cmd {
	case "env":
		for i := 0; i+1 < len(in.Args); i += 3 {
			out = append(out, kv{Key: in.Args[i], Value: unquote(in.Args[i+1]), HasValue: true})
		}
	case "arg":
		for _, a := range in.Args {
			k, v, ok := strings.Cut(a, "=")
			out = append(out, kv{Key: k, Value: unquote(v), HasValue: ok})
		}
	}
	return out
}

// --- paths -----------------------------------------------------------------

// workdirTracker follows WORKDIR through a stage chain.
type workdirTracker struct{ dir string }

func (w *workdirTracker) apply(in *dockerfile.Instruction) {
	if in.Cmd == "workdir" && len(in.Args) > 0 {
		w.dir = w.abs(in.Args[0])
	}
}

// abs resolves p against the current WORKDIR ("/" by default).
func (w *workdirTracker) abs(p string) string {
	p = unquote(p)
	if strings.HasPrefix(p, "~") {
		p = "/root" + p[1:]
	}
	if strings.HasPrefix(p, "$HOME") {
		p = "/root" + p[5:]
	}
	if !strings.HasPrefix(p, "/") {
		d := w.dir
		if d == "" {
			d = "/"
		}
		p = d + "/" + p
	}
	return path.Clean(p)
}

// copyParts splits COPY/ADD arguments into sources and destination.
func copyParts(in *dockerfile.Instruction) (srcs []string, dest string) {
	if len(in.Heredocs) > 0 || len(in.Args) < 2 {
		if len(in.Args) >= 1 {
			return nil, in.Args[len(in.Args)-1]
		}
		return nil, ""
	}
	return in.Args[:len(in.Args)-1], in.Args[len(in.Args)-1]
}

// copyFrom returns the --from value of a COPY, or "".
func copyFrom(in *dockerfile.Instruction) string {
	v, _ := in.Flag("from")
	return v
}

// wholeContext reports whether a COPY/ADD (from the context) copies the
// whole build context.
func wholeContext(in *dockerfile.Instruction) bool {
	if (in.Cmd != "copy" && in.Cmd != "add") || copyFrom(in) != "" {
		return false
	}
	srcs, _ := copyParts(in)
	for _, s := range srcs {
		switch strings.TrimSuffix(unquote(s), "/") {
		case ".", "", "*", "./*", "./.":
			return true
		}
	}
	return false
}

// pathCovers reports whether removing/changing target touches p: equal,
// target is a parent of p, p is a parent of target, or a glob match.
func pathCovers(target, p string) bool {
	if target == p || strings.HasPrefix(p, strings.TrimSuffix(target, "/")+"/") || strings.HasPrefix(target, strings.TrimSuffix(p, "/")+"/") {
		return true
	}
	if strings.ContainsAny(target, "*?[") {
		if ok, _ := path.Match(target, p); ok {
			return true
		}
		// target glob over the children of p ("/var/lib/apt/lists/*" vs "/var/lib/apt/lists/*")
		if ok, _ := path.Match(path.Dir(target), p); ok {
			return true
		}
	}
	return false
}

// instructionBody returns the byte offset in f.Source where the arguments
// of an instruction start (after keyword and --flags).
func instructionBody(f *dockerfile.File, in *dockerfile.Instruction) int {
	src := f.Source
	i := in.Offset + len(in.Keyword)
	skipSpace := func() {
		for i < in.EndOffset {
			if src[i] == ' ' || src[i] == '\t' {
				i++
				continue
			}
			if src[i] == byte(f.Escape) && i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r') {
				i++
				for i < len(src) && (src[i] == '\r' || src[i] == '\n') {
					i++
				}
				continue
			}
			break
		}
	}
	skipSpace()
	for i+1 < in.EndOffset && src[i] == '-' && src[i+1] == '-' {
		for i < in.EndOffset && src[i] != ' ' && src[i] != '\t' && src[i] != '\n' {
			i++
		}
		skipSpace()
	}
	return i
}

// lineSpan returns the byte range of whole lines holding in, the trailing
// newline included, so deleting it leaves no blank line.
func lineSpan(f *dockerfile.File, in *dockerfile.Instruction) (int, int) {
	start := f.LineOffset(in.Line)
	end := in.EndOffset
	for end < len(f.Source) && f.Source[end] != '\n' {
		end++
	}
	if end < len(f.Source) {
		end++
	}
	return start, end
}

// simpleShellRun reports whether a RUN is shell form without heredocs, so
// its text can be edited.
func simpleShellRun(in *dockerfile.Instruction) bool {
	return in.Cmd == "run" && !in.JSON && len(in.Heredocs) == 0 && !in.InOnBuild
}

func joinMax(items []string, n int) string {
	if len(items) > n {
		return strings.Join(items[:n], ", ") + ", ..."
	}
	return strings.Join(items, ", ")
}

func uniq(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range items {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
