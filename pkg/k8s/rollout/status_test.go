package rollout

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func i32(n int32) *int32 { return &n }

func dep(gen, observed int64, replicas int32, st appsv1.DeploymentStatus) *appsv1.Deployment {
	st.ObservedGeneration = observed
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Generation: gen},
		Spec:       appsv1.DeploymentSpec{Replicas: i32(replicas)},
		Status:     st,
	}
}

func TestDeploymentStatus(t *testing.T) {
	deadline := appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse,
		Reason: ReasonProgressDeadlineExceeded, Message: `ReplicaSet "web-7c9" has timed out progressing.`}
	progressing := appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "ReplicaSetUpdated"}
	tests := []struct {
		name       string
		d          *appsv1.Deployment
		done, fail bool
		want       string
	}{
		{"generation not observed", dep(2, 1, 2, appsv1.DeploymentStatus{Replicas: 2, UpdatedReplicas: 2, AvailableReplicas: 2}),
			false, false, "spec update to be observed"},
		{"deadline exceeded wins over counts", dep(2, 2, 2, appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 1, Conditions: []appsv1.DeploymentCondition{deadline}}),
			false, true, `exceeded its progress deadline: ReplicaSet "web-7c9" has timed out progressing.`},
		{"deadline not judged before observed", dep(3, 2, 2, appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{deadline}}),
			false, false, "spec update to be observed"},
		{"updating", dep(2, 2, 3, appsv1.DeploymentStatus{Replicas: 4, UpdatedReplicas: 1, Conditions: []appsv1.DeploymentCondition{progressing}}),
			false, false, "1 out of 3 new replicas have been updated"},
		{"old pending termination", dep(2, 2, 2, appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 2, AvailableReplicas: 2}),
			false, false, "1 old replicas are pending termination"},
		{"not available", dep(2, 2, 2, appsv1.DeploymentStatus{Replicas: 2, UpdatedReplicas: 2, AvailableReplicas: 1}),
			false, false, "1 of 2 updated replicas are available"},
		{"done", dep(2, 2, 2, appsv1.DeploymentStatus{Replicas: 2, UpdatedReplicas: 2, AvailableReplicas: 2}),
			true, false, `deployment "web" successfully rolled out`},
		{"scaled to zero", dep(1, 1, 0, appsv1.DeploymentStatus{}), true, false, "successfully rolled out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DeploymentStatus(tt.d)
			if got.Done != tt.done || got.Failed != tt.fail || !strings.Contains(got.Message, tt.want) {
				t.Errorf("got %+v, want done=%v failed=%v message containing %q", got, tt.done, tt.fail, tt.want)
			}
		})
	}
}

func TestStatefulSetStatus(t *testing.T) {
	sts := func(gen int64, replicas int32, partition *int32, st appsv1.StatefulSetStatus) *appsv1.StatefulSet {
		s := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Generation: gen}, Spec: appsv1.StatefulSetSpec{Replicas: i32(replicas)}, Status: st}
		s.Spec.UpdateStrategy.Type = appsv1.RollingUpdateStatefulSetStrategyType
		if partition != nil {
			s.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{Partition: partition}
		}
		return s
	}
	onDelete := sts(1, 3, nil, appsv1.StatefulSetStatus{})
	onDelete.Spec.UpdateStrategy.Type = appsv1.OnDeleteStatefulSetStrategyType
	tests := []struct {
		name string
		s    *appsv1.StatefulSet
		done bool
		want string
	}{
		{"on delete", onDelete, true, "OnDelete update strategy"},
		{"never observed", sts(1, 3, nil, appsv1.StatefulSetStatus{}), false, "spec update to be observed"},
		{"not ready", sts(1, 3, nil, appsv1.StatefulSetStatus{ObservedGeneration: 1, ReadyReplicas: 2}), false, "2 of 3 pods are ready"},
		{"partition pending", sts(1, 3, i32(1), appsv1.StatefulSetStatus{ObservedGeneration: 1, ReadyReplicas: 3, UpdatedReplicas: 1}), false, "1 out of 2 new pods"},
		{"partition done", sts(1, 3, i32(1), appsv1.StatefulSetStatus{ObservedGeneration: 1, ReadyReplicas: 3, UpdatedReplicas: 2}), true, "partitioned roll out complete"},
		{"revision differs", sts(1, 3, nil, appsv1.StatefulSetStatus{ObservedGeneration: 1, ReadyReplicas: 3, UpdatedReplicas: 1, CurrentRevision: "db-1", UpdateRevision: "db-2"}), false, "rolling update to complete"},
		{"done", sts(1, 3, nil, appsv1.StatefulSetStatus{ObservedGeneration: 1, ReadyReplicas: 3, CurrentReplicas: 3, CurrentRevision: "db-2", UpdateRevision: "db-2"}), true, "rolling update complete: 3 pods at revision db-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StatefulSetStatus(tt.s)
			if got.Done != tt.done || !strings.Contains(got.Message, tt.want) {
				t.Errorf("got %+v, want done=%v message containing %q", got, tt.done, tt.want)
			}
		})
	}
}

func TestDaemonSetStatus(t *testing.T) {
	ds := func(gen, observed int64, st appsv1.DaemonSetStatus) *appsv1.DaemonSet {
		st.ObservedGeneration = observed
		d := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Generation: gen}, Status: st}
		d.Spec.UpdateStrategy.Type = appsv1.RollingUpdateDaemonSetStrategyType
		return d
	}
	tests := []struct {
		name string
		d    *appsv1.DaemonSet
		done bool
		want string
	}{
		{"not observed", ds(2, 1, appsv1.DaemonSetStatus{}), false, "spec update to be observed"},
		{"updating", ds(1, 1, appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, UpdatedNumberScheduled: 1}), false, "1 out of 3 new pods"},
		{"unavailable", ds(1, 1, appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 2}), false, "2 of 3 updated pods are available"},
		{"done", ds(1, 1, appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 3}), true, "successfully rolled out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DaemonSetStatus(tt.d)
			if got.Done != tt.done || !strings.Contains(got.Message, tt.want) {
				t.Errorf("got %+v, want done=%v message containing %q", got, tt.done, tt.want)
			}
		})
	}
}
