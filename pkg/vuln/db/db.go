// Package db is slimship's local vulnerability database: OSV records
// imported from directories of JSON files, osv.dev's per-ecosystem
// all.zip, or the Go vulnerability database layout, kept under the user
// cache directory as one file of records per ecosystem (a JSON record a
// line) and an index of the lines naming each package, so a scan decodes
// only the records of the packages it has. Every import writes a new generation directory and
// swaps a symlink to it, so readers see the old database or the new one,
// never half of one.
package db

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/slimship/slimship/internal/mmapfile"

	"github.com/slimship/slimship/pkg/vuln/osv"
)

// schema is the version of the on-disk layout: 1 was one JSON array per
// ecosystem; 2 is JSON lines with a package index beside them.
const schema = 2

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

// Ecosystem counts one ecosystem's records and package names. File holds
// a record a line; Index a line per package name: the name (Go-quoted) and
// the byte offsets of its records' lines.
type Ecosystem struct {
	File     string `json:"file"`
	Index    string `json:"index"`
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

// errSchema is a database written in another layout by another version.
var errSchema = errors.New("import again (slimship db import or db update)")

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
		return nil, fmt.Errorf("%s: database schema %d, want %d: %w", dir, m.Schema, schema, errSchema)
	}
	return &m, nil
}

// Index is records by ecosystem (without release) and package name. An
// index loaded from the store decodes a package's records when they are
// first looked up; Lookup is safe for concurrent use.
type Index struct {
	Meta *Meta
	pkgs map[string]map[string][]*osv.Record
	lazy map[string]*lazyEco
}

// lazyEco is one ecosystem's records file and index, decoded on demand.
type lazyEco struct {
	path  string
	file  *mmapfile.File
	data  []byte
	names map[string][]int64
	mu    sync.Mutex
	recs  map[int64]*osv.Record
	err   error
}

// Lookup returns the records naming pkg in ecosystem (a release suffix is
// ignored here; the matcher checks it).
func (ix *Index) Lookup(ecosystem, name string) []*osv.Record {
	base := osv.Base(ecosystem)
	name = osv.NormalizeName(base, name)
	if l := ix.lazy[base]; l != nil {
		return l.lookup(name)
	}
	return ix.pkgs[base][name]
}

func (l *lazyEco) lookup(name string) []*osv.Record {
	offs := l.names[name]
	if len(offs) == 0 {
		return nil
	}
	out := make([]*osv.Record, len(offs))
	var missing []int
	l.mu.Lock()
	for i, off := range offs {
		if r, ok := l.recs[off]; ok {
			out[i] = r
		} else {
			missing = append(missing, i)
		}
	}
	l.mu.Unlock()
	if len(missing) == 0 {
		return out
	}
	// Decode outside the lock, so lookups from several goroutines decode
	// in parallel; two decoding one record keep the first.
	var firstErr error
	for _, i := range missing {
		r, err := l.decode(offs[i])
		if err != nil && firstErr == nil {
			firstErr = err
		}
		out[i] = r
	}
	l.mu.Lock()
	for _, i := range missing {
		if out[i] == nil {
			continue
		}
		if r, ok := l.recs[offs[i]]; ok {
			out[i] = r
		} else {
			l.recs[offs[i]] = out[i]
		}
	}
	if firstErr != nil && l.err == nil {
		l.err = firstErr
	}
	l.mu.Unlock()
	return slices.DeleteFunc(out, func(r *osv.Record) bool { return r == nil })
}

func (l *lazyEco) decode(off int64) (*osv.Record, error) {
	if off < 0 || off >= int64(len(l.data)) {
		return nil, fmt.Errorf("%s: index points past the end (offset %d)", l.path, off)
	}
	line := l.data[off:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	r := new(osv.Record)
	if err := jsonv2.Unmarshal(line, r); err != nil {
		return nil, fmt.Errorf("%s: record at offset %d: %w", l.path, off, err)
	}
	return r, nil
}

// Err is the first error decoding a looked-up record (a damaged store).
func (ix *Index) Err() error {
	for _, e := range ix.Ecosystems() {
		if l := ix.lazy[e]; l != nil {
			l.mu.Lock()
			err := l.err
			l.mu.Unlock()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Close releases the records files of an index the store loaded; records
// already looked up stay valid, Lookup must not be called afterwards.
func (ix *Index) Close() error {
	var first error
	for _, l := range ix.lazy {
		l.mu.Lock()
		if err := l.file.Close(); err != nil && first == nil {
			first = err
		}
		l.data = nil
		l.mu.Unlock()
	}
	return first
}

// Ecosystems lists the ecosystems the index holds.
func (ix *Index) Ecosystems() []string {
	out := make([]string, 0, len(ix.pkgs)+len(ix.lazy))
	for e := range ix.pkgs {
		out = append(out, e)
	}
	for e := range ix.lazy {
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

// names are the ecosystems and normalised package names r affects, once
// each.
func names(r *osv.Record) [][2]string {
	var seen [][2]string // few entries a record: a slice beats a map
	for _, a := range r.Affected {
		base := osv.Base(a.Package.Ecosystem)
		k := [2]string{base, osv.NormalizeName(base, a.Package.Name)}
		if !slices.Contains(seen, k) {
			seen = append(seen, k)
		}
	}
	return seen
}

func (ix *Index) add(r *osv.Record) {
	for _, k := range names(r) {
		m := ix.pkgs[k[0]]
		if m == nil {
			m = map[string][]*osv.Record{}
			ix.pkgs[k[0]] = m
		}
		m[k[1]] = append(m[k[1]], r)
	}
}

// Load opens the live generation's records of ecosystems (base names; nil
// means all): it reads each records file and its package index; records
// are decoded when looked up.
func (s *Store) Load(ecosystems []string) (*Index, error) {
	dir, err := s.live()
	if err != nil {
		return nil, err
	}
	m, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	ix := &Index{Meta: m, lazy: map[string]*lazyEco{}}
	for name, e := range m.Ecosystems {
		if ecosystems != nil && !slices.Contains(ecosystems, name) {
			continue
		}
		l, err := openEco(dir, e)
		if err != nil {
			ix.Close()
			return nil, err
		}
		ix.lazy[name] = l
	}
	return ix, nil
}

// all decodes every record of the live generation (for an import to merge
// with).
func (s *Store) all() ([]*osv.Record, error) {
	ix, err := s.Load(nil)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	seen := map[string]bool{}
	var out []*osv.Record
	for _, e := range ix.Ecosystems() {
		l := ix.lazy[e]
		for off := int64(0); off < int64(len(l.data)); {
			r, err := l.decode(off)
			if err != nil {
				return nil, err
			}
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
			next := bytes.IndexByte(l.data[off:], '\n')
			if next < 0 {
				break
			}
			off += int64(next) + 1
		}
	}
	return out, nil
}

func openEco(dir string, e Ecosystem) (*lazyEco, error) {
	if !filepath.IsLocal(e.File) || !filepath.IsLocal(e.Index) {
		return nil, fmt.Errorf("%s: meta.json names files outside the database", dir)
	}
	l := &lazyEco{path: filepath.Join(dir, e.File), names: map[string][]int64{}, recs: map[int64]*osv.Record{}}
	var err error
	if l.file, err = mmapfile.Read(l.path); err != nil {
		return nil, err
	}
	l.data = l.file.Data
	idxPath := filepath.Join(dir, e.Index)
	idx, err := os.ReadFile(idxPath)
	if err != nil {
		l.file.Close()
		return nil, err
	}
	for n := 1; len(idx) > 0; n++ {
		line := idx
		if i := bytes.IndexByte(idx, '\n'); i >= 0 {
			line, idx = idx[:i], idx[i+1:]
		} else {
			idx = nil
		}
		q, offs, ok := bytes.Cut(line, []byte{'\t'})
		name, err := strconv.Unquote(string(q))
		if !ok || err != nil {
			l.file.Close()
			return nil, fmt.Errorf("%s:%d: damaged index line: import again", idxPath, n)
		}
		list := make([]int64, 0, bytes.Count(offs, []byte{','})+1)
		for f := range bytes.SplitSeq(offs, []byte{','}) {
			off, err := strconv.ParseInt(string(f), 10, 64)
			if err != nil {
				l.file.Close()
				return nil, fmt.Errorf("%s:%d: damaged index line: import again", idxPath, n)
			}
			list = append(list, off)
		}
		l.names[name] = list
	}
	return l, nil
}

// fileName is an ecosystem's records file.
func fileName(ecosystem string) string { return safeName(ecosystem) + ".jsonl" }

// indexName is an ecosystem's package index.
func indexName(ecosystem string) string { return safeName(ecosystem) + ".idx" }

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
		file, index := fileName(eco), indexName(eco)
		n, err := writeRecords(filepath.Join(gen, file), filepath.Join(gen, index), eco, list)
		if err != nil {
			return err
		}
		m.Ecosystems[eco] = Ecosystem{File: file, Index: index, Records: len(list), Packages: n}
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

// writeRecords writes recs a line each to path and, to index, the
// offsets of the lines naming each package of eco; it returns the number
// of package names.
func writeRecords(path, index, eco string, recs []*osv.Record) (int, error) {
	var data bytes.Buffer
	offs := map[string][]int64{}
	for _, r := range recs {
		off := int64(data.Len())
		if err := jsonv2.MarshalWrite(&data, r); err != nil {
			return 0, fmt.Errorf("%s: %w", r.ID, err)
		}
		data.WriteByte('\n')
		for _, k := range names(r) {
			if k[0] == eco {
				offs[k[1]] = append(offs[k[1]], off)
			}
		}
	}
	keys := make([]string, 0, len(offs))
	for k := range offs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var idx []byte
	for _, k := range keys {
		idx = strconv.AppendQuote(idx, k)
		for i, off := range offs[k] {
			if i == 0 {
				idx = append(idx, '\t')
			} else {
				idx = append(idx, ',')
			}
			idx = strconv.AppendInt(idx, off, 10)
		}
		idx = append(idx, '\n')
	}
	if err := writeSynced(path, data.Bytes()); err != nil {
		return 0, err
	}
	return len(keys), writeSynced(index, idx)
}

func writeSynced(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
