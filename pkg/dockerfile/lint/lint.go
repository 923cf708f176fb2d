// Package lint runs Dockerfile rules: hadolint's DL rules with hadolint's
// IDs, BuildKit's build checks with their names, ShellCheck (SC) when the
// binary is on PATH, and slimship's own SS size and cache rules.
package lint

import (
	"strings"
	"sync"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

// Rule is a Dockerfile rule: its description and its check.
type Rule struct {
	finding.Rule
	// Twins are the IDs of rules that report the same problem at the same
	// place (see WithTwins): the engine reports one finding for them.
	Twins []string
	// TwinsInStage pairs twin findings by stage and instruction kind
	// rather than by line (see WithStageTwins).
	TwinsInStage bool
	// BuildKit marks BuildKit's checks (made by bk), which `# check=`
	// directives skip.
	BuildKit bool
	Check    func(c *Context, r *Reporter)
}

// Options configure a run.
type Options struct {
	// Config holds the rules' settings (trusted registries, label schema,
	// inline ignore pragmas).
	Config *config.Config
	// Policy says which rules run and at what severity; nil means
	// Config's, with its rule IDs taken as written.
	Policy *finding.Policy
	// Dir is the Dockerfile's directory (build context), "" for stdin: rules
	// that look at .dockerignore or lockfiles skip then.
	Dir string
	// Rules to run; nil means All().
	Rules []Rule
	// Warn, when set, is told of what leaves the run incomplete (such as
	// ShellCheckMissing). Lint calls it once per file at most for each
	// message; callers linting files in parallel must make it safe for
	// concurrent use and report each message once.
	Warn func(msg string)
}

// Context is what a check sees.
type Context struct {
	File   *dockerfile.File
	Config *config.Config
	Dir    string

	warn       func(string)
	scripts    map[*dockerfile.Instruction]*shell.Script
	posix      map[*dockerfile.Instruction]bool
	effective  []*dockerfile.Instruction
	globalArgs bkEnvMap // built on first use by bkGlobalArgs; read-only
}

// Reporter collects one rule's findings.
type Reporter struct {
	rule finding.Rule
	file *dockerfile.File
	out  []finding.Finding
}

// At reports msg at an instruction ("" msg means the rule's description).
func (r *Reporter) At(in *dockerfile.Instruction, msg string) {
	r.Fix(in, msg, nil)
}

// Fix reports msg at an instruction with a machine-applicable fix.
func (r *Reporter) Fix(in *dockerfile.Instruction, msg string, fix *finding.Fix) {
	line, col, endLine := 1, 1, 0
	if in != nil {
		line, col, endLine = in.Line, in.Column, in.EndLine
	}
	r.add(line, col, endLine, msg, fix)
}

// AtLine reports msg at a line and column.
func (r *Reporter) AtLine(line, col int, msg string) {
	r.add(line, col, 0, msg, nil)
}

func (r *Reporter) add(line, col, endLine int, msg string, fix *finding.Fix) {
	if msg == "" {
		msg = r.rule.Description
	}
	f := finding.New(r.rule, finding.Location{File: r.file.Path, Line: line, Column: col}, msg)
	if endLine > line {
		f.EndLine = endLine
	}
	f.Fix = fix
	r.out = append(r.out, f)
}

// Lint runs the rules over f.
func Lint(f *dockerfile.File, opts Options) []finding.Finding {
	cfg := opts.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	rules := opts.Rules
	if rules == nil {
		rules = allRules() // read-only here
	}
	pol := opts.Policy
	if pol == nil {
		// IDs in the configuration are spelt as users spell them
		// ("dl3008"); a configuration naming an unknown rule gets no
		// policy here (the CLI reports it before linting).
		pol, _ = cfg.Policy(ruleIDs(), config.Flags{})
	}
	c := NewContext(f, cfg, opts.Dir)
	c.warn = opts.Warn
	groups, twinned := twinGroups(rules)
	var out []finding.Finding
	r := &Reporter{file: f} // one for all rules: a Rule is a large value
	for i := range rules {
		rule := &rules[i]
		// An ignored rule with twins still runs: its finding, merged
		// with a twin's, takes the twin's finding away with it (the
		// policy drops a finding when any of its IDs is ignored).
		if !pol.Runs(&rule.Rule) && !(twinned[rule.ID] && !rule.DefaultOff) {
			continue
		}
		r.rule, r.out = rule.Rule, r.out[:0]
		rule.Check(c, r)
		out = append(out, r.out...)
	}
	out = mergeTwins(f, out, groups, twinned)
	if !cfg.DisableIgnorePragma {
		out = applyPragmas(f, out)
	}
	out = applyCheckSkips(f, out)
	return pol.Apply(nil, out)
}

// NewContext prepares a context (exported for tests of single rules).
func NewContext(f *dockerfile.File, cfg *config.Config, dir string) *Context {
	c := &Context{File: f, Config: cfg, Dir: dir, scripts: map[*dockerfile.Instruction]*shell.Script{}, posix: map[*dockerfile.Instruction]bool{}}
	c.trackShells()
	for _, in := range f.Instructions {
		if in.Inner != nil {
			c.effective = append(c.effective, in.Inner)
			c.posix[in.Inner] = c.posix[in]
			continue
		}
		c.effective = append(c.effective, in)
	}
	return c
}

// Effective returns every instruction with an ONBUILD replaced by the
// instruction it carries, as hadolint checks ONBUILD RUN like RUN.
func (c *Context) Effective() []*dockerfile.Instruction { return c.effective }

// StageEffective is Effective for one stage.
func (c *Context) StageEffective(s *dockerfile.Stage) []*dockerfile.Instruction {
	var out []*dockerfile.Instruction
	for _, in := range s.Instructions {
		if in.Inner != nil {
			out = append(out, in.Inner)
		} else {
			out = append(out, in)
		}
	}
	return out
}

// Script returns the parsed shell of a RUN (or ONBUILD RUN). It returns nil
// when the instruction is not a RUN or its shell is not POSIX (SHELL
// ["powershell"...] or a `# hadolint shell=` pragma).
func (c *Context) Script(in *dockerfile.Instruction) *shell.Script {
	if in.Cmd != "run" || !c.posix[in] {
		return nil
	}
	if s, ok := c.scripts[in]; ok {
		return s
	}
	s := shell.Parse(in.Code.Text)
	c.scripts[in] = s
	return s
}

// Warn passes msg to Options.Warn.
func (c *Context) Warn(msg string) {
	if c.warn != nil {
		c.warn(msg)
	}
}

// IsPOSIX reports whether the instruction runs under a POSIX shell.
func (c *Context) IsPOSIX(in *dockerfile.Instruction) bool { return c.posix[in] }

var shellPragma = lazyre.New(`^hadolint\s+shell\s*=\s*(\S+)`)

func posixShell(name string) bool {
	name = strings.ToLower(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	switch strings.TrimSuffix(name, ".exe") {
	case "sh", "bash", "ash", "dash", "zsh", "ksh", "busybox":
		return true
	}
	return false
}

func (c *Context) trackShells() {
	f := c.File
	global := true
	ci := 0
	pragmaUntil := func(line int) {
		for ci < len(f.Comments) && f.Comments[ci].Line < line {
			if m := shellPragma.FindStringSubmatch(f.Comments[ci].Text); m != nil {
				global = posixShell(m[1])
			}
			ci++
		}
	}
	stageShell := map[int]bool{}
	for _, in := range f.Instructions {
		pragmaUntil(in.Line)
		cur, ok := stageShell[in.Stage]
		if !ok || in.Cmd == "from" {
			cur = global
		}
		if in.Cmd == "shell" && len(in.Args) > 0 {
			cur = posixShell(in.Args[0])
		}
		stageShell[in.Stage] = cur
		c.posix[in] = cur && global
	}
}

// Edit builds a finding.Edit replacing [start,end) of the file with text.
// The edit names the file's path, as findings do.
func Edit(f *dockerfile.File, start, end int, text string) finding.Edit {
	line, col := f.LineCol(start)
	return finding.Edit{File: f.Path, Offset: start, Length: end - start, Line: line, Column: col, NewText: text}
}

// ruleIDs resolves rule IDs as users spell them, over this domain's rules.
var ruleIDs = sync.OnceValue(func() *config.IDs {
	return config.LazyIDs(func() []finding.Rule {
		var rs []finding.Rule
		for _, r := range All() {
			rs = append(rs, r.Rule)
		}
		return rs
	})
})
