package sbom

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"strings"
	"testing/fstest"
	"time"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gobinary"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/archive"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagejson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/wheelegg"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargoauditable"
	"github.com/google/osv-scalibr/extractor/filesystem/os/apk"
	apkmeta "github.com/google/osv-scalibr/extractor/filesystem/os/apk/metadata"
	"github.com/google/osv-scalibr/extractor/filesystem/os/dpkg"
	dpkgmeta "github.com/google/osv-scalibr/extractor/filesystem/os/dpkg/metadata"
	"github.com/google/osv-scalibr/extractor/filesystem/os/rpm"
	rpmmeta "github.com/google/osv-scalibr/extractor/filesystem/os/rpm/metadata"
	scalibrlog "github.com/google/osv-scalibr/log"
	"github.com/google/osv-scalibr/purl"

	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"

	"github.com/slimship/slimship/internal/units"
)

func init() {
	// The extractors log what they skip; slimship reports through errors.
	scalibrlog.SetLogger(quiet{})
}

type quiet struct{}

func (quiet) Errorf(string, ...any) {}
func (quiet) Warnf(string, ...any)  {}
func (quiet) Infof(string, ...any)  {}
func (quiet) Debugf(string, ...any) {}
func (quiet) Error(...any)          {}
func (quiet) Warn(...any)           {}
func (quiet) Info(...any)           {}
func (quiet) Debug(...any)          {}

// kind is what a file is to the collector.
type kind int

const (
	kindNone kind = iota
	kindDpkg
	kindApk
	kindOSRelease
	kindMaybeBinary
	kindPython
	kindNpm
	kindRust
	kindJava
	kindRpm
	kindNpmLock
	kindCopyright
)

// classify says which extractor wants the file at p (absolute, clean).
func classify(p string, mode fs.FileMode) kind {
	switch {
	case p == "/var/lib/dpkg/status":
		return kindDpkg
	case strings.HasPrefix(p, "/var/lib/dpkg/status.d/"):
		base := path.Base(p)
		if path.Dir(p) == "/var/lib/dpkg/status.d" && !strings.HasSuffix(base, ".md5sums") {
			return kindDpkg
		}
	case p == "/lib/apk/db/installed":
		return kindApk
	case isRpmDB(p):
		return kindRpm
	case p == "/etc/os-release" || p == "/usr/lib/os-release":
		return kindOSRelease
	case isCopyright(p):
		return kindCopyright
	case strings.HasSuffix(p, ".dist-info/METADATA"), strings.HasSuffix(p, ".egg-info/PKG-INFO"),
		strings.HasSuffix(p, "/EGG-INFO/PKG-INFO"), strings.HasSuffix(p, ".egg-info"):
		return kindPython
	case path.Base(p) == "package.json" && strings.Contains(p, "/node_modules/"):
		return kindNpm
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".jar", ".war", ".ear", ".jmod", ".par", ".sar", ".jpi", ".hpi", ".lpkg", ".nar":
		return kindJava
	}
	if mode&0o111 != 0 {
		return kindMaybeBinary
	}
	return kindNone
}

// classify is the package classify, with lockfiles when the collector
// reads them.
func (c *collector) classify(p string, mode fs.FileMode) kind {
	if c.lockfiles && !strings.Contains(p, "/node_modules/") {
		switch path.Base(p) {
		case "package-lock.json", "npm-shrinkwrap.json":
			return kindNpmLock
		}
	}
	return classify(p, mode)
}

// isRpmDB reports whether p is an rpm database: Berkeley DB (Packages),
// NDB (Packages.db) or SQLite (rpmdb.sqlite).
func isRpmDB(p string) bool {
	switch path.Dir(p) {
	case "/usr/lib/sysimage/rpm", "/var/lib/rpm", "/usr/share/rpm":
	default:
		return false
	}
	switch path.Base(p) {
	case "Packages", "Packages.db", "rpmdb.sqlite":
		return true
	}
	return false
}

// found is what one file of the final filesystem contributes.
type found struct {
	layer int
	pkgs  []*extractor.Package
	// goos and goarch are a Go binary's platform, from its build info.
	goos, goarch string
}

// collector keeps, for each path of the filesystem being walked, the
// packages its current version holds; later versions and deletions replace
// them, so only the final filesystem's packages remain.
type collector struct {
	maxRead   int64
	files     map[string]*found
	osRelease map[string][]byte
	// osLink records that /etc/os-release is a link (to usr/lib's).
	osLink bool
	buf    bytes.Buffer
	errs   []error
	// copyrights holds the licenses each /usr/share/doc/<package>/copyright
	// names; docLinks the targets of /usr/share/doc/<package> symbolic links
	// (a package may share the documentation of another of its source).
	copyrights map[string][]string
	docLinks   map[string]string
	lines      *bufio.Reader
	// lockfiles reads npm lockfiles too (a directory: a source tree).
	lockfiles bool
}

func newCollector(opts Options) *collector {
	c := &collector{maxRead: opts.MaxRead, files: map[string]*found{}, osRelease: map[string][]byte{},
		copyrights: map[string][]string{}, docLinks: map[string]string{}}
	if c.maxRead <= 0 {
		c.maxRead = DefaultMaxRead
	}
	return c
}

// remove deletes p and everything under it, written by a layer below
// layer (or any layer when layer < 0).
func (c *collector) remove(p string, layer int, self bool) {
	prefix := strings.TrimSuffix(p, "/") + "/"
	for k, f := range c.files {
		if (self && k == p || strings.HasPrefix(k, prefix)) && (layer < 0 || f.layer < layer) {
			delete(c.files, k)
		}
	}
	for k := range c.osRelease {
		if self && k == p || strings.HasPrefix(k, prefix) {
			delete(c.osRelease, k)
		}
	}
	for k := range c.copyrights {
		if self && k == p || strings.HasPrefix(k, prefix) {
			delete(c.copyrights, k)
		}
	}
	for k := range c.docLinks {
		if self && k == p || strings.HasPrefix(k, prefix) {
			delete(c.docLinks, k)
		}
	}
	if self && p == "/etc/os-release" || strings.HasPrefix("/etc/os-release", prefix) {
		c.osLink = false
	}
}

// whiteout applies a deletion; opaque hides lower layers' content of dir.
func (c *collector) whiteout(p string) { c.remove(p, -1, true) }
func (c *collector) opaque(dir string, layer int) {
	c.remove(dir, layer, false)
}

// file handles one entry: a regular file is read when an extractor wants
// it; any entry replaces what was at its path.
func (c *collector) file(ctx context.Context, layer int, p string, mode fs.FileMode, regular, symlink bool, size int64, r io.Reader) error {
	c.replace(p)
	if p == "/etc/os-release" {
		c.osLink = symlink
	}
	if !regular {
		delete(c.osRelease, p)
		return nil
	}
	k := c.classify(p, mode)
	if k == kindNone || size == 0 {
		if k == kindOSRelease {
			delete(c.osRelease, p)
		}
		return nil
	}
	if k == kindCopyright {
		return c.copyright(p, size, r)
	}
	limit := c.maxRead
	if small := smallFileLimit(k); small < limit {
		limit = small
	}
	if size > limit {
		c.errs = append(c.errs, fmt.Errorf("%s: %d bytes, more than the %s read of such a file: skipped", p, size, units.Bytes(limit)))
		return nil
	}
	br := bufio.NewReaderSize(r, 64)
	if k == kindMaybeBinary {
		magic, _ := br.Peek(4)
		if !isExecutable(magic) {
			return nil
		}
	}
	c.buf.Reset()
	if _, err := io.Copy(&c.buf, io.LimitReader(br, limit)); err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	data := c.buf.Bytes()
	if k == kindOSRelease {
		c.osRelease[p] = bytes.Clone(data)
		return nil
	}
	if k == kindJava {
		// The archive extractor passes over what is not a zip in silence.
		if _, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err != nil {
			c.errs = append(c.errs, fmt.Errorf("%s: not a Java archive: %w", p, err))
			return nil
		}
	}
	if k == kindRpm {
		if err := checkRPM(p, data); err != nil {
			c.errs = append(c.errs, fmt.Errorf("%s: %w", p, err))
			return nil
		}
	}
	pkgs, err := extract(ctx, k, p, data)
	switch {
	case err == nil:
	case k == kindMaybeBinary:
		return nil // not a Go binary
	case k == kindDpkg || k == kindApk:
		// One bad stanza stopped the extractor: read them one by one.
		var errs []error
		pkgs, errs = extractStanzas(ctx, k, p, data)
		for _, err := range errs {
			c.errs = append(c.errs, fmt.Errorf("%s: %w", p, err))
		}
	case k == kindRpm:
		c.errs = append(c.errs, fmt.Errorf("%s: %w", p, cleanRPMError(err)))
	default:
		c.errs = append(c.errs, fmt.Errorf("%s: %w", p, err))
	}
	if len(pkgs) > 0 {
		declaredLicenses(k, data, pkgs)
		f := &found{layer: layer, pkgs: pkgs}
		if k == kindMaybeBinary {
			f.goos, f.goarch = goPlatform(data)
		}
		c.files[p] = f
	}
	return nil
}

// replace forgets what an entry at p replaces: a file, a link, a
// directory over a file.
func (c *collector) replace(p string) {
	delete(c.files, p)
	delete(c.copyrights, p)
	delete(c.docLinks, p)
}

// link records a symbolic link at p to target.
func (c *collector) link(p, target string) {
	if path.Dir(p) == "/usr/share/doc" {
		c.docLinks[p] = target
	}
}

// copyright reads the licenses of the copyright file at p.
func (c *collector) copyright(p string, size int64, r io.Reader) error {
	if size > maxCopyright {
		c.errs = append(c.errs, fmt.Errorf("%s: %d bytes, more than the %s read of such a file: its licenses are those of its start", p, size, units.Bytes(maxCopyright)))
	}
	if c.lines == nil {
		c.lines = bufio.NewReaderSize(nil, maxCopyrightLine)
	}
	cr, err := readCopyright(r, c.lines)
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if ls := cr.Licenses(); ls != nil {
		c.copyrights[p] = ls
	}
	return nil
}

// debLicenses returns what the copyright file of the deb package name
// names, following a /usr/share/doc/<name> link one step.
func (c *collector) debLicenses(name string) []string {
	dir := "/usr/share/doc/" + name
	if ls, ok := c.copyrights[dir+"/copyright"]; ok {
		return ls
	}
	if t, ok := c.docLinks[dir]; ok {
		if !path.IsAbs(t) {
			t = path.Join("/usr/share/doc", t)
		}
		return c.copyrights[path.Join(t, "copyright")]
	}
	return nil
}

// smallFileLimit bounds the read of a one-package manifest: a
// package.json, a Python METADATA or an os-release file of more than
// 16 MiB is not one. Databases, lockfiles, archives and binaries are
// bounded by Options.MaxRead.
func smallFileLimit(k kind) int64 {
	switch k {
	case kindNpm, kindPython, kindOSRelease:
		return 16 << 20
	}
	return math.MaxInt64
}

// goPlatform reads GOOS and GOARCH from a Go binary's build info ("" when
// it has none): vulnerability records of the Go database may be limited
// to some platforms.
func goPlatform(data []byte) (goos, goarch string) {
	bi, err := buildinfo.Read(bytes.NewReader(data))
	if err != nil {
		return "", ""
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	return goos, goarch
}

// isExecutable reports whether magic starts an ELF, Mach-O or PE file.
func isExecutable(m []byte) bool {
	if len(m) < 4 {
		return false
	}
	switch {
	case bytes.Equal(m, []byte("\x7fELF")), bytes.Equal(m[:2], []byte("MZ")):
		return true
	case bytes.Equal(m, []byte{0xfe, 0xed, 0xfa, 0xce}), bytes.Equal(m, []byte{0xfe, 0xed, 0xfa, 0xcf}),
		bytes.Equal(m, []byte{0xce, 0xfa, 0xed, 0xfe}), bytes.Equal(m, []byte{0xcf, 0xfa, 0xed, 0xfe}):
		return true
	}
	return false
}

// extract runs the extractors of kind k on data, the content of file p.
// A binary is tried as a Go binary, then as a cargo-auditable Rust one.
func extract(ctx context.Context, k kind, p string, data []byte) ([]*extractor.Package, error) {
	if k != kindMaybeBinary {
		return extractWith(ctx, k, p, data)
	}
	if pkgs, err := extractWith(ctx, k, p, data); err == nil && len(pkgs) > 0 {
		return pkgs, nil
	}
	return extractWith(ctx, kindRust, p, data)
}

func extractWith(ctx context.Context, k kind, p string, data []byte) (_ []*extractor.Package, err error) {
	defer func() {
		// A parser that panics on a corrupt file costs that file only.
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt (the parser failed: %v)", r)
		}
	}()
	var newEx func(*cpb.PluginConfig) (filesystem.Extractor, error)
	switch k {
	case kindDpkg:
		newEx = dpkg.New
	case kindApk:
		newEx = apk.New
	case kindMaybeBinary:
		newEx = gobinary.New
	case kindRust:
		newEx = cargoauditable.New
	case kindJava:
		newEx = archive.New
	case kindRpm:
		newEx = rpm.New
	case kindPython:
		newEx = wheelegg.New
	case kindNpm:
		newEx = packagejson.New
	case kindNpmLock:
		newEx = packagelockjson.New
	default:
		return nil, nil
	}
	ex, err := newEx(&cpb.PluginConfig{})
	if err != nil {
		return nil, err
	}
	rel := strings.TrimPrefix(p, "/")
	in := &filesystem.ScanInput{
		FS:     fstest.MapFS{}, // the extractors only look for os-release in it
		Path:   rel,
		Root:   "", // never the host: rpm copies the content to a temporary file
		Info:   fileInfo{name: path.Base(p), size: int64(len(data))},
		Reader: bytes.NewReader(data),
	}
	inv, err := ex.Extract(ctx, in)
	return inv.Packages, err
}

type fileInfo struct {
	name string
	size int64
}

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return f.size }
func (f fileInfo) Mode() fs.FileMode  { return 0o644 }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return false }
func (f fileInfo) Sys() any           { return nil }

// result turns what the walk kept into an inventory.
func (c *collector) result(layerDigests, instructions []string) *Inventory {
	inv := &Inventory{}
	for i, d := range layerDigests {
		l := Layer{Digest: d}
		if i < len(instructions) {
			l.CreatedBy = instructions[i]
		}
		inv.Layers = append(inv.Layers, l)
	}
	for _, err := range c.errs {
		inv.Warnings = append(inv.Warnings, err.Error())
	}
	rel := c.osRelease["/etc/os-release"]
	if rel == nil || c.osLink {
		if r, ok := c.osRelease["/usr/lib/os-release"]; ok {
			rel = r
		}
	}
	if rel != nil {
		inv.OS = ParseOSRelease(rel)
	}
	for p, f := range c.files {
		for _, sp := range f.pkgs {
			pkg := convert(inv.OS, sp)
			switch pkg.Type {
			case "golang":
				pkg.GOOS, pkg.Arch = f.goos, f.goarch
			case "deb":
				pkg.Licenses = normalizeLicenses(c.debLicenses(pkg.Name))
			}
			pkg.Path = p
			pkg.Layer = f.layer
			if f.layer >= 0 && f.layer < len(layerDigests) {
				pkg.LayerDigest = layerDigests[f.layer]
			}
			if f.layer >= 0 && f.layer < len(instructions) {
				pkg.Instruction = instructions[f.layer]
			}
			pkg.PURL = PURL(inv.OS, pkg)
			inv.Packages = append(inv.Packages, pkg)
		}
	}
	if inv.Packages == nil {
		inv.Packages = []Package{}
	}
	sortPackages(inv.Packages)
	return inv
}

// convert maps a scalibr package onto the model.
func convert(osi OSInfo, sp *extractor.Package) Package {
	pkg := Package{Name: sp.Name, Version: sp.Version, Type: sp.PURLType}
	licenses := normalizeLicenses
	switch m := sp.Metadata.(type) {
	case *dpkgmeta.Metadata:
		pkg.SourceName, pkg.SourceVersion = m.SourceName, m.SourceVersion
		pkg.Arch = m.Architecture
		pkg.Ecosystem = osEcosystem(osi, "deb")
	case *rpmmeta.Metadata:
		pkg.Arch = m.Architecture
		pkg.SourceName = m.SourceRPM
		pkg.Ecosystem = osEcosystem(osi, "rpm")
		if m.Epoch > 0 {
			pkg.Version = fmt.Sprintf("%d:%s", m.Epoch, pkg.Version)
		}
	case *apkmeta.Metadata:
		pkg.SourceName = m.OriginName
		if pkg.SourceName != "" {
			pkg.SourceVersion = pkg.Version
		}
		pkg.Arch = m.Architecture
		pkg.Ecosystem = osEcosystem(osi, "apk")
		licenses = apkLicenses
	}
	pkg.Licenses = licenses(sp.Licenses)
	switch sp.PURLType {
	case purl.TypePyPi:
		pkg.Ecosystem = "PyPI"
	case purl.TypeNPM:
		pkg.Ecosystem = "npm"
	case purl.TypeCargo:
		pkg.Ecosystem = "crates.io"
	case purl.TypeMaven:
		pkg.Ecosystem = "Maven"
	}
	if sp.PURLType == purl.TypeGolang {
		pkg.Ecosystem = "Go"
		if pkg.Name == "go" {
			pkg.Name = "stdlib"
		}
		pkg.Version = goVersion(pkg.Version)
	}
	return pkg
}

// goVersion spells a Go module version as the binary records it and `go
// version -m` prints it ("v1.2.3"; scalibr drops the "v"), and the
// toolchain's "go1.22.1" as the stdlib module version "v1.22.1", so the
// version is the purl's; "(devel)" stays.
func goVersion(v string) string {
	if v != "" && v[0] >= '0' && v[0] <= '9' {
		return "v" + v
	}
	return v
}
