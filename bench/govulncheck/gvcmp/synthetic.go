package gvcmp

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	packageurl "github.com/package-url/packageurl-go"
)

// Module is a module path at a version ("v1.2.3"; "stdlib" too).
type Module struct {
	Path    string `json:"Path"`
	Version string `json:"Version"`
}

// Candidates reads the OSV records of dir (read here with encoding/json
// alone, not with the code under test) and returns every module they name
// at v0.0.0 and at the versions at and around each SEMVER event:
// the event itself, the patch releases on either side, the release of a
// pre-release, the "-0" pre-release below a release, and a pseudo-version's
// timestamp one second either side.
func Candidates(dir string) ([]Module, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no OSV records", dir)
	}
	seen := map[Module]bool{}
	add := func(path, v string) { seen[Module{Path: path, Version: "v" + v}] = true }
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var rec struct {
			Affected []struct {
				Package struct {
					Name string `json:"name"`
				} `json:"package"`
				Ranges []struct {
					Type   string              `json:"type"`
					Events []map[string]string `json:"events"`
				} `json:"ranges"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, a := range rec.Affected {
			add(a.Package.Name, "0.0.0")
			for _, r := range a.Ranges {
				if r.Type != "SEMVER" {
					continue
				}
				for _, e := range r.Events {
					for _, v := range e {
						if v != "0" && v != "" {
							for _, c := range around(v) {
								add(a.Package.Name, c)
							}
						}
					}
				}
			}
		}
	}
	out := make([]Module, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}

var (
	semverCore = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)
	timestamp  = regexp.MustCompile(`\d{14}`)
)

// around returns v and the versions next to it (all without "v").
func around(v string) []string {
	out := []string{v}
	rest, build, _ := strings.Cut(v, "+")
	if build != "" {
		build = "+" + build
	}
	core, pre, _ := strings.Cut(rest, "-")
	m := semverCore.FindStringSubmatch(core)
	if m == nil {
		return out
	}
	patch, _ := strconv.Atoi(m[3])
	at := func(p int) string { return m[1] + "." + m[2] + "." + strconv.Itoa(p) }
	if pre == "" {
		out = append(out, at(patch+1)+build, core+"-0"+build)
		if patch > 0 {
			out = append(out, at(patch-1)+build)
		}
		return out
	}
	out = append(out, core+build)
	if pre == "0" {
		out = append(out, core+"-rc.1"+build, core+"-beta.1"+build)
	}
	if loc := timestamp.FindStringIndex(pre); loc != nil {
		ts, _ := strconv.ParseInt(pre[loc[0]:loc[1]], 10, 64)
		for _, d := range []int64{-1, 1} {
			p := pre[:loc[0]] + strconv.FormatInt(ts+d, 10) + pre[loc[1]:]
			out = append(out, core+"-"+p+build)
		}
	}
	return out
}

// WriteBlob writes modules as a govulncheck extract blob, the input
// `govulncheck -mode=binary` takes besides a binary (x/vuln's
// internal/scan/extract.go: a header line, then the binary's description).
// Its Go version is left empty, so the standard library is checked only at
// the "stdlib" versions of modules.
func WriteBlob(w io.Writer, modules []Module, goos, goarch string) error {
	enc := json.NewEncoder(w)
	if err := enc.Encode(map[string]string{"name": "govulncheck-extract", "version": "0.1.0"}); err != nil {
		return err
	}
	main := Module{Path: "slimship.local/synthetic", Version: "(devel)"}
	return enc.Encode(struct {
		Path    string   `json:"path"`
		Main    Module   `json:"main"`
		Modules []Module `json:"modules"`
		GOOS    string   `json:"goos"`
		GOARCH  string   `json:"goarch"`
	}{main.Path, main, modules, goos, goarch})
}

// WriteSBOM writes modules as a CycloneDX SBOM whose purls carry the
// platform as slimship's own SBOMs of Go binaries do.
func WriteSBOM(w io.Writer, modules []Module, goos, goarch string) error {
	type component struct {
		Type    string `json:"type"`
		Name    string `json:"name"`
		Version string `json:"version"`
		PURL    string `json:"purl"`
	}
	comps := make([]component, 0, len(modules))
	q := packageurl.Qualifiers{{Key: "goarch", Value: goarch}, {Key: "goos", Value: goos}}
	for _, m := range modules {
		ns, name := "", m.Path
		if i := strings.LastIndex(name, "/"); i >= 0 {
			ns, name = name[:i], name[i+1:]
		}
		p := packageurl.NewPackageURL("golang", ns, name, m.Version, q, "").ToString()
		comps = append(comps, component{Type: "library", Name: m.Path, Version: m.Version, PURL: p})
	}
	return json.NewEncoder(w).Encode(map[string]any{
		"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": comps,
	})
}
