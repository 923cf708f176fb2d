// Package gvcmp compares slimship's findings on Go binaries with
// govulncheck's (`-mode=binary -scan=module`, golang.org/x/vuln) on the
// same binaries and the same records: slimship imports the Go
// vulnerability database's OSV files (x/vulndb's data/osv), govulncheck
// reads the v1 database x/vulndb's cmd/indexdb builds from them. It is the
// check behind bench/govulncheck/compare.sh and e2e/govulncheck_test.go.
//
// A finding is compared as (module, version, vulnerability ID). Besides
// real binaries, a synthetic comparison puts every module of the database
// at the versions around each of its records' events into one govulncheck
// extract blob (its -mode=binary input) and into one CycloneDX SBOM, for
// each of a few platforms.
package gvcmp

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Key is one finding: a module at a version (without "v" or "go") and a
// vulnerability ID.
type Key struct{ Module, Version, ID string }

func (k Key) String() string { return k.Module + "@" + k.Version + " " + k.ID }

// Set is a set of findings.
type Set map[Key]bool

// Config names the tools and data.
type Config struct {
	Slimship    string // slimship binary
	Govulncheck string // govulncheck binary
	OSV         string // x/vulndb's data/osv directory
	DB          string // the v1 database cmd/indexdb wrote from OSV
	Bins        string // directory of Go binaries
	Work        string // scratch directory (the slimship database goes here)
	// Platforms are GOOS/GOARCH pairs for the synthetic comparison; none
	// skips it.
	Platforms []string
	// Log, when set, is told each command as it runs.
	Log func(format string, args ...any)
}

// Diff is a finding one side has and the other lacks.
type Diff struct {
	Key
	Only string // "slimship" or "govulncheck"
	// Why explains it; "" means unexplained (a bug to fix).
	Why string
}

// Timing is one timed command: wall time and CPU time (user+system; on
// a shared machine the steadier figure).
type Timing struct {
	What    string
	Command string
	Took    time.Duration
	CPU     time.Duration
}

// Comparison is one comparison's result.
type Comparison struct {
	Name        string // "binaries" or "synthetic linux/amd64"
	Inputs      int    // binaries, or synthetic module versions
	Modules     int    // distinct module versions (binaries: stdlib and main included)
	Slimship    int    // findings (module, version, ID) on each side
	Govulncheck int
	Diffs       []Diff
}

// Report is what Run found.
type Report struct {
	Records     int // records slimship imported
	Comparisons []Comparison
	Timings     []Timing
}

// Unexplained lists the differences no known cause explains.
func (r *Report) Unexplained() []Diff {
	var out []Diff
	for _, c := range r.Comparisons {
		for _, d := range c.Diffs {
			if d.Why == "" {
				out = append(out, d)
			}
		}
	}
	return out
}

// Write prints the report.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "records imported by slimship: %d\n", r.Records)
	for _, c := range r.Comparisons {
		fmt.Fprintf(w, "%s: %d inputs, %d module versions; findings: slimship %d, govulncheck %d, differences %d\n",
			c.Name, c.Inputs, c.Modules, c.Slimship, c.Govulncheck, len(c.Diffs))
		for _, d := range c.Diffs {
			why := d.Why
			if why == "" {
				why = "UNEXPLAINED"
			}
			fmt.Fprintf(w, "  only %s: %s: %s\n", d.Only, d.Key, why)
		}
	}
	for _, t := range r.Timings {
		fmt.Fprintf(w, "time %-36s wall %8.3fs cpu %8.3fs  %s\n", t.What, t.Took.Seconds(), t.CPU.Seconds(), t.Command)
	}
}

type runner struct {
	cfg Config
	rep *Report
	cpu time.Duration // of every command run
}

// run runs a command, timing it under what when what is not "".
func (r *runner) run(ctx context.Context, what string, stdout io.Writer, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	line := filepath.Base(name) + " " + strings.Join(args, " ")
	if r.cfg.Log != nil {
		r.cfg.Log("$ %s", line)
	}
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", line, err, tail(stderr.String(), 2000))
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if what != "" {
		r.rep.Timings = append(r.rep.Timings, Timing{What: what, Command: line, Took: took, CPU: cpu})
	}
	r.cpu += cpu
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// Run compares slimship with govulncheck on cfg.Bins and, for each of
// cfg.Platforms, on the synthetic module versions.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	r := &runner{cfg: cfg, rep: &Report{}}
	if err := os.MkdirAll(cfg.Work, 0o755); err != nil {
		return nil, err
	}
	db := filepath.Join(cfg.Work, "slimship-db")
	os.RemoveAll(db)
	var out bytes.Buffer
	if err := r.run(ctx, "slimship db import", &out, cfg.Slimship, "db", "import", "--db", db, cfg.OSV); err != nil {
		return nil, err
	}
	if _, err := fmt.Sscanf(out.String(), "imported %d records", &r.rep.Records); err != nil {
		return nil, fmt.Errorf("db import said %q", out.String())
	}
	// The same records in the v1 layout govulncheck reads: slimship
	// imports that too (passing over its index).
	dbV1 := filepath.Join(cfg.Work, "slimship-db-v1")
	os.RemoveAll(dbV1)
	out.Reset()
	if err := r.run(ctx, "slimship db import (v1 layout)", &out, cfg.Slimship, "db", "import", "--db", dbV1, cfg.DB); err != nil {
		return nil, err
	}
	var n int
	if _, err := fmt.Sscanf(out.String(), "imported %d records", &n); err != nil || n != r.rep.Records {
		return nil, fmt.Errorf("db import of the v1 layout %s said %q, the OSV files %d records", cfg.DB, out.String(), r.rep.Records)
	}
	c, err := r.binaries(ctx, db, dbV1)
	if err != nil {
		return nil, err
	}
	r.rep.Comparisons = append(r.rep.Comparisons, *c)
	if len(cfg.Platforms) > 0 {
		cands, err := Candidates(cfg.OSV)
		if err != nil {
			return nil, err
		}
		for _, pl := range cfg.Platforms {
			c, err := r.synthetic(ctx, db, cands, pl)
			if err != nil {
				return nil, err
			}
			r.rep.Comparisons = append(r.rep.Comparisons, *c)
		}
	}
	return r.rep, nil
}

// binaries compares the findings on the Go binaries of cfg.Bins; the
// scan with the database imported from the v1 layout must find the same.
func (r *runner) binaries(ctx context.Context, db, dbV1 string) (*Comparison, error) {
	cfg := r.cfg
	sbom := filepath.Join(cfg.Work, "binaries.cdx.json")
	if err := r.run(ctx, "slimship sbom (binaries)", io.Discard, cfg.Slimship, "sbom", "-f", "cyclonedx", "-o", sbom, cfg.Bins); err != nil {
		return nil, err
	}
	mine, err := r.scan(ctx, db, sbom, "slimship scan (binaries)")
	if err != nil {
		return nil, err
	}
	v1, err := r.scan(ctx, dbV1, sbom, "")
	if err != nil {
		return nil, err
	}
	if !maps.Equal(mine, v1) {
		return nil, fmt.Errorf("slimship finds %d on the binaries with the records imported from the OSV files, %d with them imported from the v1 layout", len(mine), len(v1))
	}
	ents, err := os.ReadDir(cfg.Bins)
	if err != nil {
		return nil, err
	}
	theirs := Set{}
	modules := map[[2]string]bool{}
	reps := replacements{}
	n := 0
	start, cpu0 := time.Now(), r.cpu
	for _, e := range ents {
		p := filepath.Join(cfg.Bins, e.Name())
		bi, err := buildinfo.ReadFile(p)
		if err != nil || !e.Type().IsRegular() {
			continue // not a Go binary
		}
		n++
		reps.add(bi)
		var out bytes.Buffer
		if err := r.run(ctx, "", &out, cfg.Govulncheck, "-mode=binary", "-scan=module", "-db", "file://"+cfg.DB, "-json", p); err != nil {
			return nil, err
		}
		if err := ReadGovulncheck(&out, theirs, modules); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	r.rep.Timings = append(r.rep.Timings, Timing{What: "govulncheck (binaries)", Took: time.Since(start), CPU: r.cpu - cpu0,
		Command: fmt.Sprintf("govulncheck -mode=binary -scan=module -db file://%s -json BIN, for %d binaries", cfg.DB, n)})
	if n == 0 {
		return nil, fmt.Errorf("%s: no Go binaries", cfg.Bins)
	}
	c := compare("binaries", mine, theirs, reps.explain)
	c.Inputs, c.Modules = n, len(modules)
	return c, nil
}

// synthetic compares the findings on the candidate module versions, on
// platform ("linux/amd64").
func (r *runner) synthetic(ctx context.Context, db string, cands []Module, platform string) (*Comparison, error) {
	cfg := r.cfg
	goos, goarch, ok := strings.Cut(platform, "/")
	if !ok {
		return nil, fmt.Errorf("platform %q is not GOOS/GOARCH", platform)
	}
	tag := goos + "-" + goarch
	blob := filepath.Join(cfg.Work, "synthetic-"+tag+".blob")
	sbom := filepath.Join(cfg.Work, "synthetic-"+tag+".cdx.json")
	if err := writeFile(blob, func(w io.Writer) error { return WriteBlob(w, cands, goos, goarch) }); err != nil {
		return nil, err
	}
	if err := writeFile(sbom, func(w io.Writer) error { return WriteSBOM(w, cands, goos, goarch) }); err != nil {
		return nil, err
	}
	mine, err := r.scan(ctx, db, sbom, "slimship scan (synthetic "+platform+")")
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := r.run(ctx, "govulncheck (synthetic "+platform+")", &out, cfg.Govulncheck, "-mode=binary", "-scan=module", "-db", "file://"+cfg.DB, "-json", blob); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(cfg.Work, "synthetic-"+tag+".govulncheck.json"), out.Bytes(), 0o644); err != nil {
		return nil, err
	}
	theirs := Set{}
	if err := ReadGovulncheck(&out, theirs, nil); err != nil {
		return nil, fmt.Errorf("%s: %w", blob, err)
	}
	c := compare("synthetic "+platform, mine, theirs, func(Diff) string { return "" })
	c.Inputs, c.Modules = len(cands), len(cands)
	return c, nil
}

func (r *runner) scan(ctx context.Context, db, sbom, what string) (Set, error) {
	var out bytes.Buffer
	if err := r.run(ctx, what, &out, r.cfg.Slimship, "scan", "--db", db, "-f", "json", "--fail-on", "none", sbom); err != nil {
		return nil, err
	}
	if err := os.WriteFile(strings.TrimSuffix(sbom, ".cdx.json")+".slimship.json", out.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return ReadSlimship(&out)
}

func writeFile(p string, write func(io.Writer) error) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func compare(name string, mine, theirs Set, explain func(Diff) string) *Comparison {
	c := &Comparison{Name: name, Slimship: len(mine), Govulncheck: len(theirs)}
	for k := range mine {
		if !theirs[k] {
			d := Diff{Key: k, Only: "slimship"}
			d.Why = explain(d)
			c.Diffs = append(c.Diffs, d)
		}
	}
	for k := range theirs {
		if !mine[k] {
			d := Diff{Key: k, Only: "govulncheck"}
			d.Why = explain(d)
			c.Diffs = append(c.Diffs, d)
		}
	}
	sort.Slice(c.Diffs, func(i, j int) bool {
		a, b := c.Diffs[i], c.Diffs[j]
		if a.Only != b.Only {
			return a.Only < b.Only
		}
		return a.Key.String() < b.Key.String()
	})
	return c
}

// Version is a module or Go version without its "v" or "go" prefix.
func Version(v string) string {
	v = strings.TrimPrefix(v, "go")
	return strings.TrimPrefix(v, "v")
}

// ReadGovulncheck adds the findings of govulncheck's -json stream to set:
// in module mode each finding's trace holds one frame, the module and its
// version. The modules of its SBOM messages go into modules (when not nil).
func ReadGovulncheck(r io.Reader, set Set, modules map[[2]string]bool) error {
	dec := json.NewDecoder(r)
	for {
		var msg struct {
			SBOM *struct {
				GoVersion string `json:"go_version"`
				Modules   []struct {
					Path    string `json:"path"`
					Version string `json:"version"`
				} `json:"modules"`
			} `json:"SBOM"`
			Finding *struct {
				OSV   string `json:"osv"`
				Trace []struct {
					Module  string `json:"module"`
					Version string `json:"version"`
				} `json:"trace"`
			} `json:"finding"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if msg.SBOM != nil && modules != nil {
			for _, m := range msg.SBOM.Modules {
				modules[[2]string{m.Path, Version(m.Version)}] = true
			}
		}
		if f := msg.Finding; f != nil {
			if len(f.Trace) == 0 {
				return fmt.Errorf("finding %s without a trace", f.OSV)
			}
			t := f.Trace[len(f.Trace)-1]
			set[Key{Module: t.Module, Version: Version(t.Version), ID: f.OSV}] = true
		}
	}
}

// finding is slimship's message: "GO-2021-0113: golang.org/x/text 0.3.0 (Go), ...".
var finding = regexp.MustCompile(`^(\S+): (\S+) (\S+) \(Go\)`)

// ReadSlimship reads the Go findings of `slimship scan -f json`.
func ReadSlimship(r io.Reader) (Set, error) {
	var doc struct {
		Findings []struct {
			Message string `json:"message"`
		} `json:"findings"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, err
	}
	set := Set{}
	for _, f := range doc.Findings {
		m := finding.FindStringSubmatch(f.Message)
		if m == nil {
			return nil, fmt.Errorf("finding message of an unknown shape: %q", f.Message)
		}
		set[Key{Module: m[2], Version: Version(m[3]), ID: m[1]}] = true
	}
	return set, nil
}

// replacements records, over all binaries, the modules linked under
// another module's path (a replace directive naming another path) and
// those linked under their own.
type replacements struct {
	other, own map[[2]string]string
}

func (rp *replacements) add(bi *buildinfo.BuildInfo) {
	if rp.other == nil {
		rp.other, rp.own = map[[2]string]string{}, map[[2]string]string{}
	}
	for _, d := range bi.Deps {
		if d.Replace != nil && d.Replace.Path != d.Path {
			rp.other[[2]string{d.Replace.Path, Version(d.Replace.Version)}] = d.Path
			continue
		}
		v := d.Version
		if d.Replace != nil {
			v = d.Replace.Version
		}
		rp.own[[2]string{d.Path, Version(v)}] = d.Path
	}
}

// explain gives the cause of a difference that has a known one.
func (rp *replacements) explain(d Diff) string {
	k := [2]string{d.Module, d.Version}
	if orig, ok := rp.other[k]; ok && d.Only == "slimship" {
		if _, alsoOwn := rp.own[k]; !alsoOwn {
			return fmt.Sprintf("the binary links %s@%s in place of %s (a replace directive naming another path): "+
				"govulncheck fetches the records of the replacement's path but keeps only entries naming the original "+
				"path (x/vuln internal/vulncheck: FetchVulnerabilities vs affectingVulnerabilities), so it reports nothing "+
				"for it; slimship reports the module that is in the binary", d.Module, d.Version, orig)
		}
	}
	return ""
}
