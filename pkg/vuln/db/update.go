package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// DefaultSource is osv.dev's bucket of per-ecosystem exports
// (<source>/<ecosystem>/all.zip).
const DefaultSource = "https://osv-vulnerabilities.storage.googleapis.com"

// UpdateOptions tune an update.
type UpdateOptions struct {
	// Source is the base URL (DefaultSource when empty).
	Source string
	// Client does the requests (http.DefaultClient when nil).
	Client *http.Client
	// MaxDownload bounds one archive's size (default Limits.MaxArchive).
	MaxDownload int64
	ImportOptions
}

// UpdateStats says what an update did.
type UpdateStats struct {
	Downloaded []string // ecosystems fetched anew
	Unchanged  []string // ecosystems the server said were not modified
	Stats
}

// Update downloads <source>/<ecosystem>/all.zip for each ecosystem (base
// names, e.g. "Debian", "Go", "PyPI") and imports what changed, replacing
// those ecosystems' records whole, in one swap. Requests are conditional
// (If-None-Match on the ETag of the last download); an interrupted
// download is resumed with a Range request (If-Range guards against a
// changed file); when the server publishes <url>.sha256 the archive must
// match it. Archives are kept under <db>/downloads; nothing is written
// elsewhere.
func (s *Store) Update(ctx context.Context, ecosystems []string, o UpdateOptions) (UpdateStats, error) {
	if o.Source == "" {
		o.Source = DefaultSource
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	o.Limits = o.Limits.withDefaults()
	if o.MaxDownload <= 0 {
		o.MaxDownload = o.Limits.MaxArchive
	}
	dl := filepath.Join(s.Dir, "downloads")
	if err := os.MkdirAll(dl, 0o755); err != nil {
		return UpdateStats{}, err
	}
	var st UpdateStats
	var zips []string
	for _, eco := range ecosystems {
		changed, err := s.fetch(ctx, o, dl, eco)
		if err != nil {
			return st, fmt.Errorf("%s: %w", eco, err)
		}
		if changed {
			st.Downloaded = append(st.Downloaded, eco)
			zips = append(zips, filepath.Join(dl, safeName(eco)+".zip"))
		} else {
			st.Unchanged = append(st.Unchanged, eco)
		}
	}
	if len(zips) == 0 {
		return st, nil
	}
	imp := o.ImportOptions
	imp.Replace = st.Downloaded
	imported, err := s.Import(zips, imp)
	st.Stats = imported
	return st, err
}

// fetch brings one ecosystem's archive up to date and reports whether it
// changed.
func (s *Store) fetch(ctx context.Context, o UpdateOptions, dl, eco string) (bool, error) {
	base := filepath.Join(dl, safeName(eco))
	zipPath, part := base+".zip", base+".zip.part"
	etagPath, partEtagPath := base+".etag", base+".part.etag"
	u := strings.TrimSuffix(o.Source, "/") + "/" + url.PathEscape(eco) + "/all.zip"

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, err
	}
	if _, err := os.Stat(zipPath); err == nil {
		if etag, err := os.ReadFile(etagPath); err == nil && len(etag) > 0 {
			req.Header.Set("If-None-Match", string(etag))
		}
	}
	var offset int64
	if fi, err := os.Stat(part); err == nil && fi.Size() > 0 {
		if etag, err := os.ReadFile(partEtagPath); err == nil && len(etag) > 0 {
			offset = fi.Size()
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
			req.Header.Set("If-Range", string(etag))
		}
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	switch resp.StatusCode {
	case http.StatusNotModified:
		return false, nil
	case http.StatusPartialContent:
		if !strings.HasPrefix(resp.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-", offset)) {
			return false, fmt.Errorf("%s: unexpected Content-Range %q", u, resp.Header.Get("Content-Range"))
		}
		flags = os.O_WRONLY | os.O_APPEND
	case http.StatusOK:
		offset = 0
	default:
		return false, fmt.Errorf("%s: %s", u, resp.Status)
	}
	etag := resp.Header.Get("ETag")
	if err := os.WriteFile(partEtagPath, []byte(etag), 0o644); err != nil {
		return false, err
	}
	f, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return false, err
	}
	n, err := io.Copy(f, io.LimitReader(resp.Body, o.MaxDownload-offset+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("%s: download interrupted after %d bytes (run update again to resume): %w", u, offset+n, err)
	}
	if offset+n > o.MaxDownload {
		os.Remove(part)
		return false, fmt.Errorf("%s: larger than %d bytes: refused", u, o.MaxDownload)
	}
	if err := verify(ctx, o, u, part); err != nil {
		os.Remove(part)
		os.Remove(partEtagPath)
		return false, err
	}
	if err := os.Rename(part, zipPath); err != nil {
		return false, err
	}
	os.Remove(partEtagPath)
	return true, os.WriteFile(etagPath, []byte(etag), 0o644)
}

// ErrChecksum is returned when an archive does not match its published
// sha256.
var ErrChecksum = errors.New("sha256 mismatch")

// verify checks path against <u>.sha256 when the server has one.
func verify(ctx context.Context, o UpdateOptions, u, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+".sha256", nil)
	if err != nil {
		return err
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s.sha256: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if err != nil {
		return err
	}
	want := strings.ToLower(strings.TrimSpace(strings.SplitN(strings.TrimSpace(string(b)), " ", 2)[0]))
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%s: %w: got %s, want %s", u, ErrChecksum, got, want)
	}
	return nil
}
