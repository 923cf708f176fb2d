package lint

import (
	"errors"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// Object is a decoded object with its typed form.
type Object struct {
	*manifest.Object
	// Meta points into the decoded object (nil for skipped objects).
	Meta *metav1.ObjectMeta

	// Workload is set for objects that run pods.
	Workload *Workload
	// Typed holds the typed object for kinds with checks: *corev1.Service,
	// *policyv1.PodDisruptionBudget, *HPA, *networkingv1.NetworkPolicy,
	// *Ingress, *ScaledObject.
	Typed any

	skip    bool // no checks apply
	unknown bool // a custom or unknown kind
	ignored map[string]bool
	enable  map[string]bool
	hasMeta bool
	// targeted caches targetedByService: 0 unknown, 1 yes, -1 no.
	targeted int8
	// selector is a PodDisruptionBudget's, compiled once.
	selector selector
	// finding is the Object of every finding on this object.
	finding *finding.Object
}

func (o *Object) ignores(id string) bool { return o.ignored[id] }
func (o *Object) enabled(id string) bool { return o.enable[id] }

// Workload is anything with a pod template.
type Workload struct {
	// Template points into the decoded object, which is not copied.
	Template *corev1.PodTemplateSpec
	// TemplatePath is the path of the pod template in the object
	// (empty for a Pod, whose metadata and spec are the object's own).
	TemplatePath []any
	Replicas     *int32
	Selector     *metav1.LabelSelector
	// Strategy is a Deployment's update strategy type.
	Strategy string
	// ServiceName is a StatefulSet's.
	ServiceName string
	// IsJob is true for Jobs and CronJobs.
	IsJob bool
	// StartingDeadline is a CronJob's startingDeadlineSeconds.
	StartingDeadline *int64
	IsCronJob        bool

	containers []ContainerRef
}

// Path returns a path inside the pod template.
func (w *Workload) Path(p ...any) []any {
	out := make([]any, 0, len(w.TemplatePath)+len(p))
	out = append(out, w.TemplatePath...)
	return append(out, p...)
}

// Containers returns init containers then containers, with their paths.
// The list is built once per workload (checks of one object run on one
// goroutine) and must not be modified.
func (w *Workload) Containers() []ContainerRef {
	if w.containers != nil {
		return w.containers
	}
	n := len(w.Template.Spec.InitContainers) + len(w.Template.Spec.Containers)
	out := make([]ContainerRef, 0, n)
	images := make([]imageRead, n)
	for i := range w.Template.Spec.InitContainers {
		out = append(out, ContainerRef{C: &w.Template.Spec.InitContainers[i], Path: w.Path("spec", "initContainers", i), image: &images[len(out)]})
	}
	for i := range w.Template.Spec.Containers {
		out = append(out, ContainerRef{C: &w.Template.Spec.Containers[i], Path: w.Path("spec", "containers", i), image: &images[len(out)]})
	}
	w.containers = out
	return out
}

// ContainerRef is a container and its path in the object.
type ContainerRef struct {
	C    *corev1.Container
	Path []any
	// image is the container's image reference, read once for the
	// checks that need it (ImagePinned).
	image *imageRead
}

// At returns a path below the container.
func (c ContainerRef) At(p ...any) []any {
	out := make([]any, 0, len(c.Path)+len(p))
	out = append(out, c.Path...)
	return append(out, p...)
}

// HPA is the part of every HorizontalPodAutoscaler version the checks need.
type HPA struct {
	Spec struct {
		ScaleTargetRef autoscalingv2.CrossVersionObjectReference `json:"scaleTargetRef"`
		MinReplicas    *int32                                    `json:"minReplicas"`
		MaxReplicas    int32                                     `json:"maxReplicas"`
	} `json:"spec"`
}

// Ingress covers networking.k8s.io/v1 and the v1beta1 backends.
type Ingress struct {
	Spec struct {
		Rules []struct {
			Host string `json:"host"`
			HTTP *struct {
				Paths []struct {
					Path    string     `json:"path"`
					Backend ingBackend `json:"backend"`
				} `json:"paths"`
			} `json:"http"`
		} `json:"rules"`
	} `json:"spec"`
}

type ingBackend struct {
	Service *networkingv1.IngressServiceBackend `json:"service"`
	// v1beta1
	ServiceName string `json:"serviceName"`
	ServicePort any    `json:"servicePort"`
}

// ScaledObject is KEDA's keda.sh/v1alpha1 ScaledObject.
type ScaledObject struct {
	Spec struct {
		ScaleTargetRef *struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Name       string `json:"name"`
		} `json:"scaleTargetRef"`
		MinReplicaCount *int32 `json:"minReplicaCount"`
		MaxReplicaCount *int32 `json:"maxReplicaCount"`
		Triggers        []struct {
			Type     string            `json:"type"`
			Metadata map[string]string `json:"metadata"`
		} `json:"triggers"`
	} `json:"spec"`
}

// Context indexes every object for cross-object checks.
type Context struct {
	objects []*Object
	pdbs    []*Object
	byNS    map[string]*nsIndex
}

// nsIndex holds the objects of one namespace by role.
type nsIndex struct {
	workloads []*Object
	services  []*Object
	hpas      []*Object
	netpols   []*Object
	scaled    []*Object
	pdbs      []*Object
	all       []*Object
}

var emptyNS = &nsIndex{}

// in returns the index of a namespace.
func (c *Context) in(ns string) *nsIndex {
	if x, ok := c.byNS[ns]; ok {
		return x
	}
	return emptyNS
}

func (c *Context) add(ns string) *nsIndex {
	x, ok := c.byNS[ns]
	if !ok {
		x = &nsIndex{}
		c.byNS[ns] = x
	}
	return x
}

// builtinGroup reports whether an API group belongs to Kubernetes itself.
func builtinGroup(g string) bool {
	return g == "" || !strings.Contains(g, ".") || strings.HasSuffix(g, ".k8s.io")
}

func newContext(objs []*manifest.Object) (*Context, []error) {
	c := &Context{byNS: map[string]*nsIndex{}, objects: make([]*Object, len(objs))}
	var failed []error
	for i, m := range objs {
		o := &Object{Object: m}
		c.objects[i] = o
		if o.Kind == "" || o.APIVersion == "" {
			// missing-apiversion-kind reports it; no other check applies.
			o.skip = true
			continue
		}
		if err := decodeObject(o); err != nil {
			o.skip = true
			// When the value is one YAML 1.1 retyped, value-not-string
			// reports why it does not decode.
			if !coercedAt(o, err) {
				failed = append(failed, err)
			}
			continue
		}
		c.index(o)
	}
	return c, failed
}

// coercedAt reports whether err (from typed decoding) is at a value
// kubectl's YAML 1.1 retypes.
func coercedAt(o *Object, err error) bool {
	var me *manifest.Error
	if !errors.As(err, &me) {
		return false
	}
	for _, c := range o.Coerced {
		if c.Line == me.Line {
			return true
		}
	}
	return false
}

// decodeObject decodes o into its typed form and reads its annotations.
func decodeObject(o *Object) error {
	if err := decodeTyped(o); err != nil || o.skip {
		return err
	}
	if !o.hasMeta {
		var head struct {
			Metadata metav1.ObjectMeta `json:"metadata"`
		}
		if err := o.Into(&head); err != nil {
			return err
		}
		o.Meta = &head.Metadata
	}
	o.ignored, o.enable = annotationSwitches(o.Meta.Annotations)
	if o.Workload != nil {
		ig, en := annotationSwitches(o.Workload.Template.Annotations)
		o.ignored, o.enable = merged(o.ignored, ig), merged(o.enable, en)
	}
	return nil
}

// index adds a decoded object to the indexes of its namespace.
func (c *Context) index(o *Object) {
	x := c.add(o.Namespace)
	switch o.Typed.(type) {
	case *corev1.Service:
		x.services = append(x.services, o)
	case *policyv1.PodDisruptionBudget:
		c.pdbs = append(c.pdbs, o)
		x.pdbs = append(x.pdbs, o)
	case *HPA:
		x.hpas = append(x.hpas, o)
	case *networkingv1.NetworkPolicy:
		x.netpols = append(x.netpols, o)
	case *ScaledObject:
		x.scaled = append(x.scaled, o)
	}
	if o.Workload != nil {
		x.workloads = append(x.workloads, o)
	}
	x.all = append(x.all, o)
}

// annotationSwitches returns the rule IDs the annotations ignore and
// enable; a map is nil when no annotation adds to it (most objects).
func annotationSwitches(ann map[string]string) (ignored, enabled map[string]bool) {
	for k, v := range ann {
		switch {
		case strings.HasPrefix(k, IgnoreAnnotationPrefix):
			if strings.EqualFold(strings.TrimSpace(v), "true") {
				ignored = set(ignored, strings.ToLower(strings.TrimPrefix(k, IgnoreAnnotationPrefix)))
			}
		case k == "kube-score/ignore":
			for _, id := range strings.Split(v, ",") {
				ignored = set(ignored, strings.ToLower(strings.TrimSpace(id)))
			}
		case k == "kube-score/enable":
			for _, id := range strings.Split(v, ",") {
				enabled = set(enabled, strings.ToLower(strings.TrimSpace(id)))
			}
		}
	}
	return ignored, enabled
}

// set adds k to m, making m if it is nil.
func set(m map[string]bool, k string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[k] = true
	return m
}

// merged adds b's keys to a, making a if it is nil and b is not empty.
func merged(a, b map[string]bool) map[string]bool {
	for k := range b {
		a = set(a, k)
	}
	return a
}

// templatePath is where an object of group and kind keeps its pod
// template (manifest's table), as a path for line lookups.
func templatePath(group, kind string) []any {
	p, _ := manifest.PodTemplatePath(group, kind)
	out := make([]any, len(p))
	for i, s := range p {
		out[i] = s
	}
	return out
}

// decodeTyped sets o's typed form by kind; unknown kinds are skipped.
func decodeTyped(o *Object) error {
	g := o.Group()
	switch {
	case o.Kind == "Pod" && g == "":
		var p corev1.Pod
		if err := o.Into(&p); err != nil {
			return err
		}
		t := &corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}
		o.Meta, o.hasMeta = &t.ObjectMeta, true
		o.Workload = &Workload{Template: t}
	case o.Kind == "Deployment" && (g == "apps" || g == "extensions"):
		var d appsv1.Deployment
		if err := o.Into(&d); err != nil {
			return err
		}
		o.Meta, o.hasMeta = &d.ObjectMeta, true
		o.Workload = &Workload{Template: &d.Spec.Template, TemplatePath: templatePath(g, o.Kind),
			Replicas: d.Spec.Replicas, Selector: d.Spec.Selector, Strategy: string(d.Spec.Strategy.Type)}
	case o.Kind == "ReplicaSet" && (g == "apps" || g == "extensions"):
		var rs appsv1.ReplicaSet
		if err := o.Into(&rs); err != nil {
			return err
		}
		o.Meta, o.hasMeta = &rs.ObjectMeta, true
		o.Workload = &Workload{Template: &rs.Spec.Template, TemplatePath: templatePath(g, o.Kind),
			Replicas: rs.Spec.Replicas, Selector: rs.Spec.Selector}
	case o.Kind == "StatefulSet" && g == "apps":
		var s appsv1.StatefulSet
		if err := o.Into(&s); err != nil {
			return err
		}
		o.Meta, o.hasMeta = &s.ObjectMeta, true
		o.Workload = &Workload{Template: &s.Spec.Template, TemplatePath: templatePath(g, o.Kind),
			Replicas: s.Spec.Replicas, Selector: s.Spec.Selector, ServiceName: s.Spec.ServiceName}
	case o.Kind == "DaemonSet" && (g == "apps" || g == "extensions"):
		var d appsv1.DaemonSet
		if err := o.Into(&d); err != nil {
			return err
		}
		o.Meta, o.hasMeta = &d.ObjectMeta, true
		o.Workload = &Workload{Template: &d.Spec.Template, TemplatePath: templatePath(g, o.Kind), Selector: d.Spec.Selector}
	case o.Kind == "Job" && g == "batch":
		var j batchv1.Job
		if err := o.Into(&j); err != nil {
			return err
		}
		o.Meta, o.hasMeta = &j.ObjectMeta, true
		o.Workload = &Workload{Template: &j.Spec.Template, TemplatePath: templatePath(g, o.Kind), IsJob: true}
	case o.Kind == "CronJob" && g == "batch":
		var j batchv1.CronJob
		if err := o.Into(&j); err != nil {
			return err
		}
		o.Meta, o.hasMeta = &j.ObjectMeta, true
		o.Workload = &Workload{Template: &j.Spec.JobTemplate.Spec.Template,
			TemplatePath: templatePath(g, o.Kind), IsJob: true, IsCronJob: true,
			StartingDeadline: j.Spec.StartingDeadlineSeconds}
	case o.Kind == "Service" && g == "":
		var s corev1.Service
		if err := o.Into(&s); err != nil {
			return err
		}
		o.Meta, o.hasMeta = &s.ObjectMeta, true
		o.Typed = &s
	case o.Kind == "PodDisruptionBudget" && g == "policy":
		var p policyv1.PodDisruptionBudget
		if err := o.Into(&p); err != nil {
			return err
		}
		o.Meta, o.hasMeta = &p.ObjectMeta, true
		o.Typed = &p
		o.selector = compileSelector(p.Spec.Selector)
	case o.Kind == "HorizontalPodAutoscaler" && g == "autoscaling":
		var h HPA
		if err := o.Into(&h); err != nil {
			return err
		}
		o.Typed = &h
	case o.Kind == "NetworkPolicy" && g == "networking.k8s.io":
		var n networkingv1.NetworkPolicy
		if err := o.Into(&n); err != nil {
			return err
		}
		o.Meta, o.hasMeta = &n.ObjectMeta, true
		o.Typed = &n
	case o.Kind == "Ingress" && (g == "networking.k8s.io" || g == "extensions"):
		var i Ingress
		if err := o.Into(&i); err != nil {
			return err
		}
		o.Typed = &i
	case o.Kind == "ScaledObject" && g == "keda.sh":
		var s ScaledObject
		if err := o.Into(&s); err != nil {
			return err
		}
		o.Typed = &s
	case !builtinGroup(g):
		o.skip, o.unknown = true, true
	}
	return nil
}

// selectorMatches is kube-score's matching of a map selector: an empty
// selector matches everything.
func selectorMatches(sel map[string]string, lbls map[string]string) bool {
	for k, v := range sel {
		if got, ok := lbls[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// labelSelectorMatches matches a LabelSelector (nil matches nothing).
func labelSelectorMatches(sel *metav1.LabelSelector, lbls map[string]string) bool {
	if sel == nil {
		return false
	}
	if len(sel.MatchExpressions) == 0 {
		return selectorMatches(sel.MatchLabels, lbls)
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	return s.Matches(labels.Set(lbls))
}

// selector is a LabelSelector compiled once for labelSelectorMatches'
// semantics: nil matches nothing, match labels alone are compared directly.
type selector struct {
	sel    *metav1.LabelSelector
	parsed labels.Selector // when there are match expressions; nil if invalid
}

func compileSelector(sel *metav1.LabelSelector) selector {
	s := selector{sel: sel}
	if sel != nil && len(sel.MatchExpressions) > 0 {
		if p, err := metav1.LabelSelectorAsSelector(sel); err == nil {
			s.parsed = p
		}
	}
	return s
}

// matches is labelSelectorMatches(s.sel, lbls).
func (s selector) matches(lbls map[string]string) bool {
	switch {
	case s.sel == nil:
		return false
	case len(s.sel.MatchExpressions) == 0:
		return selectorMatches(s.sel.MatchLabels, lbls)
	case s.parsed == nil:
		return false
	}
	return s.parsed.Matches(labels.Set(lbls))
}

// targetedByService reports whether a service in the workload's namespace
// selects its pods.
func (c *Context) targetedByService(o *Object) bool {
	if o.targeted != 0 {
		return o.targeted > 0
	}
	o.targeted = -1
	for _, s := range c.in(o.Namespace).services {
		svc := s.Typed.(*corev1.Service)
		if s.Namespace == o.Namespace && selectorMatches(svc.Spec.Selector, o.Workload.Template.Labels) {
			o.targeted = 1
			break
		}
	}
	return o.targeted > 0
}

// scaledByHPA returns the HorizontalPodAutoscaler that scales o (its
// scaleTargetRef names o's kind, in any case, and name), or nil.
func (c *Context) scaledByHPA(o *Object) *Object {
	for _, h := range c.in(o.Namespace).hpas {
		ref := h.Typed.(*HPA).Spec.ScaleTargetRef
		if h.Namespace == o.Namespace && strings.EqualFold(ref.Kind, o.Kind) && ref.Name == o.Name {
			return h
		}
	}
	return nil
}

// hpaTargets reports whether an HPA or KEDA ScaledObject scales o.
func (c *Context) hpaTargets(o *Object) bool {
	if c.scaledByHPA(o) != nil {
		return true
	}
	for _, s := range c.in(o.Namespace).scaled {
		ref := s.Typed.(*ScaledObject).Spec.ScaleTargetRef
		kind := "Deployment"
		if ref != nil && ref.Kind != "" {
			kind = ref.Kind
		}
		if ref != nil && s.Namespace == o.Namespace && strings.EqualFold(kind, o.Kind) && ref.Name == o.Name {
			return true
		}
	}
	return false
}
