//go:build e2e

package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slimship/slimship/bench/govulncheck/gvcmp"
)

// TestGovulncheckAgreement: on Go binaries built with old dependencies
// and the real Go vulnerability database, `slimship db import` + `sbom` +
// `scan` find what `govulncheck -mode=binary -scan=module` finds with the
// same records (every difference has a known cause), and so on every
// module of the database at the versions around its records' events, for
// one platform other than the binaries' (SLIMSHIP_E2E_GOVULN_PLATFORMS,
// a comma-separated GOOS/GOARCH list, or "none"). Prepared by
// scripts/e2e/setup.d/50-govulncheck.sh.
func TestGovulncheckAgreement(t *testing.T) {
	bin := Bin(t)
	what := "govulncheck, the Go vulnerability database and the old-dependency binaries"
	gv := Need(t, "SLIMSHIP_E2E_GOVULNCHECK", what)
	platforms := []string{"windows/arm64"}
	if p := os.Getenv("SLIMSHIP_E2E_GOVULN_PLATFORMS"); p == "none" {
		platforms = nil
	} else if p != "" {
		platforms = strings.Split(p, ",")
	}
	cfg := gvcmp.Config{
		Slimship:    bin,
		Govulncheck: gv,
		OSV:         Need(t, "SLIMSHIP_E2E_GOVULN_OSV", what),
		DB:          Need(t, "SLIMSHIP_E2E_GOVULN_DB", what),
		Bins:        Need(t, "SLIMSHIP_E2E_GOVULN_BINS", what),
		Work:        t.TempDir(),
		Platforms:   platforms,
		Log:         t.Logf,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	rep, err := gvcmp.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.Write(&b)
	t.Log("\n" + b.String())
	for _, d := range rep.Unexplained() {
		t.Errorf("only %s: %s", d.Only, d.Key)
	}
	// Real data, real findings: thousands of records, and the old
	// dependencies of each binary are found vulnerable on both sides.
	if rep.Records < 1000 {
		t.Errorf("%d records imported, want the thousands of the Go database", rep.Records)
	}
	if c := rep.Comparisons[0]; c.Inputs < 5 || c.Govulncheck < 5*c.Inputs || c.Slimship < 5*c.Inputs {
		t.Errorf("%s: %d binaries, findings slimship %d, govulncheck %d: too few to compare", c.Name, c.Inputs, c.Slimship, c.Govulncheck)
	}
}
