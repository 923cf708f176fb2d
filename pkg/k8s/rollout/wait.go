package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// Workload names a Deployment, StatefulSet or DaemonSet.
type Workload struct {
	Kind      string // Deployment, StatefulSet or DaemonSet
	Namespace string
	Name      string
}

func (w Workload) String() string {
	return strings.ToLower(w.Kind) + ".apps/" + w.Name
}

// Followed reports whether kind (in group apps) has a rollout to wait for.
func Followed(group, kind string) bool {
	if group != appsv1.GroupName {
		return false
	}
	switch kind {
	case "Deployment", "StatefulSet", "DaemonSet":
		return true
	}
	return false
}

// Error is a failed or timed-out rollout, with what explains it.
type Error struct {
	Workload Workload
	// Condition is why the rollout is considered failed: the controller's
	// ProgressDeadlineExceeded, or the deadline passing while waiting.
	Condition string
	// Conditions are the workload's unhealthy conditions
	// ("Available=False MinimumReplicasUnavailable: ...").
	Conditions []string
	// Causes are the pods' and replica sets' failing conditions, waiting
	// container states and warning events, deduplicated
	// ("pod web-5d9c-x: FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu.").
	Causes []string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: rollout failed: %s", e.Workload, e.Condition)
	for _, c := range e.Conditions {
		fmt.Fprintf(&b, "\n  condition %s", c)
	}
	for _, c := range e.Causes {
		fmt.Fprintf(&b, "\n  %s", c)
	}
	return b.String()
}

// Waiter waits for rollouts to finish.
type Waiter struct {
	Client dynamic.Interface
	// Interval between polls (default 1s).
	Interval time.Duration
	// Progress, when set, receives each new status message.
	Progress func(w Workload, message string)
}

// Wait polls w until its rollout is done, fails, or ctx ends. A failure or
// a ctx deadline returns an *Error naming the failing condition and the
// pods' events; a cancelled ctx returns ctx.Err().
func (wt *Waiter) Wait(ctx context.Context, w Workload) error {
	interval := wt.Interval
	if interval <= 0 {
		interval = time.Second
	}
	last := ""
	var lastObj any
	for {
		st, obj, err := wt.status(ctx, w)
		if err != nil {
			if ctx.Err() != nil {
				return wt.timedOut(ctx, w, last, lastObj)
			}
			return fmt.Errorf("%s: %w", w, err)
		}
		lastObj = obj
		if st.Message != last && wt.Progress != nil {
			wt.Progress(w, st.Message)
		}
		last = st.Message
		if st.Done {
			return nil
		}
		if st.Failed {
			return wt.explain(ctx, w, st.Message, obj)
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return wt.timedOut(ctx, w, last, lastObj)
		case <-t.C:
		}
	}
}

func (wt *Waiter) timedOut(ctx context.Context, w Workload, last string, obj any) error {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ctx.Err()
	}
	cond := "deadline passed"
	if last != "" {
		cond += " while " + last
	}
	// Diagnose with a fresh, short context: ctx is over.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return wt.explain(dctx, w, cond, obj)
}

func (wt *Waiter) status(ctx context.Context, w Workload) (Status, any, error) {
	switch w.Kind {
	case "Deployment":
		d, err := get[appsv1.Deployment](ctx, wt.Client, deployments, w.Namespace, w.Name)
		if err != nil {
			return Status{}, nil, err
		}
		return DeploymentStatus(d), d, nil
	case "StatefulSet":
		s, err := get[appsv1.StatefulSet](ctx, wt.Client, statefulSets, w.Namespace, w.Name)
		if err != nil {
			return Status{}, nil, err
		}
		return StatefulSetStatus(s), s, nil
	case "DaemonSet":
		d, err := get[appsv1.DaemonSet](ctx, wt.Client, daemonSets, w.Namespace, w.Name)
		if err != nil {
			return Status{}, nil, err
		}
		return DaemonSetStatus(d), d, nil
	}
	return Status{}, nil, fmt.Errorf("no rollout to follow for kind %s", w.Kind)
}

// explain builds the *Error for w from the workload's last seen object:
// its unhealthy conditions and the causes found in its pods and events.
func (wt *Waiter) explain(ctx context.Context, w Workload, condition string, obj any) error {
	e := &Error{Workload: w, Condition: condition}
	var sel *metav1.LabelSelector
	var uid types.UID
	switch o := obj.(type) {
	case *appsv1.Deployment:
		sel, uid = o.Spec.Selector, o.UID
		for _, c := range o.Status.Conditions {
			if c.Status != corev1.ConditionTrue || c.Type == appsv1.DeploymentReplicaFailure || c.Reason == ReasonProgressDeadlineExceeded {
				e.Conditions = append(e.Conditions, fmt.Sprintf("%s=%s %s: %s", c.Type, c.Status, c.Reason, c.Message))
			}
		}
	case *appsv1.StatefulSet:
		sel, uid = o.Spec.Selector, o.UID
		for _, c := range o.Status.Conditions {
			e.Conditions = append(e.Conditions, fmt.Sprintf("%s=%s %s: %s", c.Type, c.Status, c.Reason, c.Message))
		}
	case *appsv1.DaemonSet:
		sel, uid = o.Spec.Selector, o.UID
		for _, c := range o.Status.Conditions {
			e.Conditions = append(e.Conditions, fmt.Sprintf("%s=%s %s: %s", c.Type, c.Status, c.Reason, c.Message))
		}
	}
	e.Causes = Diagnose(ctx, wt.Client, w, sel, uid)
	return e
}

// Diagnose lists why the pods of a workload (selected by sel) are not
// ready: unschedulable or failed pod conditions, waiting or crashed
// containers, and warning events of the pods, the workload's replica sets
// and the workload itself. Lookup errors are reported as causes too.
func Diagnose(ctx context.Context, c dynamic.Interface, w Workload, sel *metav1.LabelSelector, owner types.UID) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	// warnings adds the warning events of one object and returns their
	// messages.
	warnings := func(kind, name string) map[string]bool {
		msgs := map[string]bool{}
		evs, err := list[corev1.Event](ctx, c, events, w.Namespace, metav1.ListOptions{
			FieldSelector: "involvedObject.kind=" + kind + ",involvedObject.name=" + name + ",type=" + corev1.EventTypeWarning,
		})
		if err != nil {
			add(fmt.Sprintf("cannot list events of %s %s: %v", strings.ToLower(kind), name, err))
			return msgs
		}
		for _, ev := range evs {
			if ev.Type != corev1.EventTypeWarning { // fakes ignore field selectors
				continue
			}
			if ev.InvolvedObject.Kind != kind || ev.InvolvedObject.Name != name {
				continue
			}
			msgs[strings.TrimSpace(ev.Message)] = true
			add(fmt.Sprintf("%s %s: event %s: %s", strings.ToLower(kind), name, ev.Reason, strings.TrimSpace(ev.Message)))
		}
		return msgs
	}
	warnings(w.Kind, w.Name)
	if sel == nil {
		return out
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || s.Empty() {
		return out
	}
	if w.Kind == "Deployment" {
		rss, err := list[appsv1.ReplicaSet](ctx, c, replicaSets, w.Namespace, metav1.ListOptions{LabelSelector: s.String()})
		if err == nil {
			for i := range rss {
				if isOwnedBy(rss[i].OwnerReferences, owner) {
					warnings("ReplicaSet", rss[i].Name)
				}
			}
		}
	}
	ps, err := list[corev1.Pod](ctx, c, pods, w.Namespace, metav1.ListOptions{LabelSelector: s.String()})
	if err != nil {
		add(fmt.Sprintf("cannot list pods: %v", err))
		return out
	}
	for i := range ps {
		p := &ps[i]
		if p.DeletionTimestamp != nil || (podReady(p) && p.Status.Phase == corev1.PodRunning) {
			continue
		}
		// Events first: a pod condition that repeats an event's message
		// (the scheduler writes both) is left out.
		said := warnings("Pod", p.Name)
		for _, line := range podProblems(p, said) {
			add("pod " + p.Name + ": " + line)
		}
	}
	return out
}

func isOwnedBy(refs []metav1.OwnerReference, uid types.UID) bool {
	if uid == "" {
		return true
	}
	for _, r := range refs {
		if r.UID == uid {
			return true
		}
	}
	return false
}

// podProblems says what keeps p from being ready, from its status alone,
// leaving out conditions whose message is in said.
func podProblems(p *corev1.Pod, said map[string]bool) []string {
	var out []string
	for _, c := range p.Status.Conditions {
		if said[strings.TrimSpace(c.Message)] {
			continue
		}
		if c.Status == corev1.ConditionFalse && c.Reason != "" && c.Reason != "ContainersNotReady" && c.Reason != "PodCompleted" {
			out = append(out, fmt.Sprintf("%s=False %s: %s", c.Type, c.Reason, c.Message))
		}
	}
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		if st := cs.State.Waiting; st != nil && st.Reason != "" && st.Reason != "ContainerCreating" && st.Reason != "PodInitializing" {
			out = append(out, fmt.Sprintf("container %s waiting: %s: %s", cs.Name, st.Reason, st.Message))
		}
		if st := cs.State.Terminated; st != nil && st.ExitCode != 0 {
			out = append(out, fmt.Sprintf("container %s terminated: %s (exit code %d): %s", cs.Name, st.Reason, st.ExitCode, st.Message))
		} else if st := cs.LastTerminationState.Terminated; st != nil && st.ExitCode != 0 && cs.RestartCount > 0 {
			out = append(out, fmt.Sprintf("container %s restarted %d times, last exit: %s (exit code %d)", cs.Name, cs.RestartCount, st.Reason, st.ExitCode))
		}
	}
	if len(out) == 0 && len(said) == 0 && p.Status.Phase == corev1.PodPending {
		out = append(out, "pending")
	}
	return out
}

// selectorString is a label selector's string form ("" when invalid).
func selectorString(sel *metav1.LabelSelector) string {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || s.Empty() {
		return labels.Nothing().String()
	}
	return s.String()
}
