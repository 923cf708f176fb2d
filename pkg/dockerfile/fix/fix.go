// Package fix applies the machine-applicable fixes that lint rules record,
// plus structural rewrites no single finding carries (merging consecutive
// RUNs). It works to a fixpoint: fixing the result again changes nothing.
// Every pass re-parses the result; a pass whose output does not parse is
// rolled back, so a fix never leaves a broken Dockerfile.
package fix

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
	"github.com/slimship/slimship/pkg/finding"
)

// MergeRunsID is the rule whose findings the RUN merge answers (hadolint's
// "multiple consecutive RUN instructions").
const MergeRunsID = "DL3059"

// Options tune a fix run.
type Options struct {
	// Rules limits fixes to these rule IDs (nil: every rule).
	Rules []string
	// OptIn enables fixes that can change behaviour (SS001 slim base,
	// SS007 non-root user) for these rule IDs.
	OptIn []string
	// NoMergeRuns turns off merging consecutive RUNs.
	NoMergeRuns bool
	Config      *config.Config
	// Dir is the build context, for rules that look at files there and for
	// new files a fix creates (.dockerignore).
	Dir string
	// MaxPasses bounds the fixpoint loop (default 8).
	MaxPasses int
}

// Applied is one fix that was applied.
type Applied struct {
	RuleID      string
	Line        int
	Description string
}

// Skipped is a finding left alone, with the reason.
type Skipped struct {
	finding.Finding
	Reason string
}

// Result of a fix run.
type Result struct {
	Name            string
	Original, Fixed []byte
	Applied         []Applied
	Skipped         []Skipped
	// Files are other files a fix creates or changes (.dockerignore),
	// keyed by path relative to Dir; Existing marks the changed ones.
	Files    map[string][]byte
	Existing map[string]bool
	// Before and After are the findings of the input and the output.
	Before, After []finding.Finding
}

// Changed reports whether anything would be written.
func (r *Result) Changed() bool {
	return string(r.Original) != string(r.Fixed) || len(r.Files) > 0
}

func (o Options) allowed(id string) bool {
	if len(o.Rules) == 0 {
		return true
	}
	for _, r := range o.Rules {
		if strings.EqualFold(r, id) {
			return true
		}
	}
	return false
}

func (o Options) optedIn(id string) bool {
	for _, r := range o.OptIn {
		if strings.EqualFold(r, id) || r == "all" {
			return true
		}
	}
	return false
}

// Fix applies fixes to src until nothing more changes.
func Fix(name string, src []byte, o Options) (*Result, error) {
	if o.MaxPasses <= 0 {
		o.MaxPasses = 8
	}
	res := &Result{Name: name, Original: src, Files: map[string][]byte{}, Existing: map[string]bool{}}
	f, err := dockerfile.ParseBytes(name, src)
	if err != nil {
		return nil, err
	}
	lintOpts := lint.Options{Config: o.Config, Dir: o.Dir}
	res.Before = lint.Lint(f, lintOpts)
	cur := src
	findings := res.Before
	// Structural fixes (moving and merging instructions) go first, to a
	// fixpoint of their own, so that fixes inside one RUN (append a
	// cleanup, add a flag) see the final shape of the RUN they edit.
	phases := []func(string) bool{
		func(id string) bool { return structural[id] },
		func(string) bool { return true },
	}
	for _, inPhase := range phases {
		for pass := 0; pass < o.MaxPasses; pass++ {
			fixes := o.collect(f, findings, res, inPhase)
			if len(fixes) == 0 {
				break
			}
			next, applied := apply(cur, fixes)
			if string(next) == string(cur) {
				break
			}
			nf, err := dockerfile.ParseBytes(name, next)
			if err != nil {
				// A fix broke the file: keep the last good text and say so.
				for _, a := range applied {
					res.Skipped = append(res.Skipped, Skipped{Finding: finding.Finding{RuleID: a.RuleID,
						Location: finding.Location{File: name, Line: a.Line}, Message: a.Description},
						Reason: "the fix did not produce a valid Dockerfile: " + err.Error()})
				}
				break
			}
			res.Applied = append(res.Applied, applied...)
			cur, f = next, nf
			findings = lint.Lint(f, lintOpts)
		}
	}
	res.Fixed = cur
	res.After = findings
	for _, fd := range findings {
		switch {
		case fd.Fix == nil:
		case fd.Fix.OptIn && !o.optedIn(fd.RuleID):
			res.Skipped = append(res.Skipped, Skipped{Finding: fd, Reason: "opt-in fix (it can change behaviour): pass --opt-in " + fd.RuleID})
		case !o.allowed(fd.RuleID):
		}
	}
	return res, nil
}

type pending struct {
	ruleID string
	line   int
	fix    finding.Fix
}

// structural rules move or merge instructions; their fixes run first.
var structural = map[string]bool{
	MergeRunsID: true, // merge consecutive RUNs
	"SS014":     true, // apt-get update into the install RUN
	"SS003":     true, // manifests and install before COPY . .
	"SS004":     true, // rm into the layer that made the files
	"SS015":     true, // chown into COPY --chown
}

func (o Options) collect(f *dockerfile.File, fs []finding.Finding, res *Result, inPhase func(string) bool) []pending {
	var out []pending
	for _, fd := range fs {
		if fd.Fix == nil || !o.allowed(fd.RuleID) || !inPhase(fd.RuleID) {
			continue
		}
		if fd.Fix.OptIn && !o.optedIn(fd.RuleID) {
			continue
		}
		var edits []finding.Edit
		others := map[string][]finding.Edit{}
		for _, e := range fd.Fix.Edits {
			if e.File == "" || filepath.Base(e.File) == filepath.Base(f.Path) && !e.Create {
				edits = append(edits, e)
				continue
			}
			rel := filepath.Clean(e.File)
			if o.Dir == "" || rel == "" || filepath.IsAbs(rel) || strings.HasPrefix(rel, "..") {
				continue // never write outside the build context
			}
			if _, done := res.Files[rel]; done {
				continue // each other file is changed once per run
			}
			st, err := os.Lstat(filepath.Join(o.Dir, rel))
			switch {
			case e.Create && err != nil:
				res.Files[rel] = []byte(e.NewText)
				res.Applied = append(res.Applied, Applied{RuleID: fd.RuleID, Line: fd.Line, Description: "create " + rel})
			case !e.Create && err == nil && st.Mode().IsRegular():
				others[rel] = append(others[rel], e)
			}
		}
		for rel, es := range others {
			old, err := bounded.ReadFile(filepath.Join(o.Dir, rel), dockerfile.MaxSize)
			if err != nil {
				continue
			}
			changed, _ := apply(old, []pending{{ruleID: fd.RuleID, fix: finding.Fix{Edits: es}}})
			if string(changed) != string(old) {
				res.Files[rel], res.Existing[rel] = changed, true
				res.Applied = append(res.Applied, Applied{RuleID: fd.RuleID, Line: fd.Line, Description: "update " + rel})
			}
		}
		if len(edits) > 0 {
			out = append(out, pending{ruleID: fd.RuleID, line: fd.Line, fix: finding.Fix{Description: fd.Fix.Description, Edits: edits}})
		}
	}
	if f != nil && o.allowed(CacheOrderID) && inPhase(CacheOrderID) {
		out = append(out, reorderInstalls(f, o.Dir)...)
	}
	if f != nil && !o.NoMergeRuns && o.allowed(MergeRunsID) && inPhase(MergeRunsID) {
		out = append(out, mergeRuns(f)...)
	}
	return out
}

// apply applies whole fixes whose edits overlap no edit already taken;
// the others wait for the next pass (on the re-parsed text).
func apply(src []byte, fixes []pending) ([]byte, []Applied) {
	type span struct{ start, end int }
	var taken []span
	overlaps := func(s span) bool {
		for _, t := range taken {
			if s.start < t.end && t.start < s.end {
				return true
			}
			// Two insertions at one point, or an insertion at the edge
			// of a replacement, have no certain order: defer.
			if (s.start == s.end || t.start == t.end) && s.start <= t.end && t.start <= s.end {
				return true
			}
		}
		return false
	}
	var edits []finding.Edit
	var applied []Applied
	for _, p := range fixes {
		ok := true
		for _, e := range p.fix.Edits {
			if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > len(src) || overlaps(span{e.Offset, e.Offset + e.Length}) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for _, e := range p.fix.Edits {
			taken = append(taken, span{e.Offset, e.Offset + e.Length})
			edits = append(edits, e)
		}
		applied = append(applied, Applied{RuleID: p.ruleID, Line: p.line, Description: p.fix.Description})
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Offset > edits[j].Offset })
	out := append([]byte(nil), src...)
	for _, e := range edits {
		out = append(out[:e.Offset], append([]byte(e.NewText), out[e.Offset+e.Length:]...)...)
	}
	return out, applied
}

var runHead = lazyre.New(`(?i)^run(\s+--\S+)*\s+`)

// mergeRuns joins consecutive shell-form RUNs of one stage with the same
// flags into one, keeping the `&& \` style. RUNs with heredocs, exec form,
// comments in or between them, or a non-POSIX shell are left alone.
func mergeRuns(f *dockerfile.File) []pending {
	var out []pending
	c := lint.NewContext(f, &config.Config{}, "")
	esc := string(f.Escape)
	if esc == "\x00" || esc == "" {
		esc = `\`
	}
	for _, st := range f.Stages {
		ins := st.Instructions
		for i := 0; i+1 < len(ins); i++ {
			a, b := ins[i], ins[i+1]
			if !mergeable(c, f, a) || !mergeable(c, f, b) || strings.Join(a.Flags, " ") != strings.Join(b.Flags, " ") {
				continue
			}
			if commentBetween(f, a.EndLine, b.Line) {
				continue
			}
			bText := f.Text(b)
			m := runHead.FindStringIndex(bText)
			if m == nil {
				continue
			}
			start, end := a.EndOffset, b.Offset+m[1]
			out = append(out, pending{ruleID: MergeRunsID, line: b.Line, fix: finding.Fix{
				Description: fmt.Sprintf("merge the RUN on line %d into the RUN on line %d", b.Line, a.Line),
				Edits:       []finding.Edit{lint.Edit(f, start, end, " && "+esc+"\n    ")}}})
			i++ // b is consumed; the next pass merges further.
		}
	}
	return out
}

func mergeable(c *lint.Context, f *dockerfile.File, in *dockerfile.Instruction) bool {
	if in.Cmd != "run" || in.JSON || len(in.Heredocs) > 0 || !c.IsPOSIX(in) {
		return false
	}
	src := in.ShellSource()
	if strings.Contains(src, "#") || strings.TrimSpace(src) == "" {
		return false
	}
	t := strings.TrimSpace(src)
	return !strings.HasSuffix(t, "&") && !strings.HasSuffix(t, "|") && !strings.HasSuffix(t, ";")
}

func commentBetween(f *dockerfile.File, from, to int) bool {
	for _, cm := range f.Comments {
		if cm.Line > from && cm.Line < to {
			return true
		}
	}
	return false
}

// Diff returns a unified diff of a and b.
func Diff(name string, a, b []byte) string {
	d := difflib.UnifiedDiff{A: difflib.SplitLines(string(a)), B: difflib.SplitLines(string(b)),
		FromFile: name, ToFile: name + " (fixed)", Context: 3}
	s, _ := difflib.GetUnifiedDiffString(d)
	return s
}

// WriteAtomic replaces path with data through a temporary file in the same
// directory, keeping path's mode. With backup, the old file is kept as
// path+".orig" first.
func WriteAtomic(path string, data []byte, backup bool) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
		if backup {
			old, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := atomicfile.Write(path+".orig", old, mode); err != nil {
				return err
			}
		}
	}
	return atomicfile.Write(path, data, mode)
}
