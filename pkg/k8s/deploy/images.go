package deploy

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// containerLists are the pod spec's lists of containers, each with an
// image.
var containerLists = []string{"initContainers", "containers", "ephemeralContainers"}

// ImageUse is one container's image in one object.
type ImageUse struct {
	Object    Object
	Container string // the container's name
	Image     string
	path      []string // the container list, from the object's root
	index     int
}

// String says where the image is used: "deployment.apps/web (file:3) container app".
func (u ImageUse) String() string {
	return fmt.Sprintf("%s (%s) container %s", u.Object, u.Object.Source, u.Container)
}

// Images lists every container image of the objects' pod templates (the
// kinds of manifest.PodTemplatePath), in input order.
func Images(objs []Object) []ImageUse {
	var out []ImageUse
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		tp, ok := manifest.PodTemplatePath(gvk.Group, gvk.Kind)
		if !ok {
			continue
		}
		for _, list := range containerLists {
			path := append(append(append([]string{}, tp...), "spec"), list)
			cs, _, _ := unstructured.NestedSlice(o.Object, path...)
			for i, c := range cs {
				m, ok := c.(map[string]any)
				if !ok {
					continue
				}
				img, _ := m["image"].(string)
				name, _ := m["name"].(string)
				if img == "" {
					continue
				}
				out = append(out, ImageUse{Object: o, Container: name, Image: img, path: path, index: i})
			}
		}
	}
	return out
}

// SetImage replaces the image of the container u names in its object (to
// pin it to the digest that was verified).
func SetImage(u ImageUse, image string) error {
	cs, ok, err := unstructured.NestedSlice(u.Object.Object, u.path...)
	if err != nil || !ok || u.index >= len(cs) {
		return fmt.Errorf("%s: container list %v changed", u, u.path)
	}
	m, ok := cs[u.index].(map[string]any)
	if !ok {
		return fmt.Errorf("%s: container %d is not an object", u, u.index)
	}
	m["image"] = image
	return unstructured.SetNestedSlice(u.Object.Object, cs, u.path...)
}
