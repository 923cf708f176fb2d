// Package db is slimship's local vulnerability database: OSV records
// imported from directories of JSON files, osv.dev's per-ecosystem
// all.zip, or the Go vulnerability database layout, kept under the user
// cache directory as one JSON file per ecosystem and indexed by package
// name when loaded. Every import writes a new generation directory and
// swaps a symlink to it, so readers see the old database or the new one,
// never half of one.
package db

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/slimship/slimship/pkg/vuln/osv"
)

// schema is the version of the on-disk layout.
const schema = 1

// current is the symlink naming the live generation.
const current = "current"

// DefaultDir is os.UserCacheDir()/slimship/vulndb.
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "slimship", "vulndb"), nil
}

// Meta describes a generation: when it was imported and what it holds.
type Meta struct {
	Schema     int                  `json:"schema"`
	Imported   time.Time            `json:"imported"`
	Ecosystems map[string]Ecosystem `json:"ecosystems"`
}

// Ecosystem counts one ecosystem's records and package names.
type Ecosystem struct {
	File     string `json:"file"`
	Records  int    `json:"records"`
	Packages int    `json:"packages"`
}

// Store is a database directory.
type Store struct {
	Dir string
	// Now is the clock (tests set it).
	Now func() time.Time
}

// Open returns the store at dir (which need not exist yet).
func Open(dir string) *Store { return &Store{Dir: dir, Now: time.Now} }

// ErrEmpty is returned by Status and Load when nothing was imported yet.
var ErrEmpty = errors.New("vulnerability database is empty: run `slimship db import` or `slimship db update`")

func (s *Store) live() (string, error) {
	target, err := os.Readlink(filepath.Join(s.Dir, current))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", s.Dir, ErrEmpty)
	}
	if err != nil {
		return "", err
	}
	if filepath.IsAbs(target) || strings.Contains(target, "..") || strings.ContainsRune(target, filepath.Separator) {
		return "", fmt.Errorf("%s: %s points outside the database", s.Dir, current)
	}
	return filepath.Join(s.Dir, target), nil
}

// Status reads the live generation's description.
func (s *Store) Status() (*Meta, error) {
	dir, err := s.live()
	if err != nil {
		return nil, err
	}
	return readMeta(dir)
}

func readMeta(dir string) (*Meta, error) {
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		return nil, err
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "meta.json"), err)
	}
	if m.Schema != schema {
		return nil, fmt.Errorf("%s: database schema %d, want %d: import again", dir, m.Schema, schema)
	}
	return &m, nil
}

// Index is records by ecosystem (without release) and package name.
type Index struct {
	Meta *Meta
	pkgs map[string]map[string][]*osv.Record
}

// Lookup returns the records naming pkg in ecosystem (a release suffix is
// ignored here; the matcher checks it).
func (ix *Index) Lookup(ecosystem, name string) []*osv.Record {
	base := osv.Base(ecosystem)
	return ix.pkgs[base][osv.NormalizeName(base, name)]
}

// Ecosystems lists the ecosystems the index holds.
func (ix *Index) Ecosystems() []string {
	out := make([]string, 0, len(ix.pkgs))
	for e := range ix.pkgs {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// NewIndex indexes records in memory (for tests and benchmarks).
func NewIndex(records []*osv.Record) *Index {
	ix := &Index{pkgs: map[string]map[string][]*osv.Record{}}
	for _, r := range records {
		ix.add(r)
	}
	return ix
}

func (ix *Index) add(r *osv.Record) {
	var seen [][2]string // few entries a record: a slice beats a map
	for _, a := range r.Affected {
		base := osv.Base(a.Package.Ecosystem)
		k := [2]string{base, osv.NormalizeName(base, a.Package.Name)}
		if slices.Contains(seen, k) {
			continue
		}
		seen = append(seen, k)
		m := ix.pkgs[base]
		if m == nil {
			m = map[string][]*osv.Record{}
			ix.pkgs[base] = m
		}
		m[k[1]] = append(m[k[1]], r)
	}
}

// Load reads the live generation's records of ecosystems (base names; nil
// means all) and indexes them.
func (s *Store) Load(ecosystems []string) (*Index, error) {
	dir, err := s.live()
	if err != nil {
		return nil, err
	}
	m, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	ix := &Index{Meta: m, pkgs: map[string]map[string][]*osv.Record{}}
	for name, e := range m.Ecosystems {
		if ecosystems != nil && !slices.Contains(ecosystems, name) {
			continue
		}
		recs, err := readRecords(filepath.Join(dir, e.File))
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			ix.add(r)
		}
	}
	return ix, nil
}

func readRecords(path string) ([]*osv.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []*osv.Record
	if err := jsonv2.UnmarshalRead(f, &recs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// fileName is an ecosystem's records file.
func fileName(ecosystem string) string { return safeName(ecosystem) + ".json" }

// safeName is an ecosystem as a file name: letters, digits, '.' and '-'
// kept, anything else '_'.
func safeName(ecosystem string) string {
	b := []byte(ecosystem)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}

// write makes a new generation of records grouped by ecosystem and swaps
// the current symlink to it, then removes older generations.
func (s *Store) write(byEco map[string]map[string]*osv.Record) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return err
	}
	gen, err := os.MkdirTemp(s.Dir, "gen-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(gen)
		}
	}()
	m := Meta{Schema: schema, Imported: s.Now().UTC(), Ecosystems: map[string]Ecosystem{}}
	for eco, recs := range byEco {
		list := make([]*osv.Record, 0, len(recs))
		for _, r := range recs {
			list = append(list, r)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		file := fileName(eco)
		if err := writeRecords(filepath.Join(gen, file), list); err != nil {
			return err
		}
		names := map[string]bool{}
		for _, r := range list {
			for _, a := range r.Affected {
				if osv.Base(a.Package.Ecosystem) == eco {
					names[osv.NormalizeName(eco, a.Package.Name)] = true
				}
			}
		}
		m.Ecosystems[eco] = Ecosystem{File: file, Records: len(list), Packages: len(names)}
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(gen, "meta.json"), mb, 0o644); err != nil {
		return err
	}
	link := filepath.Join(s.Dir, current+".new")
	os.Remove(link)
	if err := os.Symlink(filepath.Base(gen), link); err != nil {
		return err
	}
	if err := os.Rename(link, filepath.Join(s.Dir, current)); err != nil {
		return err
	}
	ok = true
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "gen-") && e.Name() != filepath.Base(gen) {
			os.RemoveAll(filepath.Join(s.Dir, e.Name()))
		}
	}
	return nil
}

func writeRecords(path string, recs []*osv.Record) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	err = jsonv2.MarshalWrite(w, recs)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
