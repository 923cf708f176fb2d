package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
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
	gates           gates
	df              *dockerfile.File
	s               Streams
	cmd             *cobra.Command
}

// gates are dive's CI rules; a nil field is off.
type gates struct {
	lowestEfficiency   *float64
	highestWasted      *int64
	highestUserPercent *float64
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

CI gates (as dive's --ci): --lowest-efficiency, --highest-wasted-bytes,
--highest-user-wasted-percent, or analyze: in .slimship.yaml.
Exit codes: 0 ok, 1 a gate failed, 2 bad input or unreadable image.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image = args[0]
			o.cmd = cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text, json, html")
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
		o.gates.lowestEfficiency = a.LowestEfficiency
		o.gates.highestUserPercent = a.HighestUserWastedPercent
		if a.HighestWastedBytes != "" {
			n, err := units.ParseBytes(a.HighestWastedBytes)
			if err != nil {
				return usageErr("%s: analyze.highest-wasted-bytes: %v", cfg.Source, err)
			}
			o.gates.highestWasted = &n
		}
	}
	fl := o.cmd.Flags()
	if fl.Changed("lowest-efficiency") {
		v := o.LowestEfficiency
		o.gates.lowestEfficiency = &v
	}
	if fl.Changed("highest-user-wasted-percent") {
		v := o.HighestUserWastedPercent
		o.gates.highestUserPercent = &v
	}
	if o.HighestWastedBytes != "" {
		n, err := units.ParseBytes(o.HighestWastedBytes)
		if err != nil {
			return usageErr("--highest-wasted-bytes: %v", err)
		}
		o.gates.highestWasted = &n
	}
	if o.MaxUncompressed != "" {
		n, err := units.ParseBytes(o.MaxUncompressed)
		if err != nil || n <= 0 {
			return usageErr("--max-uncompressed %q: want a size such as 20GB", o.MaxUncompressed)
		}
		o.maxUncompressed = n
	}
	if o.Dockerfile != "" {
		f, err := os.Open(o.Dockerfile)
		if err != nil {
			return usageErr("%v", err)
		}
		defer f.Close()
		df, err := dockerfile.Parse(o.Dockerfile, f)
		if err != nil {
			return usageErr("%v", err)
		}
		o.df = df
	}
	return nil
}

// Validate checks flags.
func (o *AnalyzeOptions) Validate() error {
	switch o.Format {
	case "text", "json", "html":
	default:
		return usageErr("unknown --format %q (want text, json or html)", o.Format)
	}
	if g := o.gates.lowestEfficiency; g != nil && (*g < 0 || *g > 1) {
		return usageErr("lowest-efficiency %v: want a ratio between 0 and 1", *g)
	}
	if g := o.gates.highestUserPercent; g != nil && *g < 0 {
		return usageErr("highest-user-wasted-percent %v: want a ratio >= 0", *g)
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
	var buf bytes.Buffer
	switch o.Format {
	case "json":
		err = writeAnalyzeJSON(&buf, res)
	case "html":
		err = analyze.HTML(&buf, res)
	default:
		color := o.Output == "" && isTerminal(o.s.Out)
		err = writeAnalyzeText(&buf, res, o.Top, color)
	}
	if err != nil {
		return err
	}
	failed := o.checkGates(res)
	if o.Format == "text" && len(failed) > 0 {
		fmt.Fprintln(&buf)
		for _, f := range failed {
			fmt.Fprintln(&buf, "FAIL", f)
		}
	}
	if err := o.write(buf.Bytes()); err != nil {
		return err
	}
	if len(failed) > 0 {
		if o.Format != "text" || o.Output != "" {
			for _, f := range failed {
				fmt.Fprintln(o.s.Err, "slimship: gate failed:", f)
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

func (o *AnalyzeOptions) checkGates(r *analyze.Result) []string {
	var out []string
	if g := o.gates.lowestEfficiency; g != nil && r.Efficiency < *g {
		out = append(out, fmt.Sprintf("lowest-efficiency: efficiency %.4f is below %.4f", r.Efficiency, *g))
	}
	if g := o.gates.highestWasted; g != nil && r.WastedBytes > *g {
		out = append(out, fmt.Sprintf("highest-wasted-bytes: %s wasted is more than %s", units.DecimalBytes(r.WastedBytes), units.DecimalBytes(*g)))
	}
	if g := o.gates.highestUserPercent; g != nil && r.UserWastedPercent > *g {
		out = append(out, fmt.Sprintf("highest-user-wasted-percent: %.4f is more than %.4f", r.UserWastedPercent, *g))
	}
	return out
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
	fmt.Fprintf(w, "%sSize%s        %s in %d layers (%s compressed), %s squashed in %d files\n", bold, reset,
		units.DecimalBytes(r.SizeBytes), len(r.Layers), units.DecimalBytes(r.CompressedBytes), units.DecimalBytes(r.SquashedBytes), r.FileCount)
	fmt.Fprintf(w, "%sEfficiency%s  %.4f   wasted %s   user wasted %.2f%%   reclaimable by squashing %s\n\n", bold, reset,
		r.Efficiency, units.DecimalBytes(r.WastedBytes), 100*r.UserWastedPercent, units.DecimalBytes(r.ReclaimableBytes))

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
			wasted = red + units.DecimalBytes(l.ReclaimableBytes) + reset
		}
		digest := strings.TrimPrefix(l.Digest, "sha256:")
		if len(digest) > 12 {
			digest = digest[:12]
		}
		fmt.Fprintf(w, "%3d  %-12s %9s %7d %10s  %s  %s\n", l.Index, digest, units.DecimalBytes(l.SizeBytes), l.Files, wasted, bar, by)
	}
	if top > 0 && len(r.InefficientFiles) > 0 {
		fmt.Fprintf(w, "\n%sInefficient files%s (in several layers; dive's wasted bytes)\n", bold, reset)
		fmt.Fprintf(w, "%s%6s  %9s  %s%s\n", dim, "COUNT", "WASTED", "PATH", reset)
		for i, f := range r.InefficientFiles {
			if i >= top || f.WastedBytes == 0 {
				break
			}
			fmt.Fprintf(w, "%6d  %9s  %s\n", f.Count, units.DecimalBytes(f.WastedBytes), f.Path)
		}
	}
	if top > 0 && len(r.LargestFiles) > 0 {
		fmt.Fprintf(w, "\n%sLargest files%s\n", bold, reset)
		for i, f := range r.LargestFiles {
			if i >= top {
				break
			}
			fmt.Fprintf(w, "%9s  layer %-3d %s\n", units.DecimalBytes(f.Bytes), f.Layer, f.Path)
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
	fmt.Fprintf(p.w, "\r\x1b[Kanalyzing [%s%s] layer %d/%d, %s read", strings.Repeat("=", n), strings.Repeat(" ", w-n), min(p.ldone+1, max(p.ltotal, 1)), p.ltotal, units.DecimalBytes(p.bytes))
	p.drawn = true
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
