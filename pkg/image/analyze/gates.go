package analyze

import (
	"fmt"

	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/finding"
)

// Gates are dive's CI rules (dive --ci); a nil field is off.
type Gates struct {
	// LowestEfficiency fails an image whose efficiency is below it (0..1).
	LowestEfficiency *float64
	// HighestWastedBytes fails an image wasting more bytes than this.
	HighestWastedBytes *int64
	// HighestUserWastedPercent fails an image whose wasted bytes over user
	// bytes exceed this ratio (0..1).
	HighestUserWastedPercent *float64
}

// The gate rules: a failed gate is an error finding on the image.
var (
	lowestEfficiencyRule = gateRule("SSI030", "Image efficiency below the lowest-efficiency gate")
	highestWastedRule    = gateRule("SSI031", "Wasted bytes above the highest-wasted-bytes gate")
	highestUserRule      = gateRule("SSI032", "User wasted ratio above the highest-user-wasted-percent gate")
	gateRemedy           = "Remove the waste analyze reports (its findings name the layer and the Dockerfile rule whose fix avoids it), or change the gate."
	gateRules            = []finding.Rule{lowestEfficiencyRule, highestWastedRule, highestUserRule}
)

func gateRule(id, desc string) finding.Rule {
	return rule(id, finding.Error, desc, gateRemedy)
}

// Check returns one error finding per failed gate, on the image r names.
func (g Gates) Check(r *Result) []finding.Finding {
	var out []finding.Finding
	add := func(rl finding.Rule, format string, args ...any) {
		f := finding.Finding{RuleID: rl.ID, Severity: rl.Severity, Category: rl.Category, Message: fmt.Sprintf(format, args...)}
		f.Location.File = r.Image
		out = append(out, f)
	}
	if v := g.LowestEfficiency; v != nil && r.Efficiency < *v {
		add(lowestEfficiencyRule, "lowest-efficiency: efficiency %.4f is below %.4f", r.Efficiency, *v)
	}
	if v := g.HighestWastedBytes; v != nil && r.WastedBytes > *v {
		add(highestWastedRule, "highest-wasted-bytes: %s wasted is more than %s", units.Bytes(r.WastedBytes), units.Bytes(*v))
	}
	if v := g.HighestUserWastedPercent; v != nil && r.UserWastedPercent > *v {
		add(highestUserRule, "highest-user-wasted-percent: %.4f is more than %.4f", r.UserWastedPercent, *v)
	}
	return out
}
