package db

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
