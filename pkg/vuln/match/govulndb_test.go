package match_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/vuln/db"
	"github.com/slimship/slimship/pkg/vuln/inventory"
	"github.com/slimship/slimship/pkg/vuln/match"
)

// TestGoDatabase runs the path of `slimship db import` of the Go
// vulnerability database (its v1 layout, named through a symlink) and
// `slimship scan` of an SBOM of Go binaries over four real records, on
// what the comparison with govulncheck -mode=binary -scan=module found:
// records whose packages are all limited to some GOOS or GOARCH affect
// only binaries of those platforms (and every binary of unknown platform),
// and a module path keeps its case through the purl.
func TestGoDatabase(t *testing.T) {
	src, err := filepath.Abs("testdata/govulndb")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	link := filepath.Join(tmp, "vulndb")
	if err := os.Symlink(src, link); err != nil {
		t.Fatal(err)
	}
	store := db.Open(filepath.Join(tmp, "db"))
	st, err := store.Import([]string{link}, db.ImportOptions{Warn: func(m string) { t.Error(m) }})
	if err != nil || st.Records != 4 {
		t.Fatalf("import of the Go layout through a symlink: %+v, %v; want 4 records", st, err)
	}
	ix, err := store.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	const crypto = "pkg:golang/golang.org/x/crypto@v0.0.0-20190308221718-c2843e01d9a2"
	sbom := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
	{"purl":"` + crypto + `?goarch=amd64&goos=linux"},
	{"purl":"` + crypto + `?goarch=arm64&goos=windows"},
	{"purl":"` + crypto + `"},
	{"purl":"pkg:golang/stdlib@v1.26.8?goarch=amd64&goos=linux"},
	{"purl":"pkg:golang/stdlib@v1.26.8?goarch=amd64&goos=windows"},
	{"purl":"pkg:golang/stdlib@v1.27.2?goarch=amd64&goos=windows"},
	{"purl":"pkg:golang/github.com/0xERR0R/blocky@v0.28.0?goarch=amd64&goos=linux"},
	{"purl":"pkg:golang/github.com/0xERR0R/blocky@v0.32.0?goarch=amd64&goos=linux"}]}`
	pkgs, skipped, err := inventory.Read(strings.NewReader(sbom))
	if err != nil || len(skipped) > 0 {
		t.Fatal(err, skipped)
	}
	var got []string
	for _, r := range match.All(ix, pkgs) {
		got = append(got, r.Package.Name+"@"+r.Package.Version+" "+r.Package.GOOS+"/"+r.Package.GOARCH+" "+r.Record.ID+" fixed "+r.Fixed)
	}
	slices.Sort(got)
	want := []string{
		"github.com/0xERR0R/blocky@v0.28.0 linux/amd64 GO-2026-5745 fixed 0.32.0",
		"golang.org/x/crypto@v0.0.0-20190308221718-c2843e01d9a2 / GO-2022-0209 fixed 0.0.0-20190320223903-b7391e95e576",
		"golang.org/x/crypto@v0.0.0-20190308221718-c2843e01d9a2 / GO-2024-2961 fixed 0.0.0-20220525230936-793ad666bf5e",
		"golang.org/x/crypto@v0.0.0-20190308221718-c2843e01d9a2 linux/amd64 GO-2022-0209 fixed 0.0.0-20190320223903-b7391e95e576",
		"golang.org/x/crypto@v0.0.0-20190308221718-c2843e01d9a2 windows/arm64 GO-2024-2961 fixed 0.0.0-20220525230936-793ad666bf5e",
		"stdlib@v1.26.8 windows/amd64 GO-2026-6604 fixed 1.26.9",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
