// Package regtest runs go-containerregistry's in-process registry for
// tests, the way real registries behave where that one does not: blobs
// belong to a repository, cross-repository mounts (POST ?mount=&from=)
// are answered 201, every request is counted, and faults are injected in
// front of it (500s, connections dropped in the middle of a blob).
package regtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Server is a registry on 127.0.0.1.
type Server struct {
	// Host is host:port, for references.
	Host string
	srv  *httptest.Server

	blobs *repoBlobs
	mu    sync.Mutex
	log   []Request
	fault Fault

	inFlight, maxInFlight int
}

// Request is one request the server answered.
type Request struct {
	Method, Path, Query string
	Status              int
}

func (r Request) String() string {
	return fmt.Sprintf("%s %s?%s %d", r.Method, r.Path, r.Query, r.Status)
}

// Fault decides what happens to a request before the registry sees it:
// nil lets it through. n counts the requests the same Fault saw so far,
// from 1.
type Fault func(r *http.Request, n int) Action

// Action is an injected fault.
type Action int

// Actions.
const (
	Pass Action = iota
	// Status500 answers 500 Internal Server Error.
	Status500
	// DropMidBody answers with the full Content-Length, writes half the
	// body and closes the connection (a download that breaks off).
	DropMidBody
	// DropRequest reads half the request body and closes the connection
	// without an answer (an upload that breaks off).
	DropRequest
	// Status404 answers 404 MANIFEST_UNKNOWN (deleted meanwhile).
	Status404
)

// Option configures New.
type Option func(*config)

type config struct {
	referrers bool
}

// WithReferrers turns on the OCI 1.1 Referrers API.
func WithReferrers() Option { return func(c *config) { c.referrers = true } }

// New starts a registry, closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	var c config
	for _, o := range opts {
		o(&c)
	}
	s := &Server{blobs: &repoBlobs{m: map[string]map[string][]byte{}}}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithBlobHandler(s.blobs),
		registry.WithReferrersSupport(c.referrers))
	var seen int
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		s.mu.Lock()
		s.inFlight++
		s.maxInFlight = max(s.maxInFlight, s.inFlight)
		f := s.fault
		if f != nil {
			seen++
		}
		n := seen
		s.mu.Unlock()
		act := Pass
		if f != nil {
			act = f(r, n)
		}
		switch act {
		case Status500:
			http.Error(rec, "injected fault", http.StatusInternalServerError)
		case Status404:
			rec.Header().Set("Content-Type", "application/json")
			rec.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(rec, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
		case DropMidBody:
			dropMidBody(rec, r, reg)
		case DropRequest:
			if r.Body != nil {
				b, _ := io.ReadAll(io.LimitReader(r.Body, max(r.ContentLength/2, 1)))
				_ = b
			}
			rec.status = 0
			hijackClose(w)
		default:
			if !s.mount(rec, r) {
				reg.ServeHTTP(rec, r)
			}
		}
		s.mu.Lock()
		s.inFlight--
		s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status})
		s.mu.Unlock()
	}))
	s.Host = strings.TrimPrefix(s.srv.URL, "http://")
	t.Cleanup(s.srv.Close)
	return s
}

// SetFault injects f from now on (nil: none); its count starts at 1.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// Requests returns the requests answered so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Reset forgets the requests answered so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
	s.maxInFlight = 0
}

// MaxInFlight is the most requests served at once since the last Reset.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// Count counts the requests answered with method whose path contains
// part and whose status is status (0: any).
func (s *Server) Count(method, part string, status int) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && strings.Contains(r.Path+"?"+r.Query, part) && (status == 0 || r.Status == status) {
			n++
		}
	}
	return n
}

// HasBlob reports whether repo holds blob h.
func (s *Server) HasBlob(repo string, h v1.Hash) bool {
	_, err := s.blobs.Stat(context.Background(), repo, h)
	return err == nil
}

// IsBlob reports whether r reads or writes a blob (not a manifest).
func IsBlob(r *http.Request) bool { return strings.Contains(r.URL.Path, "/blobs/") }

// IsBlobUpload reports whether r sends blob bytes (PATCH, or PUT with a
// body).
func IsBlobUpload(r *http.Request) bool {
	return strings.Contains(r.URL.Path, "/blobs/uploads/") && (r.Method == http.MethodPatch || r.Method == http.MethodPut && r.ContentLength != 0)
}

// IsBlobGet reports whether r downloads a blob.
func IsBlobGet(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/sha256:")
}

// mount answers a cross-repository mount of a blob the source repository
// holds, as distribution does (201 with the blob's location); anything
// else goes on to the registry.
func (s *Server) mount(w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	digest, from := q.Get("mount"), q.Get("from")
	if r.Method != http.MethodPost || digest == "" || from == "" {
		return false
	}
	repo, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v2/"), "/blobs/uploads/")
	if !ok {
		return false
	}
	h, err := v1.NewHash(digest)
	if err != nil || !s.blobs.copyBlob(from, repo, h) {
		return false
	}
	w.Header().Set("Location", "/v2/"+repo+"/blobs/"+digest)
	w.Header().Set("Docker-Content-Digest", digest)
	w.WriteHeader(http.StatusCreated)
	return true
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// dropMidBody serves r from reg into a buffer, sends the headers and half
// the body, and closes the connection.
func dropMidBody(w *recorder, r *http.Request, reg http.Handler) {
	buf := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	reg.ServeHTTP(buf, r)
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", fmt.Sprint(buf.body.Len()))
	w.WriteHeader(buf.status)
	_, _ = w.Write(buf.body.Bytes()[:buf.body.Len()/2])
	w.Flush()
	hijackClose(w.ResponseWriter)
}

func hijackClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("regtest: the response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(code int)        { b.status = code }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }

// repoBlobs stores blobs by repository, as registries scope them.
type repoBlobs struct {
	mu sync.Mutex
	m  map[string]map[string][]byte
}

func (b *repoBlobs) Stat(_ context.Context, repo string, h v1.Hash) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	blob, ok := b.m[repo][h.String()]
	if !ok {
		return 0, registry.ErrNotFound
	}
	return int64(len(blob)), nil
}

func (b *repoBlobs) Get(_ context.Context, repo string, h v1.Hash) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	blob, ok := b.m[repo][h.String()]
	if !ok {
		return nil, registry.ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(blob)), nil
}

func (b *repoBlobs) Put(_ context.Context, repo string, h v1.Hash, rc io.ReadCloser) error {
	defer rc.Close()
	// ggcr's registry names the repository of an upload's PUT
	// (/v2/<repo>/blobs/uploads/<id>) <repo>/blobs
	repo = strings.TrimSuffix(repo, "/blobs")
	blob, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m[repo] == nil {
		b.m[repo] = map[string][]byte{}
	}
	b.m[repo][h.String()] = blob
	return nil
}

func (b *repoBlobs) Delete(_ context.Context, repo string, h v1.Hash) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[repo][h.String()]; !ok {
		return registry.ErrNotFound
	}
	delete(b.m[repo], h.String())
	return nil
}

func (b *repoBlobs) copyBlob(from, to string, h v1.Hash) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	blob, ok := b.m[from][h.String()]
	if !ok {
		return false
	}
	if b.m[to] == nil {
		b.m[to] = map[string][]byte{}
	}
	b.m[to][h.String()] = blob
	return true
}
