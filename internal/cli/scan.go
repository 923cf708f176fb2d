package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/report"
	"github.com/slimship/slimship/pkg/sbom"
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
	Dockerfile    string
	Platform      string
	Insecure      bool
	SBOMSources   []string
	Key           string

	Input string

	sources  *sbomSources
	attached []match.Package // the packages of the SBOM --sbom-sources found
	store    *db.Store
	gate     scan.Gate
	ignores  []scan.Ignore
	pol      *finding.Policy
	df       *dockerfile.File
	vex      []*scan.VEX
	now      func() time.Time
	s        Streams
	ctx      context.Context
}

func newScanCmd(s Streams) *cobra.Command {
	o := &ScanOptions{s: s, now: time.Now}
	cmd := &cobra.Command{
		Use: "scan IMAGE|DIR|SBOM",
		Example: `  slimship scan --dockerfile Dockerfile docker-archive:app.tar
  slimship scan --fail-on high --ignore-unfixed --vex vex.json -f sarif oci:layout:1.0
  slimship sbom -f cyclonedx -o app.cdx.json docker-archive:app.tar && slimship scan app.cdx.json`,
		Short: "Match an image's, a directory's or an SBOM's packages against the local vulnerability database",
		Long: `Match the packages of an image (any transport, as slimship sbom reads it),
a directory tree, or an SBOM file (CycloneDX JSON, SPDX JSON with purls,
or slimship's JSON package list) against the local vulnerability database
(see slimship db), in each ecosystem's own version order. Each finding of
an image says which layer added the package; with --dockerfile, whether it
came with the base image or which instruction added it (and SARIF points
at that line). Distribution
packages are matched by source package and release (Debian:12) or origin
and branch (Alpine:v3.20). Each vulnerability is a finding of its class's
rule: VULN-CRITICAL, VULN-HIGH, VULN-MEDIUM, VULN-LOW, or VULN-UNKNOWN
(no rating; gated as medium). scan never touches the network; it warns
when the database is older than --max-age.
Exit codes: 0 nothing at or above --fail-on, 1 vulnerabilities at or above
--fail-on, 2 bad input or no database.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Input = args[0]
			o.ctx = cmd.Context()
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
	f.StringVar(&o.Dockerfile, "dockerfile", "", "Dockerfile that built the image: findings name the instruction that added the package, or the base image")
	f.StringVar(&o.Platform, "platform", "", "platform to pick from an image index: os/arch[/variant]")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP registries")
	f.StringSliceVar(&o.SBOMSources, "sbom-sources", nil, "scan the SBOM attached to a registry image instead of its layers, from the first of: attestation (signed, verified with --key), referrer (sbom --attach)")
	f.StringVar(&o.Key, "key", "", "public key (cosign.pub) that --sbom-sources attestation verifies with")
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
	if o.sources, err = completeSBOMSources(o.Input, o.SBOMSources, o.Key, o.Insecure); err != nil {
		return err
	}
	if o.Dockerfile != "" {
		if o.df, err = readDockerfile(o.Dockerfile); err != nil {
			return err
		}
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
	pkgs, err := o.packages()
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
	defer ix.Close()
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
	if err := ix.Err(); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
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

// packages reads the input's packages: an SBOM file, or an image or a
// directory tree through pkg/sbom.
func (o *ScanOptions) packages() ([]match.Package, error) {
	if isSBOMFile(o.Input) {
		if o.df != nil {
			return nil, usageErr("--dockerfile: %s is an SBOM; give the image instead", o.Input)
		}
		return readSBOM(o.Input, o.s.Err)
	}
	ctx := orBackground(o.ctx)
	topts := transport.Options{Platform: o.Platform, Insecure: o.Insecure, Offline: o.Offline}
	var inv *sbom.Inventory
	var err error
	if o.sources != nil {
		if inv, err = o.attachedOrImage(ctx, topts); inv == nil {
			return o.attached, err
		}
	} else if inv, _, err = inventoryOf(ctx, o.Input, topts, o.df); err != nil {
		return nil, err
	}
	for _, w := range inv.Warnings {
		fmt.Fprintln(o.s.Err, "slimship: warning:", w)
	}
	var out []match.Package
	for _, p := range inv.Packages {
		mp, err := inventory.FromPURL(p.PURL)
		if err != nil {
			fmt.Fprintf(o.s.Err, "warning: %s: package skipped: %v\n", p.Path, err)
			continue
		}
		w := &match.Where{Path: p.Path, Layer: p.Layer, LayerDigest: p.LayerDigest, CreatedBy: p.Instruction, Origin: p.Origin}
		if d := p.Dockerfile; d != nil {
			w.DockerfileFile, w.DockerfileLine, w.DockerfileText = d.File, d.Line, d.Text
		}
		mp.Where = w
		out = append(out, mp)
	}
	return out, nil
}

// isSBOMFile reports whether path is a regular file holding JSON (an SBOM)
// rather than an image archive: named *.json (or .xml, .spdx, .cdx, .yaml:
// the SBOM reader says they are not JSON) or starting with '{'.
func isSBOMFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json", ".xml", ".spdx", ".cdx", ".yaml", ".yml":
		if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false
	}
	b := make([]byte, 512)
	n, _ := f.Read(b)
	for _, c := range b[:n] {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
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
