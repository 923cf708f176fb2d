package jsonw

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/slimship/slimship/pkg/finding"
)

// document has report.Document's fields and tags (report's
// TestJSONMatchesEncodingJSON checks Write against report.Document itself).
type document struct {
	Version  int               `json:"version"`
	Findings []finding.Finding `json:"findings"`
}

// genericJSON is the encoding/json form Write must match byte for byte.
func genericJSON(fs []finding.Finding) []byte {
	if fs == nil {
		fs = []finding.Finding{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(document{Version: 1, Findings: fs}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func TestWriteMatchesEncodingJSON(t *testing.T) {
	full := finding.Finding{RuleID: "DL3008", Severity: finding.Warning, Category: "security",
		Location: finding.Location{File: "a/Dockerfile", Line: 3, Column: 2, EndLine: 4, EndColumn: 9, Layer: "sha256:ab", Path: "/etc/x",
			Object: &finding.Object{Kind: "Deployment", Namespace: "ns", Name: "web"}},
		Message: "pin <versions> & \"quote\" \\ \t\n é \u2028 \xff",
		Fix:     &finding.Fix{Description: "pin", Edits: []finding.Edit{{File: "f", Offset: 1, Length: 2, Line: 3, Column: 4, NewText: "x<y>\n", Create: true}, {NewText: ""}}, OptIn: true}}
	cases := map[string][]finding.Finding{
		"nil":          nil,
		"empty":        {},
		"minimal":      {{RuleID: "r", Message: "m"}},
		"aliases":      {{RuleID: "DL3025", Aliases: []string{"JSONArgsRecommended", "<x>"}}, {RuleID: "r", Aliases: []string{}}},
		"full":         {full, {RuleID: "k", Severity: finding.Error, Location: finding.Location{Object: &finding.Object{}}}},
		"fix no edits": {{RuleID: "r", Fix: &finding.Fix{}}, {RuleID: "r", Fix: &finding.Fix{Edits: []finding.Edit{}}}},
		"severities":   {{Severity: finding.Off}, {Severity: finding.Style}, {Severity: finding.Info}, {Severity: finding.Severity(42)}},
	}
	for name, fs := range cases {
		var got bytes.Buffer
		if err := Write(&got, fs); err != nil {
			t.Fatal(err)
		}
		if want := genericJSON(fs); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s:\ngot  %s\nwant %s", name, got.Bytes(), want)
		}
	}
}

// FuzzWriteMatchesEncodingJSON: Write and encoding/json write the same
// bytes for any strings and numbers in any field.
func FuzzWriteMatchesEncodingJSON(f *testing.F) {
	f.Add("rule", "msg", "file", "kind", "alias", "", 3, 0, false)
	f.Add("<&>", "\u2028\xff\x00", "é", "\"", "\\", "x<y>\n", -1, 7, true)
	f.Fuzz(func(t *testing.T, rule, msg, file, kind, alias, text string, line, col int, fix bool) {
		fs := []finding.Finding{{RuleID: rule, Message: msg, Category: finding.Category(kind), Severity: finding.Severity(col % 6),
			Location: finding.Location{File: file, Line: line, Column: col, EndLine: -line, Layer: alias, Path: text,
				Object: &finding.Object{Kind: kind, Namespace: alias, Name: msg}}}}
		if alias != "" {
			fs[0].Aliases = []string{alias, text}
		}
		if fix {
			fs[0].Fix = &finding.Fix{Description: msg, Edits: []finding.Edit{{File: file, Offset: line, Length: col, NewText: text}}}
			fs = append(fs, finding.Finding{RuleID: text})
		}
		var got bytes.Buffer
		if err := Write(&got, fs); err != nil {
			t.Fatal(err)
		}
		if want := genericJSON(fs); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("got  %s\nwant %s", got.Bytes(), want)
		}
	})
}
