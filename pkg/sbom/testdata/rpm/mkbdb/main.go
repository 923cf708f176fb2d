//go:build ignore

// Prints a db_load dump of an rpm Packages database: two packages, each a
// header blob (name, version, release, summary, arch, sourcerpm; epoch on
// the second) keyed by its 4-byte little-endian instance number.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

func header(strs [][2]any, epoch int32) []byte {
	type ent struct{ tag, typ, off, cnt int32 }
	var data bytes.Buffer
	var ents []ent
	for _, kv := range strs {
		ents = append(ents, ent{kv[0].(int32), 6, int32(data.Len()), 1})
		data.WriteString(kv[1].(string))
		data.WriteByte(0)
	}
	if epoch > 0 {
		for data.Len()%4 != 0 {
			data.WriteByte(0)
		}
		ents = append(ents, ent{1003, 4, int32(data.Len()), 1})
		binary.Write(&data, binary.BigEndian, epoch)
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

func main() {
	pad := strings.Repeat("A summary long enough that the header is stored on overflow pages. ", 10)
	blobs := [][]byte{
		header([][2]any{{int32(1000), "bash"}, {int32(1001), "5.1.8"}, {int32(1002), "9.el9"}, {int32(1004), pad}, {int32(1022), "x86_64"}, {int32(1044), "bash-5.1.8-9.el9.src.rpm"}}, 0),
		header([][2]any{{int32(1000), "openssl-libs"}, {int32(1001), "3.0.7"}, {int32(1002), "27.el9"}, {int32(1004), pad}, {int32(1022), "x86_64"}, {int32(1044), "openssl-3.0.7-27.el9.src.rpm"}}, 1),
	}
	fmt.Print("VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=512\nHEADER=END\n")
	for i, b := range blobs {
		var k [4]byte
		binary.LittleEndian.PutUint32(k[:], uint32(i+1))
		fmt.Printf(" %s\n %s\n", hex.EncodeToString(k[:]), hex.EncodeToString(b))
	}
	fmt.Print("DATA=END\n")
}
