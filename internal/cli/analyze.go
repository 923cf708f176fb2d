package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/image/analyze"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/report"
)

// AnalyzeOptions are the flags of `slimship analyze`.
type AnalyzeOptions struct {
	Format          string
	Output          string
	Dockerfile      string
	ConfigPath      string
	Platform        string
	Insecure        bool
	MaxUncompressed string
	NoProgress      bool
	Top             int

	LowestEfficiency         float64
	HighestWastedBytes       string
	HighestUserWastedPercent float64

	Image string

	maxUncompressed int64
	pol             *finding.Policy
	gates           analyze.Gates
	df              *dockerfile.File
	s               Streams
	cmd             *cobra.Command
}

func newAnalyzeCmd(s Streams) *cobra.Command {
	o := &AnalyzeOptions{s: s}
	cmd := &cobra.Command{
		Use:   "analyze IMAGE",
		Short: "Show what each layer of an image adds and wastes (dive's figures, without a daemon)",
		Long: `Analyze an image layer by layer in one streaming pass: sizes, files,
what later layers overwrite or delete, dive's efficiency, wasted bytes and
user wasted percent, the bytes squashing would reclaim, and known waste
(package caches, docs, VCS dirs, toolchains) pointing at the Dockerfile
line that made it (--dockerfile).

IMAGE is docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG],
docker://REF or a bare registry reference, docker-daemon:REF, podman:REF,
or a bare path whose format is detected.

CI gates (as dive's --ci): --lowest-efficiency and
--highest-user-wasted-percent take ratios from 0 to 1 (0.2 is 20%),
--highest-wasted-bytes a size; or analyze: in .slimship.yaml. A failed gate
is an error finding (SSI030-SSI032) in --format sarif, beside the waste
findings.
Exit codes: 0 ok, 1 a gate failed, 2 bad input or unreadable image.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image = args[0]
			o.cmd = cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text, json, html, sarif (waste and gate findings)")
	f.StringVarP(&o.Output, "output", "o", "", "write the report to this file instead of standard output")
	f.StringVar(&o.Dockerfile, "dockerfile", "", "Dockerfile that built the image: waste findings point at its lines")
	f.StringVarP(&o.ConfigPath, "config", "c", "", "configuration file (default: .slimship.yaml found upward)")
	f.StringVar(&o.Platform, "platform", "", "platform to pick from an image index: os/arch[/variant]")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP registries")
	f.StringVar(&o.MaxUncompressed, "max-uncompressed", "", "stop when the layers decompress to more than this (e.g. 20GB; default 64GiB)")
	f.BoolVar(&o.NoProgress, "no-progress", false, "no progress bar on standard error")
	f.IntVar(&o.Top, "top", 10, "how many largest files, directories and wasted paths to show")
	f.Float64Var(&o.LowestEfficiency, "lowest-efficiency", 0, "fail (exit 1) when efficiency is below this ratio (0-1)")
	f.StringVar(&o.HighestWastedBytes, "highest-wasted-bytes", "", "fail (exit 1) when wasted bytes exceed this (e.g. 20MB)")
	f.Float64Var(&o.HighestUserWastedPercent, "highest-user-wasted-percent", 0, "fail (exit 1) when wasted bytes over user bytes exceed this ratio (0-1)")
	return cmd
}

// Complete reads the configuration, the Dockerfile and sizes.
func (o *AnalyzeOptions) Complete() error {
	cfg, err := config.ForPath(o.ConfigPath, ".")
	if err != nil {
		return usageErr("%v", err)
	}
	if o.pol, err = cfg.Policy(ruleIDs(), config.Flags{}); err != nil {
		return usageErr("%v", err)
	}
	if cfg != nil {
		a := cfg.Analyze
		if err := checkRatio(cfg.Source+": analyze.lowest-efficiency", a.LowestEfficiency); err != nil {
			return err
		}
		if err := checkRatio(cfg.Source+": analyze.highest-user-wasted-percent", a.HighestUserWastedPercent); err != nil {
			return err
		}
		o.gates.LowestEfficiency = a.LowestEfficiency
		o.gates.HighestUserWastedPercent = a.HighestUserWastedPercent
		if a.HighestWastedBytes != "" {
			n, err := units.ParseBytes(a.HighestWastedBytes)
			if err != nil {
				return usageErr("%s: analyze.highest-wasted-bytes: %v", cfg.Source, err)
			}
			o.gates.HighestWastedBytes = &n
		}
	}
	fl := o.cmd.Flags()
	if fl.Changed("lowest-efficiency") {
		v := o.LowestEfficiency
		if err := checkRatio("--lowest-efficiency", &v); err != nil {
			return err
		}
		o.gates.LowestEfficiency = &v
	}
	if fl.Changed("highest-user-wasted-percent") {
		v := o.HighestUserWastedPercent
		if err := checkRatio("--highest-user-wasted-percent", &v); err != nil {
			return err
		}
		o.gates.HighestUserWastedPercent = &v
	}
	if o.HighestWastedBytes != "" {
		n, err := units.ParseBytes(o.HighestWastedBytes)
		if err != nil {
			return usageErr("--highest-wasted-bytes: %v", err)
		}
		o.gates.HighestWastedBytes = &n
	}
	if o.MaxUncompressed != "" {
		n, err := units.ParseBytes(o.MaxUncompressed)
		if err != nil || n <= 0 {
			return usageErr("--max-uncompressed %q: want a size such as 20GB", o.MaxUncompressed)
		}
		o.maxUncompressed = n
	}
	if fl.Changed("output") {
		// before the image is read: a wrong path is a usage error, and no
		// directory is created for it.
		if err := atomicfile.CheckTarget(o.Output); err != nil {
			return usageErr("--output: %v", err)
		}
	}
	if o.Dockerfile != "" {
		df, err := readDockerfile(o.Dockerfile)
		if err != nil {
			return err
		}
		o.df = df
	}
	return nil
}

// checkRatio refuses a ratio gate outside 0..1. Both ratio gates take
// dive's ratios (efficiency 0.9, user wasted 0.2 for 20%), so a value such
// as 5 is a percentage written where a ratio is meant, not a threshold.
func checkRatio(what string, v *float64) error {
	if v == nil || (*v >= 0 && *v <= 1) {
		return nil
	}
	if *v > 1 && *v <= 100 {
		return usageErr("%s %v: want a ratio between 0 and 1 (%v for %v%%)", what, *v, *v/100, *v)
	}
	return usageErr("%s %v: want a ratio between 0 and 1", what, *v)
}

// Validate checks flags.
func (o *AnalyzeOptions) Validate() error {
	switch o.Format {
	case "text", "json", "html", "sarif":
	default:
		return usageErr("unknown --format %q (want text, json, html or sarif)", o.Format)
	}
	if o.Top < 0 {
		return usageErr("--top must be >= 0")
	}
	return nil
}

// Run opens and analyzes the image, writes the report and applies gates.
func (o *AnalyzeOptions) Run() error {
	ctx := o.cmd.Context()
	img, err := transport.Open(ctx, o.Image, transport.Options{Platform: o.Platform, Insecure: o.Insecure})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	prog := newProgress(o.s.Err, !o.NoProgress && isTerminal(o.s.Err))
	res, err := analyze.Analyze(ctx, img, o.Image, analyze.Options{
		MaxUncompressed: o.maxUncompressed,
		Dockerfile:      o.df,
		Top:             max(o.Top, 1),
		ReadProgress:    prog.read,
		LayerProgress:   prog.layer,
	})
	prog.done()
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", o.Image, err)}
	}
	res.Findings = o.pol.Apply(analyze.Rules(), res.Findings)
	failed := o.gates.Check(res)
	var buf bytes.Buffer
	switch o.Format {
	case "json":
		err = writeAnalyzeJSON(&buf, res)
	case "html":
		err = analyze.HTML(&buf, res)
	case "sarif":
		err = writeAnalyzeSARIF(&buf, res, failed)
	default:
		color := o.Output == "" && isTerminal(o.s.Out)
		err = writeAnalyzeText(&buf, res, o.Top, color)
	}
	if err != nil {
		return err
	}
	if o.Format == "text" && len(failed) > 0 {
		fmt.Fprintln(&buf)
		for _, f := range failed {
			fmt.Fprintln(&buf, "FAIL", f.Message)
		}
	}
	if err := o.write(buf.Bytes()); err != nil {
		return err
	}
	if len(failed) > 0 {
		if o.Format != "text" || o.Output != "" {
			for _, f := range failed {
				fmt.Fprintln(o.s.Err, "slimship: gate failed:", f.Message)
			}
		}
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

func (o *AnalyzeOptions) write(b []byte) error {
	if o.Output == "" {
		_, err := o.s.Out.Write(b)
		return err
	}
	return writeFileAtomic(o.Output, b)
}

// writeFileAtomic writes b to a temporary file beside path and renames it.
func writeFileAtomic(path string, b []byte) error {
	if err := atomicfile.Write(path, b, 0o644); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return nil
}

// writeAnalyzeSARIF writes the waste findings and the failed gates as
// SARIF through pkg/report; findings without a Dockerfile position are
// placed on the image.
func writeAnalyzeSARIF(w io.Writer, r *analyze.Result, failed []finding.Finding) error {
	fs := make([]finding.Finding, 0, len(r.Findings)+len(failed))
	for _, f := range r.Findings {
		if f.File == "" {
			f.File = r.Image
		}
		fs = append(fs, f)
	}
	fs = append(fs, failed...)
	return report.Write(w, "sarif", fs, report.Options{ToolVersion: versionString(), Rules: allRules(), Files: []string{r.Image}})
}

// writeAnalyzeJSON writes the --format json contract (version 1): the
// result's own fields after "version", with at most 100 deletions.
func writeAnalyzeJSON(w io.Writer, r *analyze.Result) error {
	res := *r
	if len(res.Deleted) > 100 {
		res.Deleted = res.Deleted[:100]
	}
	out := struct {
		Version int `json:"version"`
		*analyze.Result
	}{1, &res}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func writeAnalyzeText(w io.Writer, r *analyze.Result, top int, color bool) error {
	bold, dim, red, reset := "", "", "", ""
	if color {
		bold, dim, red, reset = "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[0m"
	}
	fmt.Fprintf(w, "%sImage%s       %s\n", bold, reset, r.Image)
	if r.Digest != "" {
		fmt.Fprintf(w, "%sDigest%s      %s\n", bold, reset, r.Digest)
	}
	// the compressed total only when every layer's is known
	compressed := " (" + units.Bytes(r.CompressedBytes) + " compressed)"
	for _, l := range r.Layers {
		if l.CompressedBytes <= 0 {
			compressed = ""
		}
	}
	fmt.Fprintf(w, "%sSize%s        %s in %s%s, %s squashed in %s\n", bold, reset,
		units.Bytes(r.SizeBytes), units.Count(len(r.Layers), "layer"), compressed, units.Bytes(r.SquashedBytes), units.Count(r.FileCount, "file"))
	fmt.Fprintf(w, "%sEfficiency%s  %.4f   wasted %s   user wasted %.2f%%   reclaimable by squashing %s\n\n", bold, reset,
		r.Efficiency, units.Bytes(r.WastedBytes), 100*r.UserWastedPercent, units.Bytes(r.ReclaimableBytes))

	var maxSize int64 = 1
	for _, l := range r.Layers {
		maxSize = max(maxSize, l.SizeBytes)
	}
	const barW = 20
	fmt.Fprintf(w, "%s%3s  %-12s %9s %7s %10s  %-*s  %s%s\n", bold, "#", "LAYER", "SIZE", "FILES", "GONE LATER", barW, "", "CREATED BY", reset)
	for _, l := range r.Layers {
		n := int(float64(barW) * float64(l.SizeBytes) / float64(maxSize))
		if n == 0 && l.SizeBytes > 0 {
			n = 1
		}
		bar := strings.Repeat("█", n) + strings.Repeat("·", barW-n)
		by := oneLine(l.CreatedBy, 70)
		if l.Instruction != nil {
			by = fmt.Sprintf("%s:%d %s", filepath.Base(l.Instruction.File), l.Instruction.Line, oneLine(l.Instruction.Text, 60))
		}
		wasted := "-"
		if l.ReclaimableBytes > 0 {
			wasted = red + units.Bytes(l.ReclaimableBytes) + reset
		}
		digest := strings.TrimPrefix(l.Digest, "sha256:")
		if len(digest) > 12 {
			digest = digest[:12]
		}
		fmt.Fprintf(w, "%3d  %-12s %9s %7d %10s  %s  %s\n", l.Index, digest, units.Bytes(l.SizeBytes), l.Files, wasted, bar, by)
	}
	if top > 0 && len(r.InefficientFiles) > 0 {
		fmt.Fprintf(w, "\n%sInefficient files%s (in several layers; dive's wasted bytes)\n", bold, reset)
		fmt.Fprintf(w, "%s%6s  %9s  %s%s\n", dim, "COUNT", "WASTED", "PATH", reset)
		for i, f := range r.InefficientFiles {
			if i >= top || f.WastedBytes == 0 {
				break
			}
			fmt.Fprintf(w, "%6d  %9s  %s\n", f.Count, units.Bytes(f.WastedBytes), f.Path)
		}
	}
	if top > 0 && len(r.LargestFiles) > 0 {
		fmt.Fprintf(w, "\n%sLargest files%s\n", bold, reset)
		for i, f := range r.LargestFiles {
			if i >= top {
				break
			}
			fmt.Fprintf(w, "%9s  layer %-3d %s\n", units.Bytes(f.Bytes), f.Layer, f.Path)
		}
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(w, "\n%sWaste%s\n", bold, reset)
		for _, f := range r.Findings {
			pos := ""
			if f.File != "" {
				pos = fmt.Sprintf("%s:%d ", f.File, f.Line)
			}
			fmt.Fprintf(w, "%s%s %s%s %s%s\n", pos, f.RuleID, dim, f.Severity, reset, f.Message)
		}
	}
	return nil
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// progress draws a bar on a terminal for reads that take over a second.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	on      bool
	start   time.Time
	drawn   bool
	read    func(int64)
	layer   func(int, int)
	bytes   int64
	ldone   int
	ltotal  int
	lastOut time.Time
}

func newProgress(w io.Writer, on bool) *progress {
	p := &progress{w: w, on: on, start: time.Now()}
	if !on {
		return p
	}
	p.read = func(n int64) {
		p.mu.Lock()
		p.bytes = n
		p.draw()
		p.mu.Unlock()
	}
	p.layer = func(done, total int) {
		p.mu.Lock()
		p.ldone, p.ltotal = done, total
		p.draw()
		p.mu.Unlock()
	}
	return p
}

func (p *progress) draw() {
	now := time.Now()
	if now.Sub(p.start) < time.Second || now.Sub(p.lastOut) < 100*time.Millisecond {
		return
	}
	p.lastOut = now
	const w = 24
	n := 0
	if p.ltotal > 0 {
		n = w * p.ldone / p.ltotal
	}
	layer := ""
	if p.ltotal > 0 {
		layer = fmt.Sprintf(" layer %d/%d,", min(p.ldone+1, p.ltotal), p.ltotal)
	}
	fmt.Fprintf(p.w, "\r\x1b[Kanalyzing [%s%s]%s %s read", strings.Repeat("=", n), strings.Repeat(" ", w-n), layer, units.Bytes(p.bytes))
	p.drawn = true
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
