package scan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	packageurl "github.com/package-url/packageurl-go"

	"github.com/slimship/slimship/pkg/vuln/inventory"
	"github.com/slimship/slimship/pkg/vuln/match"
	"github.com/slimship/slimship/pkg/vuln/osv"
)

// Ignore leaves out one vulnerability (by its ID or any alias) until
// Expires (the zero time: for good).
type Ignore struct {
	ID      string
	Reason  string
	Expires time.Time
}

// NewIgnore checks an ignore as a configuration gives it: an ID, a reason,
// and an optional expiry date YYYY-MM-DD (the ignore holds through that
// day, UTC). where names it in errors (e.g. "scan.ignore[2]").
func NewIgnore(where, id, reason, expires string) (Ignore, error) {
	ig := Ignore{ID: strings.TrimSpace(id), Reason: strings.TrimSpace(reason)}
	if ig.ID == "" {
		return ig, fmt.Errorf("%s: no id", where)
	}
	if ig.Reason == "" {
		return ig, fmt.Errorf("%s (%s): give a reason", where, ig.ID)
	}
	if expires != "" {
		t, err := time.Parse(time.DateOnly, expires)
		if err != nil {
			return ig, fmt.Errorf("%s (%s): expires %q: want a date YYYY-MM-DD", where, ig.ID, expires)
		}
		ig.Expires = t.AddDate(0, 0, 1)
	}
	return ig, nil
}

// names reports whether ig names one of r's IDs.
func (ig Ignore) names(r *osv.Record) bool {
	for _, id := range r.IDs() {
		if strings.EqualFold(id, ig.ID) {
			return true
		}
	}
	return false
}

// ApplyIgnores drops results an ignore in force names. An expired ignore
// drops nothing and is reported through warn, once.
func ApplyIgnores(results []match.Result, igs []Ignore, now time.Time, warn func(string)) []match.Result {
	if len(igs) == 0 {
		return results
	}
	warned := map[int]bool{}
	kept := make([]match.Result, 0, len(results))
outer:
	for _, r := range results {
		for i, ig := range igs {
			if !ig.names(r.Record) {
				continue
			}
			if !ig.Expires.IsZero() && !now.Before(ig.Expires) {
				if !warned[i] && warn != nil {
					warn(fmt.Sprintf("the ignore of %s expired on %s (%s): reported again", ig.ID, ig.Expires.AddDate(0, 0, -1).Format(time.DateOnly), ig.Reason))
				}
				warned[i] = true
				continue
			}
			continue outer
		}
		kept = append(kept, r)
	}
	return kept
}

// VEX is the part of an OpenVEX document a scan uses: statements that a
// vulnerability does not affect (not_affected) or no longer affects
// (fixed) some products.
type VEX struct {
	statements []vexStatement
}

type vexStatement struct {
	ids      []string
	products []string // purls or other product IDs; empty: every product
	status   string
}

type vexProduct struct {
	ID            string       `json:"@id"`
	Subcomponents []vexProduct `json:"subcomponents"`
}

// ReadVEX reads an OpenVEX JSON document (v0.2.0; the older form with a
// string vulnerability and string products is accepted too).
func ReadVEX(r io.Reader) (*VEX, error) {
	var doc struct {
		Context    string `json:"@context"`
		Statements []struct {
			Vulnerability json.RawMessage   `json:"vulnerability"`
			Products      []json.RawMessage `json:"products"`
			Status        string            `json:"status"`
		} `json:"statements"`
	}
	if err := json.NewDecoder(io.LimitReader(r, 64<<20)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("not an OpenVEX document: %w", err)
	}
	if !strings.Contains(doc.Context, "openvex") {
		return nil, fmt.Errorf("not an OpenVEX document: @context %q", doc.Context)
	}
	v := &VEX{}
	for i, st := range doc.Statements {
		s := vexStatement{status: st.Status}
		var name string
		var vuln struct {
			Name    string   `json:"name"`
			ID      string   `json:"@id"`
			Aliases []string `json:"aliases"`
		}
		switch {
		case json.Unmarshal(st.Vulnerability, &name) == nil:
			s.ids = []string{name}
		case json.Unmarshal(st.Vulnerability, &vuln) == nil:
			s.ids = append([]string{vuln.Name}, vuln.Aliases...)
		default:
			return nil, fmt.Errorf("statements[%d]: vulnerability is neither a name nor an object", i)
		}
		for _, raw := range st.Products {
			var id string
			var p vexProduct
			switch {
			case json.Unmarshal(raw, &id) == nil:
				s.products = append(s.products, id)
			case json.Unmarshal(raw, &p) == nil:
				s.products = append(s.products, p.ID)
				for _, sc := range p.Subcomponents {
					s.products = append(s.products, sc.ID)
				}
			default:
				return nil, fmt.Errorf("statements[%d]: a product is neither an ID nor an object", i)
			}
		}
		v.statements = append(v.statements, s)
	}
	return v, nil
}

// covers reports whether product names p: a purl naming the same package
// (and version, when it has one); a product that is not a purl (an image)
// covers every package.
func covers(product string, p match.Package) bool {
	if !strings.HasPrefix(product, "pkg:") {
		return true
	}
	u, err := packageurl.FromString(product)
	if err != nil {
		return false
	}
	if u.Type == "oci" || u.Type == "docker" {
		return true
	}
	q, err := inventory.FromPURL(product)
	if err != nil && u.Version != "" {
		return false
	}
	if q.Name == "" {
		q.Name = u.Name
	}
	if osv.Base(q.Ecosystem) != osv.Base(p.Ecosystem) && q.Ecosystem != "" {
		return false
	}
	if q.Name != p.Name && q.Name != p.SourceName {
		return false
	}
	return u.Version == "" || u.Version == p.Version
}

// Suppresses reports whether a statement says r does not affect its
// package (status not_affected or fixed). The last statement about a
// vulnerability and package wins, as OpenVEX documents are in time order.
func (v *VEX) Suppresses(r match.Result) bool {
	if v == nil {
		return false
	}
	suppressed := false
	for _, s := range v.statements {
		hit := false
		for _, id := range s.ids {
			if (Ignore{ID: id}).names(r.Record) {
				hit = true
			}
		}
		if !hit {
			continue
		}
		applies := len(s.products) == 0
		for _, pr := range s.products {
			if covers(pr, r.Package) {
				applies = true
			}
		}
		if applies {
			suppressed = s.status == "not_affected" || s.status == "fixed"
		}
	}
	return suppressed
}
