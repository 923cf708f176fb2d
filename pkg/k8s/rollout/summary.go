package rollout

import (
	"context"
	"sort"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
)

// Summary is the state of one Deployment: its rollout, replicas, history
// and the HorizontalPodAutoscalers scaling it.
type Summary struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Revision  int64  `json:"revision"`
	Rollout   Status `json:"rollout"`

	Desired     int32 `json:"desired"`
	Current     int32 `json:"current"`
	Updated     int32 `json:"updated"`
	Ready       int32 `json:"ready"`
	Available   int32 `json:"available"`
	Unavailable int32 `json:"unavailable"`

	Conditions  []Condition      `json:"conditions,omitempty"`
	ReplicaSets []ReplicaSetInfo `json:"replicaSets,omitempty"`
	HPAs        []HPAInfo        `json:"hpas,omitempty"`
}

// Condition is a workload or autoscaler condition.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// ReplicaSetInfo is one revision of a Deployment.
type ReplicaSetInfo struct {
	Name     string   `json:"name"`
	Revision int64    `json:"revision"`
	Replicas int32    `json:"replicas"`
	Ready    int32    `json:"ready"`
	Images   []string `json:"images"`
}

// HPAInfo is a HorizontalPodAutoscaler targeting a Deployment.
type HPAInfo struct {
	Name            string      `json:"name"`
	MinReplicas     int32       `json:"minReplicas"`
	MaxReplicas     int32       `json:"maxReplicas"`
	CurrentReplicas int32       `json:"currentReplicas"`
	DesiredReplicas int32       `json:"desiredReplicas"`
	Conditions      []Condition `json:"conditions,omitempty"`
}

// Summarize describes the Deployment name in namespace, or every
// Deployment there when name is empty (sorted by name). HPAs are matched by
// their scaleTargetRef; if they cannot be listed (no autoscaling/v2 API or
// no permission) the summaries carry none.
func Summarize(ctx context.Context, c dynamic.Interface, namespace, name string) ([]Summary, error) {
	var ds []appsv1.Deployment
	if name != "" {
		d, err := get[appsv1.Deployment](ctx, c, deployments, namespace, name)
		if err != nil {
			return nil, err
		}
		ds = []appsv1.Deployment{*d}
	} else {
		l, err := list[appsv1.Deployment](ctx, c, deployments, namespace, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		ds = l
		sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
	}
	hs, _ := list[autoscalingv2.HorizontalPodAutoscaler](ctx, c, hpas, namespace, metav1.ListOptions{})
	rss, _ := list[appsv1.ReplicaSet](ctx, c, replicaSets, namespace, metav1.ListOptions{})
	out := make([]Summary, 0, len(ds))
	for i := range ds {
		out = append(out, Summarize1(&ds[i], rss, hs))
	}
	return out, nil
}

// Summarize1 builds d's Summary from already listed ReplicaSets and HPAs of
// its namespace.
func Summarize1(d *appsv1.Deployment, rss []appsv1.ReplicaSet, hpas []autoscalingv2.HorizontalPodAutoscaler) Summary {
	s := Summary{
		Namespace:   d.Namespace,
		Name:        d.Name,
		Rollout:     DeploymentStatus(d),
		Current:     d.Status.Replicas,
		Updated:     d.Status.UpdatedReplicas,
		Ready:       d.Status.ReadyReplicas,
		Available:   d.Status.AvailableReplicas,
		Unavailable: d.Status.UnavailableReplicas,
	}
	s.Desired = 1
	if d.Spec.Replicas != nil {
		s.Desired = *d.Spec.Replicas
	}
	s.Revision, _ = strconv.ParseInt(d.Annotations[RevisionAnnotation], 10, 64)
	for _, c := range d.Status.Conditions {
		s.Conditions = append(s.Conditions, Condition{string(c.Type), string(c.Status), c.Reason, c.Message})
	}
	for _, r := range History(d, rss) {
		info := ReplicaSetInfo{Name: r.ReplicaSet.Name, Revision: r.Number, Replicas: r.ReplicaSet.Status.Replicas, Ready: r.ReplicaSet.Status.ReadyReplicas}
		for _, ct := range r.ReplicaSet.Spec.Template.Spec.Containers {
			info.Images = append(info.Images, ct.Image)
		}
		s.ReplicaSets = append(s.ReplicaSets, info)
	}
	for _, h := range hpas {
		ref := h.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.Name != d.Name {
			continue
		}
		info := HPAInfo{Name: h.Name, MaxReplicas: h.Spec.MaxReplicas, CurrentReplicas: h.Status.CurrentReplicas, DesiredReplicas: h.Status.DesiredReplicas, MinReplicas: 1}
		if h.Spec.MinReplicas != nil {
			info.MinReplicas = *h.Spec.MinReplicas
		}
		for _, c := range h.Status.Conditions {
			info.Conditions = append(info.Conditions, Condition{string(c.Type), string(c.Status), c.Reason, c.Message})
		}
		s.HPAs = append(s.HPAs, info)
	}
	return s
}
