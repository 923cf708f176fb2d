// Package fix applies the machine-applicable fixes that lint rules record,
// plus structural rewrites no single finding carries (merging consecutive
// RUNs). It works to a fixpoint: fixing the result again changes nothing.
// Every pass re-parses the result; a pass whose output does not parse is
// rolled back, so a fix never leaves a broken Dockerfile.
package fix

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
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

// Fix applies fixes to src until nothing more changes. Only findings that
// lint reports on src are fixed (a fix that makes a new finding does not
// fix that one too), and every line Fix reports is a line of src.
func Fix(name string, src []byte, o Options) (*Result, error) {
	if o.MaxPasses <= 0 {
		o.MaxPasses = 8
	}
	res := &Result{Name: name, Original: src, Files: map[string][]byte{}, Existing: map[string]bool{}}
	// Fixes write \n line breaks: a file written with \r\n is fixed as \n
	// and given back its \r\n at the end.
	crlf := isCRLF(src)
	if crlf {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	}
	f, err := dockerfile.ParseBytes(name, src)
	if err != nil {
		return nil, err
	}
	lintOpts := lint.Options{Config: o.Config, Dir: o.Dir}
	res.Before = lint.Lint(f, lintOpts)
	cur := src
	lines := identity(src)
	st := &state{res: res, reported: map[string][]int{}, applied: map[string]bool{}, skipped: map[string]bool{}}
	for _, fd := range res.Before {
		st.reported[fd.RuleID] = append(st.reported[fd.RuleID], fd.Line)
	}
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
			st.lines = lines
			fixes := o.collect(f, st.eligible(findings), st, inPhase)
			if len(fixes) == 0 {
				break
			}
			next, applied, nextLines := apply(cur, fixes)
			if string(next) == string(cur) {
				break
			}
			nf, err := dockerfile.ParseBytes(name, next)
			if err != nil {
				// A fix broke the file: keep the last good text and say so.
				for _, a := range applied {
					st.skip(Skipped{Finding: finding.Finding{RuleID: a.RuleID,
						Location: finding.Location{File: name, Line: a.Line}, Message: a.Description},
						Reason: "the fix did not produce a valid Dockerfile: " + err.Error()})
				}
				break
			}
			for _, a := range applied {
				if key := fmt.Sprint(a.RuleID, ":", a.Line, ":", a.Description); !st.applied[key] {
					st.applied[key] = true
					res.Applied = append(res.Applied, a)
				}
			}
			cur, f, lines = next, nf, lines.compose(nextLines)
			findings = lint.Lint(f, lintOpts)
		}
	}
	res.Fixed = cur
	if crlf {
		res.Fixed = bytes.ReplaceAll(cur, []byte("\n"), []byte("\r\n"))
		if string(res.Fixed) == string(res.Original) {
			res.Fixed = res.Original
		}
	}
	res.After = findings
	st.lines = lines
	for _, fd := range st.eligible(findings) {
		switch {
		case fd.Fix == nil:
		case fd.Fix.OptIn && !o.optedIn(fd.RuleID):
			st.skip(Skipped{Finding: fd, Reason: "opt-in fix (it can change behaviour): pass --opt-in " + fd.RuleID})
		case !o.allowed(fd.RuleID):
		}
	}
	return res, nil
}

// isCRLF: every line break of src is \r\n (and there is one).
func isCRLF(src []byte) bool {
	n := bytes.Count(src, []byte("\n"))
	return n > 0 && bytes.Count(src, []byte("\r\n")) == n
}

// state is what one Fix run keeps across passes.
type state struct {
	res *Result
	// reported: rule ID -> lines of src where lint reported it.
	reported map[string][]int
	// lines maps the lines of the current text to lines of src.
	lines            lineMap
	applied, skipped map[string]bool
}

// eligible returns the findings of the current text that lint reported on
// src too (same rule, on a line of src the finding's lines come from),
// with their lines mapped back to src (their fixes' offsets stay in the
// current text).
func (st *state) eligible(fs []finding.Finding) []finding.Finding {
	var out []finding.Finding
	for _, fd := range fs {
		if l, ok := st.reportedAt(fd.RuleID, fd.Line, fd.EndLine); ok {
			fd.Line, fd.EndLine = l, 0
			out = append(out, fd)
		}
	}
	return out
}

// reportedAt returns the line of src where lint reported rule id among the
// lines lines from..to of the current text come from.
func (st *state) reportedAt(id string, from, to int) (int, bool) {
	for _, o := range st.lines.origins(from, to) {
		if slices.Contains(st.reported[id], o) {
			return o, true
		}
	}
	return 0, false
}

// flagged returns, by line in the current text, the instructions of f on
// which lint reported rule id in src, with that finding.
func (st *state) flagged(f *dockerfile.File, id string) map[int]finding.Finding {
	out := map[int]finding.Finding{}
	for _, in := range f.Instructions {
		l, ok := st.reportedAt(id, in.Line, in.EndLine)
		if !ok {
			continue
		}
		for _, fd := range st.res.Before {
			if fd.RuleID == id && fd.Line == l {
				out[in.Line] = fd
				break
			}
		}
	}
	return out
}

func (st *state) skip(s Skipped) {
	key := fmt.Sprint(s.RuleID, ":", s.Line, ":", s.Reason)
	if !st.skipped[key] {
		st.skipped[key] = true
		st.res.Skipped = append(st.res.Skipped, s)
	}
}

// pending is a fix to apply; lines are lines of the original text, one
// Applied each (a merge of several RUNs answers several findings).
type pending struct {
	ruleID string
	lines  []int
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

func (o Options) collect(f *dockerfile.File, fs []finding.Finding, st *state, inPhase func(string) bool) []pending {
	res := st.res
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
			if (e.File == "" || filepath.Clean(e.File) == filepath.Clean(f.Path)) && !e.Create {
				edits = append(edits, e)
				continue
			}
			// Other files are named by their path: under Dir, or
			// relative to it.
			rel := filepath.Clean(e.File)
			if r, err := filepath.Rel(o.Dir, rel); err == nil && filepath.IsAbs(rel) == filepath.IsAbs(o.Dir) {
				rel = r
			}
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
			changed, _, _ := apply(old, []pending{{ruleID: fd.RuleID, fix: finding.Fix{Edits: es}}})
			if string(changed) != string(old) {
				res.Files[rel], res.Existing[rel] = changed, true
				res.Applied = append(res.Applied, Applied{RuleID: fd.RuleID, Line: fd.Line, Description: "update " + rel})
			}
		}
		if len(edits) > 0 {
			out = append(out, pending{ruleID: fd.RuleID, lines: []int{fd.Line}, fix: finding.Fix{Description: fd.Fix.Description, Edits: edits}})
		}
	}
	// The reorder and the merge answer the findings of SS003 and DL3059
	// where lint reported them (their rules carry no edits).
	if f != nil && o.allowed(CacheOrderID) && inPhase(CacheOrderID) {
		out = append(out, reorderInstalls(f, o.Dir, st.flagged(f, CacheOrderID))...)
	}
	if f != nil && !o.NoMergeRuns && o.allowed(MergeRunsID) && inPhase(MergeRunsID) {
		out = append(out, mergeRuns(f, st, st.flagged(f, MergeRunsID))...)
	}
	return out
}

// apply applies whole fixes whose edits overlap no edit already taken;
// the others wait for the next pass (on the re-parsed text).
func apply(src []byte, fixes []pending) ([]byte, []Applied, lineMap) {
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
	type edit struct {
		finding.Edit
		fix int
	}
	var edits []edit
	var applied []Applied
	// deleted[i]: the lines of src fix i deletes from (moved code).
	var deleted [][]int
	for i, p := range fixes {
		ok := true
		for _, e := range p.fix.Edits {
			if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > len(src) || overlaps(span{e.Offset, e.Offset + e.Length}) {
				ok = false
				break
			}
		}
		deleted = append(deleted, nil)
		if !ok {
			continue
		}
		for _, e := range p.fix.Edits {
			taken = append(taken, span{e.Offset, e.Offset + e.Length})
			edits = append(edits, edit{e, i})
			if e.Length > 0 {
				first := lineOf(src, e.Offset)
				for l := first; l <= first+strings.Count(string(src[e.Offset:e.Offset+e.Length]), "\n"); l++ {
					deleted[i] = append(deleted[i], l)
				}
			}
		}
		for _, l := range p.lines {
			applied = append(applied, Applied{RuleID: p.ruleID, Line: l, Description: p.fix.Description})
		}
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Offset < edits[j].Offset })
	// Build the result and, for each of its lines, the lines of src it
	// comes from.
	var b lineBuilder
	at, line := 0, 1
	for _, e := range edits {
		line = b.copySrc(src, at, e.Offset, line)
		b.write([]byte(e.NewText), append([]int{line}, deleted[e.fix]...))
		line += strings.Count(string(src[e.Offset:e.Offset+e.Length]), "\n")
		at = e.Offset + e.Length
	}
	line = b.copySrc(src, at, len(src), line)
	out, lines := b.done(line)
	return out, applied, lines
}

func lineOf(src []byte, off int) int {
	return strings.Count(string(src[:off]), "\n") + 1
}

var runHead = lazyre.New(`(?i)^run(\s+--\S+)*\s+`)

// mergeRuns answers DL3059 by joining consecutive shell-form RUNs of one
// stage with the same flags into one, keeping the `&& \` style, where
// lint reported DL3059 and the join keeps what the build does (see
// shell.AndThen): the merged RUN fails exactly when one of the originals
// would have, with the same output and files, and no shell state crosses
// from one original into the next. Where it would not, the RUNs stay apart
// and the finding is listed as not fixed, with the reason. RUNs with
// heredocs, exec form, comments in or between them, or a non-POSIX shell
// are left alone.
func mergeRuns(f *dockerfile.File, st *state, flagged map[int]finding.Finding) []pending {
	var out []pending
	c := lint.NewContext(f, &config.Config{}, "")
	esc := string(f.Escape)
	if esc == "\x00" || esc == "" {
		esc = `\`
	}
	for _, stage := range f.Stages {
		ins := stage.Instructions
		for i := 0; i+1 < len(ins); i++ {
			a := ins[i]
			if !mergeable(c, f, a) {
				continue
			}
			errexit, posix := shell.Mode(f.Shell(a))
			acc := a.ShellSource()
			var p pending
			group := false // the last RUN joined is written as { ...; }
			prev := a
			for i+1 < len(ins) {
				b := ins[i+1]
				fd, isFlagged := flagged[b.Line]
				if !isFlagged || !mergeable(c, f, b) || strings.Join(a.Flags, " ") != strings.Join(b.Flags, " ") || commentBetween(f, prev.EndLine, b.Line) {
					break
				}
				m := runHead.FindStringIndex(f.Text(b))
				if m == nil {
					break
				}
				j, err := shell.AndThen(acc, b.ShellSource(), errexit, posix)
				if err != nil {
					st.skip(Skipped{Finding: fd, Reason: fmt.Sprintf("merging it into the RUN on line %d would change what the build does: %v", st.lines.orig(prev.Line), err)})
					break
				}
				text := " && " + esc + "\n    "
				if group {
					text = "; }" + text
				}
				if group = j.Group; group {
					text += "{ "
				}
				p.fix.Edits = append(p.fix.Edits, lint.Edit(f, prev.EndOffset, b.Offset+m[1], text))
				p.lines = append(p.lines, fd.Line)
				acc = j.Text(acc, b.ShellSource())
				prev = b
				i++
			}
			if len(p.lines) == 0 {
				continue
			}
			if group {
				p.fix.Edits = append(p.fix.Edits, lint.Edit(f, prev.EndOffset, prev.EndOffset, "; }"))
			}
			p.ruleID = MergeRunsID
			p.fix.Description = fmt.Sprintf("merge the RUN on line %d into the RUN on line %d", p.lines[0], st.lines.orig(a.Line))
			if len(p.lines) > 1 {
				p.fix.Description = fmt.Sprintf("merge the RUNs on lines %s into the RUN on line %d", joinLines(p.lines), st.lines.orig(a.Line))
			}
			out = append(out, p)
		}
	}
	return out
}

func joinLines(ls []int) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = fmt.Sprint(l)
	}
	return strings.Join(s, ", ")
}

func mergeable(c *lint.Context, f *dockerfile.File, in *dockerfile.Instruction) bool {
	if in.Cmd != "run" || in.JSON || len(in.Heredocs) > 0 || !c.IsPOSIX(in) || in.InOnBuild {
		return false
	}
	t := strings.TrimSpace(in.ShellSource())
	return t != "" && !strings.HasSuffix(t, "&") && !strings.HasSuffix(t, "|") && !strings.HasSuffix(t, ";") && !strings.HasSuffix(t, "\\")
}

func commentBetween(f *dockerfile.File, from, to int) bool {
	for _, cm := range f.Comments {
		if cm.Line > from && cm.Line < to {
			return true
		}
	}
	return false
}

// Diff returns a unified diff of a and b, the file being name in both, so
// that `patch -p0` and `git apply` take it. A nil a is a new file
// (`--- /dev/null`).
func Diff(name string, a, b []byte) string {
	from := name
	if a == nil {
		from = "/dev/null"
	}
	d := difflib.UnifiedDiff{A: diffLines(a), B: diffLines(b), FromFile: from, ToFile: name, Context: 3}
	s, _ := difflib.GetUnifiedDiffString(d)
	return s
}

// diffLines splits text into lines that keep their \n (difflib's
// SplitLines adds an empty last line, which made hunks one line too long);
// a last line without one carries the "\ No newline" marker.
func diffLines(text []byte) []string {
	if len(text) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(text), "\n")
	if lines[len(lines)-1] == "" {
		return lines[:len(lines)-1]
	}
	lines[len(lines)-1] += "\n\\ No newline at end of file\n"
	return lines
}

// WriteAtomic replaces path with data through a temporary file in the same
// directory, keeping path's mode. A symlink is written through: its target
// is replaced and the link stays. With backup, the old file is kept as
// path+".orig" first (beside the target).
func WriteAtomic(path string, data []byte, backup bool) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	} else if !os.IsNotExist(err) {
		return err
	}
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
