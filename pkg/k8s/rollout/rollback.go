package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// Annotations and labels the deployment controller maintains.
const (
	RevisionAnnotation = "deployment.kubernetes.io/revision"
	PodTemplateHashKey = appsv1.DefaultDeploymentUniqueLabelKey // "pod-template-hash"
)

// annotationsToSkip are not copied from a ReplicaSet back into its
// Deployment on rollback (they belong to the controller or to kubectl).
var annotationsToSkip = map[string]bool{
	corev1.LastAppliedConfigAnnotation:          true,
	RevisionAnnotation:                          true,
	"deployment.kubernetes.io/revision-history": true,
	"deployment.kubernetes.io/desired-replicas": true,
	"deployment.kubernetes.io/max-replicas":     true,
	appsv1.DeprecatedRollbackTo:                 true,
}

// Revision is one ReplicaSet of a Deployment's history.
type Revision struct {
	Number     int64
	ReplicaSet *appsv1.ReplicaSet
}

// History returns the ReplicaSets d controls, oldest revision first.
// ReplicaSets without a revision annotation are left out.
func History(d *appsv1.Deployment, rss []appsv1.ReplicaSet) []Revision {
	var out []Revision
	for i := range rss {
		rs := &rss[i]
		if !metav1.IsControlledBy(rs, d) {
			continue
		}
		n, err := strconv.ParseInt(rs.Annotations[RevisionAnnotation], 10, 64)
		if err != nil || n <= 0 {
			continue
		}
		out = append(out, Revision{Number: n, ReplicaSet: rs})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// Target picks the revision to roll back to: toRevision when non-zero,
// else the newest revision before the current (highest) one.
func Target(history []Revision, toRevision int64) (Revision, error) {
	if len(history) == 0 {
		return Revision{}, fmt.Errorf("no rollout history found")
	}
	if toRevision > 0 {
		for _, r := range history {
			if r.Number == toRevision {
				return r, nil
			}
		}
		return Revision{}, fmt.Errorf("revision %d not found in history (have %s)", toRevision, revisionList(history))
	}
	if len(history) < 2 {
		return Revision{}, fmt.Errorf("no previous revision to roll back to (only revision %d)", history[0].Number)
	}
	return history[len(history)-2], nil
}

func revisionList(h []Revision) string {
	s := ""
	for i, r := range h {
		if i > 0 {
			s += ", "
		}
		s += strconv.FormatInt(r.Number, 10)
	}
	return s
}

// TemplateWithoutHash returns a copy of rs's pod template without the
// pod-template-hash label the controller adds.
func TemplateWithoutHash(rs *appsv1.ReplicaSet) corev1.PodTemplateSpec {
	t := *rs.Spec.Template.DeepCopy()
	delete(t.Labels, PodTemplateHashKey)
	if len(t.Labels) == 0 {
		t.Labels = nil
	}
	return t
}

// RollbackPatch is the JSON patch that sets d's pod template to rs's (minus
// the pod-template-hash label) and carries rs's annotations over, as
// `kubectl rollout undo` does. It tests d's resourceVersion first, so a
// concurrent change makes the patch fail rather than be overwritten.
func RollbackPatch(d *appsv1.Deployment, rs *appsv1.ReplicaSet) ([]byte, error) {
	ann := map[string]string{}
	for k, v := range d.Annotations {
		if annotationsToSkip[k] {
			ann[k] = v
		}
	}
	for k, v := range rs.Annotations {
		if !annotationsToSkip[k] {
			ann[k] = v
		}
	}
	ops := []map[string]any{
		{"op": "test", "path": "/metadata/resourceVersion", "value": d.ResourceVersion},
		{"op": "replace", "path": "/spec/template", "value": TemplateWithoutHash(rs)},
		{"op": "add", "path": "/metadata/annotations", "value": ann},
	}
	return json.Marshal(ops)
}

// RollbackResult says what Rollback did.
type RollbackResult struct {
	// From is the current revision, To the one rolled back to.
	From, To int64
	// Skipped is true when the Deployment's template already equals the
	// target revision's: nothing was changed.
	Skipped bool
	// Deployment is the patched Deployment (nil when skipped).
	Deployment *appsv1.Deployment
}

// Rollback rolls Deployment namespace/name back to toRevision (0: the
// previous revision) by patching the chosen ReplicaSet's pod template into
// it. With dryRun the server validates the patch without persisting it.
func Rollback(ctx context.Context, c dynamic.Interface, namespace, name string, toRevision int64, fieldManager string, dryRun bool) (RollbackResult, error) {
	d, err := get[appsv1.Deployment](ctx, c, deployments, namespace, name)
	if err != nil {
		return RollbackResult{}, err
	}
	if d.Spec.Paused {
		return RollbackResult{}, fmt.Errorf("deployment %q is paused: resume it before rolling back", name)
	}
	rss, err := list[appsv1.ReplicaSet](ctx, c, replicaSets, namespace, metav1.ListOptions{LabelSelector: selectorString(d.Spec.Selector)})
	if err != nil {
		return RollbackResult{}, fmt.Errorf("listing replica sets of deployment %q: %w", name, err)
	}
	h := History(d, rss)
	target, err := Target(h, toRevision)
	if err != nil {
		return RollbackResult{}, fmt.Errorf("deployment %q: %w", name, err)
	}
	res := RollbackResult{To: target.Number}
	if len(h) > 0 {
		res.From = h[len(h)-1].Number
	}
	if cur, err := strconv.ParseInt(d.Annotations[RevisionAnnotation], 10, 64); err == nil {
		res.From = cur
	}
	tmpl := TemplateWithoutHash(target.ReplicaSet)
	cur := d.Spec.Template.DeepCopy()
	delete(cur.Labels, PodTemplateHashKey)
	if len(cur.Labels) == 0 {
		cur.Labels = nil
	}
	if apiequality.Semantic.DeepEqual(&tmpl, cur) {
		res.Skipped = true
		return res, nil
	}
	p, err := RollbackPatch(d, target.ReplicaSet)
	if err != nil {
		return res, err
	}
	opts := metav1.PatchOptions{FieldManager: fieldManager}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	out, err := patch[appsv1.Deployment](ctx, c, deployments, namespace, name, types.JSONPatchType, p, opts)
	if err != nil {
		return res, fmt.Errorf("patching deployment %q: %w", name, err)
	}
	res.Deployment = out
	return res, nil
}
