package lint

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// BuildKit's build checks (`docker build --check`), with BuildKit's rule
// names as IDs and BuildKit's own rule table (linter.Rule*) for the
// description, docs URL and message. BuildKit has no per-rule severity: all
// are warnings, errors under `# check=error=true`. `# check=skip=A,B` (or
// skip=all) in the parser directives, or in a comment right above an
// instruction, turns rules off as BuildKit does.
//
// What a static linter cannot know (the base image's environment, build
// args given on the command line) is resolved towards silence: UndefinedVar
// only reports in stages that start FROM scratch, or when the name is a
// likely typo of a defined one.
func buildkitRules() []Rule {
	return []Rule{
		bk(linter.RuleStageNameCasing, finding.Maintainability, bkCheckStageNameCasing),
		bk(linter.RuleFromAsCasing, finding.Maintainability, bkCheckFromAsCasing),
		bk(linter.RuleNoEmptyContinuation, finding.Correctness, bkCheckNoEmptyContinuation),
		bk(linter.RuleConsistentInstructionCasing, finding.Maintainability, bkCheckConsistentCasing),
		bk(linter.RuleDuplicateStageName, finding.Correctness, bkCheckDuplicateStageName),
		bk(linter.RuleReservedStageName, finding.Correctness, bkCheckReservedStageName),
		bk(linter.RuleJSONArgsRecommended, finding.Correctness, bkCheckJSONArgsRecommended),
		bk(linter.RuleMaintainerDeprecated, finding.Maintainability, bkCheckMaintainerDeprecated),
		bk(linter.RuleUndefinedArgInFrom, finding.Correctness, bkCheckUndefinedArgInFrom),
		bk(linter.RuleWorkdirRelativePath, finding.Correctness, bkCheckWorkdirRelativePath),
		bk(linter.RuleUndefinedVar, finding.Correctness, bkCheckUndefinedVar),
		bk(linter.RuleMultipleInstructionsDisallowed, finding.Correctness, bkCheckMultipleInstructions),
		bk(linter.RuleLegacyKeyValueFormat, finding.Maintainability, bkCheckLegacyKeyValue),
		bk(linter.RuleRedundantTargetPlatform, finding.Maintainability, bkCheckRedundantTargetPlatform),
		bk(linter.RuleSecretsUsedInArgOrEnv, finding.Security, bkCheckSecretsInArgOrEnv),
		bk(linter.RuleInvalidDefaultArgInFrom, finding.Correctness, bkCheckInvalidDefaultArgInFrom),
		bk(linter.RuleFromPlatformFlagConstDisallowed, finding.Correctness, bkCheckFromPlatformConst),
		bk(linter.RuleCopyIgnoredFile, finding.Correctness, bkCheckCopyIgnoredFile),
		bk(linter.RuleInvalidDefinitionDescription, finding.Maintainability, bkCheckDefinitionDescription),
		bk(linter.RuleExposeProtoCasing, finding.Maintainability, bkCheckExposeProtoCasing),
		bk(linter.RuleExposeInvalidFormat, finding.Correctness, bkCheckExposeInvalidFormat),
	}
}

// bk turns one of BuildKit's rules into a slimship rule. Experimental rules
// are off by default, as in BuildKit.
func bk[F any](lr linter.LinterRule[F], cat finding.Category, check func(*Context, *Reporter, F)) Rule {
	fr := finding.Rule{ID: lr.Name, Severity: finding.Warning, Category: cat, Domain: finding.Dockerfile,
		Description: lr.Description, DocsURL: lr.URL, DefaultOff: lr.Experimental}
	// `# check=skip=` is applied by the engine (applyCheckSkips), after
	// twin findings are merged.
	return Rule{Rule: fr, Check: func(c *Context, r *Reporter) {
		check(c, r, lr.Format)
		if bkCheckAsError(c.File.Directives["check"]) {
			for i := range r.out {
				r.out[i].Severity = finding.Error
			}
		}
	}}
}

// bkCheckSkips reports whether a `check=` directive value skips rule.
func bkCheckSkips(directive, rule string) bool {
	if directive == "" {
		return false
	}
	v, _, _ := strings.Cut(directive, " ")
	cfg, err := linter.ParseLintOptions(v)
	if err != nil {
		return false
	}
	return cfg.SkipAll || slices.Contains(cfg.SkipRules, rule)
}

func bkCheckAsError(directive string) bool {
	if directive == "" {
		return false
	}
	v, _, _ := strings.Cut(directive, " ")
	cfg, err := linter.ParseLintOptions(v)
	return err == nil && cfg.ReturnAsError
}

var bkCheckCommentRe = lazyre.New(`^check\s*=\s*(\S+)`)

// bkSkippedAt applies a `# check=skip=...` comment right above the
// instruction starting at line, as BuildKit merges an instruction's
// preceding comments into its lint configuration.
func bkSkippedAt(f *dockerfile.File, line int, rule string) bool {
	in := bkInstructionAt(f, line)
	if in == nil || in.Node == nil {
		return false
	}
	for _, cm := range in.Node.PrevComment {
		if m := bkCheckCommentRe.FindStringSubmatch(cm); m != nil && bkCheckSkips(m[1], rule) {
			return true
		}
	}
	return false
}

func bkInstructionAt(f *dockerfile.File, line int) *dockerfile.Instruction {
	i := sort.Search(len(f.Instructions), func(i int) bool { return f.Instructions[i].Line >= line })
	if i < len(f.Instructions) && f.Instructions[i].Line == line {
		return f.Instructions[i]
	}
	return nil
}

func bkKeyword(in *dockerfile.Instruction) string {
	if in.Node != nil && in.Node.Value != "" {
		return in.Node.Value
	}
	return in.Keyword
}

func bkCheckStageNameCasing(c *Context, r *Reporter, format func(string) string) {
	for _, s := range c.File.Stages {
		if s.From != nil && len(s.From.Args) == 3 && s.From.Args[2] != strings.ToLower(s.From.Args[2]) {
			r.At(s.From, format(s.From.Args[2]))
		}
	}
}

func bkCheckFromAsCasing(c *Context, r *Reporter, format func(string, string) string) {
	for _, s := range c.File.Stages {
		in := s.From
		if in == nil || len(in.Args) != 3 {
			continue
		}
		from, as := bkKeyword(in), in.Args[1]
		switch {
		case from == strings.ToLower(from) && as != strings.ToLower(as),
			from == strings.ToUpper(from) && as != strings.ToUpper(as):
			r.At(in, format(from, as))
		}
	}
}

func bkCheckNoEmptyContinuation(c *Context, r *Reporter, format func() string) {
	for _, w := range c.File.Warnings {
		if w.URL != linter.RuleNoEmptyContinuation.URL {
			continue
		}
		line := 1
		if w.Location != nil {
			line = w.Location.Start.Line
		}
		r.AtLine(line, 1, format())
	}
}

// bkStageCommands are the instructions BuildKit dispatches for a stage: FROM
// excluded, ONBUILD triggers not expanded.
func bkStageCommands(s *dockerfile.Stage) []*dockerfile.Instruction {
	if len(s.Instructions) > 0 && s.Instructions[0] == s.From {
		return s.Instructions[1:]
	}
	return s.Instructions
}

func bkCheckConsistentCasing(c *Context, r *Reporter, format func(string, string) string) {
	var all []*dockerfile.Instruction
	for _, s := range c.File.Stages {
		if s.From != nil {
			all = append(all, s.From)
		}
		all = append(all, bkStageCommands(s)...)
	}
	lower, upper := 0, 0
	for _, in := range all {
		k := bkKeyword(in)
		switch k {
		case strings.ToLower(k):
			lower++
		case strings.ToUpper(k):
			upper++
		}
	}
	majorityLower := lower > upper
	for _, in := range all {
		k := bkKeyword(in)
		if majorityLower && k != strings.ToLower(k) {
			r.At(in, format(k, "lowercase"))
		} else if !majorityLower && k != strings.ToUpper(k) {
			r.At(in, format(k, "uppercase"))
		}
	}
}

func bkCheckDuplicateStageName(c *Context, r *Reporter, format func(string) string) {
	seen := map[string]bool{}
	for _, s := range c.File.Stages {
		if s.Name == "" {
			continue
		}
		if seen[s.Name] {
			r.At(s.From, format(s.Name))
		}
		seen[s.Name] = true
	}
}

func bkCheckReservedStageName(c *Context, r *Reporter, format func(string) string) {
	for _, s := range c.File.Stages {
		if s.Name == "context" || s.Name == "scratch" {
			r.At(s.From, format(s.Name))
		}
	}
}

// bkParentStage returns the in-file stage s builds on, or nil.
func bkParentStage(f *dockerfile.File, s *dockerfile.Stage) *dockerfile.Stage {
	if s.From == nil || s.Base == "" {
		return nil
	}
	return f.StageByRef(s.Base, s.Index)
}

func bkCheckJSONArgsRecommended(c *Context, r *Reporter, format func(string) string) {
	// shellSet: the stage (or a stage it builds on) ran SHELL, so BuildKit
	// sees a configured shell and stays quiet.
	shellSet := map[int]bool{}
	for _, s := range c.File.Stages {
		set := false
		if p := bkParentStage(c.File, s); p != nil {
			set = shellSet[p.Index]
		}
		for _, in := range bkStageCommands(s) {
			switch in.Cmd {
			case "shell":
				set = true
			case "cmd", "entrypoint":
				if !in.JSON && !set {
					r.At(in, format(bkKeyword(in)))
				}
			}
		}
		shellSet[s.Index] = set
	}
}

func bkCheckMaintainerDeprecated(c *Context, r *Reporter, format func() string) {
	for _, in := range c.File.Instructions {
		if in.Cmd == "maintainer" {
			r.At(in, format())
		}
	}
}

// bkBuiltinArgs are the ARGs BuildKit defines for every build, with the values
// of a linux/amd64 build.
var bkBuiltinArgs = map[string]string{
	"BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDOSVERSION": "", "BUILDARCH": "amd64", "BUILDVARIANT": "",
	"TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETOSVERSION": "", "TARGETARCH": "amd64", "TARGETVARIANT": "",
	"TARGETSTAGE": "default",
}

// bkPredefinedArgs are build args Docker accepts without an ARG
// instruction, and PATH, which BuildKit sets in every stage.
var bkPredefinedArgs = map[string]bool{"PATH": true,
	"HTTP_PROXY": true, "http_proxy": true, "HTTPS_PROXY": true, "https_proxy": true, "FTP_PROXY": true,
	"ftp_proxy": true, "NO_PROXY": true, "no_proxy": true, "ALL_PROXY": true, "all_proxy": true,
}

// bkEnvMap is a shell.EnvGetter over known names (values may be placeholders).
type bkEnvMap map[string]string

func (e bkEnvMap) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }

func (e bkEnvMap) Keys() []string {
	out := make([]string, 0, len(e))
	for k := range e {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func bkArgKeyValue(word string) (string, *string) {
	k, v, ok := strings.Cut(word, "=")
	if !ok {
		return k, nil
	}
	return k, &v
}

// bkGlobalArgs returns the meta ARGs with their defaults expanded, plus
// BuildKit's builtin args, as FROM sees them without --build-arg. It is
// built once per file; callers must not change it.
func (c *Context) bkGlobalArgs() bkEnvMap {
	if c.globalArgs == nil {
		c.globalArgs = c.buildGlobalArgs()
	}
	return c.globalArgs
}

func (c *Context) buildGlobalArgs() bkEnvMap {
	env := bkEnvMap{}
	for k, v := range bkBuiltinArgs {
		env[k] = v
	}
	lex := bkshell.NewLex(c.File.Escape)
	for _, in := range c.File.MetaArgs {
		for _, a := range in.Args {
			k, v := bkArgKeyValue(a)
			if v == nil {
				if _, ok := env[k]; !ok {
					env[k] = ""
				}
				continue
			}
			res, err := lex.ProcessWordWithMatches(*v, env)
			if err != nil {
				env[k] = *v
				continue
			}
			env[k] = res.Result
		}
	}
	return env
}

func bkMetaArgKeys(c *Context) map[string]bool {
	keys := map[string]bool{}
	for _, in := range c.File.MetaArgs {
		for _, a := range in.Args {
			k, _ := bkArgKeyValue(a)
			keys[k] = true
		}
	}
	for k := range bkBuiltinArgs {
		keys[k] = true
	}
	return keys
}

func bkCheckUndefinedArgInFrom(c *Context, r *Reporter, format func(string, string) string) {
	uses := false
	for _, s := range c.File.Stages {
		uses = uses || strings.Contains(s.Base, "$") || strings.Contains(s.Platform, "$")
	}
	if !uses {
		return
	}
	env := c.bkGlobalArgs()
	declared := bkMetaArgKeys(c)
	var options []string
	for k := range declared {
		options = append(options, k)
	}
	sort.Strings(options)
	lex := bkshell.NewLex(c.File.Escape)
	for _, s := range c.File.Stages {
		if s.From == nil {
			continue
		}
		words := []string{s.Base}
		if s.Platform != "" {
			words = append(words, s.Platform)
		}
		for _, w := range words {
			res, _ := lex.ProcessWordWithMatches(w, env)
			for _, name := range bkSortedKeys(res.Unmatched) {
				if declared[name] {
					continue
				}
				r.At(s.From, format(name, bkSuggest(name, options)))
			}
		}
	}
}

func bkSortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var bkWindowsAbs = lazyre.New(`^[A-Za-z]:[\\/]`)

func bkCheckWorkdirRelativePath(c *Context, r *Reporter, format func(string) string) {
	set := map[int]bool{}
	for _, s := range c.File.Stages {
		done := false
		if p := bkParentStage(c.File, s); p != nil {
			done = set[p.Index]
		}
		for _, in := range bkStageCommands(s) {
			if in.Cmd != "workdir" || len(in.Args) == 0 {
				continue
			}
			if !done {
				p := strings.Trim(in.Args[0], `"'`)
				// A path starting with a variable may well be absolute.
				if !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "$") && !strings.HasPrefix(p, `\`) && !bkWindowsAbs.MatchString(p) {
					r.At(in, format(p))
				}
			}
			done = true
		}
		set[s.Index] = done
	}
}

// bkStageVars tracks which names a stage's instructions can expand: ARG and
// ENV keys of the stage and the stages it builds on. rootScratch is true
// when the chain starts FROM scratch, where no other name can exist.
type bkStageVars struct {
	defined     map[string]bool
	rootScratch bool
}

func bkCheckUndefinedVar(c *Context, r *Reporter, format func(string, string) string) {
	vars := map[int]*bkStageVars{}
	lex := bkshell.NewLex(c.File.Escape)
	for _, s := range c.File.Stages {
		sv := &bkStageVars{defined: map[string]bool{}}
		if p := bkParentStage(c.File, s); p != nil && vars[p.Index] != nil {
			for k := range vars[p.Index].defined {
				sv.defined[k] = true
			}
			sv.rootScratch = vars[p.Index].rootScratch
		} else {
			sv.rootScratch = strings.EqualFold(s.Base, "scratch")
		}
		vars[s.Index] = sv
		if s.From == nil {
			sv.rootScratch = false
		}
		for _, in := range bkStageCommands(s) {
			var words []string
			switch in.Cmd {
			case "env", "label":
				for i := 0; i+1 < len(in.Args); i += 3 {
					words = append(words, in.Args[i], in.Args[i+1])
				}
			case "copy", "add":
				if len(in.Heredocs) == 0 {
					words = append(words, in.Args...)
				}
				for _, fl := range []string{"chown", "chmod"} {
					if v, ok := in.Flag(fl); ok {
						words = append(words, v)
					}
				}
			case "workdir", "user", "volume", "stopsignal":
				words = append(words, in.Args...)
			case "arg":
				for _, a := range in.Args {
					if _, v := bkArgKeyValue(a); v != nil {
						words = append(words, *v)
					}
				}
			}
			var env bkEnvMap
			reported := map[string]bool{}
			for _, w := range words {
				if !strings.Contains(w, "$") {
					continue
				}
				if env == nil {
					env = bkEnvMap{}
					for k := range sv.defined {
						env[k] = "x"
					}
				}
				res, _ := lex.ProcessWordWithMatches(w, env)
				for _, name := range bkSortedKeys(res.Unmatched) {
					_, builtin := bkBuiltinArgs[name]
					if reported[name] || builtin || bkPredefinedArgs[name] || strings.HasPrefix(name, "BUILDKIT_") {
						continue
					}
					reported[name] = true
					sug := bkSuggest(name, env.Keys())
					// Outside FROM scratch the base image may define the
					// name: report only likely typos of a defined name.
					if !sv.rootScratch && sug == "" {
						continue
					}
					r.At(in, format(name, sug))
				}
			}
			switch in.Cmd {
			case "env":
				for i := 0; i < len(in.Args); i += 3 {
					sv.defined[in.Args[i]] = true
				}
			case "arg":
				for _, a := range in.Args {
					k, _ := bkArgKeyValue(a)
					sv.defined[k] = true
				}
			}
		}
	}
}

// bkSuggest returns the option closest to name when it is close enough to be
// a likely typo (BuildKit's util/bkSuggest: Levenshtein distance, case
// insensitive, at most a third of the name).
func bkSuggest(name string, options []string) string {
	best, bestD := "", -1
	for _, o := range options {
		if o == name {
			continue
		}
		d := bkLevenshtein(strings.ToLower(name), strings.ToLower(o))
		if bestD < 0 || d < bestD {
			best, bestD = o, d
		}
	}
	if bestD < 0 || bestD > len(name)/3 || bestD == 0 && best == "" {
		return ""
	}
	return best
}

func bkLevenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func bkCheckMultipleInstructions(c *Context, r *Reporter, format func(string) string) {
	for _, s := range c.File.Stages {
		last := map[string]*dockerfile.Instruction{}
		for _, in := range bkStageCommands(s) {
			switch in.Cmd {
			case "cmd", "entrypoint", "healthcheck":
				// BuildKit reports the earlier one: it is the one ignored.
				if prev := last[in.Cmd]; prev != nil {
					r.At(prev, format(bkKeyword(prev)))
				}
				last[in.Cmd] = in
			}
		}
	}
}

func bkCheckLegacyKeyValue(c *Context, r *Reporter, format func(string) string) {
	for _, s := range c.File.Stages {
		for _, in := range bkStageCommands(s) {
			if in.Cmd != "env" && in.Cmd != "label" {
				continue
			}
			for i := 2; i < len(in.Args); i += 3 {
				if in.Args[i] == "" {
					r.At(in, format(bkKeyword(in)))
					break
				}
			}
		}
	}
}

func bkCheckRedundantTargetPlatform(c *Context, r *Reporter, format func(string) string) {
	env := c.bkGlobalArgs()
	lex := bkshell.NewLex(c.File.Escape)
	for _, s := range c.File.Stages {
		if s.From == nil || s.Platform == "" {
			continue
		}
		res, err := lex.ProcessWordWithMatches(s.Platform, env)
		if err != nil || len(res.Matched) != 1 || len(res.Unmatched) != 0 {
			continue
		}
		if _, ok := res.Matched["TARGETPLATFORM"]; ok && res.Result == env["TARGETPLATFORM"] {
			r.At(s.From, format(s.Platform))
		}
	}
}

var (
	bkSecretDeny  = lazyre.New(`(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)`)
	bkSecretAllow = lazyre.New(`(?i)(?:_|^)(?:public|file|version)(?:_|$)`)
)

func bkCheckSecretsInArgOrEnv(c *Context, r *Reporter, format func(string, string) string) {
	for _, s := range c.File.Stages {
		for _, in := range bkStageCommands(s) {
			var keys []string
			switch in.Cmd {
			case "env":
				for i := 0; i < len(in.Args); i += 3 {
					keys = append(keys, in.Args[i])
				}
			case "arg":
				for _, a := range in.Args {
					k, _ := bkArgKeyValue(a)
					keys = append(keys, k)
				}
			default:
				continue
			}
			for _, k := range keys {
				if bkSecretDeny.MatchString(k) && !bkSecretAllow.MatchString(k) {
					r.At(in, format(strings.ToUpper(in.Cmd), k))
				}
			}
		}
	}
}

func bkCheckInvalidDefaultArgInFrom(c *Context, r *Reporter, format func(string) string) {
	if len(c.File.MetaArgs) == 0 {
		return
	}
	env := c.bkGlobalArgs()
	lex := bkshell.NewLex(c.File.Escape)
	for _, s := range c.File.Stages {
		if s.From == nil || !strings.Contains(s.Base, "$") {
			continue
		}
		res, err := lex.ProcessWordWithMatches(s.Base, env)
		if err != nil {
			continue
		}
		if !bkValidReference(res.Result) {
			r.At(s.From, format(s.Base))
		}
	}
}

var bkTagRe = lazyre.New(`^[\w][\w.-]{0,127}$`)

// bkValidReference approximates distribution/reference's
// ParseNormalizedNamed on top of go-containerregistry's parser, which is
// more lenient about tags ("golang:-alpine") and empty path components.
func bkValidReference(ref string) bool {
	if _, err := name.ParseReference(ref); err != nil {
		return false
	}
	if strings.Contains(ref, "//") {
		return false
	}
	rest, _, _ := strings.Cut(ref, "@")
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		return bkTagRe.MatchString(rest[i+1:])
	}
	return true
}

var bkArchAliases = map[string]string{
	"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm", "armel": "arm",
	"i386": "386", "i486": "386", "i586": "386", "i686": "386",
}

var bkKnownOS = map[string]bool{
	"aix": true, "android": true, "darwin": true, "dragonfly": true, "freebsd": true, "illumos": true, "ios": true,
	"js": true, "linux": true, "netbsd": true, "openbsd": true, "plan9": true, "solaris": true, "wasip1": true, "windows": true,
}

// bkParsePlatform splits os/arch[/variant] the way containerd's platforms
// package normalises it; ok is false for what it would reject.
func bkParsePlatform(s string) (os, arch string, ok bool) {
	parts := strings.Split(strings.ToLower(s), "/")
	norm := func(a string) string {
		if n, ok := bkArchAliases[a]; ok {
			return n
		}
		return a
	}
	switch len(parts) {
	case 1:
		if bkKnownOS[parts[0]] {
			return parts[0], "amd64", true
		}
		return "linux", norm(parts[0]), parts[0] != ""
	case 2, 3:
		if parts[0] == "" || parts[1] == "" {
			return "", "", false
		}
		return parts[0], norm(parts[1]), true
	}
	return "", "", false
}

func bkCheckFromPlatformConst(c *Context, r *Reporter, format func(string) string) {
	lex := bkshell.NewLex(c.File.Escape)
	env := c.bkGlobalArgs()
	for _, s := range c.File.Stages {
		if s.From == nil || s.Platform == "" {
			continue
		}
		res, err := lex.ProcessWordWithMatches(s.Platform, env)
		if err != nil || len(res.Matched) > 0 || len(res.Unmatched) > 0 {
			continue
		}
		osName, arch, ok := bkParsePlatform(res.Result)
		if !ok || strings.Contains(s.Name, osName) || strings.Contains(s.Name, arch) {
			continue
		}
		r.At(s.From, format(res.Result))
	}
}

// bkDockerignore reads the build context's ignore file: <Dockerfile>.bkDockerignore
// next to the Dockerfile, else .bkDockerignore.
func bkDockerignore(c *Context) *patternmatcher.PatternMatcher {
	if c.Dir == "" {
		return nil
	}
	candidates := []string{filepath.Join(c.Dir, ".dockerignore")}
	if base := filepath.Base(c.File.Path); base != "" && base != "." {
		candidates = append([]string{filepath.Join(c.Dir, base+".dockerignore")}, candidates...)
	}
	for _, p := range candidates {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil
		}
		pm, err := patternmatcher.New(patterns)
		if err != nil {
			return nil
		}
		return pm
	}
	return nil
}

func bkCheckCopyIgnoredFile(c *Context, r *Reporter, format func(string, string) string) {
	pm := bkDockerignore(c)
	// Exclusions (!pattern) make static matching unreliable: BuildKit
	// skips the check then too.
	if pm == nil || pm.Exclusions() {
		return
	}
	rootIgnored := false
	for _, p := range pm.Patterns() {
		switch p.String() {
		case "*", "**", "**/*":
			rootIgnored = true
		}
	}
	for _, s := range c.File.Stages {
		for _, in := range bkStageCommands(s) {
			if (in.Cmd != "copy" && in.Cmd != "add") || len(in.Heredocs) > 0 || len(in.Args) < 2 {
				continue
			}
			if _, from := in.Flag("from"); from {
				continue
			}
			cmd := "Copy"
			if in.Cmd == "add" {
				cmd = "Add"
			}
			srcs := in.Args[:len(in.Args)-1]
			for _, src := range srcs {
				if strings.Contains(src, "$") || strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
					continue
				}
				src = filepath.ToSlash(filepath.Clean(src))
				if (src == "." || src == "/") && !rootIgnored {
					continue
				}
				match := strings.TrimPrefix(src, "/")
				if match == "" {
					match = "."
				}
				if ok, err := pm.MatchesOrParentMatches(match); err == nil && ok {
					r.At(in, format(cmd, src))
				}
			}
		}
	}
}

func bkCheckDefinitionDescription(c *Context, r *Reporter, format func(string, string) string) {
	check := func(in *dockerfile.Instruction, instruction string, keys []string) {
		if in.Node == nil || len(in.Node.PrevComment) == 0 || len(keys) == 0 {
			return
		}
		last := in.Node.PrevComment[len(in.Node.PrevComment)-1]
		first, _, _ := strings.Cut(last, " ")
		if slices.Contains(keys, first) {
			return
		}
		example := keys[0]
		if len(keys) > 1 {
			example = "<arg_key>"
		}
		r.At(in, format(instruction, example))
	}
	for _, in := range c.File.Instructions {
		switch in.Cmd {
		case "from":
			if st := c.File.Stages[in.Stage]; st.Name != "" {
				check(in, "FROM", []string{st.Name})
			}
		case "arg":
			var keys []string
			for _, a := range in.Args {
				k, _ := bkArgKeyValue(a)
				keys = append(keys, k)
			}
			check(in, "ARG", keys)
		}
	}
}

// bkExposePorts yields EXPOSE words with the stage's variables unresolved
// ones skipped (their value is unknown).
func bkExposePorts(c *Context, yield func(in *dockerfile.Instruction, port string)) {
	for _, s := range c.File.Stages {
		for _, in := range bkStageCommands(s) {
			if in.Cmd != "expose" {
				continue
			}
			for _, p := range in.Args {
				if strings.Contains(p, "$") {
					continue
				}
				yield(in, strings.Trim(p, `"'`))
			}
		}
	}
}

func bkCheckExposeProtoCasing(c *Context, r *Reporter, format func(string) string) {
	bkExposePorts(c, func(in *dockerfile.Instruction, port string) {
		parts := strings.Split(port, ":")
		_, proto, _ := strings.Cut(parts[len(parts)-1], "/")
		if proto != strings.ToLower(proto) {
			r.At(in, format(port))
		}
	})
}

func bkCheckExposeInvalidFormat(c *Context, r *Reporter, format func(string) string) {
	bkExposePorts(c, func(in *dockerfile.Instruction, port string) {
		if strings.Contains(port, ":") {
			r.At(in, format(port))
		}
	})
}
