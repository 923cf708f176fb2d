package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// osvServer serves archives at /<eco>/all.zip with ETags (http.ServeContent
// answers If-None-Match, Range and If-Range) and optional .sha256 files,
// and records the requests it saw.
type osvServer struct {
	mu       sync.Mutex
	files    map[string][]byte
	sums     map[string]string
	requests []string
}

func (o *osvServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests = append(o.requests, r.URL.Path+" range="+r.Header.Get("Range")+" inm="+r.Header.Get("If-None-Match"))
	if sum, ok := o.sums[r.URL.Path]; ok {
		w.Write([]byte(sum + "  all.zip\n"))
		return
	}
	b, ok := o.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := sha256.Sum256(b)
	w.Header().Set("ETag", `"`+hex.EncodeToString(h[:8])+`"`)
	http.ServeContent(w, r, "all.zip", time.Time{}, bytes.NewReader(b))
}

func zipBytes(t *testing.T, entries map[string]string) []byte {
	b, err := os.ReadFile(makeZip(t, entries))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUpdateConditionalResumeChecksum(t *testing.T) {
	goZip := zipBytes(t, map[string]string{"GO-2023-1571.json": goRec})
	srv := &osvServer{files: map[string][]byte{"/Go/all.zip": goZip}, sums: map[string]string{}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	s := testStore(t)
	opts := UpdateOptions{Source: ts.URL, Client: ts.Client()}

	st, err := s.Update(context.Background(), []string{"Go"}, opts)
	if err != nil || len(st.Downloaded) != 1 || st.Records != 1 {
		t.Fatalf("first update: %+v %v", st, err)
	}
	// Second: the server answers 304 and nothing is imported.
	st, err = s.Update(context.Background(), []string{"Go"}, opts)
	if err != nil || len(st.Unchanged) != 1 || len(st.Downloaded) != 0 {
		t.Fatalf("conditional update: %+v %v", st, err)
	}
	if !strings.Contains(srv.requests[len(srv.requests)-1], `inm="`) {
		t.Fatalf("no If-None-Match: %v", srv.requests)
	}

	// A new archive (the Go record gone, a new one in) replaces the
	// ecosystem's records; an interrupted download resumes with Range.
	newZip := zipBytes(t, map[string]string{"GO-2099-0001.json": strings.Replace(goRec, "GO-2023-1571", "GO-2099-0001", 1)})
	srv.files["/Go/all.zip"] = newZip
	h := sha256.Sum256(newZip)
	srv.sums["/Go/all.zip.sha256"] = hex.EncodeToString(h[:])
	dl := filepath.Join(s.Dir, "downloads")
	half := len(newZip) / 2
	os.WriteFile(filepath.Join(dl, "Go.zip.part"), newZip[:half], 0o644)
	os.WriteFile(filepath.Join(dl, "Go.part.etag"), []byte(`"`+hex.EncodeToString(h[:8])+`"`), 0o644)
	os.Remove(filepath.Join(dl, "Go.etag"))
	st, err = s.Update(context.Background(), []string{"Go"}, opts)
	if err != nil || len(st.Downloaded) != 1 {
		t.Fatalf("resumed update: %+v %v", st, err)
	}
	resumed := false
	for _, r := range srv.requests {
		if strings.Contains(r, "range=bytes=") {
			resumed = true
		}
	}
	if !resumed {
		t.Fatalf("no Range request: %v", srv.requests)
	}
	ix, err := s.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	got := ix.Lookup("Go", "stdlib")
	if len(got) != 1 || got[0].ID != "GO-2099-0001" {
		t.Fatalf("after update: %v", got)
	}

	// A checksum mismatch fails and leaves the database as it was.
	srv.files["/Go/all.zip"] = zipBytes(t, map[string]string{"x.json": goRec})
	os.Remove(filepath.Join(dl, "Go.etag"))
	before, _ := s.Status()
	_, err = s.Update(context.Background(), []string{"Go"}, opts)
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("want checksum error, got %v", err)
	}
	after, _ := s.Status()
	if !after.Imported.Equal(before.Imported) {
		t.Fatal("database swapped after a checksum failure")
	}
	if _, err := os.Stat(filepath.Join(dl, "Go.zip.part")); err == nil {
		t.Fatal("bad download kept")
	}
}

func TestUpdateHTTPError(t *testing.T) {
	ts := httptest.NewServer(&osvServer{})
	defer ts.Close()
	s := testStore(t)
	_, err := s.Update(context.Background(), []string{"Nope"}, UpdateOptions{Source: ts.URL, Client: ts.Client()})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("err %v", err)
	}
}
