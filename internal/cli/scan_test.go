package cli

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const scanRecords = `{"id":"GHSA-29mw-wpgm-hmr9","modified":"2023-09-05T22:58:25Z","aliases":["CVE-2020-28500"],
"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}],
"affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}]}`

const scanCritical = `{"id":"DLA-0000-1","modified":"2024-01-01T00:00:00Z","upstream":["CVE-2024-0001"],
"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
"affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u3"}]}]}]}`

func scanFixture(t *testing.T) (dbDir, sbom string) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "records")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "GHSA-29mw-wpgm-hmr9.json"), []byte(scanRecords), 0o644)
	os.WriteFile(filepath.Join(src, "DLA-0000-1.json"), []byte(scanCritical), 0o644)
	os.WriteFile(filepath.Join(src, "broken.json"), []byte(`{"id":`), 0o644)
	dbDir = filepath.Join(dir, "db")
	code, out, errs := runCLI(t, "db", "import", "--db", dbDir, src)
	if code != 0 || !strings.Contains(out, "imported 2 records") || !strings.Contains(errs, "broken.json: skipped") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	sbom = filepath.Join(dir, "bom.json")
	os.WriteFile(sbom, []byte(`{"bomFormat":"CycloneDX","components":[
{"purl":"pkg:npm/lodash@4.17.20"},{"purl":"pkg:npm/left-pad@1.0.0"},
{"purl":"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12&upstream=openssl"},
{"purl":"pkg:npm/broken"}]}`), 0o644)
	return dbDir, sbom
}

func TestDBStatusCLI(t *testing.T) {
	dbDir, _ := scanFixture(t)
	code, out, _ := runCLI(t, "db", "status", "--db", dbDir)
	if code != 0 || !strings.Contains(out, "npm ") || !strings.Contains(out, "2 records in 2 ecosystems") {
		t.Fatalf("%d %q", code, out)
	}
	code, _, errs := runCLI(t, "db", "status", "--db", t.TempDir())
	if code != ExitUsage || !strings.Contains(errs, "empty") {
		t.Fatalf("empty db: %d %q", code, errs)
	}
}

func TestScanCLI(t *testing.T) {
	dbDir, sbom := scanFixture(t)
	cases := []struct {
		args     []string
		code     int
		out, err []string
	}{
		{[]string{}, 1, []string{"VULN-CRITICAL", "DLA-0000-1: libssl3 3.0.11-1~deb12u2 (Debian:12) from source openssl, fixed in 3.0.11-1~deb12u3", "VULN-MEDIUM", "GHSA-29mw-wpgm-hmr9: lodash 4.17.20 (npm), fixed in 4.17.21 [CVE-2020-28500]"},
			[]string{"pkg:npm/broken: no version"}},
		{[]string{"--fail-on", "critical", "--ignore-vuln", "cve-2024-0001"}, 0, []string{"GHSA-29mw"}, nil},
		{[]string{"--fail-on", "high", "--ignore-vuln", "DLA-0000-1"}, 0, nil, nil},
		{[]string{"--fail-on", "low", "--ignore-vuln", "DLA-0000-1"}, 1, nil, nil},
		{[]string{"--fail-on", "none"}, 0, nil, nil},
		{[]string{"--fail-on", "high", "--ignore", "VULN-CRITICAL"}, 0, []string{"GHSA-29mw"}, nil},
		{[]string{"--ignore", "VULN-NOPE"}, 2, nil, []string{"VULN-NOPE"}},
		{[]string{"--fail-on", "severe"}, 2, nil, []string{"unknown severity"}},
		{[]string{"-f", "json"}, 1, []string{`"rule": "VULN-CRITICAL"`}, nil},
		{[]string{"-f", "sarif"}, 1, []string{`"id": "VULN-MEDIUM"`}, nil},
		{[]string{"-f", "cyclonedx"}, 1, []string{`"bomFormat": "CycloneDX"`, `"id": "DLA-0000-1"`, `"severity": "critical"`, `"method": "CVSSv31"`, `"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"`, `"ref": "Debian:12/libssl3@3.0.11-1~deb12u2"`, `"recommendation": "Upgrade libssl3 to 3.0.11-1~deb12u3"`}, nil},
	}
	for _, c := range cases {
		args := append([]string{"scan", "--db", dbDir, sbom}, c.args...)
		code, out, errs := runCLI(t, args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, code, c.code, out, errs)
		}
		for _, w := range c.out {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
		for _, w := range c.err {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", c.args, w, errs)
			}
		}
	}
}

func TestScanCLIStaleAndBadInput(t *testing.T) {
	dbDir, sbom := scanFixture(t)
	code, _, errs := runCLI(t, "scan", "--db", dbDir, "--max-age", "1ns", "--fail-on", "none", sbom)
	if code != 0 || !strings.Contains(errs, "more than --max-age") {
		t.Fatalf("stale: %d %q", code, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"nothing":1}`), 0o644)
	code, _, errs = runCLI(t, "scan", "--db", dbDir, bad)
	if code != 2 || !strings.Contains(errs, "bad.json") {
		t.Fatalf("bad sbom: %d %q", code, errs)
	}
	code, _, errs = runCLI(t, "scan", "--db", t.TempDir(), sbom)
	if code != 2 || !strings.Contains(errs, "empty") {
		t.Fatalf("no db: %d %q", code, errs)
	}
}

func TestDBUpdateCLI(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("GHSA-29mw-wpgm-hmr9.json")
	w.Write([]byte(scanRecords))
	zw.Close()
	var seen []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path)
		if r.URL.Path != "/npm/all.zip" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "all.zip", time.Time{}, bytes.NewReader(buf.Bytes()))
	}))
	defer ts.Close()
	dir := t.TempDir()
	sbom := filepath.Join(dir, "bom.json")
	os.WriteFile(sbom, []byte(`{"bomFormat":"CycloneDX","components":[{"purl":"pkg:npm/lodash@4.17.20"}]}`), 0o644)
	dbDir := filepath.Join(dir, "db")
	code, out, errs := runCLI(t, "db", "update", "--db", dbDir, "--source", ts.URL, "--sbom", sbom)
	if code != 0 || !strings.Contains(out, "downloaded 1 ecosystems (0 unchanged), imported 1 records") {
		t.Fatalf("%d %q %q %v", code, out, errs, seen)
	}
	code, out, _ = runCLI(t, "db", "update", "--db", dbDir, "--source", ts.URL, "--ecosystem", "npm")
	if code != 0 || !strings.Contains(out, "downloaded 0 ecosystems (1 unchanged)") {
		t.Fatalf("second: %d %q", code, out)
	}
	code, _, _ = runCLI(t, "scan", "--db", dbDir, sbom)
	if code != 1 {
		t.Fatalf("scan after update: %d", code)
	}
	if code, _, errs := runCLI(t, "db", "update", "--db", dbDir); code != 2 || !strings.Contains(errs, "--ecosystem or --sbom") {
		t.Fatalf("no ecosystems: %d %q", code, errs)
	}
}

func TestScanCLIIgnoresAndVEX(t *testing.T) {
	dbDir, sbom := scanFixture(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".slimship.yaml")
	os.WriteFile(cfg, []byte("scan:\n  ignore:\n    - id: CVE-2024-0001\n      reason: patched in our base image\n      expires: 2999-01-01\n    - id: GHSA-29mw-wpgm-hmr9\n      reason: old\n      expires: 2001-01-01\n"), 0o644)
	code, out, errs := runCLI(t, "scan", "--db", dbDir, "-c", cfg, sbom)
	if code != 1 || strings.Contains(out, "DLA-0000-1") || !strings.Contains(out, "GHSA-29mw") ||
		!strings.Contains(errs, "the ignore of GHSA-29mw-wpgm-hmr9 expired on 2001-01-01 (old)") {
		t.Fatalf("config ignores: %d\n%s%s", code, out, errs)
	}
	os.WriteFile(cfg, []byte("scan:\n  ignore:\n    - id: CVE-2024-0001\n"), 0o644)
	if code, _, errs := runCLI(t, "scan", "--db", dbDir, "-c", cfg, sbom); code != 2 || !strings.Contains(errs, "scan.ignore[0] (CVE-2024-0001): give a reason") {
		t.Fatalf("ignore without reason: %d %q", code, errs)
	}
	vex := filepath.Join(dir, "app.vex.json")
	os.WriteFile(vex, []byte(`{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
{"vulnerability":{"name":"CVE-2024-0001"},"products":[{"@id":"pkg:oci/app","subcomponents":[{"@id":"pkg:deb/debian/openssl?distro=debian-12"}]}],"status":"not_affected","justification":"vulnerable_code_not_present"},
{"vulnerability":{"name":"CVE-2020-28500"},"status":"fixed"}]}`), 0o644)
	code, out, errs = runCLI(t, "scan", "--db", dbDir, "--vex", vex, sbom)
	if code != 0 || strings.Contains(out, "VULN-") {
		t.Fatalf("vex: %d\n%s%s", code, out, errs)
	}
}

// Bad input to the supply-chain commands: a missing file, garbage or a
// wrong flag value is exit 2 naming the file or flag; a malformed record
// in an import is skipped with a warning naming it (exit 0).
func TestSupplyChainBadInput(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte("\x00\x01garbage\xff"), 0o644)
	missing := filepath.Join(dir, "missing.json")
	db := filepath.Join(dir, "db")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"scan", "--db", dir, missing}, 2, missing},
		{[]string{"scan", "--db", dir, garbage}, 2, garbage + ": not a JSON SBOM"},
		{[]string{"scan", "--fail-on", "urgent", garbage}, 2, "--fail-on"},
		{[]string{"db", "import", "--db", db, missing}, 2, missing},
		{[]string{"db", "import", "--db", db, garbage}, 0, garbage + ": skipped"},
		{[]string{"db", "status", "--db", db, "-f", "xml"}, 2, "--format"},
		{[]string{"db", "update", "--db", db, "--sbom", missing}, 2, missing},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}
