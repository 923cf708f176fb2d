package lint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slimship/slimship/pkg/finding"
)

// inputRules check what kubectl apply will send: the manifest read as
// kubectl reads it (YAML 1.1, see package manifest).
// They run on every object, including those no other check can read (no
// kind, a value of the wrong type).
func inputRules() []Rule {
	return []Rule{
		objectCheck(finding.Spec{ID: "value-not-string", Severity: sevE, Category: finding.Correctness,
			Description: "Values meant as strings stay strings when kubectl reads the manifest as YAML 1.1 (yes, on, y, 0755, 1.10, ~ are not strings there)",
			Remediation: "Quote the value (or key) so that every YAML version reads it as a string."},
			checkCoerced),
		objectCheck(finding.Spec{ID: "missing-apiversion-kind", Severity: sevE, Category: finding.Correctness,
			Description: "Objects have an apiVersion and a kind",
			Remediation: "Add the object's apiVersion and kind, or remove the document if it is not a Kubernetes object."},
			checkTypeMeta),
	}
}

// inputRule holds the IDs of inputRules.
var inputRule = map[string]bool{"value-not-string": true, "missing-apiversion-kind": true}

// checkCoerced reports values kubectl's YAML 1.1 turns into booleans,
// numbers or null where Kubernetes wants a string, and keys it renames.
func checkCoerced(_ *Context, o *Object, r *Reporter) {
	for _, c := range o.Coerced {
		if c.Key {
			r.reportLine(c.Line, "key %s is %q to kubectl (YAML 1.1 reads it as a %s); quote it: %q", c.Text, c.As, keyKind(c.Text), c.Text)
			continue
		}
		r.reportLine(c.Line, "%s: %s is the %s to kubectl (YAML 1.1), and Kubernetes wants a string here; quote it: %q", jsonPath(c.Path), c.Text, c.As, c.Text)
	}
}

func keyKind(text string) string {
	if _, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64); err == nil || strings.HasPrefix(text, "0") {
		return "number"
	}
	return "boolean"
}

// jsonPath writes a path as data.a or spec.containers[0].args[1].
func jsonPath(p []any) string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// checkTypeMeta reports objects kubectl cannot map to a resource.
func checkTypeMeta(_ *Context, o *Object, r *Reporter) {
	var missing []string
	if o.APIVersion == "" {
		missing = append(missing, "apiVersion")
	}
	if o.Kind == "" {
		missing = append(missing, "kind")
	}
	if len(missing) > 0 {
		r.reportLine(o.Line, "object has no %s: kubectl apply rejects it", strings.Join(missing, " or "))
	}
}
