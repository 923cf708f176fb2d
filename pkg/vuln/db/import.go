package db

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slimship/slimship/internal/bounded"

	"github.com/slimship/slimship/pkg/vuln/osv"
)

// Limits bound what an import reads, against zip bombs and runaway files.
type Limits struct {
	// MaxRecord is the largest record file read (default 16 MiB); a larger
	// one is skipped with a warning.
	MaxRecord int64
	// MaxArchive is the most an archive may decompress to in all (default
	// 8 GiB); past it the archive is refused.
	MaxArchive int64
	// MaxEntries is the most entries an archive may hold (default 2,000,000).
	MaxEntries int
}

func (l Limits) withDefaults() Limits {
	if l.MaxRecord <= 0 {
		l.MaxRecord = 16 << 20
	}
	if l.MaxArchive <= 0 {
		l.MaxArchive = 8 << 30
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 2_000_000
	}
	return l
}

// Stats counts what an import did.
type Stats struct {
	Records int // records read and kept
	Skipped int // files skipped with a warning
}

// ImportOptions tune an import.
type ImportOptions struct {
	Limits Limits
	// Warn is told about every skipped file or entry, by name.
	Warn func(msg string)
	// Replace names ecosystems (base names) whose records in the database
	// are dropped before the import, as a fresh all.zip of them replaces
	// them whole (records deleted upstream go too).
	Replace []string
}

// Import reads OSV records from paths (directories, including the Go
// vulnerability database layout, .zip archives such as osv.dev's
// all.zip, or single .json files), merges them with the live database
// (a record replaces one of the same ID) and swaps in the result. A
// malformed record is skipped with a warning naming it; a path that
// cannot be read at all, or an archive over the limits, fails the import
// and leaves the database as it was.
func (s *Store) Import(paths []string, o ImportOptions) (Stats, error) {
	o.Limits = o.Limits.withDefaults()
	if o.Warn == nil {
		o.Warn = func(string) {}
	}
	byID := map[string]*osv.Record{}
	if _, err := s.live(); err == nil {
		old, err := s.all()
		if errors.Is(err, errSchema) {
			o.Warn(fmt.Sprintf("%v: its records are replaced by this import, not merged", err))
			err = nil
		}
		if err != nil {
			return Stats{}, fmt.Errorf("reading the current database: %w", err)
		}
		for _, r := range old {
			if !replaced(r, o.Replace) {
				byID[r.ID] = r
			}
		}
	}
	var st Stats
	add := func(name string, data []byte) {
		r, err := osv.Parse(data)
		if err != nil {
			st.Skipped++
			o.Warn(fmt.Sprintf("%s: skipped: %v", name, err))
			return
		}
		if prev, ok := byID[r.ID]; ok && prev.Modified.After(r.Modified) {
			return
		}
		byID[r.ID] = r
		st.Records++
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return st, err
		}
		switch {
		case fi.IsDir():
			err = importDir(p, o, &st, add)
		case strings.EqualFold(filepath.Ext(p), ".zip"):
			err = importZip(p, o, &st, add)
		default:
			var b []byte
			if b, err = readLimited(p, o.Limits.MaxRecord); err == nil {
				add(p, b)
			}
		}
		if err != nil {
			return st, err
		}
	}
	byEco := map[string]map[string]*osv.Record{}
	for _, r := range byID {
		for _, a := range r.Affected {
			base := osv.Base(a.Package.Ecosystem)
			if byEco[base] == nil {
				byEco[base] = map[string]*osv.Record{}
			}
			byEco[base][r.ID] = r
		}
	}
	return st, s.write(byEco)
}

// replaced reports whether every ecosystem r affects is in eco.
func replaced(r *osv.Record, eco []string) bool {
	if len(eco) == 0 {
		return false
	}
	for _, a := range r.Affected {
		if !slices.Contains(eco, osv.Base(a.Package.Ecosystem)) {
			return false
		}
	}
	return true
}

var errTooLarge = errors.New("larger than the record limit")

func readLimited(p string, limit int64) ([]byte, error) {
	b, err := bounded.ReadFile(p, limit)
	var tooLarge *bounded.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, errTooLarge
	}
	return b, err
}

// importDir reads every *.json file under dir, following no symlinks
// below it (dir itself may be one: a path the user named). In the Go
// vulnerability database layout (index/db.json present) the index
// directory is not records and is passed over.
func importDir(dir string, o ImportOptions, st *Stats, add func(string, []byte)) error {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // WalkDir does not descend into a symlink, even its root
	}
	goLayout := false
	if _, err := os.Stat(filepath.Join(dir, "index", "db.json")); err == nil {
		goLayout = true
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			st.Skipped++
			o.Warn(fmt.Sprintf("%s: skipped: %v", p, err))
			return nil
		}
		if d.IsDir() {
			if goLayout && p == filepath.Join(dir, "index") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.EqualFold(filepath.Ext(p), ".json") {
			return nil
		}
		b, err := readLimited(p, o.Limits.MaxRecord)
		if err != nil {
			st.Skipped++
			o.Warn(fmt.Sprintf("%s: skipped: %v", p, err))
			return nil
		}
		add(p, b)
		return nil
	})
}

// safeEntry reports whether an archive entry name is a plain relative
// path: no "..", no absolute path, no backslash or drive letter.
func safeEntry(name string) bool {
	if name == "" || strings.ContainsAny(name, "\\:\x00") || path.IsAbs(name) {
		return false
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return false
		}
	}
	return true
}

// importZip reads the *.json entries of an archive (osv.dev's all.zip,
// or a zipped Go database), nothing of it ever written to disk. Entry
// sizes are not trusted: each is read through the record limit and the
// sum through the archive limit.
func importZip(p string, o ImportOptions, st *Stats, add func(string, []byte)) error {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	defer zr.Close()
	if len(zr.File) > o.Limits.MaxEntries {
		return fmt.Errorf("%s: %d entries, more than the limit of %d", p, len(zr.File), o.Limits.MaxEntries)
	}
	var total int64
	for _, f := range zr.File {
		name := p + ":" + f.Name
		if !safeEntry(f.Name) {
			st.Skipped++
			o.Warn(fmt.Sprintf("%s: skipped: unsafe entry name", name))
			continue
		}
		if f.FileInfo().IsDir() || !strings.EqualFold(path.Ext(f.Name), ".json") ||
			strings.HasPrefix(f.Name, "index/") {
			continue
		}
		if f.UncompressedSize64 > uint64(o.Limits.MaxRecord) {
			st.Skipped++
			o.Warn(fmt.Sprintf("%s: skipped: %v", name, errTooLarge))
			continue
		}
		rc, err := f.Open()
		if err != nil {
			st.Skipped++
			o.Warn(fmt.Sprintf("%s: skipped: %v", name, err))
			continue
		}
		b, err := io.ReadAll(io.LimitReader(rc, o.Limits.MaxRecord+1))
		rc.Close()
		total += int64(len(b))
		if total > o.Limits.MaxArchive {
			return fmt.Errorf("%s: decompresses to more than %d bytes: refused", p, o.Limits.MaxArchive)
		}
		if err != nil {
			st.Skipped++
			o.Warn(fmt.Sprintf("%s: skipped: %v", name, err))
			continue
		}
		if int64(len(b)) > o.Limits.MaxRecord {
			st.Skipped++
			o.Warn(fmt.Sprintf("%s: skipped: %v", name, errTooLarge))
			continue
		}
		add(name, b)
	}
	return nil
}
