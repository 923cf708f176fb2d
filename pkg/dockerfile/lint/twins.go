package lint

import (
	"slices"
	"sync"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// Twin rules: hadolint's DL rules, BuildKit's build checks and slimship's
// SS rules overlap (DL3025 and JSONArgsRecommended both ask for JSON
// arguments in CMD). A rule declares its twins (WithTwins); the engine then
// reports one finding where the rule and its twins fire on the same line,
// under the first ID of the group that fired, with the others as
// finding.Aliases. Ignoring any of those IDs (configuration, --ignore,
// pragmas, `# check=skip=`) suppresses the finding, so each twin rule runs
// even when the configuration ignores it.

// WithTwins returns r declaring ids as rules that report the same problem
// on the same line.
func (r Rule) WithTwins(ids ...string) Rule {
	r.Twins = append(slices.Clip(r.Twins), ids...)
	return r
}

// WithStageTwins returns r declaring ids as rules that report the same
// problem in the same stage on the same kind of instruction, one finding
// each, though not on the same line: hadolint's DL4003 flags every CMD of a
// stage after the first, BuildKit's MultipleInstructionsDisallowed every
// one before the last. Their findings are paired in order.
func (r Rule) WithStageTwins(ids ...string) Rule {
	r = r.WithTwins(ids...)
	r.TwinsInStage = true
	return r
}

type twinGroup struct {
	ids   []string // the declaring rule first
	stage bool
}

// twinGroups returns each rule's group and the set of IDs that belong to
// some group.
func twinGroups(rules []Rule) ([]twinGroup, map[string]bool) {
	var groups []twinGroup
	member := map[string]bool{}
	for i := range rules {
		if len(rules[i].Twins) == 0 {
			continue
		}
		g := twinGroup{ids: append([]string{rules[i].ID}, rules[i].Twins...), stage: rules[i].TwinsInStage}
		groups = append(groups, g)
		for _, id := range g.ids {
			member[id] = true
		}
	}
	return groups, member
}

// mergeTwins folds the findings of each twin group at one place (a line,
// or a stage and instruction kind) into the findings of the group's first
// ID present there: the k-th finding of each twin into the k-th of that
// ID, and, on one line, any left over into the last. A kept finding lists
// the folded IDs as aliases (in the group's order), takes the highest
// severity, and a fix when it had none.
func mergeTwins(f *dockerfile.File, fs []finding.Finding, groups []twinGroup, member map[string]bool) []finding.Finding {
	if len(groups) == 0 {
		return fs
	}
	var candidates []int
	for i := range fs {
		if member[fs[i].RuleID] {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) < 2 {
		return fs
	}
	type place struct {
		file        string
		line, stage int
		cmd         string
	}
	drop := make([]bool, len(fs))
	merged := false
	for _, g := range groups {
		at := map[place][]int{}
		var places []place
		for _, i := range candidates {
			if drop[i] || !slices.Contains(g.ids, fs[i].RuleID) {
				continue
			}
			k := place{file: fs[i].File, line: fs[i].Line}
			if g.stage {
				in := bkInstructionAt(f, fs[i].Line)
				if in == nil {
					continue
				}
				k = place{file: fs[i].File, stage: in.Stage, cmd: in.Cmd}
			}
			if at[k] == nil {
				places = append(places, k)
			}
			at[k] = append(at[k], i)
		}
		for _, k := range places {
			idx := at[k]
			byID := map[string][]int{}
			for _, i := range idx {
				byID[fs[i].RuleID] = append(byID[fs[i].RuleID], i)
			}
			var keep []int
			for _, id := range g.ids {
				if keep == nil {
					keep = byID[id]
					continue
				}
				for n, i := range byID[id] {
					var into int
					switch {
					case n < len(keep):
						into = keep[n]
					case !g.stage:
						into = keep[len(keep)-1]
					default:
						continue
					}
					fold(&fs[into], &fs[i])
					drop[i], merged = true, true
				}
			}
		}
	}
	if !merged {
		return fs
	}
	out := fs[:0]
	for i := range fs {
		if !drop[i] {
			out = append(out, fs[i])
		}
	}
	return out
}

// fold merges twin finding t into f.
func fold(f, t *finding.Finding) {
	for _, id := range t.IDs() {
		if id != f.RuleID && !slices.Contains(f.Aliases, id) {
			f.Aliases = append(f.Aliases, id)
		}
	}
	f.Severity = max(f.Severity, t.Severity)
	if f.Fix == nil {
		f.Fix = t.Fix
	}
}

// bkNames are the IDs of BuildKit's checks, which `# check=skip=` names.
var bkNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, r := range All() {
		if r.BuildKit {
			m[r.ID] = true
		}
	}
	return m
})

// applyCheckSkips drops findings that a `# check=skip=` directive (or a
// `# check=skip=` comment above the instruction) turns off, as BuildKit
// does for its checks: for any of the finding's IDs that is a BuildKit
// check, so that skipping JSONArgsRecommended also silences DL3025 where
// both found the same problem.
func applyCheckSkips(f *dockerfile.File, fs []finding.Finding) []finding.Finding {
	names := bkNames()
	out := fs[:0]
	for _, fd := range fs {
		skip := false
		for _, id := range fd.IDs() {
			if names[id] && (bkCheckSkips(f.Directives["check"], id) || bkSkippedAt(f, fd.Line, id)) {
				skip = true
				break
			}
		}
		if !skip {
			out = append(out, fd)
		}
	}
	return out
}
