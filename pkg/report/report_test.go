package report

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/owenrumney/go-sarif/v2/sarif"
	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/finding"
)

var sample = []finding.Finding{
	{RuleID: "DL3009", Severity: finding.Info, Category: finding.Size,
		Location: finding.Location{File: "Dockerfile", Line: 3, Column: 1},
		Message:  "Delete the apt-get lists after installing something",
		Fix: &finding.Fix{Description: "remove apt lists", Edits: []finding.Edit{
			{Offset: 40, Length: 0, Line: 3, Column: 30, NewText: " && rm -rf /var/lib/apt/lists/*"}}}},
	{RuleID: "SS007", Severity: finding.Warning, Category: finding.Security,
		Location: finding.Location{File: "Dockerfile", Line: 1, Column: 1}, Message: "final stage runs as root"},
	{RuleID: "container-resources", Severity: finding.Error, Category: finding.Correctness,
		Location: finding.Location{File: "k8s/web.yaml", Line: 12, Object: &finding.Object{Kind: "Deployment", Name: "web"}},
		Message:  "CPU limit is not set"},
	{RuleID: "CIS-DI-0001", Severity: finding.Warning, Category: finding.Security,
		Location: finding.Location{Layer: "sha256:0123456789abcdef0123456789", Path: "/etc/passwd"},
		Message:  "image runs as root, with a comma, and a colon: here"},
}

var sampleRules = []finding.Rule{
	{ID: "DL3009", Severity: finding.Info, Category: finding.Size, Description: "Delete the apt-get lists after installing something", DocsURL: "https://github.com/hadolint/hadolint/wiki/DL3009"},
}

func TestGolden(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, format, sample, Options{ToolVersion: "test", Rules: sampleRules}); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", "report."+format), buf.Bytes())
		})
	}
}

func TestSARIFLoadsWithLibrary(t *testing.T) {
	var buf bytes.Buffer
	if err := SARIF(&buf, sample, Options{ToolVersion: "test", Rules: sampleRules}); err != nil {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatalf("SARIF library rejects our output: %v", err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q runs %d", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if len(run.Results) != len(sample) || len(run.Tool.Driver.Rules) != 4 {
		t.Fatalf("results %d rules %d", len(run.Results), len(run.Tool.Driver.Rules))
	}
	r0 := run.Results[0]
	if *r0.RuleID != "DL3009" || *r0.Locations[0].PhysicalLocation.Region.StartLine != 3 {
		t.Fatalf("first result wrong: %+v", r0)
	}
	if len(r0.Fixes) != 1 || *r0.Fixes[0].ArtifactChanges[0].Replacements[0].InsertedContent.Text == "" {
		t.Fatal("fix not carried into SARIF")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "yaml", nil, Options{}); err == nil {
		t.Fatal("want error")
	}
}

// TestTextEscapesControlCharacters: a message or file name quoting binary
// input never reaches the terminal raw.
func TestTextEscapesControlCharacters(t *testing.T) {
	var buf bytes.Buffer
	fs := []finding.Finding{{RuleID: "DL3066", Severity: finding.Info, Location: finding.Location{File: "Docker\x1bfile", Line: 4, Column: 1},
		Message: "`USER \x1b[0m\x00` is not numeric"}}
	if err := Text(&buf, fs, Options{}); err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(buf.Bytes(), "\x1b\x00") || !bytes.Contains(buf.Bytes(), []byte("`USER \\x1b[0m\\x00` is not numeric")) {
		t.Errorf("got %q", buf.String())
	}
}
