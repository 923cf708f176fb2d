package lint

// BuildKit's build checks (`docker build --check`) that have no hadolint
// twin, with BuildKit's rule names as IDs and BuildKit's own rule table
// (linter.Rule*) for the description, docs URL and message. A check that
// twins a DL rule lives next to it (JSONArgsRecommended in rules_shell.go,
// DuplicateStageName in rules_from.go, ...). BuildKit has no per-rule
// severity: all are warnings, errors under `# check=error=true`.
// `# check=skip=A,B` (or skip=all) in the parser directives, or in a
// comment right above an instruction, turns rules off as BuildKit does.
//
// What a static linter cannot know (the base image's environment, build
// args given on the command line) is resolved towards silence: UndefinedVar
// only reports in stages that start FROM scratch, or when the name is a
// likely typo of a defined one.

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

func buildkitRules() []Rule {
	return []Rule{
		bk(linter.RuleStageNameCasing, finding.Spec{Category: finding.Maintainability,
			Remediation: "Write stage names in lowercase."}, bkCheckStageNameCasing),
		bk(linter.RuleFromAsCasing, finding.Spec{Category: finding.Maintainability,
			Remediation: "Write `AS` in the same case as `FROM`."}, bkCheckFromAsCasing),
		bk(linter.RuleNoEmptyContinuation, finding.Spec{Category: finding.Correctness,
			Remediation: "Remove empty lines inside a continued instruction, or end them with a comment."}, bkCheckNoEmptyContinuation),
		bk(linter.RuleConsistentInstructionCasing, finding.Spec{Category: finding.Maintainability,
			Remediation: "Write all instruction keywords in the same case, uppercase by convention."}, bkCheckConsistentCasing),
		bk(linter.RuleUndefinedArgInFrom, finding.Spec{Category: finding.Correctness,
			Remediation: "Declare the ARG used in FROM before the first FROM."}, bkCheckUndefinedArgInFrom),
		bk(linter.RuleUndefinedVar, finding.Spec{Category: finding.Correctness,
			Remediation: "Declare the variable with ARG or ENV before using it, or correct its spelling."}, bkCheckUndefinedVar),
		bk(linter.RuleLegacyKeyValueFormat, finding.Spec{Category: finding.Maintainability,
			Remediation: "Write ENV and LABEL as `key=value`."}, bkCheckLegacyKeyValue),
		bk(linter.RuleInvalidDefaultArgInFrom, finding.Spec{Category: finding.Correctness,
			Remediation: "Give the ARG used in FROM a default value that makes a valid image reference."}, bkCheckInvalidDefaultArgInFrom),
		bk(linter.RuleCopyIgnoredFile, finding.Spec{Category: finding.Correctness,
			Remediation: "Remove the path from .dockerignore, or do not copy it."}, bkCheckCopyIgnoredFile),
		bk(linter.RuleInvalidDefinitionDescription, finding.Spec{Category: finding.Maintainability,
			Remediation: "Start the comment above a stage or ARG with its name, as `# name description`."}, bkCheckDefinitionDescription),
	}
}

// bk turns one of BuildKit's rules into a slimship rule: s gives the
// category and remediation; the ID, description and docs URL are
// BuildKit's, the severity a warning (BuildKit has no per-rule severity),
// and experimental rules are off by default, as in BuildKit.
func bk[F any](lr linter.LinterRule[F], s finding.Spec, check func(*Context, *Reporter, F)) Rule {
	s.ID, s.Severity, s.Description, s.DocsURL, s.DefaultOff = lr.Name, finding.Warning, lr.Description, lr.URL, lr.Experimental
	// `# check=skip=` is applied by the engine (applyCheckSkips), after
	// twin findings are merged.
	bkRule := rule(s, func(c *Context, r *Reporter) {
		check(c, r, lr.Format)
		if bkCheckAsError(c.File.Directives["check"]) {
			for i := range r.out {
				r.out[i].Severity = finding.Error
			}
		}
	})
	bkRule.BuildKit = true
	return bkRule
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
		if p := parentStage(c.File, s); p != nil && vars[p.Index] != nil {
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
		if !validReference(res.Result) {
			r.At(s.From, format(s.Base))
		}
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
