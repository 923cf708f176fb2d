package db

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slimship/slimship/pkg/vuln/osv"
)

const goRec = `{"id":"GO-2023-1571","modified":"2023-02-16T00:00:00Z","aliases":["CVE-2022-41723"],
"affected":[{"package":{"name":"stdlib","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.19.6"}]}]},
{"package":{"name":"golang.org/x/net","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.7.0"}]}]}]}`

const debRec = `{"id":"DLA-3008-1","modified":"2022-05-14T00:00:00Z","upstream":["CVE-2022-1292"],
"affected":[{"package":{"name":"openssl","ecosystem":"Debian:9"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.1.0l-1~deb9u6"}]}]}]}`

const pyRec = `{"id":"PYSEC-2020-148","modified":"2023-11-08T04:03:14Z",
"affected":[{"package":{"name":"urllib3","ecosystem":"PyPI"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.25.9"}]}]}]}`

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func testStore(t *testing.T) *Store {
	s := Open(filepath.Join(t.TempDir(), "db"))
	s.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	return s
}

func TestImportDirectorySkipsMalformed(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a", "GO-2023-1571.json"), goRec)
	writeFile(t, filepath.Join(src, "DLA-3008-1.json"), debRec)
	writeFile(t, filepath.Join(src, "broken.json"), `{"id": "X-1", "affected": [`)
	writeFile(t, filepath.Join(src, "noid.json"), `{"affected": []}`)
	writeFile(t, filepath.Join(src, "README.md"), "not a record")
	s := testStore(t)
	var warns []string
	st, err := s.Import([]string{src}, ImportOptions{Warn: func(m string) { warns = append(warns, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 2 || st.Skipped != 2 {
		t.Fatalf("stats %+v, want 2 records 2 skipped", st)
	}
	joined := strings.Join(warns, "\n")
	for _, want := range []string{"broken.json: skipped", "noid.json: skipped: invalid OSV record: no id"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings %q lack %q", joined, want)
		}
	}
	m, err := s.Status()
	if err != nil {
		t.Fatal(err)
	}
	if m.Ecosystems["Go"].Records != 1 || m.Ecosystems["Go"].Packages != 2 || m.Ecosystems["Debian"].Records != 1 {
		t.Fatalf("meta %+v", m)
	}
	if !m.Imported.Equal(s.Now()) {
		t.Errorf("imported %v", m.Imported)
	}
	ix, err := s.Load([]string{"Debian"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Lookup("Debian:12", "openssl"); len(got) != 1 || got[0].ID != "DLA-3008-1" {
		t.Fatalf("lookup openssl: %v", got)
	}
	if got := ix.Lookup("Go", "stdlib"); got != nil {
		t.Fatalf("Go not loaded, got %v", got)
	}
}

func TestImportMergesAndSwaps(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "GO-2023-1571.json"), goRec)
	s := testStore(t)
	if _, err := s.Import([]string{src}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	src2 := t.TempDir()
	writeFile(t, filepath.Join(src2, "PYSEC-2020-148.json"), pyRec)
	if _, err := s.Import([]string{src2}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := s.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Lookup("Go", "golang.org/x/net")) != 1 || len(ix.Lookup("PyPI", "URLLib3")) != 1 {
		t.Fatalf("merge lost records: %v", ix.Ecosystems())
	}
	gens, _ := filepath.Glob(filepath.Join(s.Dir, "gen-*"))
	if len(gens) != 1 {
		t.Fatalf("old generations left: %v", gens)
	}
}

func TestImportGoLayoutSkipsIndex(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "index", "db.json"), `{"modified":"2024-01-01T00:00:00Z"}`)
	writeFile(t, filepath.Join(src, "index", "modules.json"), `[{"path":"golang.org/x/net"}]`)
	writeFile(t, filepath.Join(src, "ID", "GO-2023-1571.json"), goRec)
	s := testStore(t)
	var warns []string
	st, err := s.Import([]string{src}, ImportOptions{Warn: func(m string) { warns = append(warns, m) }})
	if err != nil || st.Records != 1 || len(warns) != 0 {
		t.Fatalf("st %+v err %v warns %v", st, err, warns)
	}
}

func makeZip(t *testing.T, entries map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "all.zip")
	writeFile(t, p, buf.String())
	return p
}

func TestImportZip(t *testing.T) {
	p := makeZip(t, map[string]string{
		"GO-2023-1571.json": goRec,
		"../evil.json":      pyRec,
		"/abs.json":         pyRec,
		"bad.json":          `[]`,
		"big.json":          strings.Repeat(" ", 2000) + debRec,
		"DLA-3008-1.json":   debRec,
		"notes/readme.txt":  "x",
	})
	s := testStore(t)
	var warns []string
	st, err := s.Import([]string{p}, ImportOptions{Limits: Limits{MaxRecord: 1000}, Warn: func(m string) { warns = append(warns, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 2 || st.Skipped != 4 {
		t.Fatalf("stats %+v warns %q", st, warns)
	}
	joined := strings.Join(warns, "\n")
	for _, want := range []string{"all.zip:../evil.json: skipped: unsafe entry name", "all.zip:/abs.json: skipped: unsafe entry name", "all.zip:big.json: skipped: larger than the record limit", "all.zip:bad.json: skipped"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings %q lack %q", joined, want)
		}
	}
	// Nothing of the archive is written outside the database.
	if _, err := os.Stat(filepath.Join(filepath.Dir(p), "..", "evil.json")); err == nil {
		t.Fatal("../evil.json written")
	}
}

func TestImportZipBombRefused(t *testing.T) {
	entries := map[string]string{}
	for i := range 20 {
		entries[string(rune('a'+i))+".json"] = strings.Repeat(" ", 900) + goRec
	}
	p := makeZip(t, entries)
	s := testStore(t)
	_, err := s.Import([]string{p}, ImportOptions{Limits: Limits{MaxRecord: 4096, MaxArchive: 10000}})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err %v, want refusal", err)
	}
	if _, err := s.Status(); !errors.Is(err, ErrEmpty) {
		t.Fatalf("database written after a refused import: %v", err)
	}
	_, err = s.Import([]string{p}, ImportOptions{Limits: Limits{MaxEntries: 5}})
	if err == nil || !strings.Contains(err.Error(), "20 entries") {
		t.Fatalf("err %v, want entry-count refusal", err)
	}
}

func TestStatusEmpty(t *testing.T) {
	if _, err := testStore(t).Status(); !errors.Is(err, ErrEmpty) {
		t.Fatalf("err %v", err)
	}
}

// BenchmarkLoad100k: reading and indexing one ecosystem of 100,000 records.
func BenchmarkLoad100k(b *testing.B) {
	s := Open(b.TempDir())
	byEco := map[string]map[string]*osv.Record{"npm": {}}
	for i := range 100_000 {
		id := fmt.Sprintf("SYN-%d", i)
		byEco["npm"][id] = &osv.Record{ID: id, Modified: time.Now(), Affected: []osv.Affected{{
			Package: osv.Package{Ecosystem: "npm", Name: fmt.Sprintf("pkg-%d", i%20000)},
			Ranges:  []osv.Range{{Type: "ECOSYSTEM", Events: []osv.Event{{Introduced: "0"}, {Fixed: "1.2.3"}}}}}}}
	}
	if err := s.write(byEco); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Load([]string{"npm"}); err != nil {
			b.Fatal(err)
		}
	}
}

// An import over a database of the old layout (schema 1) replaces it with
// a warning instead of failing; a damaged index is an error naming it.
func TestImportOverOldSchemaAndDamagedIndex(t *testing.T) {
	s := testStore(t)
	gen := filepath.Join(s.Dir, "gen-old")
	writeFile(t, filepath.Join(gen, "meta.json"), `{"schema":1,"imported":"2024-01-01T00:00:00Z","ecosystems":{"Go":{"file":"Go.json","records":1,"packages":1}}}`)
	writeFile(t, filepath.Join(gen, "Go.json"), "["+goRec+"]")
	if err := os.Symlink("gen-old", filepath.Join(s.Dir, current)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(nil); err == nil || !strings.Contains(err.Error(), "import again") {
		t.Fatalf("load of schema 1: %v", err)
	}
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "DLA-3008-1.json"), debRec)
	var warned []string
	if _, err := s.Import([]string{src}, ImportOptions{Warn: func(m string) { warned = append(warned, m) }}); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "replaced by this import") {
		t.Errorf("warnings %q", warned)
	}
	ix, err := s.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Lookup("Debian:12", "openssl"); len(got) != 1 {
		t.Fatalf("lookup %v", got)
	}
	dir, _ := s.live()
	writeFile(t, filepath.Join(dir, "Debian.idx"), "\"openssl\"\tnot-a-number\n")
	if _, err := s.Load(nil); err == nil || !strings.Contains(err.Error(), "Debian.idx:1: damaged index line") {
		t.Fatalf("damaged index: %v", err)
	}
	writeFile(t, filepath.Join(dir, "Debian.idx"), "\"openssl\"\t99999\n")
	ix, err = s.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Lookup("Debian:12", "openssl"); len(got) != 0 || ix.Err() == nil || !strings.Contains(ix.Err().Error(), "past the end") {
		t.Fatalf("offset past the end: %v %v", got, ix.Err())
	}
}

// rawZip writes an archive whose entries' compressed data and declared
// sizes are given as they are (CreateRaw), to build lying headers.
func rawZip(t *testing.T, entries ...rawEntry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc,
			CompressedSize64: uint64(len(e.deflated)), UncompressedSize64: e.declared})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.deflated)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "all.zip")
	writeFile(t, p, buf.String())
	return p
}

type rawEntry struct {
	name     string
	deflated []byte
	declared uint64
	crc      uint32
}

// deflated compresses r (read lazily) at the best ratio.
func deflated(t *testing.T, r io.Reader) []byte {
	t.Helper()
	var b bytes.Buffer
	fw, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(fw, r); err != nil {
		t.Fatal(err)
	}
	fw.Close()
	return b.Bytes()
}

// TestImportZipBombs: an entry that inflates to 256 MiB from a few
// hundred KiB, whether its header says so or lies (says 200 bytes), is
// skipped with a warning naming it, without being inflated into memory;
// the records beside it are imported.
func TestImportZipBombs(t *testing.T) {
	const huge = 256 << 20
	bomb := deflated(t, io.MultiReader(strings.NewReader(`{"id":"BOMB-1","affected":[`), io.LimitReader(zeroReader{}, huge)))
	good := deflated(t, strings.NewReader(goRec))
	p := rawZip(t,
		rawEntry{"honest-bomb.json", bomb, huge + 27, 0},
		rawEntry{"lying-bomb.json", bomb, 200, 0},
		rawEntry{"GO-2023-1571.json", good, uint64(len(goRec)), crc32.ChecksumIEEE([]byte(goRec))},
	)
	s := testStore(t)
	var warns []string
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	st, err := s.Import([]string{p}, ImportOptions{Warn: func(m string) { warns = append(warns, m) }})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 1 || st.Skipped != 2 {
		t.Fatalf("stats %+v warns %q", st, warns)
	}
	joined := strings.Join(warns, "\n")
	for _, want := range []string{"all.zip:honest-bomb.json: skipped: larger than the record limit", "all.zip:lying-bomb.json: skipped: zip: not a valid zip file"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings %q lack %q", joined, want)
		}
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("%d bytes allocated importing a %d-byte archive", got, len(bomb)*2)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestImportBadArchives: a truncated or corrupt archive, entries named
// ../x, /x or with a drive, and malformed records: warnings or an error
// naming the archive and entry (and the field at fault), never a write
// outside the database directory; an import that fails leaves the
// database as it was.
func TestImportBadArchives(t *testing.T) {
	root := t.TempDir()
	s := Open(filepath.Join(root, "cache", "db"))
	s.Now = time.Now
	if _, err := s.Import([]string{makeZip(t, map[string]string{"PYSEC-2020-148.json": pyRec})}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	good := makeZip(t, map[string]string{
		"GO-2023-1571.json":     goRec,
		"../../cache/evil.json": pyRec,
		"/tmp/abs.json":         pyRec,
		"C:/win.json":           pyRec,
		"a\\..\\..\\back.json":  pyRec,
		"wrong-type.json":       `{"id": 5}`,
		"wrong-events.json":     `{"id":"X-1","affected":[{"package":{"ecosystem":"Go","name":"a"},"ranges":[{"type":"SEMVER","events":"0"}]}]}`,
		"not-json.json":         "<html>",
	})
	zb, _ := os.ReadFile(good)
	corrupt := bytes.Clone(zb)
	// flip the compressed bytes of every entry (local headers are 30 bytes plus the name)
	for i := 40; i < len(corrupt)/2; i += 7 {
		corrupt[i] ^= 0xff
	}
	for _, tc := range []struct {
		name    string
		archive []byte
		err     string   // the import fails with this
		warns   []string // or warns
		inDB    int      // records in the database after
	}{
		{"truncated", zb[:len(zb)/2], "all.zip: zip: not a valid zip file", nil, 1},
		{"empty file", nil, "all.zip: zip: not a valid zip file", nil, 1},
		{"not a zip", []byte("PK\x03\x04 but no more"), "all.zip: zip: not a valid zip file", nil, 1},
		{"bad entries", zb, "", []string{
			"all.zip:../../cache/evil.json: skipped: unsafe entry name",
			"all.zip:/tmp/abs.json: skipped: unsafe entry name",
			"all.zip:C:/win.json: skipped: unsafe entry name",
			"all.zip:a\\..\\..\\back.json: skipped: unsafe entry name",
			"all.zip:wrong-type.json: skipped: invalid OSV record: json: cannot unmarshal number into Go struct field", // .id
			"all.zip:wrong-events.json: skipped: invalid OSV record",
			"all.zip:not-json.json: skipped: invalid OSV record: invalid character '<'",
		}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tree(t, root)
			// ../../cache/evil.json from here is root/cache/evil.json
			p := filepath.Join(root, "in", "sub", "all.zip")
			writeFile(t, p, string(tc.archive))
			before = append(before, "in/sub/all.zip")
			var warns []string
			st, err := s.Import([]string{p}, ImportOptions{Warn: func(m string) { warns = append(warns, m) }})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(warns, "\n")
			for _, w := range tc.warns {
				if !strings.Contains(joined, w) {
					t.Errorf("warnings %q lack %q", joined, w)
				}
			}
			if tc.err == "" && (st.Skipped != len(tc.warns) || st.Records != 1) {
				t.Errorf("stats %+v", st)
			}
			m, err := s.Status()
			if err != nil {
				t.Fatal(err)
			}
			if got := records(m); got != tc.inDB {
				t.Errorf("%d records in the database, want %d", got, tc.inDB)
			}
			for _, f := range tree(t, root) {
				if !slices.Contains(before, f) && !strings.HasPrefix(f, "cache/db/") {
					t.Errorf("%s written outside the database", f)
				}
			}
		})
	}
	t.Run("corrupt data", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "all.zip")
		writeFile(t, p, string(corrupt))
		var warns []string
		_, err := s.Import([]string{p}, ImportOptions{Warn: func(m string) { warns = append(warns, m) }})
		if err == nil && len(warns) == 0 {
			t.Fatal("a corrupt archive imported without a word")
		}
		for _, w := range warns {
			if !strings.Contains(w, "all.zip:") {
				t.Errorf("warning %q names no entry", w)
			}
		}
	})
}

func records(m *Meta) int {
	n := 0
	for _, e := range m.Ecosystems {
		n += e.Records
	}
	return n
}

// tree lists the files under root, relative, with slashes.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}
