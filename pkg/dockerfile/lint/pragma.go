package lint

import (
	"sort"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// Pragmas: `# hadolint ignore=DL3008,DL3009` (or `# slimship ignore=...`)
// on the line directly above an instruction; `# hadolint global ignore=...`
// for the whole file; `# hadolint stage ignore=...` for the stage that the
// next FROM starts (or the current one).
var pragmaRe = lazyre.New(`^(?i:hadolint|slimship)\s+(?:(global|stage)\s+)?ignore\s*=\s*(.*)$`)

var ruleIDRe = lazyre.New(`^[A-Z][A-Za-z0-9-]*$`)

func parseIDs(list string) ([]string, bool) {
	if i := strings.Index(list, "#"); i >= 0 {
		list = list[:i]
	}
	var ids []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !ruleIDRe.MatchString(p) {
			return nil, false
		}
		ids = append(ids, p)
	}
	return ids, len(ids) > 0
}

type pragmaSet struct {
	global map[string]bool
	line   map[int]map[string]bool
	stage  map[int]map[string]bool
}

func collectPragmas(f *dockerfile.File) pragmaSet {
	ps := pragmaSet{global: map[string]bool{}, line: map[int]map[string]bool{}, stage: map[int]map[string]bool{}}
	for _, cm := range f.Comments {
		m := pragmaRe.FindStringSubmatch(cm.Text)
		if m == nil {
			continue
		}
		ids, ok := parseIDs(m[2])
		if !ok {
			continue
		}
		set := map[string]bool{}
		for _, id := range ids {
			set[id] = true
		}
		switch m[1] {
		case "global":
			for id := range set {
				ps.global[id] = true
			}
		case "stage":
			st := stageAfter(f, cm.Line)
			if ps.stage[st] == nil {
				ps.stage[st] = map[string]bool{}
			}
			for id := range set {
				ps.stage[st][id] = true
			}
		default:
			// Applies to the instruction on the next line only.
			next := cm.Line + 1
			if ps.line[next] == nil {
				ps.line[next] = map[string]bool{}
			}
			for id := range set {
				ps.line[next][id] = true
			}
		}
	}
	return ps
}

// stageAfter returns the stage of the first instruction after line.
func stageAfter(f *dockerfile.File, line int) int {
	for _, in := range f.Instructions {
		if in.Line > line {
			return in.Stage
		}
	}
	return len(f.Stages) - 1
}

func stageOfLine(f *dockerfile.File, line int) int {
	st := -1
	for _, in := range f.Instructions {
		if in.Line > line {
			break
		}
		st = in.Stage
	}
	return st
}

func applyPragmas(f *dockerfile.File, fs []finding.Finding) []finding.Finding {
	ps := collectPragmas(f)
	if len(ps.global) == 0 && len(ps.line) == 0 && len(ps.stage) == 0 {
		return fs
	}
	out := fs[:0]
next:
	for _, fd := range fs {
		var st map[string]bool
		if len(ps.stage) > 0 {
			st = ps.stage[stageOfLine(f, fd.Line)]
		}
		for _, id := range fd.IDs() {
			if ps.global[id] || ps.line[fd.Line][id] || st[id] {
				continue next
			}
		}
		out = append(out, fd)
	}
	return out
}

func sortRules(rs []Rule) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
}
