package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestInsecureOnlyLoopback(t *testing.T) {
	for _, c := range []struct {
		ref string
		ok  bool
	}{
		{"127.0.0.1:5000/app:1", true},
		{"localhost:5000/app:1", true},
		{"[::1]:5000/app:1", true},
		{"127.8.9.10/app@sha256:" + strings.Repeat("a", 64), true},
		{"registry.example.com/app:1", false},
		{"10.0.0.1:5000/app:1", false},
		{"app:1", false}, // Docker Hub
	} {
		_, err := Options{Insecure: true}.ParseReference(c.ref)
		if (err == nil) != c.ok || (!c.ok && !errors.Is(err, ErrInsecureRemote)) {
			t.Errorf("%s: err %v, want ok=%v", c.ref, err, c.ok)
		}
		if _, err := (Options{}).ParseReference(c.ref); err != nil {
			t.Errorf("%s without --insecure: %v", c.ref, err)
		}
	}
	if _, err := (Options{Insecure: true}).ParseRepository("example.com/team/app"); !errors.Is(err, ErrInsecureRemote) {
		t.Errorf("repository: %v", err)
	}
}

// flaky answers 500 to the first n requests for manifests, then passes on.
type flaky struct {
	n    atomic.Int32
	seen atomic.Int32
	next http.Handler
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Path, "/manifests/") && f.seen.Add(1) <= f.n.Load() {
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	f.next.ServeHTTP(w, r)
}

func TestRetries500ThenOK(t *testing.T) {
	f := &flaky{next: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	f.n.Store(3)
	srv := httptest.NewServer(f)
	defer srv.Close()
	o := Options{Insecure: true, Backoff: time.Millisecond}
	ref, err := o.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/team/app:1")
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, o.Remote(context.Background())...); err != nil {
		t.Fatalf("write after three 500s: %v", err)
	}
	if _, err := remote.Head(ref, o.Remote(context.Background())...); err != nil {
		t.Fatalf("head: %v", err)
	}
	f.seen.Store(0)
	f.n.Store(100)
	_, err = remote.Head(ref, Options{Insecure: true, Backoff: time.Millisecond, Retries: 2}.Remote(context.Background())...)
	if err == nil || f.seen.Load() != 3 {
		t.Fatalf("always 500: err %v after %d requests, want an error after 3", err, f.seen.Load())
	}
}

func TestRetryDroppedOnly(t *testing.T) {
	o := Options{Backoff: time.Millisecond, Retries: 2}
	n := 0
	err := o.Retry(context.Background(), func() error { n++; return fmt.Errorf("layer: %w", io.ErrUnexpectedEOF) })
	if n != 3 || !Dropped(err) {
		t.Fatalf("dropped: %d tries, %v", n, err)
	}
	if got := o.GaveUp(err).Error(); !strings.HasSuffix(got, "(gave up after 3 tries)") {
		t.Fatalf("GaveUp: %s", got)
	}
	n = 0
	err = o.Retry(context.Background(), func() error {
		n++
		if n < 2 {
			return syscall.ECONNRESET
		}
		return nil
	})
	if n != 2 || err != nil {
		t.Fatalf("reset then ok: %d tries, %v", n, err)
	}
	n = 0
	wrong := errors.New("manifest unknown")
	if err := o.Retry(context.Background(), func() error { n++; return wrong }); n != 1 || err != wrong || o.GaveUp(err) != wrong {
		t.Fatalf("other error: %d tries, %v", n, err)
	}
}

// Plain HTTP needs --insecure and a loopback host, whatever
// go-containerregistry would fall back to by itself.
func TestPlainHTTPOnlyWhenAllowed(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	img, _ := random.Image(64, 1)
	for _, insecure := range []bool{false, true} {
		o := Options{Insecure: insecure, Retries: -1}
		ref, err := o.ParseReference(host + "/team/app:1")
		if err != nil {
			t.Fatal(err)
		}
		err = remote.Write(ref, img, o.Remote(context.Background())...)
		if insecure && err != nil || !insecure && !errors.Is(err, ErrPlainHTTP) {
			t.Errorf("insecure=%v: %v", insecure, err)
		}
	}
	// a private-network host: refused before anything is dialled
	for _, insecure := range []bool{false, true} {
		h := &httpsOnly{next: http.DefaultTransport, insecure: insecure}
		req, _ := http.NewRequest(http.MethodGet, "http://10.1.2.3:5000/v2/", nil)
		if _, err := h.RoundTrip(req); !errors.Is(err, ErrPlainHTTP) {
			t.Errorf("10.1.2.3 insecure=%v: %v", insecure, err)
		}
	}
}

func TestEachBounded(t *testing.T) {
	var running, peak atomic.Int32
	err := Options{Jobs: 3}.Each(context.Background(), 50, func(_ context.Context, i int) error {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
		return nil
	})
	if err != nil || peak.Load() > 3 || peak.Load() < 2 {
		t.Fatalf("err %v, peak %d (want <= 3)", err, peak.Load())
	}
	boom := errors.New("boom")
	var after atomic.Int32
	err = Options{Jobs: 1}.Each(context.Background(), 100, func(_ context.Context, i int) error {
		if i == 3 {
			return boom
		}
		if i > 3 {
			after.Add(1)
		}
		return nil
	})
	if err != boom || after.Load() > 1 {
		t.Fatalf("err %v, %d calls after the error", err, after.Load())
	}
}
