package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// stuck is a Deployment whose new pod cannot be scheduled, with the
// objects the controllers and the scheduler would have made.
func stuck(deadlineExceeded bool) []runtime.Object {
	d := deployment("web:2", 2)
	d.Generation, d.Status = 2, appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 1, AvailableReplicas: 2,
		Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "ReplicaSetUpdated"},
		}}
	if deadlineExceeded {
		d.Status.Conditions[1] = appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse,
			Reason: ReasonProgressDeadlineExceeded, Message: `ReplicaSet "web-b" has timed out progressing.`}
	}
	rs := replicaSet(d, "b", "web:2", 2, true)
	pending := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-b-1", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
			Message: "0/1 nodes are available: 1 Insufficient cpu.",
		}}},
	}
	running := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-a-1", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	ev := func(name, kind, obj, typ, reason, msg string) *corev1.Event {
		return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			InvolvedObject: corev1.ObjectReference{Kind: kind, Name: obj, Namespace: "default"}, Type: typ, Reason: reason, Message: msg}
	}
	return []runtime.Object{d, rs, pending, running,
		ev("e1", "Pod", "web-b-1", corev1.EventTypeWarning, "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."),
		ev("e2", "Pod", "web-b-1", corev1.EventTypeNormal, "Scheduled", "should not be shown"),
		ev("e3", "Pod", "web-a-1", corev1.EventTypeWarning, "Unhealthy", "ready pods are not diagnosed"),
		ev("e4", "ReplicaSet", "web-b", corev1.EventTypeWarning, "FailedCreate", "quota exceeded"),
	}
}

func TestWaitDone(t *testing.T) {
	d := deployment("web:1", 1)
	d.Generation, d.Status = 1, appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, AvailableReplicas: 2}
	var progress []string
	w := &Waiter{Client: fakeClient(d), Interval: time.Millisecond,
		Progress: func(_ Workload, m string) { progress = append(progress, m) }}
	if err := w.Wait(context.Background(), Workload{Kind: "Deployment", Namespace: "default", Name: "web"}); err != nil {
		t.Fatal(err)
	}
	if len(progress) != 1 || !strings.Contains(progress[0], "successfully rolled out") {
		t.Errorf("progress = %q", progress)
	}
}

func TestWaitFailures(t *testing.T) {
	wl := Workload{Kind: "Deployment", Namespace: "default", Name: "web"}
	tests := []struct {
		name     string
		deadline bool
		timeout  time.Duration
		want     []string
	}{
		{"progress deadline exceeded", true, time.Minute, []string{
			`deployment.apps/web: rollout failed: deployment "web" exceeded its progress deadline`,
			"condition Progressing=False ProgressDeadlineExceeded",
		}},
		{"timeout", false, 50 * time.Millisecond, []string{
			`rollout failed: deadline passed while waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &Waiter{Client: fakeClient(stuck(tt.deadline)...), Interval: 10 * time.Millisecond}
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			err := w.Wait(ctx, wl)
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *Error", err)
			}
			msg := err.Error()
			want := append(tt.want,
				"pod web-b-1: PodScheduled=False Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.",
				"pod web-b-1: event FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu.",
				"replicaset web-b: event FailedCreate: quota exceeded")
			for _, s := range want {
				if !strings.Contains(msg, s) {
					t.Errorf("error lacks %q:\n%s", s, msg)
				}
			}
			for _, s := range []string{"should not be shown", "ready pods are not diagnosed"} {
				if strings.Contains(msg, s) {
					t.Errorf("error has %q:\n%s", s, msg)
				}
			}
		})
	}
}

func TestWaitCancelled(t *testing.T) {
	w := &Waiter{Client: fakeClient(stuck(false)...), Interval: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	if err := w.Wait(ctx, Workload{Kind: "Deployment", Namespace: "default", Name: "web"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestWaitNotFound(t *testing.T) {
	w := &Waiter{Client: fakeClient()}
	err := w.Wait(context.Background(), Workload{Kind: "Deployment", Namespace: "default", Name: "nope"})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("err = %v", err)
	}
}

func TestPodProblems(t *testing.T) {
	p := &corev1.Pod{Status: corev1.PodStatus{
		Phase: corev1.PodRunning,
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady"},
		},
		ContainerStatuses: []corev1.ContainerStatus{
			{Name: "app", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: `Back-off pulling image "nope:1"`}}},
			{Name: "side", RestartCount: 3, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 40s"}},
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 2}}},
		},
	}}
	got := strings.Join(podProblems(p, nil), "\n")
	for _, s := range []string{
		`container app waiting: ImagePullBackOff: Back-off pulling image "nope:1"`,
		"container side waiting: CrashLoopBackOff: back-off 40s",
		"container side restarted 3 times, last exit: Error (exit code 2)",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("lacks %q:\n%s", s, got)
		}
	}
	if strings.Contains(got, "ContainersNotReady") {
		t.Errorf("ContainersNotReady is noise:\n%s", got)
	}
}

func TestPodProblemsSkipsWhatEventsSaid(t *testing.T) {
	p := &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient cpu.",
	}}}}
	if got := podProblems(p, map[string]bool{"0/1 nodes are available: 1 Insufficient cpu.": true}); len(got) != 0 {
		t.Errorf("got %q, want nothing (the event said it)", got)
	}
	if got := podProblems(p, nil); len(got) != 1 || !strings.Contains(got[0], "PodScheduled=False Unschedulable") {
		t.Errorf("got %q", got)
	}
}

func TestSummarize(t *testing.T) {
	objs := stuck(false)
	hpaMin := int32(2)
	objs = append(objs, hpa("web", "Deployment", &hpaMin, 2, 3), hpa("other", "Deployment", nil, 1, 1))
	sums, err := Summarize(context.Background(), fakeClient(objs...), "default", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 {
		t.Fatalf("got %d summaries", len(sums))
	}
	s := sums[0]
	if s.Revision != 2 || s.Desired != 2 || s.Updated != 1 || len(s.ReplicaSets) != 1 || s.ReplicaSets[0].Images[0] != "web:2" {
		t.Errorf("summary = %+v", s)
	}
	if len(s.HPAs) != 1 || s.HPAs[0].CurrentReplicas != 2 || s.HPAs[0].DesiredReplicas != 3 || s.HPAs[0].MinReplicas != 2 {
		t.Errorf("HPAs = %+v", s.HPAs)
	}
}

func hpa(target, kind string, min *int32, current, desired int32) *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: target, Namespace: "default"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: kind, Name: target, APIVersion: "apps/v1"},
			MinReplicas:    min, MaxReplicas: 10,
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: current, DesiredReplicas: desired},
	}
}
