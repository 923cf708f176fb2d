package rollout

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func template(image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: image}}},
	}
}

func deployment(image string, revision int64) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "dep-uid", ResourceVersion: "10",
			Annotations: map[string]string{RevisionAnnotation: strconv.FormatInt(revision, 10), "team": "shop"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: i32(2),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: template(image),
		},
	}
}

func replicaSet(d *appsv1.Deployment, name, image string, revision int64, owned bool) *appsv1.ReplicaSet {
	t := template(image)
	t.Labels[PodTemplateHashKey] = name
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: "web-" + name, Namespace: "default", Labels: t.Labels,
			Annotations: map[string]string{RevisionAnnotation: strconv.FormatInt(revision, 10), "note": "rev" + strconv.FormatInt(revision, 10)}},
		Spec: appsv1.ReplicaSetSpec{Template: t, Selector: d.Spec.Selector},
	}
	if owned {
		ctrl := true
		rs.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID, Controller: &ctrl}}
	}
	return rs
}

func TestHistoryAndTarget(t *testing.T) {
	d := deployment("web:3", 3)
	rss := []appsv1.ReplicaSet{
		*replicaSet(d, "c", "web:3", 3, true),
		*replicaSet(d, "a", "web:1", 1, true),
		*replicaSet(d, "x", "other:1", 7, false), // not owned: ignored
		*replicaSet(d, "b", "web:2", 2, true),
	}
	h := History(d, rss)
	var got []int64
	for _, r := range h {
		got = append(got, r.Number)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("History revisions = %v, want [1 2 3]", got)
	}
	tests := []struct {
		to      int64
		want    int64
		wantErr string
	}{
		{0, 2, ""},
		{1, 1, ""},
		{3, 3, ""},
		{9, 0, "revision 9 not found in history (have 1, 2, 3)"},
	}
	for _, tt := range tests {
		r, err := Target(h, tt.to)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Target(%d) error = %v, want %q", tt.to, err, tt.wantErr)
			}
			continue
		}
		if err != nil || r.Number != tt.want {
			t.Errorf("Target(%d) = %d, %v; want %d", tt.to, r.Number, err, tt.want)
		}
	}
	if _, err := Target(h[:1], 0); err == nil || !strings.Contains(err.Error(), "no previous revision") {
		t.Errorf("Target with one revision: %v", err)
	}
	if _, err := Target(nil, 0); err == nil {
		t.Error("Target with no history: want error")
	}
}

func TestRollbackPatch(t *testing.T) {
	d := deployment("web:2", 2)
	d.Annotations[corev1.LastAppliedConfigAnnotation] = "{}"
	rs := replicaSet(d, "a", "web:1", 1, true)
	p, err := RollbackPatch(d, rs)
	if err != nil {
		t.Fatal(err)
	}
	var ops []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(p, &ops); err != nil {
		t.Fatal(err)
	}
	if len(ops) != 3 || ops[0].Op != "test" || string(ops[0].Value) != `"10"` {
		t.Fatalf("patch = %s", p)
	}
	var tmpl corev1.PodTemplateSpec
	if err := json.Unmarshal(ops[1].Value, &tmpl); err != nil {
		t.Fatal(err)
	}
	if _, ok := tmpl.Labels[PodTemplateHashKey]; ok || tmpl.Spec.Containers[0].Image != "web:1" {
		t.Errorf("template = %+v: want web:1 without %s", tmpl, PodTemplateHashKey)
	}
	var ann map[string]string
	if err := json.Unmarshal(ops[2].Value, &ann); err != nil {
		t.Fatal(err)
	}
	// Kept from the Deployment: the skipped keys; from the ReplicaSet: the rest.
	want := map[string]string{RevisionAnnotation: "2", corev1.LastAppliedConfigAnnotation: "{}", "note": "rev1"}
	if len(ann) != len(want) {
		t.Errorf("annotations = %v, want %v", ann, want)
	}
	for k, v := range want {
		if ann[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, ann[k], v)
		}
	}
}

func TestRollback(t *testing.T) {
	ctx := context.Background()
	d := deployment("web:2", 2)
	cs := fakeClient(d, replicaSet(d, "a", "web:1", 1, true), replicaSet(d, "b", "web:2", 2, true))

	res, err := Rollback(ctx, cs, "default", "web", 0, "slimship", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped || res.From != 2 || res.To != 1 {
		t.Fatalf("result = %+v, want 2 -> 1", res)
	}
	got, _ := get[appsv1.Deployment](ctx, cs, deployments, "default", "web")
	if img := got.Spec.Template.Spec.Containers[0].Image; img != "web:1" {
		t.Errorf("image after rollback = %s, want web:1", img)
	}
	if _, ok := got.Spec.Template.Labels[PodTemplateHashKey]; ok {
		t.Error("pod-template-hash label copied into the Deployment")
	}

	// Rolling back to the revision the template already has does nothing.
	res, err = Rollback(ctx, cs, "default", "web", 1, "slimship", false)
	if err != nil || !res.Skipped {
		t.Errorf("second rollback = %+v, %v; want skipped", res, err)
	}

	if _, err := Rollback(ctx, cs, "default", "web", 5, "slimship", false); err == nil || !strings.Contains(err.Error(), "revision 5 not found") {
		t.Errorf("missing revision: %v", err)
	}

	paused := deployment("web:2", 2)
	paused.Name, paused.UID, paused.Spec.Paused = "paused", types.UID("p"), true
	cs2 := fakeClient(paused)
	if _, err := Rollback(ctx, cs2, "default", "paused", 0, "slimship", false); err == nil || !strings.Contains(err.Error(), "paused") {
		t.Errorf("paused: %v", err)
	}
}
