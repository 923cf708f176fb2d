package finding

import (
	"encoding/json"
	"go/build"
	"strings"
	"testing"
)

func TestSeverityRoundTrip(t *testing.T) {
	for _, s := range []Severity{Off, Style, Info, Warning, Error} {
		got, err := ParseSeverity(s.String())
		if err != nil || got != s {
			t.Fatalf("ParseSeverity(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Fatal("want error for unknown severity")
	}
}

func TestFindingJSONContract(t *testing.T) {
	f := Finding{RuleID: "DL3009", Severity: Warning, Category: Size,
		Location: Location{File: "Dockerfile", Line: 3, Column: 1}, Message: "m"}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"rule":"DL3009","severity":"warning","category":"size","file":"Dockerfile","line":3,"column":1,"message":"m"}`
	if string(b) != want {
		t.Fatalf("got %s\nwant %s", b, want)
	}
}

func TestRegistryDuplicatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("want panic")
		}
	}()
	NewRegistry(Rule{ID: "A"}, Rule{ID: "A"})
}

func TestAtOrAbove(t *testing.T) {
	fs := []Finding{{Severity: Info}}
	if !AtOrAbove(fs, Info) || AtOrAbove(fs, Warning) || AtOrAbove(fs, Off) {
		t.Fatal("threshold logic wrong")
	}
}

// The finding model stays standard-library only.
func TestDepcheck(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(imp, ".") {
			t.Errorf("finding imports non-stdlib %s", imp)
		}
	}
}

func TestFindingAliases(t *testing.T) {
	f := Finding{RuleID: "DL3025", Aliases: []string{"JSONArgsRecommended"}, Severity: Warning, Message: "m"}
	for id, want := range map[string]bool{"DL3025": true, "dl3025": true, "JSONArgsRecommended": true, "DL3000": false, "": false} {
		if got := f.Matches(id); got != want {
			t.Errorf("Matches(%q) = %v, want %v", id, got, want)
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"rule":"DL3025","aliases":["JSONArgsRecommended"],"severity":"warning","category":"","message":"m"}`; string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}
