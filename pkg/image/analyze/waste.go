package analyze

import (
	"fmt"
	"sort"

	"github.com/slimship/slimship/internal/units"

	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/image/waste"
)

// rule defines one of analyze's image rules (slimship's own: their docs
// are docs/rules/<ID>.md).
func rule(id string, sev finding.Severity, desc, remedy string) finding.Rule {
	return finding.Define(finding.Image, finding.Spec{ID: id, Severity: sev, Category: finding.Size, Description: desc, Remediation: remedy})
}

// wasteRule is the image rule that reports a kind of waste; the waste
// table says its cause and remedy.
func wasteRule(k *waste.Kind) finding.Rule {
	return rule(k.Rule, k.Severity, k.Cause, capitalise(k.Remedy)+".")
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Rules lists the image analysis rules (for `slimship rules`).
func Rules() []finding.Rule {
	out := append([]finding.Rule{reclaimRule}, gateRules...)
	for i := range waste.Kinds() {
		out = append(out, wasteRule(&waste.Kinds()[i]))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

var reclaimRule = rule("SSI020", finding.Warning, "Bytes a later layer deletes or overwrites still ship in an earlier layer",
	"Remove files in the same RUN that creates them (or in a build stage whose output you copy), not in a later layer.")

// classify returns the waste kind's ID of p, 0 for none.
func classify(p string) uint8 {
	if m, ok := waste.Classify(p); ok {
		return uint8(m.Kind.ID)
	}
	return 0
}

// Waste is known waste of one kind made by one layer.
type Waste struct {
	Rule  string `json:"rule"`
	Name  string `json:"name"`
	Layer int    `json:"layer"`
	// Bytes still visible in the final filesystem.
	Bytes int64 `json:"bytes"`
	// HiddenBytes deleted or overwritten by a later layer but still shipped.
	HiddenBytes int64 `json:"hiddenBytes"`
	Files       int   `json:"files"`
	// Example is the largest path of the kind.
	Example string `json:"example"`
}

func wasteFindings(res *Result, a *analyzer) []finding.Finding {
	type acc struct {
		bytes, hidden int64
		files         int
		ex            string
		exSize        int64
	}
	m := map[catLayer]*acc{}
	get := func(k catLayer) *acc {
		if m[k] == nil {
			m[k] = &acc{}
		}
		return m[k]
	}
	visit(a.t.root, func(n *node) {
		if n.cat == 0 || !n.present() || n.isDir() {
			return
		}
		c := get(catLayer{n.cat, int(n.layer)})
		c.bytes += n.size
		c.files++
		if n.size > c.exSize || c.ex == "" {
			c.ex, c.exSize = n.path(), n.size
		}
	})
	for k, b := range a.hidden {
		get(k).hidden += b
	}
	keys := make([]catLayer, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].layer != keys[j].layer {
			return keys[i].layer < keys[j].layer
		}
		return keys[i].cat < keys[j].cat
	})
	var out []finding.Finding
	res.Waste = []Waste{}
	for _, k := range keys {
		c := m[k]
		kind := &waste.Kinds()[k.cat-1]
		r := wasteRule(kind)
		total := c.bytes + c.hidden
		if total < kind.Min {
			continue
		}
		res.Waste = append(res.Waste, Waste{Rule: kind.Rule, Name: kind.Name, Layer: k.layer, Bytes: c.bytes, HiddenBytes: c.hidden, Files: c.files, Example: c.ex})
		msg := fmt.Sprintf("%s: %s in layer %d", kind.Name, units.Bytes(total), k.layer)
		if c.hidden > 0 {
			msg += fmt.Sprintf(" (%s deleted by a later layer but still shipped)", units.Bytes(c.hidden))
		}
		msg += "; " + kind.Remedy
		if kind.FixRule != "" {
			msg += " (" + kind.FixRule + ")"
		}
		msg += " saves " + units.Bytes(total)
		out = append(out, layerFinding(res, r, k.layer, c.ex, msg, kind.Remedy))
	}
	for _, l := range res.Layers {
		// bytes already reported by a known-waste finding are not repeated.
		rest := l.ReclaimableBytes
		for k, b := range a.hidden {
			if k.layer == l.Index {
				rest -= b
			}
		}
		if rest < 1<<20 && (rest <= 0 || rest*20 < l.SizeBytes) {
			continue
		}
		ex := ""
		for _, p := range res.ReclaimablePaths {
			if p.Layer == l.Index {
				ex = p.Path
				break
			}
		}
		fix := "delete the files in the same RUN that creates them, or build them in another stage"
		msg := fmt.Sprintf("layer %d ships %s that later layers delete or overwrite; %s (saves %s)", l.Index, units.Bytes(l.ReclaimableBytes), fix, units.Bytes(l.ReclaimableBytes))
		out = append(out, layerFinding(res, reclaimRule, l.Index, ex, msg, fix))
	}
	if out == nil {
		out = []finding.Finding{}
	}
	return out
}

func layerFinding(res *Result, r finding.Rule, layer int, p, msg, fix string) finding.Finding {
	l := res.Layers[layer]
	f := finding.Finding{RuleID: r.ID, Severity: r.Severity, Category: r.Category, Message: msg}
	f.Location.Layer = l.Digest
	f.Location.Path = p
	if l.Instruction != nil {
		f.Location.File = l.Instruction.File
		f.Location.Line = l.Instruction.Line
		f.Fix = &finding.Fix{Description: fix, Edits: []finding.Edit{}}
	}
	return f
}
