package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/report"
	"github.com/slimship/slimship/pkg/vuln/db"
	"github.com/slimship/slimship/pkg/vuln/inventory"
	"github.com/slimship/slimship/pkg/vuln/match"
	"github.com/slimship/slimship/pkg/vuln/osv"
	"github.com/slimship/slimship/pkg/vuln/scan"
	"github.com/slimship/slimship/pkg/vuln/severity"
)

// ScanOptions are the flags of `slimship scan`.
type ScanOptions struct {
	DB            string
	Format        string
	FailOn        string
	NoColor       bool
	IgnoreUnfixed bool
	IgnoreVulns   []string
	Ignore        []string
	MaxAge        time.Duration
	Offline       bool
	ConfigPath    string
	VEX           []string

	Input string

	store   *db.Store
	gate    scan.Gate
	ignores []scan.Ignore
	pol     *finding.Policy
	vex     []*scan.VEX
	now     func() time.Time
	s       Streams
}

func newScanCmd(s Streams) *cobra.Command {
	o := &ScanOptions{s: s, now: time.Now}
	cmd := &cobra.Command{
		Use: "scan SBOM",
		Example: `  slimship sbom -f cyclonedx -o app.cdx.json docker-archive:app.tar && slimship scan app.cdx.json
  slimship scan --fail-on high --ignore-unfixed --vex vex.json -f sarif app.cdx.json`,
		Short: "Match an SBOM's packages against the local vulnerability database",
		Long: `Match the packages of an SBOM (CycloneDX JSON, SPDX JSON with purls, or
slimship's JSON package list) against the local vulnerability database
(see slimship db), in each ecosystem's own version order. Distribution
packages are matched by source package and release (Debian:12) or origin
and branch (Alpine:v3.20). Each vulnerability is a finding of its class's
rule: VULN-CRITICAL, VULN-HIGH, VULN-MEDIUM, VULN-LOW, or VULN-UNKNOWN
(no rating; gated as medium). scan never touches the network; it warns
when the database is older than --max-age.
Exit codes: 0 nothing at or above --fail-on, 1 vulnerabilities at or above
--fail-on, 2 bad input or no database.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			o.Input = args[0]
			return run(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DB, "db", "", "database directory (default: <user cache dir>/slimship/vulndb)")
	f.StringVarP(&o.Format, "format", "f", "text", "output format: "+strings.Join(report.Formats, ", ")+", cyclonedx (the SBOM's packages with their vulnerabilities)")
	f.StringVar(&o.FailOn, "fail-on", "medium", "exit 1 on vulnerabilities rated at or above: critical, high, medium, low, or none")
	f.BoolVar(&o.NoColor, "no-color", false, "no colours in text output")
	f.BoolVar(&o.IgnoreUnfixed, "ignore-unfixed", false, "leave out vulnerabilities without a fixed version")
	f.StringSliceVar(&o.Ignore, "ignore", nil, "rule IDs to ignore (e.g. VULN-LOW)")
	f.StringSliceVar(&o.IgnoreVulns, "ignore-vuln", nil, "vulnerability IDs or aliases to leave out (e.g. CVE-2024-1234)")
	f.DurationVar(&o.MaxAge, "max-age", 7*24*time.Hour, "warn when the database was imported longer ago than this")
	f.StringVarP(&o.ConfigPath, "config", "c", "", "configuration file (default: .slimship.yaml found upward from the working directory)")
	f.StringSliceVar(&o.VEX, "vex", nil, "OpenVEX documents: not_affected and fixed statements leave vulnerabilities out")
	f.BoolVar(&o.Offline, "offline", false, "never touch the network (scan never does; accepted for scripts)")
	return cmd
}

// Complete resolves the database directory and the gate.
func (o *ScanOptions) Complete() error {
	dir, err := dbDir(o.DB)
	if err != nil {
		return err
	}
	o.store = db.Open(dir)
	if o.now == nil {
		o.now = time.Now
	}
	o.gate.IgnoreUnfixed = o.IgnoreUnfixed
	cfg, err := config.ForPath(o.ConfigPath, ".")
	if err != nil {
		return usageErr("%v", err)
	}
	if o.pol, err = cfg.Policy(ruleIDs(), config.Flags{Ignore: o.Ignore, FailOn: "none"}); err != nil {
		return usageErr("%v", err)
	}
	for i, e := range cfg.Scan.Ignore {
		ig, err := scan.NewIgnore(fmt.Sprintf("%s: scan.ignore[%d]", cfg.Source, i), e.ID, e.Reason, e.Expires)
		if err != nil {
			return usageErr("%v", err)
		}
		o.ignores = append(o.ignores, ig)
	}
	for _, id := range o.IgnoreVulns {
		o.ignores = append(o.ignores, scan.Ignore{ID: id, Reason: "--ignore-vuln"})
	}
	for _, p := range o.VEX {
		f, err := os.Open(p)
		if err != nil {
			return usageErr("%v", err)
		}
		v, err := scan.ReadVEX(f)
		f.Close()
		if err != nil {
			return usageErr("%s: %v", p, err)
		}
		o.vex = append(o.vex, v)
	}
	return nil
}

// Validate checks the flags.
func (o *ScanOptions) Validate() error {
	if !report.ValidFormat(o.Format) && o.Format != "cyclonedx" {
		return usageErr("unknown --format %q (want %s or cyclonedx)", o.Format, strings.Join(report.Formats, ", "))
	}
	if o.FailOn != "none" {
		l, err := severity.Parse(o.FailOn)
		if err != nil {
			return usageErr("--fail-on: %v", err)
		}
		o.gate.FailOn = l
	}
	return nil
}

// Run reads the SBOM, matches it and reports.
func (o *ScanOptions) Run() error {
	st, err := os.Stat(o.Input)
	if err != nil {
		return usageErr("%v", err)
	}
	if st.IsDir() {
		return usageErr("%s: scan takes an SBOM file here; image and directory inputs come with pkg/sbom", o.Input)
	}
	pkgs, err := readSBOM(o.Input, o.s.Err)
	if err != nil {
		return err
	}
	var ecos []string
	for _, p := range pkgs {
		if b := osv.Base(p.Ecosystem); !slices.Contains(ecos, b) {
			ecos = append(ecos, b)
		}
	}
	ix, err := o.store.Load(ecos)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if age := o.now().Sub(ix.Meta.Imported); o.MaxAge > 0 && age > o.MaxAge {
		fmt.Fprintf(o.s.Err, "warning: vulnerability database %s was imported %s ago (more than --max-age %s): run slimship db import or db update\n",
			o.store.Dir, age.Round(time.Hour), o.MaxAge)
	}
	for _, e := range ecos {
		if _, ok := ix.Meta.Ecosystems[e]; !ok {
			fmt.Fprintf(o.s.Err, "warning: the vulnerability database has no %s records: those packages are not checked\n", e)
		}
	}
	results := match.All(ix, pkgs)
	results = scan.ApplyIgnores(results, o.ignores, o.now(), func(m string) { fmt.Fprintln(o.s.Err, "warning:", m) })
	kept := results[:0]
	for _, r := range results {
		if !slices.ContainsFunc(o.vex, func(v *scan.VEX) bool { return v.Suppresses(r) }) {
			kept = append(kept, r)
		}
	}
	results = kept
	vs := scan.KeepRules(scan.Rate(results, o.gate), o.pol)
	fs := scan.Findings(vs, o.Input)
	for i := range fs {
		fs[i].Severity = o.pol.Severity(fs[i].RuleID, fs[i].Severity)
	}
	opts := report.Options{Color: !o.NoColor && isTerminal(o.s.Out), ToolVersion: versionString(), Files: []string{o.Input}, Rules: allRules()}
	if o.Format == "cyclonedx" {
		err = scan.CycloneDX(o.s.Out, pkgs, vs, versionString())
	} else {
		err = report.Write(o.s.Out, o.Format, fs, opts)
	}
	if err != nil {
		return err
	}
	if o.gate.Failing(vs) {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

// readSBOM reads an SBOM file's packages, warning about those skipped.
func readSBOM(path string, warn io.Writer) ([]match.Package, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	defer f.Close()
	pkgs, skipped, err := inventory.Read(f)
	if err != nil {
		return nil, usageErr("%s: %v", path, err)
	}
	for _, s := range skipped {
		fmt.Fprintf(warn, "warning: %s: package skipped: %s\n", path, s)
	}
	return pkgs, nil
}
