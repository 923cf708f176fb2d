package scan

import (
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/slimship/slimship/pkg/vuln/match"
)

// CycloneDX writes a CycloneDX 1.5 JSON document: the scanned packages as
// components and each vulnerability with its rating, the components it
// affects and the fixed version as a recommendation.
func CycloneDX(w io.Writer, pkgs []match.Package, vs []Vuln, toolVersion string) error {
	type ref struct {
		Ref string `json:"ref"`
	}
	type rating struct {
		Score    float64 `json:"score,omitempty"`
		Severity string  `json:"severity"`
		Method   string  `json:"method,omitempty"`
		Vector   string  `json:"vector,omitempty"`
	}
	type source struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	type vuln struct {
		BOMRef         string   `json:"bom-ref"`
		ID             string   `json:"id"`
		Source         source   `json:"source"`
		Ratings        []rating `json:"ratings"`
		Description    string   `json:"description,omitempty"`
		Recommendation string   `json:"recommendation,omitempty"`
		Affects        []ref    `json:"affects"`
		References     []struct {
			ID     string `json:"id"`
			Source source `json:"source"`
		} `json:"references,omitempty"`
	}
	type component struct {
		BOMRef  string `json:"bom-ref"`
		Type    string `json:"type"`
		Name    string `json:"name"`
		Version string `json:"version"`
		Group   string `json:"group,omitempty"`
	}
	bomRef := func(p match.Package) string { return p.Ecosystem + "/" + p.Name + "@" + p.Version }
	doc := struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Version     int    `json:"version"`
		Metadata    struct {
			Tools struct {
				Components []component `json:"components"`
			} `json:"tools"`
		} `json:"metadata"`
		Components      []component `json:"components"`
		Vulnerabilities []vuln      `json:"vulnerabilities"`
	}{BOMFormat: "CycloneDX", SpecVersion: "1.5", Version: 1, Components: []component{}, Vulnerabilities: []vuln{}}
	doc.Metadata.Tools.Components = []component{{BOMRef: "slimship", Type: "application", Name: "slimship", Version: toolVersion}}
	seen := map[string]bool{}
	for _, p := range pkgs {
		r := bomRef(p)
		if seen[r] {
			continue
		}
		seen[r] = true
		doc.Components = append(doc.Components, component{BOMRef: r, Type: "library", Name: p.Name, Version: p.Version})
	}
	byID := map[string]int{}
	for _, v := range vs {
		i, ok := byID[v.Record.ID]
		if !ok {
			x := vuln{BOMRef: v.Record.ID, ID: v.Record.ID, Source: source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + v.Record.ID},
				Description: v.Record.Summary}
			rt := rating{Severity: v.Level.String(), Method: "other"}
			if vec, sc, ok := strings.Cut(v.Rating, " "); ok {
				rt.Vector = vec
				rt.Score, _ = strconv.ParseFloat(sc, 64)
				switch {
				case strings.HasPrefix(vec, "CVSS:4.0/"):
					rt.Method = "CVSSv4"
				case strings.HasPrefix(vec, "CVSS:3.1/"):
					rt.Method = "CVSSv31"
				case strings.HasPrefix(vec, "CVSS:3.0/"):
					rt.Method = "CVSSv3"
				default:
					rt.Method = "CVSSv2"
				}
			}
			x.Ratings = []rating{rt}
			for _, id := range v.Record.IDs()[1:] {
				x.References = append(x.References, struct {
					ID     string `json:"id"`
					Source source `json:"source"`
				}{id, source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + id}})
			}
			if v.Fixed != "" {
				x.Recommendation = "Upgrade " + v.Package.Name + " to " + v.Fixed
			}
			doc.Vulnerabilities = append(doc.Vulnerabilities, x)
			i = len(doc.Vulnerabilities) - 1
			byID[v.Record.ID] = i
		}
		// A package listed twice (multi-arch twins) is affected once: the
		// schema wants affects' items unique.
		if a := (ref{bomRef(v.Package)}); !slices.Contains(doc.Vulnerabilities[i].Affects, a) {
			doc.Vulnerabilities[i].Affects = append(doc.Vulnerabilities[i].Affects, a)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
