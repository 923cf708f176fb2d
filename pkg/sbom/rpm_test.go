package sbom

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"hash/adler32"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// rpmHeader encodes an rpm header blob (no region) with string and int32
// tags, as rpm stores one package in its database.
func rpmHeader(strs map[int32]string, ints map[int32]int32) []byte {
	type ent struct{ tag, typ, off, cnt int32 }
	var data bytes.Buffer
	var ents []ent
	for _, tag := range []int32{1000, 1001, 1002, 1014, 1022, 1044} { // name version release license arch sourcerpm
		if v, ok := strs[tag]; ok {
			ents = append(ents, ent{tag, 6, int32(data.Len()), 1})
			data.WriteString(v)
			data.WriteByte(0)
		}
	}
	for tag, v := range ints {
		for data.Len()%4 != 0 {
			data.WriteByte(0)
		}
		ents = append(ents, ent{tag, 4, int32(data.Len()), 1})
		binary.Write(&data, binary.BigEndian, v)
	}
	var out bytes.Buffer
	binary.Write(&out, binary.BigEndian, int32(len(ents)))
	binary.Write(&out, binary.BigEndian, int32(data.Len()))
	for _, e := range ents {
		binary.Write(&out, binary.BigEndian, e)
	}
	out.Write(data.Bytes())
	return out.Bytes()
}

func TestRpmSqlite(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "rpmdb.sqlite")
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, h := range [][]byte{
		rpmHeader(map[int32]string{1000: "bash", 1001: "5.1.8", 1002: "9.el9", 1022: "x86_64", 1044: "bash-5.1.8-9.el9.src.rpm"}, nil),
		rpmHeader(map[int32]string{1000: "openssl-libs", 1001: "3.0.7", 1002: "27.el9", 1022: "x86_64", 1044: "openssl-3.0.7-27.el9.src.rpm"}, map[int32]int32{1003: 1}),
	} {
		if _, err := db.Exec("INSERT INTO Packages (blob) VALUES (?)", h); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	b, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	l0 := layerTar(t, file{name: "etc/os-release", body: "ID=\"rocky\"\nVERSION_ID=\"9.3\"\n"},
		file{name: "var/lib/rpm/rpmdb.sqlite", body: string(b)})
	inv, err := FromImage(context.Background(), image(t, l0))
	if err != nil {
		t.Fatal(err)
	}
	check(t, names(inv),
		"rpm bash@5.1.8-9.el9 src=bash-5.1.8-9.el9.src.rpm@ layer=0 /var/lib/rpm/rpmdb.sqlite Rocky Linux:9 pkg:rpm/rocky/bash@5.1.8-9.el9?arch=x86_64&distro=rocky-9.3",
		"rpm openssl-libs@1:3.0.7-27.el9 src=openssl-3.0.7-27.el9.src.rpm@ layer=0 /var/lib/rpm/rpmdb.sqlite Rocky Linux:9 pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.3&epoch=1",
	)
	if len(inv.Warnings) > 0 {
		t.Errorf("warnings %q", inv.Warnings)
	}
}

// ndbFile builds an rpm NDB Packages.db (SUSE) holding blobs, after rpm's
// lib/backend/ndb/rpmpkg.c: a 32-byte header in the first of one 4 KiB
// slot page, a slot per package, then each blob with its header and tail
// in 16-byte blocks.
func ndbFile(blobs ...[]byte) []byte {
	le := binary.LittleEndian
	out := make([]byte, 4096)
	copy(out, "RpmP")
	le.PutUint32(out[8:], 1)  // generation
	le.PutUint32(out[12:], 1) // slot pages
	for s := 2; s < 256; s++ {
		copy(out[s*16:], "Slot")
	}
	for i, b := range blobs {
		blk := len(out) / 16
		n := 16 + len(b) + 12
		n = (n + 15) / 16 * 16
		slot := out[(2+i)*16:]
		le.PutUint32(slot[4:], uint32(i+1))
		le.PutUint32(slot[8:], uint32(blk))
		le.PutUint32(slot[12:], uint32(n/16))
		rec := make([]byte, n)
		copy(rec, "BlbS")
		le.PutUint32(rec[4:], uint32(i+1))
		le.PutUint32(rec[8:], adler32.Checksum(b))
		le.PutUint32(rec[12:], uint32(len(b)))
		copy(rec[16:], b)
		tail := rec[16+len(b):]
		le.PutUint32(tail, adler32.Checksum(b))
		le.PutUint32(tail[4:], uint32(len(b)))
		copy(tail[8:], "BlbE")
		out = append(out, rec...)
	}
	return out
}

var rpmBlobs = [][]byte{
	rpmHeader(map[int32]string{1000: "bash", 1001: "5.1.8", 1002: "9.el9", 1022: "x86_64", 1044: "bash-5.1.8-9.el9.src.rpm"}, nil),
	rpmHeader(map[int32]string{1000: "openssl-libs", 1001: "3.0.7", 1002: "27.el9", 1022: "x86_64", 1044: "openssl-3.0.7-27.el9.src.rpm"}, map[int32]int32{1003: 1}),
}

// TestRpmThreeFormats: the Berkeley DB (testdata/rpm/Packages, written by
// Berkeley DB 5.3), NDB and SQLite databases give the same packages.
func TestRpmThreeFormats(t *testing.T) {
	bdb, err := os.ReadFile("testdata/rpm/Packages")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, body string }{
		{"var/lib/rpm/Packages", string(bdb)},
		{"usr/lib/sysimage/rpm/Packages.db", string(ndbFile(rpmBlobs...))},
	} {
		t.Run(tc.path, func(t *testing.T) {
			l0 := layerTar(t, file{name: "etc/os-release", body: "ID=\"rocky\"\nVERSION_ID=\"9.3\"\n"}, file{name: tc.path, body: tc.body})
			inv, err := FromImage(context.Background(), image(t, l0))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range inv.Packages {
				got = append(got, p.Name+"@"+p.Version+" "+p.SourceName+" "+p.PURL)
			}
			check(t, got,
				"bash@5.1.8-9.el9 bash-5.1.8-9.el9.src.rpm pkg:rpm/rocky/bash@5.1.8-9.el9?arch=x86_64&distro=rocky-9.3",
				"openssl-libs@1:3.0.7-27.el9 openssl-3.0.7-27.el9.src.rpm pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.3&epoch=1")
			if len(inv.Warnings) > 0 {
				t.Errorf("warnings %q", inv.Warnings)
			}
		})
	}
}
