package generate

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ContainerSecurity is the hardening of every generated container: non-root
// as user:group, no privilege or escalation, read-only root filesystem, all
// capabilities dropped, the runtime's default seccomp profile.
func ContainerSecurity(user, group int64) *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsNonRoot:             ptr(true),
		RunAsUser:                ptr(user),
		RunAsGroup:               ptr(group),
		Privileged:               ptr(false),
		AllowPrivilegeEscalation: ptr(false),
		ReadOnlyRootFilesystem:   ptr(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// PodSecurity is the pod-level half of the same hardening.
func PodSecurity(user, group int64) *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr(true),
		RunAsUser:      ptr(user),
		RunAsGroup:     ptr(group),
		FSGroup:        ptr(group),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// TmpVolume is the writable /tmp of a read-only container: a size-limited
// emptyDir, and its mount.
func TmpVolume() (corev1.Volume, corev1.VolumeMount) {
	return corev1.Volume{Name: tmpVolumeName, VolumeSource: corev1.VolumeSource{
			EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse(tmpSizeLimit))}}},
		corev1.VolumeMount{Name: tmpVolumeName, MountPath: "/tmp"}
}
