package deploy

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
)

const applyManifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 1}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
`

// applyServer stands in for the API server's side of server-side apply on
// a fake client: it records each apply request and creates the object, or
// replaces it with a new resourceVersion when its content changed (not
// when the request is a dry run).
type applyServer struct {
	tracker clienttesting.ObjectTracker
	got     []clienttesting.PatchActionImpl
	// created, when set, sees each object created (not in dry runs).
	created func(*unstructured.Unstructured)
}

func (s *applyServer) react(a clienttesting.Action) (bool, runtime.Object, error) {
	pa, ok := a.(clienttesting.PatchActionImpl)
	if !ok || pa.PatchType != types.ApplyPatchType {
		return false, nil, nil
	}
	s.got = append(s.got, pa)
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(pa.Patch); err != nil {
		return true, nil, err
	}
	dry := len(pa.PatchOptions.DryRun) > 0
	old, err := s.tracker.Get(pa.Resource, pa.Namespace, pa.Name)
	if apierrors.IsNotFound(err) {
		obj.SetResourceVersion("1")
		if dry {
			return true, obj, nil
		}
		if s.created != nil {
			s.created(obj)
		}
		return true, obj, s.tracker.Create(pa.Resource, obj, pa.Namespace)
	}
	if err != nil {
		return true, nil, err
	}
	prev := old.(*unstructured.Unstructured)
	obj.SetResourceVersion(prev.GetResourceVersion())
	if equality.Semantic.DeepEqual(obj.Object, prev.Object) {
		return true, prev, nil
	}
	rv, _ := strconv.Atoi(prev.GetResourceVersion())
	obj.SetResourceVersion(strconv.Itoa(rv + 1))
	if dry {
		return true, obj, nil
	}
	return true, obj, s.tracker.Update(pa.Resource, obj, pa.Namespace)
}

func newApplyClient() (*fake.FakeDynamicClient, *applyServer) {
	c := fake.NewSimpleDynamicClient(runtime.NewScheme())
	s := &applyServer{tracker: c.Tracker()}
	c.PrependReactor("patch", "*", s.react)
	return c, s
}

func TestApply(t *testing.T) {
	_, disc := newDiscovery(t)
	objs, err := Read(strings.NewReader(applyManifests), "-")
	if err != nil {
		t.Fatal(err)
	}
	client, p := newApplyClient()
	a := &Applier{Client: client, Mapper: disc, Force: true, Namespace: "shop"}
	ctx := context.Background()

	got := map[string]Result{}
	var order []string
	for _, r := range a.Apply(ctx, objs) {
		got[r.Object.String()] = r
		order = append(order, r.Object.String())
	}
	// Namespaces first, unknown kinds last.
	if want := "namespace/shop service/web deployment.apps/web scaledobject.keda.sh/web"; strings.Join(order, " ") != want {
		t.Errorf("order %q, want %q", strings.Join(order, " "), want)
	}
	for name, want := range map[string]struct {
		op Operation
		ns string
	}{
		"namespace/shop":      {Created, ""},
		"service/web":         {Created, "other"},
		"deployment.apps/web": {Created, "shop"},
	} {
		r := got[name]
		if r.Err != nil || r.Op != want.op || r.Namespace != want.ns || r.Applied == nil {
			t.Errorf("%s: op %s namespace %q err %v; want %s in %q", name, r.Op, r.Namespace, r.Err, want.op, want.ns)
		}
	}
	// A kind the server does not serve fails alone, naming where it is.
	so := got["scaledobject.keda.sh/web"]
	if so.Op != Failed || so.Err == nil || !strings.Contains(so.Err.Error(), `-:10: no matches for kind "ScaledObject" in version "keda.sh/v1alpha1"`) ||
		!strings.Contains(so.Err.Error(), "CustomResourceDefinition") {
		t.Errorf("ScaledObject: op %s err %v", so.Op, so.Err)
	}
	if len(p.got) != 3 {
		t.Fatalf("%d patches, want 3", len(p.got))
	}
	for _, pa := range p.got {
		o := pa.PatchOptions
		if pa.PatchType != types.ApplyPatchType || o.FieldManager != DefaultFieldManager || o.Force == nil || !*o.Force || len(o.DryRun) != 0 {
			t.Errorf("%s %s: patch type %s options %+v", pa.Resource.Resource, pa.Name, pa.PatchType, o)
		}
	}

	// Applying again changes nothing; a dry run says so too, and asks the
	// server not to persist.
	p.got = nil
	a.DryRun, a.Force, a.FieldManager = true, false, "ci"
	for _, r := range a.Apply(ctx, objs[:2]) {
		if r.Err != nil || r.Op != Unchanged {
			t.Errorf("%s again: op %s err %v", r.Object, r.Op, r.Err)
		}
	}
	for _, pa := range p.got {
		o := pa.PatchOptions
		if o.FieldManager != "ci" || o.Force == nil || *o.Force || len(o.DryRun) != 1 || o.DryRun[0] != metav1.DryRunAll {
			t.Errorf("dry run %s: options %+v", pa.Name, o)
		}
	}
}

func TestApplyConfigured(t *testing.T) {
	_, disc := newDiscovery(t)
	objs, err := Read(strings.NewReader(applyManifests), "-")
	if err != nil {
		t.Fatal(err)
	}
	client, _ := newApplyClient()
	a := &Applier{Client: client, Mapper: disc}
	ctx := context.Background()
	dep := objs[:1]
	if r := a.Apply(ctx, dep)[0]; r.Op != Created || r.Namespace != "default" {
		t.Fatalf("first apply: op %s namespace %q err %v", r.Op, r.Namespace, r.Err)
	}
	if err := unstructured.SetNestedField(dep[0].Object, int64(3), "spec", "replicas"); err != nil {
		t.Fatal(err)
	}
	replicas := func() int64 {
		u, err := client.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace("default").Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
		return n
	}
	// A dry run reports the change without persisting it.
	a.DryRun = true
	if r := a.Apply(ctx, dep)[0]; r.Op != Configured {
		t.Errorf("dry run: op %s err %v", r.Op, r.Err)
	}
	if n := replicas(); n != 1 {
		t.Errorf("dry run stored replicas %d", n)
	}
	a.DryRun = false
	if r := a.Apply(ctx, dep)[0]; r.Op != Configured {
		t.Errorf("apply: op %s err %v", r.Op, r.Err)
	}
	if n := replicas(); n != 3 {
		t.Errorf("replicas %d after apply, want 3", n)
	}
}

func TestApplyEnforceNamespace(t *testing.T) {
	_, disc := newDiscovery(t)
	objs, err := Read(strings.NewReader(applyManifests), "-")
	if err != nil {
		t.Fatal(err)
	}
	client, _ := newApplyClient()
	a := &Applier{Client: client, Mapper: disc, Namespace: "shop", EnforceNamespace: true}
	for _, r := range a.Apply(context.Background(), objs[3:]) {
		if r.Op != Failed || !IsInputError(r.Err) || !strings.Contains(r.Err.Error(), `service/web is in namespace "other", not in the requested namespace "shop"`) {
			t.Errorf("%s: op %s err %v", r.Object, r.Op, r.Err)
		}
	}
}

const crdManifests = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: scaledobjects.keda.sh}
spec:
  group: keda.sh
  names: {kind: ScaledObject, plural: scaledobjects}
  scope: Namespaced
`

// An object whose CRD is applied in the same run waits for the server to
// establish it; without its CRD, or in a dry run (nothing is persisted),
// it fails at once.
func TestApplyWaitsForCRDsItApplies(t *testing.T) {
	s, disc := newDiscovery(t)
	s.set("/apis/apiextensions.k8s.io/v1", metav1.APIResource{Name: "customresourcedefinitions", Kind: "CustomResourceDefinition"})
	objs, err := Read(strings.NewReader(crdManifests), "-")
	if err != nil {
		t.Fatal(err)
	}
	client, srv := newApplyClient()
	srv.created = func(u *unstructured.Unstructured) {
		if u.GetKind() == "CustomResourceDefinition" {
			time.AfterFunc(300*time.Millisecond, func() {
				s.set("/apis/keda.sh/v1alpha1", metav1.APIResource{Name: "scaledobjects", Kind: "ScaledObject", Namespaced: true})
			})
		}
	}
	ctx := context.Background()

	dry := &Applier{Client: client, Mapper: disc, DryRun: true, CRDWait: time.Minute}
	start := time.Now()
	rs := dry.Apply(ctx, objs)
	if rs[0].Err != nil || rs[1].Op != Failed || !meta.IsNoMatchError(rs[1].Err) {
		t.Fatalf("dry run: %v / %s %v", rs[0].Err, rs[1].Op, rs[1].Err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("dry run waited %s for a CRD it did not create", d)
	}

	a := &Applier{Client: client, Mapper: disc, CRDWait: time.Minute}
	rs = a.Apply(ctx, objs)
	if rs[0].Object.GetKind() != "CustomResourceDefinition" || rs[0].Op != Created || rs[1].Op != Created || rs[1].Mapping.Resource.Resource != "scaledobjects" {
		t.Errorf("apply: %s %s %v / %s %s %v", rs[0].Object, rs[0].Op, rs[0].Err, rs[1].Object, rs[1].Op, rs[1].Err)
	}
}

// TestApplyConflict: without Force (the default, as in kubectl) a conflict
// with another field manager (a rollback) fails the object and says how to
// redeploy over it.
func TestApplyConflict(t *testing.T) {
	_, disc := newDiscovery(t)
	objs, err := Read(strings.NewReader(applyManifests), "-")
	if err != nil {
		t.Fatal(err)
	}
	client, _ := newApplyClient()
	client.PrependReactor("patch", "*", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewApplyConflict([]metav1.StatusCause{{
			Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "kubectl-rollout" using apps/v1`, Field: ".spec.template.spec.containers[name=\"web\"].image",
		}}, `Apply failed with 1 conflict: conflict with "kubectl-rollout" using apps/v1: .spec.template.spec.containers[name="web"].image`)
	})
	a := &Applier{Client: client, Mapper: disc}
	r := a.Apply(context.Background(), objs[:1])[0]
	var ce *ConflictError
	if r.Op != Failed || !errors.As(r.Err, &ce) || !strings.Contains(r.Err.Error(), "kubectl-rollout") || !strings.Contains(r.Err.Error(), "rerun with --force-conflicts") {
		t.Errorf("op %s err %v, want a ConflictError saying to rerun with --force-conflicts", r.Op, r.Err)
	}
	a.Force = true
	if r := a.Apply(context.Background(), objs[:1])[0]; errors.As(r.Err, &ce) {
		t.Errorf("with Force: %v", r.Err)
	}
}
