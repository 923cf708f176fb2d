package rollout

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// The resources rollout reads, through the dynamic client: client-go's
// typed clientset would link its scheme of every API group into slimship.
var (
	deployments  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	statefulSets = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	daemonSets   = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}
	replicaSets  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
	pods         = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	events       = schema.GroupVersionResource{Version: "v1", Resource: "events"}
	hpas         = schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}
)

// get reads one object of resource r into a T.
func get[T any](ctx context.Context, c dynamic.Interface, r schema.GroupVersionResource, ns, name string) (*T, error) {
	return typed[T](c.Resource(r).Namespace(ns).Get(ctx, name, metav1.GetOptions{}))
}

// typed converts what a dynamic call returned into a T.
func typed[T any](u *unstructured.Unstructured, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		return nil, err
	}
	return out, nil
}

// list reads the objects of resource r in ns into Ts.
func list[T any](ctx context.Context, c dynamic.Interface, r schema.GroupVersionResource, ns string, opts metav1.ListOptions) ([]T, error) {
	l, err := c.Resource(r).Namespace(ns).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(l.Items))
	for i := range l.Items {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(l.Items[i].Object, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// patch patches one object of resource r and reads the result into a T.
func patch[T any](ctx context.Context, c dynamic.Interface, r schema.GroupVersionResource, ns, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions) (*T, error) {
	return typed[T](c.Resource(r).Namespace(ns).Patch(ctx, name, pt, data, opts))
}
