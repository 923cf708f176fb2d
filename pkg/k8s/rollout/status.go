// Package rollout follows, explains and undoes workload rollouts: the
// rollout status logic of `kubectl rollout status` as pure functions over
// Deployment, StatefulSet and DaemonSet objects, a waiter that polls them
// and, when a rollout fails, collects the pods' conditions and events that
// say why, and the `kubectl rollout undo` logic for Deployments.
package rollout

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// Status is where a rollout stands.
type Status struct {
	// Done is true once the rollout is complete.
	Done bool `json:"done"`
	// Failed is true when the controller gave up (a Deployment whose
	// Progressing condition has reason ProgressDeadlineExceeded).
	Failed bool `json:"failed,omitempty"`
	// Message says what the rollout is waiting for, or how it ended.
	Message string `json:"message"`
}

// Reasons of the Deployment Progressing condition (set by the deployment
// controller).
const (
	ReasonProgressDeadlineExceeded = "ProgressDeadlineExceeded"
	ReasonNewReplicaSetAvailable   = "NewReplicaSetAvailable"
)

// DeploymentStatus is the rollout status of d, as `kubectl rollout status`
// computes it: the controller must have observed the latest generation, all
// replicas must be updated, old replicas gone and updated replicas
// available; a Progressing condition with reason ProgressDeadlineExceeded
// is a failure.
func DeploymentStatus(d *appsv1.Deployment) Status {
	if d.Generation > d.Status.ObservedGeneration {
		return Status{Message: fmt.Sprintf("waiting for deployment %q spec update to be observed", d.Name)}
	}
	if c := DeploymentCondition(d, appsv1.DeploymentProgressing); c != nil && c.Reason == ReasonProgressDeadlineExceeded {
		return Status{Failed: true, Message: fmt.Sprintf("deployment %q exceeded its progress deadline: %s", d.Name, c.Message)}
	}
	s := d.Status
	if d.Spec.Replicas != nil && s.UpdatedReplicas < *d.Spec.Replicas {
		return Status{Message: fmt.Sprintf("waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated", d.Name, s.UpdatedReplicas, *d.Spec.Replicas)}
	}
	if s.Replicas > s.UpdatedReplicas {
		return Status{Message: fmt.Sprintf("waiting for deployment %q rollout to finish: %d old replicas are pending termination", d.Name, s.Replicas-s.UpdatedReplicas)}
	}
	if s.AvailableReplicas < s.UpdatedReplicas {
		return Status{Message: fmt.Sprintf("waiting for deployment %q rollout to finish: %d of %d updated replicas are available", d.Name, s.AvailableReplicas, s.UpdatedReplicas)}
	}
	return Status{Done: true, Message: fmt.Sprintf("deployment %q successfully rolled out", d.Name)}
}

// DeploymentCondition returns d's condition of type t, or nil.
func DeploymentCondition(d *appsv1.Deployment, t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == t {
			return &d.Status.Conditions[i]
		}
	}
	return nil
}

// StatefulSetStatus is the rollout status of s, as `kubectl rollout status`
// computes it. Only the RollingUpdate strategy has a rollout to follow; an
// OnDelete StatefulSet is reported done.
func StatefulSetStatus(s *appsv1.StatefulSet) Status {
	if s.Spec.UpdateStrategy.Type != "" && s.Spec.UpdateStrategy.Type != appsv1.RollingUpdateStatefulSetStrategyType {
		return Status{Done: true, Message: fmt.Sprintf("statefulset %q uses the %s update strategy: no rollout to follow", s.Name, s.Spec.UpdateStrategy.Type)}
	}
	st := s.Status
	if st.ObservedGeneration == 0 || s.Generation > st.ObservedGeneration {
		return Status{Message: fmt.Sprintf("waiting for statefulset %q spec update to be observed", s.Name)}
	}
	if s.Spec.Replicas != nil && st.ReadyReplicas < *s.Spec.Replicas {
		return Status{Message: fmt.Sprintf("waiting for statefulset %q: %d of %d pods are ready", s.Name, st.ReadyReplicas, *s.Spec.Replicas)}
	}
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil && *ru.Partition > 0 {
		if s.Spec.Replicas != nil && st.UpdatedReplicas < *s.Spec.Replicas-*ru.Partition {
			return Status{Message: fmt.Sprintf("waiting for statefulset %q partitioned roll out to finish: %d out of %d new pods have been updated", s.Name, st.UpdatedReplicas, *s.Spec.Replicas-*ru.Partition)}
		}
		return Status{Done: true, Message: fmt.Sprintf("statefulset %q partitioned roll out complete: %d new pods have been updated", s.Name, st.UpdatedReplicas)}
	}
	if st.UpdateRevision != st.CurrentRevision {
		return Status{Message: fmt.Sprintf("waiting for statefulset %q rolling update to complete: %d pods at revision %s", s.Name, st.UpdatedReplicas, st.UpdateRevision)}
	}
	return Status{Done: true, Message: fmt.Sprintf("statefulset %q rolling update complete: %d pods at revision %s", s.Name, st.CurrentReplicas, st.CurrentRevision)}
}

// DaemonSetStatus is the rollout status of d, as `kubectl rollout status`
// computes it. Only the RollingUpdate strategy has a rollout to follow.
func DaemonSetStatus(d *appsv1.DaemonSet) Status {
	if d.Spec.UpdateStrategy.Type != "" && d.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType {
		return Status{Done: true, Message: fmt.Sprintf("daemon set %q uses the %s update strategy: no rollout to follow", d.Name, d.Spec.UpdateStrategy.Type)}
	}
	if d.Generation > d.Status.ObservedGeneration {
		return Status{Message: fmt.Sprintf("waiting for daemon set %q spec update to be observed", d.Name)}
	}
	st := d.Status
	if st.UpdatedNumberScheduled < st.DesiredNumberScheduled {
		return Status{Message: fmt.Sprintf("waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated", d.Name, st.UpdatedNumberScheduled, st.DesiredNumberScheduled)}
	}
	if st.NumberAvailable < st.DesiredNumberScheduled {
		return Status{Message: fmt.Sprintf("waiting for daemon set %q rollout to finish: %d of %d updated pods are available", d.Name, st.NumberAvailable, st.DesiredNumberScheduled)}
	}
	return Status{Done: true, Message: fmt.Sprintf("daemon set %q successfully rolled out", d.Name)}
}

// podReady reports whether p's Ready condition is True.
func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
