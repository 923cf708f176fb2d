package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
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
	{RuleID: "DL3025", Aliases: []string{"JSONArgsRecommended"}, Severity: finding.Warning, Category: finding.Correctness,
		Location: finding.Location{File: "Dockerfile", Line: 5, Column: 1}, Message: "Use arguments JSON notation for CMD and ENTRYPOINT arguments"},
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
	if len(run.Results) != len(sample) || len(run.Tool.Driver.Rules) != 5 {
		t.Fatalf("results %d rules %d", len(run.Results), len(run.Tool.Driver.Rules))
	}
	r0 := run.Results[0]
	if *r0.RuleID != "DL3009" || *r0.Locations[0].PhysicalLocation.Region.StartLine != 3 {
		t.Fatalf("first result wrong: %+v", r0)
	}
	if len(r0.Fixes) != 1 || *r0.Fixes[0].ArtifactChanges[0].Replacements[0].InsertedContent.Text == "" {
		t.Fatal("fix not carried into SARIF")
	}
	if r2 := run.Results[2]; fmt.Sprint(r2.Properties["aliases"]) != "[JSONArgsRecommended]" {
		t.Fatalf("aliases not carried into SARIF: %+v", r2.Properties)
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "yaml", nil, Options{}); err == nil {
		t.Fatal("want error")
	}
}

// Positions of different widths in one group (an image's files and
// layers) keep the severity and rule columns aligned.
func TestTextColumnsAlign(t *testing.T) {
	fs := []finding.Finding{
		{RuleID: "CIS-DI-0001", Severity: finding.Warning, Message: "runs as root", Location: finding.Location{File: "img.tar"}},
		{RuleID: "CIS-DI-0010", Severity: finding.Error, Message: "credential file", Location: finding.Location{File: "img.tar", Path: "/app/credentials.json", Layer: "sha256:358229a0697d"}},
		{RuleID: "CIS-DI-0009", Severity: finding.Error, Message: "uses ADD", Location: finding.Location{File: "img.tar", Layer: "sha256:358229a0697d"}},
	}
	var buf bytes.Buffer
	if err := Text(&buf, fs, Options{}); err != nil {
		t.Fatal(err)
	}
	col := -1
	for _, line := range strings.Split(buf.String(), "\n") {
		if !strings.HasPrefix(line, "  ") {
			continue
		}
		i := strings.Index(line, "CIS-DI-")
		if col >= 0 && i != col {
			t.Fatalf("rule column moves from %d to %d:\n%s", col, i, buf.String())
		}
		col = i
	}
}

// Every SARIF replacement has a valid deletedRegion (a character offset,
// 0 included: a new file's content is inserted at offset 0) and names the
// file the edit is for.
func TestSARIFEditRegions(t *testing.T) {
	fs := []finding.Finding{{RuleID: "SS006", Severity: finding.Warning,
		Location: finding.Location{File: "app/Dockerfile", Line: 2, Column: 1}, Message: "no .dockerignore",
		Fix: &finding.Fix{Description: "create .dockerignore", Edits: []finding.Edit{
			{File: "app/.dockerignore", Create: true, NewText: ".git\n"},
			{File: "app/Dockerfile", Offset: 0, Length: 4, NewText: "from"}}}}}
	var buf bytes.Buffer
	if err := SARIF(&buf, fs, Options{}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Fixes []struct {
					ArtifactChanges []struct {
						ArtifactLocation struct{ URI string }
						Replacements     []struct {
							DeletedRegion map[string]int
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	changes := log.Runs[0].Results[0].Fixes[0].ArtifactChanges
	if len(changes) != 2 || changes[0].ArtifactLocation.URI != "app/.dockerignore" || changes[1].ArtifactLocation.URI != "app/Dockerfile" {
		t.Fatalf("artifact changes: %+v", changes)
	}
	for _, ch := range changes {
		for _, r := range ch.Replacements {
			if _, ok := r.DeletedRegion["charOffset"]; !ok {
				t.Errorf("%s: deletedRegion without charOffset: %v", ch.ArtifactLocation.URI, r.DeletedRegion)
			}
		}
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

// TestJSONMatchesEncodingJSON: JSON writes what encoding/json's indented
// Encoder writes for a Document (jsonw's fuzz target covers the strings).
func TestJSONMatchesEncodingJSON(t *testing.T) {
	for _, fs := range [][]finding.Finding{nil, sample} {
		var got, want bytes.Buffer
		if err := JSON(&got, fs); err != nil {
			t.Fatal(err)
		}
		doc := Document{Version: 1, Findings: fs}
		if fs == nil {
			doc.Findings = []finding.Finding{}
		}
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("got  %s\nwant %s", got.Bytes(), want.Bytes())
		}
	}
}
