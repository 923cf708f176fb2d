package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// A Mapper finds the resource that serves a kind.
type Mapper interface {
	RESTMapping(ctx context.Context, gvk schema.GroupVersionKind) (*meta.RESTMapping, error)
}

// Discovery is a Mapper over the server's discovery documents: it reads
// /api/v1 or /apis/GROUP/VERSION once per group version an object names,
// and reads it again when a kind is missing from it (a CRD applied just
// before may have added it since). It replaces client-go's discovery
// client, whose typed scheme costs every slimship start its init time.
type Discovery struct {
	// Client is a REST client for the server (see NewDiscovery).
	Client rest.Interface

	mu    sync.Mutex
	cache map[schema.GroupVersion][]metav1.APIResource
}

// NewDiscovery returns a Discovery reading the server of cfg (as JSON)
// through hc, which may be shared with the dynamic client (nil: one of its
// own).
func NewDiscovery(cfg *rest.Config, hc *http.Client) (*Discovery, error) {
	c := dynamic.ConfigFor(cfg)
	c.GroupVersion, c.APIPath = nil, ""
	if hc == nil {
		var err error
		if hc, err = rest.HTTPClientFor(c); err != nil {
			return nil, err
		}
	}
	rc, err := rest.UnversionedRESTClientForConfigAndClient(c, hc)
	if err != nil {
		return nil, err
	}
	return &Discovery{Client: rc}, nil
}

// RESTMapping maps gvk to its resource and scope. A kind the server does
// not serve in that version is a *meta.NoKindMatchError.
func (d *Discovery) RESTMapping(ctx context.Context, gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	gv := gvk.GroupVersion()
	d.mu.Lock()
	defer d.mu.Unlock()
	if rs, ok := d.cache[gv]; ok {
		if m := find(gvk, rs); m != nil {
			return m, nil
		}
	}
	rs, err := d.resources(ctx, gv)
	if err != nil {
		return nil, err
	}
	if d.cache == nil {
		d.cache = map[schema.GroupVersion][]metav1.APIResource{}
	}
	d.cache[gv] = rs
	if m := find(gvk, rs); m != nil {
		return m, nil
	}
	return nil, &meta.NoKindMatchError{GroupKind: gvk.GroupKind(), SearchedVersions: []string{gvk.Version}}
}

// resources reads gv's resource list; a group version the server does not
// serve has none.
func (d *Discovery) resources(ctx context.Context, gv schema.GroupVersion) ([]metav1.APIResource, error) {
	if gv.Version == "" {
		return nil, nil
	}
	path := "/apis/" + gv.Group + "/" + gv.Version
	if gv.Group == "" {
		path = "/api/" + gv.Version
	}
	res := d.Client.Get().AbsPath(path).Do(ctx)
	err := res.Error() // the server's Status, when it sent one
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("discovering %s: %w", path, err)
	}
	raw, err := res.Raw()
	if err != nil {
		return nil, fmt.Errorf("discovering %s: %w", path, err)
	}
	var list metav1.APIResourceList
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("discovering %s: %w", path, err)
	}
	return list.APIResources, nil
}

// find returns the mapping of gvk among rs, leaving subresources out.
func find(gvk schema.GroupVersionKind, rs []metav1.APIResource) *meta.RESTMapping {
	for _, r := range rs {
		if r.Kind != gvk.Kind || strings.Contains(r.Name, "/") {
			continue
		}
		scope := meta.RESTScopeRoot
		if r.Namespaced {
			scope = meta.RESTScopeNamespace
		}
		return &meta.RESTMapping{Resource: gvk.GroupVersion().WithResource(r.Name), GroupVersionKind: gvk, Scope: scope}
	}
	return nil
}
