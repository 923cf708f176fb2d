package lint

import (
	"strconv"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// hadolint's DL rules, part A: DL1001 and DL3000-DL3033, with hadolint's
// IDs, severities and descriptions. Package-manager rules live in
// rules_dl_a_pkg.go, the offset mapping behind their fixes in
// rules_dl_a_fix.go.

const dlaHadolintWiki = "https://github.com/hadolint/hadolint/wiki/"

func dlaRule(id string, sev finding.Severity, cat finding.Category, desc string, check func(*Context, *Reporter)) Rule {
	return Rule{
		Rule: finding.Rule{ID: id, Severity: sev, Category: cat, Domain: finding.Dockerfile,
			Description: desc, DocsURL: dlaHadolintWiki + id},
		Check: check,
	}
}

func dlRulesA() []Rule {
	dl1001 := dlaRule("DL1001", finding.Info, finding.Maintainability,
		"Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`.", checkDL1001)
	dl1001.DefaultOff = true
	return []Rule{
		dl1001,
		dlaRule("DL3000", finding.Error, finding.Correctness, "Use absolute WORKDIR.", checkDL3000).WithTwins(linter.RuleWorkdirRelativePath.Name),
		dlaRule("DL3001", finding.Info, finding.Correctness,
			"For some bash commands it makes no sense running them in a Docker container like ssh, vim, shutdown, service, ps, free, top, kill, mount, ifconfig.", checkDL3001),
		dlaRule("DL3002", finding.Warning, finding.Security, "Last user should not be root.", checkDL3002),
		dlaRule("DL3003", finding.Warning, finding.Maintainability, "Use WORKDIR to switch to a directory.", checkDL3003),
		dlaRule("DL3004", finding.Error, finding.Security,
			"Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root.", checkDL3004),
		dlaRule("DL3006", finding.Warning, finding.Correctness, "Always tag the version of an image explicitly.", checkDL3006),
		dlaRule("DL3007", finding.Warning, finding.Correctness,
			"Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag.", checkDL3007),
		dlaRule("DL3008", finding.Warning, finding.Correctness, "Pin versions in `apt-get install`.", checkDL3008),
		dlaRule("DL3009", finding.Info, finding.Size, "Delete the apt-get lists after installing something.", checkDL3009),
		dlaRule("DL3010", finding.Info, finding.Size, "Use ADD for extracting archives into an image.", checkDL3010),
		dlaRule("DL3011", finding.Error, finding.Correctness, "Valid UNIX ports range from 0 to 65535.", checkDL3011),
		dlaRule("DL3012", finding.Error, finding.Correctness, "Multiple `HEALTHCHECK` instructions.", checkDL3012),
		dlaRule("DL3013", finding.Warning, finding.Correctness, "Pin versions in pip.", checkDL3013),
		dlaRule("DL3014", finding.Warning, finding.Correctness, "Use the `-y` switch.", checkDL3014),
		dlaRule("DL3015", finding.Info, finding.Size, "Avoid additional packages by specifying `--no-install-recommends`.", checkDL3015),
		dlaRule("DL3016", finding.Warning, finding.Correctness, "Pin versions in `npm`.", checkDL3016),
		dlaRule("DL3018", finding.Warning, finding.Correctness,
			"Pin versions in `apk add`. Instead of `apk add <package>` use `apk add <package>=<version>`.", checkDL3018),
		dlaRule("DL3019", finding.Info, finding.Size,
			"Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages.", checkDL3019),
		dlaRule("DL3020", finding.Error, finding.Security, "Use `COPY` instead of `ADD` for files and folders.", checkDL3020),
		dlaRule("DL3021", finding.Error, finding.Correctness, "`COPY` with more than 2 arguments requires the last argument to end with `/`", checkDL3021),
		dlaRule("DL3022", finding.Warning, finding.Correctness, "`COPY --from` should reference a previously defined `FROM` alias", checkDL3022),
		dlaRule("DL3023", finding.Error, finding.Correctness, "`COPY --from` cannot reference its own `FROM` alias", checkDL3023),
		dlaRule("DL3024", finding.Error, finding.Correctness, "`FROM` aliases (stage names) must be unique", checkDL3024).WithTwins(linter.RuleDuplicateStageName.Name),
		dlaRule("DL3025", finding.Warning, finding.Correctness, "Use arguments JSON notation for CMD and ENTRYPOINT arguments", checkDL3025).WithTwins(linter.RuleJSONArgsRecommended.Name),
		dlaRule("DL3026", finding.Error, finding.Security, "Use only an allowed registry in the `FROM image`", checkDL3026),
		dlaRule("DL3027", finding.Warning, finding.Maintainability,
			"Do not use `apt` as it is meant to be an end-user tool, use `apt-get` or `apt-cache` instead", checkDL3027),
		dlaRule("DL3028", finding.Warning, finding.Correctness,
			"Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`", checkDL3028),
		dlaRule("DL3029", finding.Warning, finding.Correctness, "Do not use --platform flag with FROM.", checkDL3029).WithTwins(linter.RuleFromPlatformFlagConstDisallowed.Name),
		dlaRule("DL3030", finding.Warning, finding.Correctness, "Use the `-y` switch to avoid manual input `yum install -y <package>`", checkDL3030),
		dlaRule("DL3032", finding.Warning, finding.Size, "`yum clean all` missing after yum command.", checkDL3032),
		dlaRule("DL3033", finding.Warning, finding.Correctness, "Specify version with `yum install -y <package>-<version>`", checkDL3033),
	}
}

// --- DL1001 -----------------------------------------------------------------

var dlaInlineIgnoreRe = lazyre.New(`^hadolint\s+ignore\s*=`)

func checkDL1001(c *Context, r *Reporter) {
	for _, cm := range c.File.Comments {
		if dlaInlineIgnoreRe.MatchString(cm.Text) {
			r.AtLine(cm.Line, 1, "Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`; fix the finding, or ignore the rule in the configuration file.")
		}
	}
}

// --- DL3000 -----------------------------------------------------------------

var dlaWindowsAbsRe = lazyre.New(`^[A-Za-z]:[\\/]`)

func dlaUnquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

func checkDL3000(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "workdir" || len(in.Args) == 0 {
			continue
		}
		dir := dlaUnquote(strings.TrimSpace(strings.Join(in.Args, " ")))
		if strings.HasPrefix(dir, "/") || strings.HasPrefix(dir, "$") || dlaWindowsAbsRe.MatchString(dir) {
			continue
		}
		r.At(in, "Use absolute WORKDIR: `WORKDIR "+dir+"` depends on the previous WORKDIR; write the full path, e.g. `WORKDIR /"+strings.TrimPrefix(dir, "./")+"`.")
	}
}

// --- DL3001 -----------------------------------------------------------------

var dlaPointlessCommands = []string{"ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount", "ifconfig"}

func checkDL3001(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		s := c.Script(in)
		if s == nil {
			continue
		}
		if cmds := s.Find(dlaPointlessCommands...); len(cmds) > 0 {
			r.At(in, "`"+cmds[0].Name+"` makes no sense in a Docker build (ssh, vim, shutdown, service, ps, free, top, kill, mount, ifconfig); remove it, or run it in the container at run time.")
		}
	}
}

// --- DL3002 -----------------------------------------------------------------

func dlaIsRootUser(u string) bool {
	return u == "root" || u == "0" || strings.HasPrefix(u, "root:") || strings.HasPrefix(u, "0:")
}

// checkDL3002 reports every stage whose last USER is root, as hadolint does
// (a stage built on such a stage inherits the user).
func checkDL3002(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		if st.From == nil {
			continue // hadolint only follows users after a FROM
		}
		var last *dockerfile.Instruction
		for _, in := range st.Instructions {
			if in.Cmd != "user" || len(in.Args) == 0 {
				continue
			}
			if dlaIsRootUser(dlaUnquote(in.Args[0])) {
				last = in
			} else {
				last = nil
			}
		}
		if last != nil {
			r.At(last, "Last USER should not be root: add `USER <non-root user>` (create one with useradd/adduser) after the steps that need root.")
		}
	}
}

// --- DL3003 / DL3004 --------------------------------------------------------

func checkDL3003(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if s := c.Script(in); s != nil && s.Has("cd") {
			r.At(in, "Use WORKDIR to switch to a directory instead of `cd` in RUN (or a subshell `(cd dir && ...)`).")
		}
	}
}

func checkDL3004(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if s := c.Script(in); s != nil && s.Has("sudo") {
			r.At(in, "Do not use sudo as it leads to unpredictable behavior: RUN already runs as the current USER; switch with `USER`, or use gosu/su-exec in the entrypoint.")
		}
	}
}

// --- image references (DL3006, DL3007, DL3026) --------------------------------

type dlaImageRef struct {
	registry, name, tag, digest string
}

// dlaParseImage splits an image reference the way hadolint does: a registry
// only when the first component has a dot or a colon or is localhost.
func dlaParseImage(s string) dlaImageRef {
	var ref dlaImageRef
	if i := strings.Index(s, "@"); i >= 0 {
		ref.digest = s[i+1:]
		s = s[:i]
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		first := s[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			ref.registry = first
			s = s[i+1:]
		}
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && !strings.Contains(s[i:], "/") {
		ref.tag = s[i+1:]
		s = s[:i]
	}
	ref.name = s
	return ref
}

// dlaStageNamesBefore returns the aliases of stages before index i.
func dlaStageNamesBefore(f *dockerfile.File, i int) map[string]bool {
	out := map[string]bool{}
	for _, st := range f.Stages[:i] {
		if st.Name != "" {
			out[st.Name] = true
		}
	}
	return out
}

func checkDL3006(c *Context, r *Reporter) {
	for i, st := range c.File.Stages {
		if st.From == nil || st.Base == "" || strings.Contains(st.Base, "$") {
			continue
		}
		if dlaStageNamesBefore(c.File, i)[strings.ToLower(st.Base)] {
			continue
		}
		ref := dlaParseImage(st.Base)
		if ref.name == "scratch" && ref.registry == "" || ref.tag != "" || ref.digest != "" {
			continue
		}
		r.At(st.From, "Always tag the version of an image explicitly: `FROM "+st.Base+":<version>` (or pin a digest with @sha256:...).")
	}
}

func checkDL3007(c *Context, r *Reporter) {
	for i, st := range c.File.Stages {
		if st.From == nil || st.Base == "" || dlaStageNamesBefore(c.File, i)[strings.ToLower(st.Base)] {
			continue
		}
		ref := dlaParseImage(st.Base)
		if ref.tag == "latest" && ref.digest == "" {
			r.At(st.From, "Using latest is prone to errors if the image will ever update: pin `"+ref.name+"` to a release tag or a digest.")
		}
	}
}

// --- DL3010 -----------------------------------------------------------------

var dlaArchiveExts = []string{".tar", ".tar.bz2", ".tb2", ".tbz", ".tbz2", ".tar.gz", ".tgz", ".tpz", ".tar.lz", ".tlz",
	".tar.lzma", ".tlzma", ".tar.xz", ".txz", ".tar.Z", ".tZ", ".gz", ".bz2", ".xz", ".lz", ".lzma", ".Z", ".zst", ".tar.zst"}

func dlaIsArchive(p string) bool {
	p = dlaUnquote(p)
	for _, e := range dlaArchiveExts {
		if strings.HasSuffix(p, e) {
			return true
		}
	}
	return false
}

func dlaBaseNameAny(p string) string {
	p = dlaUnquote(p)
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

var dlaUnpackCommands = []string{"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat"}

func dlaIsExtract(cmd interface {
	Is(string) bool
}, args []string) bool {
	if cmd.Is("tar") {
		for _, a := range args {
			if a == "--extract" || a == "--get" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "x") {
				return true
			}
		}
		return false
	}
	for _, u := range dlaUnpackCommands {
		if cmd.Is(u) {
			return true
		}
	}
	return false
}

// checkDL3010 reports a local archive COPYed in and then extracted by a RUN
// of the same stage: ADD extracts it in one layer.
func checkDL3010(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		type archive struct {
			in   *dockerfile.Instruction
			name string
		}
		var archives []archive
		reported := map[*dockerfile.Instruction]bool{}
		for _, in := range st.Instructions {
			switch in.Cmd {
			case "copy":
				paths := dlaPaths(in)
				if _, ok := in.Flag("from"); ok || len(paths) < 2 {
					continue
				}
				dst := paths[len(paths)-1]
				if dlaIsArchive(dst) {
					archives = append(archives, archive{in, dlaBaseNameAny(dst)})
					continue
				}
				for _, src := range paths[:len(paths)-1] {
					if dlaIsArchive(src) {
						archives = append(archives, archive{in, dlaBaseNameAny(src)})
					}
				}
			case "run":
				s := c.Script(in)
				if s == nil {
					continue
				}
				for _, cmd := range s.Commands {
					if !dlaIsExtract(cmd, cmd.Args) {
						continue
					}
					for _, a := range archives {
						if reported[a.in] {
							continue
						}
						for _, arg := range cmd.Positional() {
							if dlaBaseNameAny(arg) == a.name {
								reported[a.in] = true
								r.At(a.in, "Use ADD for extracting archives into an image: `ADD "+a.name+" <dir>` unpacks it in one layer instead of COPY plus a RUN that extracts it.")
								break
							}
						}
					}
				}
			}
		}
	}
}

// dlaPaths returns the source and destination words of COPY or ADD. BuildKit
// splits the shell form on whitespace only; hadolint keeps quoted words
// ("C:\\Program Files\\x") together, so the words are re-joined here.
func dlaPaths(in *dockerfile.Instruction) []string {
	if in.JSON {
		return in.Args
	}
	var out []string
	text := strings.Join(in.Args, " ")
	start, quote := -1, byte(0)
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == ' ' || ch == '\t':
			if start >= 0 {
				out = append(out, text[start:i])
				start = -1
			}
			continue
		case ch == '"' || ch == '\'':
			quote = ch
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, text[start:])
	}
	return out
}

// --- DL3011 / DL3012 --------------------------------------------------------

func checkDL3011(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "expose" {
			continue
		}
		for _, a := range in.Args {
			a = dlaUnquote(a)
			if strings.Contains(a, "$") {
				continue
			}
			p, _, _ := strings.Cut(a, "/")
			for _, part := range strings.Split(p, "-") {
				n, err := strconv.Atoi(part)
				if err == nil && (n < 0 || n > 65535) {
					r.At(in, "Valid UNIX ports range from 0 to 65535: `"+a+"` is out of range; expose the port the process really listens on.")
					goto next
				}
			}
		}
	next:
	}
}

func checkDL3012(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		n := 0
		for _, in := range st.Instructions {
			if in.Cmd == "healthcheck" {
				n++
				if n > 1 {
					r.At(in, "Multiple `HEALTHCHECK` instructions: only the last one takes effect; keep one per stage.")
				}
			}
		}
	}
}

// --- DL3020 / DL3021 --------------------------------------------------------

func dlaIsURL(s string) bool {
	s = dlaUnquote(s)
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "git://")
}

func checkDL3020(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		paths := dlaPaths(in)
		if in.Cmd != "add" || len(paths) < 2 || len(in.Heredocs) > 0 {
			continue
		}
		bad := false
		for _, src := range paths[:len(paths)-1] {
			if !dlaIsURL(src) && !dlaIsArchive(src) {
				bad = true
			}
		}
		if !bad {
			continue
		}
		r.Fix(in, "Use `COPY` instead of `ADD` for files and folders: ADD only adds remote URLs and archive extraction.", dlaAddToCopyFix(c, in, paths[:len(paths)-1]))
	}
}

func checkDL3021(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		paths := dlaPaths(in)
		if in.Cmd != "copy" || len(in.Heredocs) > 0 || len(paths) <= 2 {
			continue
		}
		dst := dlaUnquote(paths[len(paths)-1])
		if strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, `\`) {
			continue
		}
		r.At(in, "`COPY` with more than 2 arguments requires the last argument to end with `/`: write `"+dst+"/`.")
	}
}

// --- DL3022 / DL3023 / DL3024 -----------------------------------------------

func checkDL3022(c *Context, r *Reporter) {
	for _, in := range c.File.Instructions {
		if in.Cmd != "copy" {
			continue
		}
		from, ok := in.Flag("from")
		if !ok || from == "" || strings.Contains(from, ":") || strings.Contains(from, "$") {
			continue
		}
		cur := max(in.Stage, 0)
		if n, err := strconv.Atoi(from); err == nil {
			if n >= 0 && n < cur {
				continue
			}
		} else if dlaStageNamesBefore(c.File, cur)[strings.ToLower(from)] {
			continue
		} else if cur < len(c.File.Stages) && c.File.Stages[cur].Name == strings.ToLower(from) {
			continue // DL3023's case
		}
		if strings.ContainsAny(from, "/.") {
			r.At(in, "`COPY --from="+from+"` should reference a previously defined `FROM` alias; to copy from an image, pin it with a tag: `--from="+from+":<version>`.")
		} else {
			r.At(in, "`COPY --from="+from+"` should reference a previously defined `FROM` alias: name a stage with `FROM <image> AS "+from+"` above it.")
		}
	}
}

func checkDL3023(c *Context, r *Reporter) {
	for _, in := range c.File.Instructions {
		if in.Cmd != "copy" || in.Stage < 0 {
			continue
		}
		from, ok := in.Flag("from")
		if !ok {
			continue
		}
		if st := c.File.Stages[in.Stage]; st.Name != "" && st.Name == strings.ToLower(from) {
			r.At(in, "`COPY --from` cannot reference its own `FROM` alias `"+from+"`: copy from an earlier stage or from the build context.")
		}
	}
}

func checkDL3024(c *Context, r *Reporter) {
	seen := map[string]bool{}
	for _, st := range c.File.Stages {
		if st.Name == "" {
			continue
		}
		if seen[st.Name] {
			r.At(st.From, "`FROM` aliases (stage names) must be unique: `"+st.NameRaw+"` is already used; rename this stage.")
		}
		seen[st.Name] = true
	}
}

// --- DL3025 -----------------------------------------------------------------

func checkDL3025(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		switch in.Cmd {
		case "cmd", "entrypoint":
			if !in.JSON && len(in.Args) > 0 {
				r.At(in, "Use arguments JSON notation for CMD and ENTRYPOINT arguments: `"+strings.ToUpper(in.Cmd)+` ["executable", "arg"]`+"` gets signals; shell form runs under /bin/sh -c.")
			}
		case "healthcheck":
			if len(in.Args) == 0 || !strings.EqualFold(in.Args[0], "cmd") {
				continue
			}
			if !in.JSON {
				r.At(in, "Use arguments JSON notation for HEALTHCHECK CMD: `HEALTHCHECK CMD [\"executable\", \"arg\"]`.")
			}
		}
	}
}

// --- DL3026 -----------------------------------------------------------------

func dlaRegistryAllowed(reg string, trusted []string) bool {
	for _, t := range trusted {
		switch {
		case t == "*":
			return true
		case strings.HasPrefix(t, "*."):
			if strings.HasSuffix(reg, t[1:]) {
				return true
			}
		case t == reg:
			return true
		}
	}
	return false
}

func dlaImageAllowed(image string, trusted []string) bool {
	ref := dlaParseImage(image)
	if ref.registry == "" {
		if ref.name == "scratch" {
			return true
		}
		return dlaRegistryAllowed("docker.io", trusted) || dlaRegistryAllowed("hub.docker.com", trusted)
	}
	return dlaRegistryAllowed(ref.registry, trusted)
}

func checkDL3026(c *Context, r *Reporter) {
	if c.Config == nil || len(c.Config.TrustedRegistries) == 0 {
		return
	}
	trusted := c.Config.TrustedRegistries
	if len(trusted) == 0 {
		return
	}
	msg := func(image string) string {
		return "Use only an allowed registry in the `FROM image`: `" + image + "` is not from a trusted registry (" + strings.Join(trusted, ", ") + ")."
	}
	isStage := func(ref string, before int) bool {
		if _, err := strconv.Atoi(ref); err == nil {
			return true
		}
		return dlaStageNamesBefore(c.File, before)[strings.ToLower(ref)]
	}
	for _, in := range c.File.Instructions {
		cur := max(in.Stage, 0)
		switch in.Cmd {
		case "from":
			st := c.File.Stages[in.Stage]
			if st.Base == "" || strings.Contains(st.Base, "$") || isStage(st.Base, st.Index) {
				continue
			}
			if !dlaImageAllowed(st.Base, trusted) {
				r.At(in, msg(st.Base))
			}
		case "copy":
			from, ok := in.Flag("from")
			if !ok || from == "" || strings.Contains(from, "$") || isStage(from, cur+1) {
				continue
			}
			if !dlaImageAllowed(from, trusted) {
				r.At(in, msg(from))
			}
		case "run":
			for _, m := range in.Mounts {
				from := m.From
				if from == "" || strings.Contains(from, "$") || isStage(from, cur+1) {
					continue
				}
				if !dlaImageAllowed(from, trusted) {
					r.At(in, msg(from))
				}
			}
		}
	}
}

// --- DL3029 -----------------------------------------------------------------

func checkDL3029(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		if st.From == nil {
			continue
		}
		p, ok := st.From.Flag("platform")
		if !ok || strings.HasPrefix(dlaUnquote(p), "$") {
			continue
		}
		r.At(st.From, "Do not use --platform flag with FROM: `--platform="+p+"` pins the build to one platform; drop it, or use `--platform=$BUILDPLATFORM`/`$TARGETPLATFORM`.")
	}
}
