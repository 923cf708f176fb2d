package lint

import (
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// Check reports on one object; it sees every object through c.
type Check func(c *Context, o *Object, r *Reporter)

// Rule is a Kubernetes rule and its check.
type Rule = finding.Checked[Check]

// All returns every rule, sorted by ID. The rules of each topic are listed
// in its rules_<topic>.go file. The slice is shared: do not modify it.
func All() []Rule { return allRules() }

var allRules = sync.OnceValue(func() []Rule {
	var out []Rule
	for _, topic := range [][]Rule{
		apiRules(), envRules(), imageRules(), inputRules(), jobRules(), networkRules(), probeRules(),
		resourceRules(), scalingRules(), schedulingRules(), securityRules(), workloadRules(),
	} {
		out = append(out, topic...)
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
})

// Rules returns the finding.Rule of every check, for `slimship rules`.
func Rules() []finding.Rule {
	var out []finding.Rule
	for _, r := range All() {
		out = append(out, r.Rule)
	}
	return out
}

const (
	sevE = finding.Error
	sevW = finding.Warning
	sevI = finding.Info
)

// Where borrowed checks are documented: kube-score in one table, kube-linter
// a page per check. slimship's own rules take finding.Define's default.
const (
	kubeScoreDocs  = "https://github.com/zegl/kube-score/blob/master/README_CHECKS.md"
	kubeLinterDocs = "https://docs.kubelinter.io/#/generated/checks?id="
)

// kubeScore marks a spec as kube-score's check (its name, its grades: a
// CRITICAL grade is an error, WARNING a warning).
func kubeScore(s finding.Spec) finding.Spec {
	s.DocsURL = kubeScoreDocs
	return s
}

// kubeLinter marks a spec as kube-linter's check, by its name.
func kubeLinter(s finding.Spec) finding.Spec {
	s.DocsURL = kubeLinterDocs + s.ID
	return s
}

// The check constructors below are the one place that dispatches on an
// object's kind: each hands its check the typed form it needs and skips
// every other object, so no check tests for nil or asserts a type.

// objectCheck runs check on every object with checks (any kind).
func objectCheck(s finding.Spec, check Check) Rule {
	return finding.With(finding.Define(finding.Kubernetes, s), check)
}

// podCheck runs check on every object with a pod template.
func podCheck(s finding.Spec, check func(c *Context, o *Object, w *Workload, r *Reporter)) Rule {
	return objectCheck(s, func(c *Context, o *Object, r *Reporter) {
		if o.Workload != nil {
			check(c, o, o.Workload, r)
		}
	})
}

// containerCheck runs check on every init container and container, in that
// order, of every pod template.
func containerCheck(s finding.Spec, check func(c *Context, o *Object, w *Workload, ct ContainerRef, r *Reporter)) Rule {
	return podCheck(s, func(c *Context, o *Object, w *Workload, r *Reporter) {
		for _, ct := range w.Containers() {
			check(c, o, w, ct, r)
		}
	})
}

// appsV1Check runs check on apps/v1 objects of one kind (Deployment or
// StatefulSet), as kube-score limits its checks of them.
func appsV1Check(kind string, s finding.Spec, check func(c *Context, o *Object, w *Workload, r *Reporter)) Rule {
	return podCheck(s, func(c *Context, o *Object, w *Workload, r *Reporter) {
		if o.Kind == kind && o.APIVersion == "apps/v1" {
			check(c, o, w, r)
		}
	})
}

// cronJobCheck runs check on CronJobs.
func cronJobCheck(s finding.Spec, check func(c *Context, o *Object, w *Workload, r *Reporter)) Rule {
	return podCheck(s, func(c *Context, o *Object, w *Workload, r *Reporter) {
		if w.IsCronJob {
			check(c, o, w, r)
		}
	})
}

// typedCheck runs check on objects whose typed form (Object.Typed) is a *T.
func typedCheck[T any](s finding.Spec, check func(c *Context, o *Object, t *T, r *Reporter)) Rule {
	return objectCheck(s, func(c *Context, o *Object, r *Reporter) {
		if t, ok := o.Typed.(*T); ok {
			check(c, o, t, r)
		}
	})
}

func serviceCheck(s finding.Spec, check func(c *Context, o *Object, svc *corev1.Service, r *Reporter)) Rule {
	return typedCheck(s, check)
}

func pdbCheck(s finding.Spec, check func(c *Context, o *Object, pdb *policyv1.PodDisruptionBudget, r *Reporter)) Rule {
	return typedCheck(s, check)
}

func networkPolicyCheck(s finding.Spec, check func(c *Context, o *Object, np *networkingv1.NetworkPolicy, r *Reporter)) Rule {
	return typedCheck(s, check)
}

func hpaCheck(s finding.Spec, check func(c *Context, o *Object, h *HPA, r *Reporter)) Rule {
	return typedCheck(s, check)
}

func ingressCheck(s finding.Spec, check func(c *Context, o *Object, ing *Ingress, r *Reporter)) Rule {
	return typedCheck(s, check)
}

func scaledObjectCheck(s finding.Spec, check func(c *Context, o *Object, so *ScaledObject, r *Reporter)) Rule {
	return typedCheck(s, check)
}
