package sbom

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bdbFixture returns the Berkeley DB fixture and where its first hash
// page's first off-page item and that item's first overflow page are.
func bdbFixture(t *testing.T) (data []byte, pageSize, itemAt, overflowAt int) {
	t.Helper()
	data, err := os.ReadFile("testdata/rpm/Packages")
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	pageSize = int(le.Uint32(data[20:]))
	for pg := pageSize; pg < len(data); pg += pageSize {
		if data[pg+25] != bdbHashPage || le.Uint16(data[pg+20:]) == 0 {
			continue
		}
		off := int(le.Uint16(data[pg+bdbPageHeader+2:]))
		if data[pg+off] == bdbOffPageItem {
			return data, pageSize, pg + off, int(le.Uint32(data[pg+off+4:])) * pageSize
		}
	}
	t.Fatal("no off-page item in the fixture")
	return
}

func sqliteRpmDB(t *testing.T, blobs ...[]byte) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rpmdb.sqlite")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, b := range blobs {
		if _, err := db.Exec("INSERT INTO Packages (blob) VALUES (?)", b); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCorruptDatabases: a corrupt package database is a warning naming
// the file and, for stanza databases, the line and package; the good
// stanzas of the same file and every other file are still listed; no
// parser panics, loops or prints.
func TestCorruptDatabases(t *testing.T) {
	bdb, pageSize, item, overflow := bdbFixture(t)
	mut := func(b []byte, f func([]byte)) string {
		b = bytes.Clone(b)
		f(b)
		return string(b)
	}
	le := binary.LittleEndian
	ndb := ndbFile(rpmBlobs...)
	goodSqlite := sqliteRpmDB(t, rpmBlobs...)
	for _, tc := range []struct {
		name, path, body string
		want             []string // in the one warning
		keep             []string // packages of the file still listed
	}{
		{"dpkg truncated mid-field", "var/lib/dpkg/status",
			"Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: install ok installed\nVers", []string{"line 5 (package b)", "missing colon"}, []string{"a@1"}},
		{"dpkg garbage", "var/lib/dpkg/status", "\x00\x01\x02garbage\xff\xfe\n::::\n", []string{"line 1:"}, nil},
		{"dpkg bad Source, later packages kept", "var/lib/dpkg/status",
			"Package: a\nStatus: install ok installed\nVersion: 1\nSource: x (\n\nPackage: c\nStatus: install ok installed\nVersion: 2\n", []string{"line 1 (package a)", "Source"}, []string{"c@2"}},
		{"dpkg continuation line first", "var/lib/dpkg/status",
			"Package: a\nStatus: install ok installed\nVersion: 1\n\n garbage\nPackage: c\nStatus: install ok installed\nVersion: 2\n", []string{"line 5 (package c)"}, []string{"a@1"}},
		{"dpkg status.d bad stanza", "var/lib/dpkg/status.d/base", "Package: base\nVersion: 1\nSource: x (\n", []string{"line 1 (package base)"}, nil},
		{"apk garbage line", "lib/apk/db/installed", "P:a\nV:1\n\n\x00\xff garbage\n\nP:b\nV:2\n", []string{"line 4:", "invalid line"}, []string{"a@1", "b@2"}},
		{"apk line over 64 KiB", "lib/apk/db/installed", "P:a\nV:1\n\nP:big\nT:" + strings.Repeat("x", 70000) + "\n\nP:b\nV:2\n", []string{"line 4 (package big)", "too long"}, []string{"a@1", "b@2"}},
		{"rpm sqlite garbage", "var/lib/rpm/rpmdb.sqlite", "SQLite format 3\x00garbage", []string{"not a database"}, nil},
		{"rpm sqlite truncated", "var/lib/rpm/rpmdb.sqlite", string(goodSqlite[:len(goodSqlite)/2]), []string{"/var/lib/rpm/rpmdb.sqlite: "}, nil},
		{"rpm sqlite corrupt header blob", "var/lib/rpm/rpmdb.sqlite", string(sqliteRpmDB(t, rpmBlobs[0], []byte("\xff\xff\xff\xff\x00"))), []string{"/var/lib/rpm/rpmdb.sqlite: "}, nil},
		{"rpm bdb garbage", "var/lib/rpm/Packages", "garbage", []string{"Berkeley DB", "shorter than its metadata page"}, nil},
		{"rpm bdb truncated", "var/lib/rpm/Packages", string(bdb[:2*pageSize]), []string{"Berkeley DB", "truncated"}, nil},
		{"rpm bdb item past page", "var/lib/rpm/Packages", mut(bdb, func(b []byte) {
			pg := item / pageSize * pageSize
			le.PutUint16(b[pg+bdbPageHeader+2:], 0xfff0)
		}), []string{"past the page"}, nil},
		{"rpm bdb overflow loop", "var/lib/rpm/Packages", mut(bdb, func(b []byte) { le.PutUint32(b[overflow+16:], uint32(overflow/pageSize)) }), []string{"a loop"}, nil},
		{"rpm bdb overflow chain to a hash page", "var/lib/rpm/Packages", mut(bdb, func(b []byte) { b[overflow+25] = bdbHashPage }), []string{"of type 13"}, nil},
		{"rpm bdb overflow length", "var/lib/rpm/Packages", mut(bdb, func(b []byte) { le.PutUint16(b[overflow+22:], 0xfffe) }), []string{"more than a page"}, nil},
		{"rpm ndb truncated", "var/lib/rpm/Packages.db", string(ndb[:4096+20]), []string{"NDB", "truncated"}, nil},
		{"rpm ndb bad slot", "var/lib/rpm/Packages.db", mut(ndb, func(b []byte) { copy(b[5*16:], "XXXX") }), []string{"NDB: slot 3 has no Slot magic"}, nil},
		{"rpm ndb 4 GiB blob", "var/lib/rpm/Packages.db", mut(ndb, func(b []byte) { le.PutUint32(b[4096+12:], 0xffffffff) }), []string{"past the end of the file"}, nil},
		{"package.json truncated", "app/node_modules/x/package.json", `{"name": "x", "version": `, []string{"unexpected end of JSON input"}, nil},
		{"python METADATA garbage", "usr/lib/python3/site-packages/x-1.dist-info/METADATA", "\x00\x01garbage", []string{"Name or Version is empty"}, nil},
		{"jar not a zip", "opt/x.jar", "PK\x03\x04garbage", []string{"not a Java archive"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout := captureStdout(t)
			l := layerTar(t, file{name: tc.path, body: tc.body}, file{name: "app/node_modules/ok/package.json", body: `{"name":"ok","version":"1.0.0"}`})
			inv, err := FromImage(context.Background(), image(t, l))
			if err != nil {
				t.Fatal(err)
			}
			if out := stdout(); out != "" {
				t.Errorf("printed to standard output: %q", out)
			}
			want := append([]string{"ok@1.0.0"}, tc.keep...)
			var got []string
			for _, p := range inv.Packages {
				got = append(got, p.Name+"@"+p.Version)
			}
			if strings.Join(got, " ") != strings.Join(sorted(want), " ") {
				t.Errorf("packages %v, want %v", got, sorted(want))
			}
			if len(inv.Warnings) != 1 || !strings.HasPrefix(inv.Warnings[0], "/"+tc.path+": ") {
				t.Fatalf("warnings %q, want one for /%s", inv.Warnings, tc.path)
			}
			for _, w := range tc.want {
				if !strings.Contains(inv.Warnings[0], w) {
					t.Errorf("warning %q lacks %q", inv.Warnings[0], w)
				}
			}
			if strings.Contains(inv.Warnings[0], os.TempDir()) {
				t.Errorf("warning %q names a temporary file", inv.Warnings[0])
			}
		})
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// captureStdout sends os.Stdout to a file until the returned function
// reads it back.
func captureStdout(t *testing.T) func() string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = f
	return func() string {
		os.Stdout = old
		f.Seek(0, io.SeekStart)
		b, _ := io.ReadAll(f)
		f.Close()
		return string(b)
	}
}

func TestStanzas(t *testing.T) {
	got := stanzas([]byte("\n\nA: 1\nB: 2\n\n \n\t\nC: 3\r\n\r\nD: 4"))
	var s []string
	for _, st := range got {
		s = append(s, strings.ReplaceAll(string(st.text), "\n", "|")+"@"+strconv.Itoa(st.line))
	}
	if want := "A: 1|B: 2|@3 C: 3\r|@8 D: 4@10"; strings.Join(s, " ") != want {
		t.Errorf("%q, want %q", strings.Join(s, " "), want)
	}
}

// FuzzDatabases feeds bytes to the collector as a dpkg status file, an
// apk database, an rpm Berkeley DB or an rpm NDB: it must never panic
// (go-rpmdb's reading goroutine would take the process down), loop or
// print, and every warning names the file.
func FuzzDatabases(f *testing.F) {
	bdb, _ := os.ReadFile("testdata/rpm/Packages")
	ndb := ndbFile(rpmBlobs...)
	f.Add(uint8(0), []byte(dpkgStatus))
	f.Add(uint8(0), []byte("Package: a\nStatus: install ok installed\nVersion: 1\nSource: x (\n\n garbage\nPackage: c\nVersion: 2\n"))
	f.Add(uint8(1), []byte(apkInstalled))
	f.Add(uint8(1), []byte("P:a\nV:1\n\n\x00\xff\n\nP:b\nV:2\n"))
	f.Add(uint8(2), bdb)
	f.Add(uint8(2), bdb[:1024])
	f.Add(uint8(3), ndb)
	f.Add(uint8(3), ndb[:4100])
	paths := []string{"/var/lib/dpkg/status", "/lib/apk/db/installed", "/var/lib/rpm/Packages", "/var/lib/rpm/Packages.db"}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		p := paths[int(which)%len(paths)]
		c := newCollector(Options{})
		done := make(chan error, 1)
		go func() {
			done <- c.file(context.Background(), 0, p, 0o644, true, false, int64(len(data)), bytes.NewReader(data))
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: still reading after 5s", p)
		}
		for _, err := range c.errs {
			if !strings.HasPrefix(err.Error(), p+": ") {
				t.Fatalf("warning %q does not name %s", err, p)
			}
		}
		for i, s := range stanzas(data) {
			if s.line < 1 || len(s.text) == 0 || i > 0 && s.line <= stanzas(data)[i-1].line {
				t.Fatalf("stanza %d: %+v", i, s)
			}
		}
	})
}
