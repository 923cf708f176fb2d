// Package registry is slimship's one way to talk to OCI registries: how a
// reference is parsed (plain HTTP only with --insecure and only to loopback
// hosts), how requests are authenticated (the Docker config and its
// credential helpers, ggcr's default keychain), retried (429 and 5xx with
// back-off, dropped connections) and bounded (parallel requests). Every
// command that reads or writes a registry builds its go-containerregistry
// options here.
package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Options tune how a registry is reached.
type Options struct {
	// Insecure allows plain HTTP, and only to loopback hosts (127.0.0.0/8,
	// ::1, localhost): anything else is refused.
	Insecure bool
	// Keychain resolves credentials (authn.DefaultKeychain when nil).
	Keychain authn.Keychain
	// Jobs bounds parallel requests (DefaultJobs when 0).
	Jobs int
	// Retries is how many times a request answered 408, 429 or 5xx, or
	// whose connection dropped, is tried again (DefaultRetries when 0;
	// negative: never).
	Retries int
	// Backoff is the first wait between tries (doubled each time;
	// DefaultBackoff when 0).
	Backoff time.Duration
	// Transport is the HTTP transport (remote.DefaultTransport when nil);
	// tests inject faults here.
	Transport http.RoundTripper
	// UserAgent is added to requests.
	UserAgent string
}

// Defaults.
const (
	DefaultJobs    = 4
	DefaultRetries = 4
	DefaultBackoff = 500 * time.Millisecond
)

// ErrInsecureRemote refuses plain HTTP to a host that is not loopback.
var ErrInsecureRemote = errors.New("--insecure (plain HTTP) is allowed only for loopback registries (127.0.0.0/8, ::1, localhost)")

// IsLoopback reports whether a registry host (with or without a port) is
// this machine.
func IsLoopback(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (o Options) nameOptions(host string) ([]name.Option, error) {
	if !o.Insecure {
		return nil, nil
	}
	if host != "" && !IsLoopback(host) {
		return nil, fmt.Errorf("%s: %w", host, ErrInsecureRemote)
	}
	return []name.Option{name.Insecure}, nil
}

// ErrPlainHTTP refuses a plain HTTP request that --insecure did not allow
// (go-containerregistry falls back to HTTP by itself for loopback and
// private-network hosts).
var ErrPlainHTTP = errors.New("plain HTTP refused: registries are reached over HTTPS, and over HTTP only with --insecure to a loopback host")

// httpsOnly refuses plain HTTP requests unless --insecure allowed them for
// a loopback host: go-containerregistry tries HTTP on its own for
// localhost, 127.0.0.0/8 and RFC 1918 hosts when HTTPS fails.
type httpsOnly struct {
	next     http.RoundTripper
	insecure bool
}

func (h *httpsOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == "http" && !(h.insecure && IsLoopback(r.URL.Host)) {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("%s: %w", r.URL.Host, ErrPlainHTTP)
	}
	return h.next.RoundTrip(r)
}

// hostOf is the registry part of a reference string, as name parses it.
func hostOf(s string) string {
	if r, err := name.ParseReference(s); err == nil {
		return r.Context().RegistryStr()
	}
	if r, err := name.NewRepository(s); err == nil {
		return r.RegistryStr()
	}
	return ""
}

// ParseReference parses an image reference (tag or digest).
func (o Options) ParseReference(s string) (name.Reference, error) {
	nopts, err := o.nameOptions(hostOf(s))
	if err != nil {
		return nil, err
	}
	r, err := name.ParseReference(s, nopts...)
	if err != nil {
		return nil, fmt.Errorf("bad image reference %q: %w", s, err)
	}
	return r, nil
}

// ParseRepository parses a repository (no tag or digest).
func (o Options) ParseRepository(s string) (name.Repository, error) {
	nopts, err := o.nameOptions(hostOf(s))
	if err != nil {
		return name.Repository{}, err
	}
	r, err := name.NewRepository(s, nopts...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("bad repository %q: %w", s, err)
	}
	return r, nil
}

// retryCodes are the statuses a request is tried again on.
var retryCodes = []int{http.StatusRequestTimeout, http.StatusTooManyRequests,
	http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

func (o Options) retries() int {
	if o.Retries == 0 {
		return DefaultRetries
	}
	return max(o.Retries, 0)
}

// JobCount is the bound on parallel requests.
func (o Options) JobCount() int {
	if o.Jobs <= 0 {
		return DefaultJobs
	}
	return o.Jobs
}

// Remote is the go-containerregistry options for a request under ctx.
func (o Options) Remote(ctx context.Context, extra ...remote.Option) []remote.Option {
	kc := o.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	jobs := o.JobCount()
	retries := o.retries()
	backoff := o.Backoff
	if backoff <= 0 {
		backoff = DefaultBackoff
	}
	out := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(kc),
		remote.WithJobs(jobs),
		remote.WithRetryStatusCodes(retryCodes...),
	}
	if retries > 0 {
		out = append(out, remote.WithRetryBackoff(remote.Backoff{Duration: backoff, Factor: 2, Jitter: 0.1, Steps: retries + 1}))
	} else {
		out = append(out, remote.WithRetryBackoff(remote.Backoff{Steps: 1}))
	}
	base := o.Transport
	if base == nil {
		base = remote.DefaultTransport
	}
	out = append(out, remote.WithTransport(&httpsOnly{next: base, insecure: o.Insecure}))
	if o.UserAgent != "" {
		out = append(out, remote.WithUserAgent(o.UserAgent))
	}
	return append(out, extra...)
}

// Dropped reports whether err is a connection that broke off: reset,
// closed, or a body that ended early. go-containerregistry retries these
// itself for a request; a caller whose work spans several requests (a
// download written to a file) retries the work.
func Dropped(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// Retry runs f until it succeeds, fails other than by Dropped, or was
// tried Retries+1 times, waiting Backoff (doubled each time) between
// tries.
func (o Options) Retry(ctx context.Context, f func() error) error {
	retries := o.retries()
	wait := o.Backoff
	if wait <= 0 {
		wait = DefaultBackoff
	}
	for try := 0; ; try++ {
		err := f()
		if err == nil || try >= retries || !Dropped(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// GaveUp adds to an error that retries did not cure (a status requests are
// retried on, or a dropped connection) how many times it was tried, so a
// message tells a flaky registry from a wrong reference.
func (o Options) GaveUp(err error) error {
	var te *transport.Error
	if errors.As(err, &te) && slices.Contains(retryCodes, te.StatusCode) || Dropped(err) {
		return fmt.Errorf("%w (gave up after %d tries)", err, o.retries()+1)
	}
	return err
}
