// Command scan-speed makes the inputs of bench/scan-speed.sh: an osv.dev
// style all.zip of synthetic OSV records and a CycloneDX SBOM of packages
// that share names with them, so matching has real work to do.
//
//	go run ./bench/scan-speed -records 100000 -packages 10000 -out /tmp/scan-speed
//
// Records and packages are spread over npm, PyPI, Go and Debian:12 (40, 30,
// 10 and 20%); every second record names a package of the SBOM, and each
// record has two ranges (introduced/fixed and introduced/last_affected), a
// CVSS v3 vector and an alias.
package main

import (
	"archive/zip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

type eco struct {
	name, purl string
	share      int // percent
	version    func(i int) string
}

var ecos = []eco{
	{"npm", "pkg:npm/%s@%s", 40, func(i int) string { return fmt.Sprintf("%d.%d.%d", i%5, i%7, i%3) }},
	{"PyPI", "pkg:pypi/%s@%s", 30, func(i int) string { return fmt.Sprintf("%d.%d.post%d", i%5, i%7, i%3) }},
	{"Go", "pkg:golang/example.com/%s@v%s", 10, func(i int) string { return fmt.Sprintf("%d.%d.%d", i%5, i%7, i%3) }},
	{"Debian:12", "pkg:deb/debian/%s@%s?distro=debian-12", 20, func(i int) string { return fmt.Sprintf("%d.%d-%d+deb12u%d", i%5, i%7, i%3, i%2) }},
}

func pkgName(e eco, i int) string {
	if e.name == "Go" {
		return fmt.Sprintf("example.com/mod%d", i)
	}
	return fmt.Sprintf("pkg%d", i)
}

func main() {
	nrec := flag.Int("records", 100_000, "synthetic records")
	npkg := flag.Int("packages", 10_000, "SBOM packages")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	zf, err := os.Create(filepath.Join(*out, "all.zip"))
	if err != nil {
		log.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	id := 0
	for _, e := range ecos {
		n := *nrec * e.share / 100
		// names: half the records name one of the SBOM's packages of this
		// ecosystem, the other half names the SBOM does not have.
		inSBOM := *npkg * e.share / 100
		for i := range n {
			name := pkgName(e, (i/2)%max(inSBOM, 1))
			if i%2 == 1 {
				name = pkgName(e, inSBOM+i)
			}
			id++
			rec := map[string]any{
				"id":       fmt.Sprintf("SYN-%07d", id),
				"modified": "2026-01-01T00:00:00Z",
				"aliases":  []string{fmt.Sprintf("CVE-2026-%d", 100000+id)},
				"summary":  "synthetic record for the scan benchmark",
				"severity": []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}},
				"affected": []map[string]any{{
					"package": map[string]string{"ecosystem": e.name, "name": name},
					"ranges": []map[string]any{{"type": "ECOSYSTEM", "events": []map[string]string{
						{"introduced": "0"}, {"fixed": e.version(i + 1)},
						{"introduced": "7.0"}, {"last_affected": "7.2"},
					}}},
				}},
			}
			if e.name == "Go" {
				rec["affected"].([]map[string]any)[0]["ranges"].([]map[string]any)[0]["type"] = "SEMVER"
			}
			w, err := zw.Create(fmt.Sprintf("SYN-%07d.json", id))
			if err != nil {
				log.Fatal(err)
			}
			if err := json.NewEncoder(w).Encode(rec); err != nil {
				log.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	zf.Close()

	var comps []map[string]string
	for _, e := range ecos {
		for i := range *npkg * e.share / 100 {
			name := pkgName(e, i)
			if e.name == "Go" {
				name = fmt.Sprintf("mod%d", i)
			}
			comps = append(comps, map[string]string{"type": "library", "name": name, "version": e.version(i), "purl": fmt.Sprintf(e.purl, name, e.version(i))})
		}
	}
	bom := map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": comps}
	b, err := json.Marshal(bom)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*out, "sbom.cdx.json"), b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d records in all.zip, %d packages in sbom.cdx.json under %s\n", id, len(comps), *out)
}
