package sbom

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/slimship/slimship/internal/golden"
)

func sampleInventory() *Inventory {
	osi := OSInfo{ID: "debian", VersionID: "12", VersionCodename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)"}
	inv := &Inventory{OS: osi, Packages: []Package{
		{Type: "deb", Ecosystem: "Debian:12", Name: "libssl3", Version: "3.0.11-1~deb12u2+b1", Arch: "amd64", SourceName: "openssl", SourceVersion: "3.0.11-1~deb12u2",
			Layer: 1, LayerDigest: "sha256:1111111111111111111111111111111111111111111111111111111111111111", Path: "/var/lib/dpkg/status",
			Licenses: []string{"Apache-2.0", "GPL-2.0-or-later OR BSD-3-Clause", "public-domain"}},
		{Type: "deb", Ecosystem: "Debian:12", Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Arch: "amd64", SourceName: "zlib",
			Layer: 0, LayerDigest: "sha256:0000000000000000000000000000000000000000000000000000000000000000", Path: "/var/lib/dpkg/status",
			Licenses: []string{"Zlib", "GPL-2.0-or-later WITH Linux-syscall-note"}},
		{Type: "golang", Ecosystem: "Go", Name: "stdlib", Version: "1.22.1", Layer: 2, LayerDigest: "sha256:2222222222222222222222222222222222222222222222222222222222222222", Path: "/app/server"},
		{Type: "golang", Ecosystem: "Go", Name: "golang.org/x/text", Version: "0.14.0", Layer: 2, LayerDigest: "sha256:2222222222222222222222222222222222222222222222222222222222222222", Path: "/app/server"},
	}}
	for i := range inv.Packages {
		inv.Packages[i].PURL = PURL(osi, inv.Packages[i])
	}
	sortPackages(inv.Packages)
	return inv
}

var sampleMeta = Meta{Name: "example.com/app:1", Tool: "slimship", ToolVersion: "test", Created: time.Unix(1700000000, 0)}

func TestFormatsGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"cyclonedx.json", func(b *bytes.Buffer) error { return WriteCycloneDX(b, sampleInventory(), sampleMeta) }},
		{"spdx.json", func(b *bytes.Buffer) error { return WriteSPDX(b, sampleInventory(), sampleMeta) }},
		{"table.txt", func(b *bytes.Buffer) error { return WriteTable(b, sampleInventory()) }},
		{"inventory.json", func(b *bytes.Buffer) error { return WriteJSON(b, sampleInventory()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := tc.write(&a); err != nil {
				t.Fatal(err)
			}
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two runs differ")
			}
			if bytes.HasSuffix([]byte(tc.name), []byte(".json")) && !json.Valid(a.Bytes()) {
				t.Error("invalid JSON")
			}
			golden.Assert(t, "testdata/golden/"+tc.name, a.Bytes())
		})
	}
}

func TestTimestamp(t *testing.T) {
	img, err := mutate.CreatedAt(image(t), v1.Time{Time: time.Unix(1600000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "")
	if got, _ := Timestamp(img); !got.Equal(time.Unix(1600000000, 0)) {
		t.Errorf("image created: %v", got)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	if got, _ := Timestamp(img); !got.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("SOURCE_DATE_EPOCH: %v", got)
	}
	for _, bad := range []string{"yesterday", "-1", "253402300800", "99999999999999"} {
		t.Setenv("SOURCE_DATE_EPOCH", bad)
		if _, err := Timestamp(img); err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
			t.Errorf("SOURCE_DATE_EPOCH=%s: %v", bad, err)
		}
	}
	t.Setenv("SOURCE_DATE_EPOCH", "253402300799")
	if got, err := Timestamp(img); err != nil || got.Year() != 9999 {
		t.Errorf("last second of year 9999: %v %v", got, err)
	}
}
