package lint

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	corev1 "k8s.io/api/core/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// imageRules check containers' image references and pull policies.
func imageRules() []Rule {
	return []Rule{
		containerCheck(kubeScore(finding.Spec{ID: "container-image-tag", Severity: sevE, Category: finding.Correctness,
			Description: "Images use an explicit tag other than latest",
			Remediation: "Pin the image to a version tag or a digest (image: registry/app:1.4.2 or app@sha256:...)."}),
			checkImageTag),
		containerCheck(kubeScore(finding.Spec{ID: "container-image-pull-policy", Severity: sevE, Category: finding.Security,
			Description: "imagePullPolicy is Always, so imagePullSecrets are always checked",
			Remediation: "Set imagePullPolicy: Always on the container."}),
			checkPullPolicy),
	}
}

// imagePinned reads an image reference as go-containerregistry does (the
// registry and repository syntax of the distribution spec; no tag means
// latest) and reports whether it names a digest or a tag other than latest.
// A reference it cannot read pins nothing: kube-score reads it as one
// without a tag, and so do both checks here.
func imagePinned(image string) (bool, error) {
	// name.ParseReference tries a tag first, then a digest; only a
	// reference with an @ can be a digest, so each goes straight to its
	// reader (saving a failed parse of every digest).
	if strings.IndexByte(image, '@') >= 0 {
		_, err := name.NewDigest(image)
		return err == nil, err
	}
	tag, err := name.NewTag(image)
	if err != nil {
		return false, err
	}
	return tag.TagStr() != "latest", nil
}

// imageRead is imagePinned's answer for one container.
type imageRead struct {
	done, pinned bool
	err          error
}

// ImagePinned is imagePinned of the container's image, read once.
func (c ContainerRef) ImagePinned() (bool, error) {
	m := c.image
	if m == nil {
		return imagePinned(c.C.Image)
	}
	if !m.done {
		m.pinned, m.err = imagePinned(c.C.Image)
		m.done = true
	}
	return m.pinned, m.err
}

func checkImageTag(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
	pinned, err := c.ImagePinned()
	switch {
	case err != nil && c.C.Image != "":
		r.Report(c.At("image"), "container %q: image %q is not a valid image reference (%v); pin a version or digest", c.C.Name, c.C.Image, err)
	case !pinned:
		r.Report(c.At("image"), "container %q: image %q has no tag or uses latest; pin a version or digest", c.C.Name, c.C.Image)
	}
}

func checkPullPolicy(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
	p := c.C.ImagePullPolicy
	if p == "" {
		if pinned, _ := c.ImagePinned(); !pinned {
			return // Kubernetes defaults to Always
		}
	}
	if p != corev1.PullAlways {
		r.Report(c.At("imagePullPolicy"), "container %q: imagePullPolicy is %q, not Always", c.C.Name, orUnset(string(p)))
	}
}

// orUnset names an empty field's value.
func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}
