package deploy

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// discoveryServer serves discovery documents the way the API server does,
// under an optional path prefix (a proxy in front of the server), and
// counts the requests for each path.
type discoveryServer struct {
	mu     sync.Mutex
	lists  map[string]metav1.APIResourceList // by path
	hits   map[string]int
	status int // when non-zero, every answer
}

func (s *discoveryServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/proxy")
	s.hits[path]++
	w.Header().Set("Content-Type", "application/json")
	if s.status != 0 {
		w.WriteHeader(s.status)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
			Code: int32(s.status), Reason: metav1.StatusReasonForbidden, Message: "discovery is forbidden"})
		return
	}
	l, ok := s.lists[path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
			Code: 404, Reason: metav1.StatusReasonNotFound, Message: "the server could not find the requested resource"})
		return
	}
	_ = json.NewEncoder(w).Encode(l)
}

func (s *discoveryServer) set(path string, rs ...metav1.APIResource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists[path] = metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, APIResources: rs}
}

func (s *discoveryServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func newDiscovery(t *testing.T) (*discoveryServer, *Discovery) {
	t.Helper()
	s := &discoveryServer{lists: map[string]metav1.APIResourceList{}, hits: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	d, err := NewDiscovery(&rest.Config{Host: srv.URL + "/proxy"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.set("/api/v1",
		metav1.APIResource{Name: "pods", Kind: "Pod", Namespaced: true},
		metav1.APIResource{Name: "namespaces/status", Kind: "Namespace"},
		metav1.APIResource{Name: "namespaces", Kind: "Namespace"},
		metav1.APIResource{Name: "services", Kind: "Service", Namespaced: true})
	s.set("/apis/apps/v1",
		metav1.APIResource{Name: "deployments/status", Kind: "Deployment", Namespaced: true},
		metav1.APIResource{Name: "deployments/scale", Kind: "Scale", Group: "autoscaling", Version: "v1", Namespaced: true},
		metav1.APIResource{Name: "deployments", Kind: "Deployment", Namespaced: true})
	return s, d
}

func TestDiscoveryMapsKinds(t *testing.T) {
	s, d := newDiscovery(t)
	ctx := context.Background()
	tests := []struct {
		gvk       schema.GroupVersionKind
		resource  string
		namespace bool
	}{
		{schema.GroupVersionKind{Version: "v1", Kind: "Service"}, "services", true},
		{schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, "namespaces", false},
		{schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, "deployments", true},
		{schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, "pods", true},
	}
	for _, tt := range tests {
		m, err := d.RESTMapping(ctx, tt.gvk)
		if err != nil {
			t.Fatalf("%v: %v", tt.gvk, err)
		}
		if want := tt.gvk.GroupVersion().WithResource(tt.resource); m.Resource != want || m.GroupVersionKind != tt.gvk {
			t.Errorf("%v: mapping %v %v, want %v", tt.gvk, m.Resource, m.GroupVersionKind, want)
		}
		if got := m.Scope.Name() == meta.RESTScopeNameNamespace; got != tt.namespace {
			t.Errorf("%v: namespaced = %v", tt.gvk, got)
		}
	}
	// One request per group version, behind the proxy's path prefix.
	if s.count("/api/v1") != 1 || s.count("/apis/apps/v1") != 1 {
		t.Errorf("requests: %v", s.hits)
	}
}

func TestDiscoveryLooksAgainOnAMiss(t *testing.T) {
	s, d := newDiscovery(t)
	ctx := context.Background()
	so := schema.GroupVersionKind{Group: "keda.sh", Version: "v1alpha1", Kind: "ScaledObject"}

	// The CRD is not installed: a clear no-match error.
	_, err := d.RESTMapping(ctx, so)
	if !meta.IsNoMatchError(err) || !strings.Contains(err.Error(), `no matches for kind "ScaledObject" in version "keda.sh/v1alpha1"`) {
		t.Fatalf("err = %v, want a no-match error naming the kind", err)
	}

	// Installed since (say, by a CRD earlier in the same manifests).
	s.set("/apis/keda.sh/v1alpha1", metav1.APIResource{Name: "scaledobjects", Kind: "ScaledObject", Namespaced: true})
	m, err := d.RESTMapping(ctx, so)
	if err != nil || m.Resource.Resource != "scaledobjects" {
		t.Fatalf("after install: %v, %v", m, err)
	}
	if n := s.count("/apis/keda.sh/v1alpha1"); n != 2 {
		t.Errorf("%d requests for keda.sh/v1alpha1, want 2", n)
	}

	// A kind missing from a served group version: looked up once more, then an error.
	_, err = d.RESTMapping(ctx, schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Nope"})
	if !meta.IsNoMatchError(err) {
		t.Errorf("err = %v, want no match", err)
	}
	if n := s.count("/apis/apps/v1"); n != 1 {
		t.Errorf("%d requests for apps/v1, want 1 (first lookup)", n)
	}
	_, _ = d.RESTMapping(ctx, schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"})
	_, _ = d.RESTMapping(ctx, schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Nope"})
	if n := s.count("/apis/apps/v1"); n != 2 {
		t.Errorf("%d requests for apps/v1, want 2 (cached, then once on the miss)", n)
	}
}

func TestDiscoveryServerErrors(t *testing.T) {
	s, d := newDiscovery(t)
	s.status = http.StatusForbidden
	_, err := d.RESTMapping(context.Background(), schema.GroupVersionKind{Version: "v1", Kind: "Service"})
	if err == nil || meta.IsNoMatchError(err) || !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "discovery is forbidden") {
		t.Errorf("err = %v, want the server's forbidden error", err)
	}
}
