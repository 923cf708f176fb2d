package registrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	slimregistry "github.com/slimship/slimship/pkg/registry"
)

// Server is go-containerregistry's in-process registry on 127.0.0.1 that
// deletes as distribution does: deleting a manifest by digest deletes
// every tag that points at it. Faults can be injected.
type Server struct {
	*httptest.Server
	// Host is 127.0.0.1:PORT.
	Host string

	next  http.Handler
	mu    sync.Mutex // one delete at a time
	fault atomic.Pointer[Fault]
	// Requests counts requests by method.
	Requests sync.Map
}

// Fault handles a request instead of the registry when it returns true.
type Fault func(w http.ResponseWriter, r *http.Request) bool

// New starts a server; referrers says whether it answers the OCI
// referrers API (else clients use the tag fallback, as with distribution
// 2.8).
func New(t testing.TB, referrers bool) *Server {
	s := &Server{next: registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(referrers))}
	s.Server = httptest.NewServer(s)
	s.Host = strings.TrimPrefix(s.URL, "http://")
	t.Cleanup(s.Close)
	return s
}

// SetFault injects f (nil: none).
func (s *Server) SetFault(f Fault) {
	if f == nil {
		s.fault.Store(nil)
		return
	}
	s.fault.Store(&f)
}

// Count is how many requests of method the server answered.
func (s *Server) Count(method string) int64 {
	v, _ := s.Requests.LoadOrStore(method, new(atomic.Int64))
	return v.(*atomic.Int64).Load()
}

var manifestByDigest = regexp.MustCompile(`^/v2/(.+)/manifests/(sha256:[0-9a-f]{64})$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, _ := s.Requests.LoadOrStore(r.Method, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	if f := s.fault.Load(); f != nil && (*f)(w, r) {
		return
	}
	s.serve(w, r)
}

// serve answers as the registry, deleting as distribution does.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	m := manifestByDigest.FindStringSubmatch(r.URL.Path)
	if r.Method != http.MethodDelete || m == nil {
		s.next.ServeHTTP(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, digest := m[1], m[2]
	tags := s.tagsOf(repo, digest)
	rec := httptest.NewRecorder()
	s.next.ServeHTTP(rec, r)
	if rec.Code == http.StatusAccepted {
		for _, t := range tags {
			s.next.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodDelete, "/v2/"+repo+"/manifests/"+t, nil))
		}
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// tagsOf lists the tags of repo that point at digest.
func (s *Server) tagsOf(repo, digest string) []string {
	rec := httptest.NewRecorder()
	s.next.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v2/"+repo+"/tags/list", nil))
	var l struct {
		Tags []string `json:"tags"`
	}
	json.Unmarshal(rec.Body.Bytes(), &l)
	var out []string
	for _, t := range l.Tags {
		h := httptest.NewRecorder()
		s.next.ServeHTTP(h, httptest.NewRequest(http.MethodHead, "/v2/"+repo+"/manifests/"+t, nil))
		if h.Header().Get("Docker-Content-Digest") == digest {
			out = append(out, t)
		}
	}
	return out
}

// Fail500 answers 500 to the first n requests that match.
func Fail500(n int64, match func(*http.Request) bool) Fault {
	var seen atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) bool {
		if match(r) && seen.Add(1) <= n {
			http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"injected"}]}`, http.StatusInternalServerError)
			return true
		}
		return false
	}
}

// Drop closes the connection of the first n requests that match, after
// the registry did the work and sent its headers and half of its body (or
// nothing, when the body is empty).
func (s *Server) Drop(n int64, match func(*http.Request) bool) Fault {
	var seen atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !match(r) || seen.Add(1) > n {
			return false
		}
		rec := httptest.NewRecorder()
		s.serve(rec, r)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return false
		}
		if body := rec.Body.Bytes(); len(body) > 0 {
			res := rec.Result()
			res.Body = io.NopCloser(bytes.NewReader(body[:len(body)/2]))
			res.Write(buf) // the Content-Length promises the whole body
			buf.Flush()
		} // else nothing at all: the work is done, the answer lost
		conn.Close()
		return true
	}
}

// Every matches every request of method whose path contains part.
func Every(method, part string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return (method == "" || r.Method == method) && strings.Contains(r.URL.Path, part)
	}
}

// ListTags lists repo's tags.
func ListTags(repo name.Repository, o slimregistry.Options) ([]string, error) {
	return remote.List(repo, o.Remote(context.Background())...)
}
