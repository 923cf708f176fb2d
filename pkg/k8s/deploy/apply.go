// Package deploy applies Kubernetes manifests to a cluster with server-side
// apply: it reads multi-document YAML, maps each object to its resource
// through the server's discovery, applies it (or has the server validate it
// with a dry run) and reports what happened to each object. Following the
// rollouts it starts is package rollout's job.
package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// DefaultFieldManager is the server-side apply field manager slimship uses.
const DefaultFieldManager = "slimship"

// Operation is what applying an object did.
type Operation string

// Operations, as kubectl names them.
const (
	Created    Operation = "created"
	Configured Operation = "configured"
	Unchanged  Operation = "unchanged"
	Failed     Operation = "failed"
)

// Result is the outcome of applying one object.
type Result struct {
	Object Object
	// Mapping is the object's resource (nil when it could not be mapped).
	Mapping *meta.RESTMapping
	// Namespace the object was applied in ("" for cluster-scoped ones).
	Namespace string
	Op        Operation
	// Applied is the object the server returned.
	Applied *unstructured.Unstructured
	// Err is why the object failed (Op == Failed).
	Err error
}

// Applier applies objects with server-side apply.
type Applier struct {
	Client dynamic.Interface
	Mapper Mapper
	// FieldManager names the applier to the server (default "slimship").
	FieldManager string
	// Force takes ownership of fields other managers set instead of
	// failing with a conflict (a *ConflictError), as kubectl apply
	// --server-side --force-conflicts does; off by default, as in kubectl.
	Force bool
	// DryRun has the server validate and default each object (admission
	// included) without persisting it.
	DryRun bool
	// Namespace is used for namespaced objects that name none.
	Namespace string
	// EnforceNamespace rejects objects that name a namespace other than
	// Namespace (set when the user chose the namespace explicitly).
	EnforceNamespace bool
	// CRDWait bounds how long an object waits for the server to serve its
	// kind when a CustomResourceDefinition applied earlier in the same
	// run defines it (default 15s).
	CRDWait time.Duration
}

// Apply applies objs in dependency order (see Sort) and returns one Result
// per object in that order. A failed object does not stop the others.
func (a *Applier) Apply(ctx context.Context, objs []Object) []Result {
	sorted := Sort(objs)
	out := make([]Result, 0, len(sorted))
	defined := map[schema.GroupKind]bool{}
	for _, o := range sorted {
		r := a.apply(ctx, o, defined)
		if gk, ok := definedKind(o); ok && r.Err == nil && !a.DryRun {
			defined[gk] = true
		}
		out = append(out, r)
	}
	return out
}

// definedKind is the kind a CustomResourceDefinition defines.
func definedKind(o Object) (schema.GroupKind, bool) {
	if o.GroupVersionKind().GroupKind() != (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
		return schema.GroupKind{}, false
	}
	g, _, _ := unstructured.NestedString(o.Object, "spec", "group")
	k, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
	return schema.GroupKind{Group: g, Kind: k}, g != "" && k != ""
}

// mapping maps o's kind. The mapper looks again when it misses; when a
// CRD applied in this run defines the kind, the server is given until
// CRDWait to establish it and serve the kind.
func (a *Applier) mapping(ctx context.Context, gvk schema.GroupVersionKind, defined map[schema.GroupKind]bool) (*meta.RESTMapping, error) {
	m, err := a.Mapper.RESTMapping(ctx, gvk)
	if !meta.IsNoMatchError(err) || !defined[gvk.GroupKind()] {
		return m, err
	}
	wait := a.CRDWait
	if wait <= 0 {
		wait = 15 * time.Second
	}
	deadline := time.Now().Add(wait)
	for meta.IsNoMatchError(err) && time.Now().Before(deadline) {
		t := time.NewTimer(250 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		m, err = a.Mapper.RESTMapping(ctx, gvk)
	}
	return m, err
}

func (a *Applier) apply(ctx context.Context, o Object, defined map[schema.GroupKind]bool) Result {
	r := Result{Object: o, Op: Failed}
	gvk := o.GroupVersionKind()
	m, err := a.mapping(ctx, gvk, defined)
	if meta.IsNoMatchError(err) {
		r.Err = fmt.Errorf("%s: %w: the server does not serve this kind (is its CustomResourceDefinition installed?)", o.Source, err)
		return r
	}
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", o.Source, err)
		return r
	}
	r.Mapping = m
	ns, err := a.namespace(o, m)
	if err != nil {
		r.Err = err
		return r
	}
	r.Namespace = ns
	obj := o.DeepCopy()
	if ns != "" {
		obj.SetNamespace(ns)
	}
	obj.SetManagedFields(nil)
	obj.SetResourceVersion("")
	var ri dynamic.ResourceInterface = a.Client.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ri = a.Client.Resource(m.Resource).Namespace(ns)
	}
	before, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		r.Err = fmt.Errorf("%s: %w", o.Source, err)
		return r
	}
	if err != nil {
		before = nil
	}
	data, err := json.Marshal(obj)
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", o.Source, err)
		return r
	}
	fm := a.FieldManager
	if fm == "" {
		fm = DefaultFieldManager
	}
	force := a.Force
	opts := metav1.PatchOptions{FieldManager: fm, Force: &force}
	if a.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	applied, err := ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, data, opts)
	if err != nil {
		if apierrors.IsConflict(err) && !force {
			err = &ConflictError{Err: err, Manager: fm}
		}
		r.Err = fmt.Errorf("%s: %w", o.Source, err)
		return r
	}
	r.Applied = applied
	r.Op = operation(before, applied)
	return r
}

// namespace resolves where o goes: its own namespace, else the default;
// cluster-scoped objects have none.
func (a *Applier) namespace(o Object, m *meta.RESTMapping) (string, error) {
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		return "", nil
	}
	ns := o.GetNamespace()
	if ns == "" {
		ns = a.Namespace
	}
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	if a.EnforceNamespace && ns != a.Namespace {
		return "", &InputError{Source: o.Source, Err: fmt.Errorf("%s is in namespace %q, not in the requested namespace %q", o, ns, a.Namespace)}
	}
	return ns, nil
}

// operation compares the object before and after applying it. The
// resourceVersion alone is not enough: a dry run leaves it alone, and a
// controller may write status in between; so what counts is the content
// outside status and bookkeeping metadata.
func operation(before, after *unstructured.Unstructured) Operation {
	if before == nil {
		return Created
	}
	if before.GetResourceVersion() == after.GetResourceVersion() && before.GetGeneration() == after.GetGeneration() {
		return Unchanged
	}
	if equality.Semantic.DeepEqual(content(before), content(after)) {
		return Unchanged
	}
	return Configured
}

func content(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy()
	c.SetManagedFields(nil)
	c.SetResourceVersion("")
	c.SetGeneration(0)
	delete(c.Object, "status")
	return c.Object
}

// ConflictError is a server-side apply conflict: another field manager
// owns fields the manifest sets to other values. The usual cause is a
// change made since the last deploy by kubectl edit, kubectl scale, a
// rollback (kubectl rollout undo records itself as "kubectl-rollout",
// slimship k8s rollback as an update by the field manager) or another tool.
type ConflictError struct {
	Err     error
	Manager string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%v\n  another field manager changed these fields since %q last applied them (kubectl edit or scale, a rollback, another tool);"+
		" rerun with --force-conflicts to make this manifest win (after a rollback, that is the redeploy), or drop the fields from the manifest to leave them to the other manager", e.Err, e.Manager)
}

func (e *ConflictError) Unwrap() error { return e.Err }

// IsInputError reports whether err is bad input (exit code 2) rather than
// a cluster-side failure.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// installOrder ranks kinds so that what others depend on is applied first
// (namespaces and CRDs, then policies, identities and config, then
// workloads, then what refers to workloads).
var installOrder = []string{
	"Namespace", "CustomResourceDefinition", "PriorityClass", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
	"StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
	"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
}

// Sort returns objs in install order: by kind rank (unknown kinds last),
// otherwise keeping the input order.
func Sort(objs []Object) []Object {
	rank := func(k string) int {
		for i, r := range installOrder {
			if r == k {
				return i
			}
		}
		return len(installOrder)
	}
	out := append([]Object(nil), objs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].GetKind()) < rank(out[j].GetKind()) })
	return out
}

// Ref names a result's object with its group, for rollout following.
func (r Result) Ref() (schema.GroupKind, string, string) {
	return r.Object.GroupVersionKind().GroupKind(), r.Namespace, r.Object.GetName()
}
