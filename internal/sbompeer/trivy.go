package sbompeer

import (
	"archive/tar"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// TrivyCache makes dir a trivy cache directory that needs no download: an
// empty Java index database (trivy-java-db's schema version 1, marked
// fresh until 2100) so trivy reads jars by their pom.properties and
// manifests alone, without --skip-java-db-update failing on a first run.
// The vulnerability database is not needed: a CycloneDX SBOM turns
// vulnerability scanning off.
func TrivyCache(dir string) error {
	jdb := filepath.Join(dir, "java-db")
	if err := os.MkdirAll(jdb, 0o755); err != nil {
		return err
	}
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	meta, _ := json.Marshal(map[string]any{"Version": 1, "NextUpdate": far, "UpdatedAt": time.Unix(0, 0).UTC(), "DownloadedAt": time.Unix(0, 0).UTC()})
	if err := os.WriteFile(filepath.Join(jdb, "metadata.json"), meta, 0o644); err != nil {
		return err
	}
	dbPath := filepath.Join(jdb, "trivy-java.db")
	if _, err := os.Stat(dbPath); err == nil {
		return nil
	}
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT)",
		"CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT, foreign key (artifact_id) references artifacts(id))",
		"CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id)",
		"CREATE INDEX indices_artifact_idx ON indices(artifact_id)",
		"CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1)",
	} {
		if _, err := db.Exec(q); err != nil {
			return fmt.Errorf("trivy java db: %w", err)
		}
	}
	return nil
}

// TrivyArgs are the arguments of an offline CycloneDX SBOM of the image
// archive or OCI layout directory input: no database download, no
// registry look-up for jars (--offline-scan), cache in cacheDir.
func TrivyArgs(input, cacheDir, output string) []string {
	return []string{"image", "--input", input, "--format", "cyclonedx", "--offline-scan",
		"--skip-db-update", "--skip-java-db-update", "--no-progress", "--quiet",
		"--cache-dir", cacheDir, "--output", output}
}

// RunTrivy writes trivy's SBOM of input and reads it back. cacheDir must
// have been prepared by TrivyCache.
func RunTrivy(ctx context.Context, bin, input, cacheDir string) ([]Entry, error) {
	out := filepath.Join(cacheDir, "sbom.cdx.json")
	run := func(in string) error {
		cmd := exec.CommandContext(ctx, bin, TrivyArgs(in, cacheDir, out)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("trivy %s: %v: %s", in, err, bytes.TrimSpace(stderr.Bytes()))
		}
		return nil
	}
	if err := run(input); err != nil {
		// This trivy exits 1 without a word on an OCI image-layout tar
		// (it reads the layout as a directory): unpack it and retry.
		dir, uerr := unpackOCI(input, cacheDir)
		if uerr != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		if err := run(dir); err != nil {
			return nil, err
		}
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Trivy(f)
}

// unpackOCI unpacks the OCI image-layout tar at p into a new directory
// under tmp; it fails for any other file.
func unpackOCI(p, tmp string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	dir, err := os.MkdirTemp(tmp, "oci-")
	if err != nil {
		return "", err
	}
	layout := false
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if name == "." || !filepath.IsLocal(name) {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(dst, 0o755)
		case tar.TypeReg:
			layout = layout || name == "oci-layout"
			if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
				var w *os.File
				if w, err = os.Create(dst); err == nil {
					_, err = io.Copy(w, tr)
					if cerr := w.Close(); err == nil {
						err = cerr
					}
				}
			}
		}
		if err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	if !layout {
		os.RemoveAll(dir)
		return "", fmt.Errorf("%s: not an OCI image-layout tar", p)
	}
	return dir, nil
}
