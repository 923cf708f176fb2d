package lint

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/slimship/slimship/pkg/finding"
)

// apiRules check what the API server accepts and keeps serving:
// apiVersions, deprecated fields, label values.
func apiRules() []Rule {
	return []Rule{
		objectCheck(kubeScore(finding.Spec{ID: "stable-version", Severity: sevW, Category: finding.Maintainability,
			Description: "Objects use a stable apiVersion",
			Remediation: "Change apiVersion to the stable version the finding names."}),
			checkStableVersion),
		objectCheck(finding.Spec{ID: "deprecated-api-version", Severity: sevW, Category: finding.Maintainability,
			Description: "Objects do not use apiVersions removed from current Kubernetes",
			Remediation: "Change apiVersion to the served version the finding names, and convert the fields that changed."},
			checkRemovedAPI),
		objectCheck(kubeLinter(finding.Spec{ID: "no-extensions-v1beta", Severity: sevW, Category: finding.Maintainability,
			Description: "Objects do not use the removed extensions/v1beta* APIs",
			Remediation: "Move the object to apps/v1 or networking.k8s.io/v1."}),
			checkNoExtensions),
		podCheck(kubeLinter(finding.Spec{ID: "deprecated-service-account-field", Severity: sevW, Category: finding.Maintainability,
			Description: "Pods use serviceAccountName, not the deprecated serviceAccount",
			Remediation: "Rename the pod's serviceAccount field to serviceAccountName."}),
			checkDeprecatedSAField),
		objectCheck(kubeScore(finding.Spec{ID: "label-values", Severity: sevE, Category: finding.Correctness,
			Description: "Label values are valid",
			Remediation: "Shorten the label value to 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit."}),
			checkLabelValues),
	}
}

// stableAPIs is kube-score's table of deprecated apiVersions and their
// replacements.
var stableAPIs = map[string]map[string]string{
	"extensions/v1beta1":        {"Deployment": "apps/v1", "DaemonSet": "apps/v1", "Ingress": "networking.k8s.io/v1", "IngressClass": "networking.k8s.io/v1"},
	"apps/v1beta1":              {"Deployment": "apps/v1", "StatefulSet": "apps/v1"},
	"apps/v1beta2":              {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1"},
	"batch/v1beta1":             {"CronJob": "batch/v1"},
	"policy/v1beta1":            {"PodDisruptionBudget": "policy/v1"},
	"networking.k8s.io/v1beta1": {"Ingress": "networking.k8s.io/v1", "IngressClass": "networking.k8s.io/v1"},
}

func checkStableVersion(_ *Context, o *Object, r *Reporter) {
	if repl, ok := stableAPIs[o.APIVersion][o.Kind]; ok {
		r.Report([]any{"apiVersion"}, "%s %s is deprecated; use %s", o.APIVersion, o.Kind, repl)
	}
}

// removedAPIs are apiVersions no longer served, beyond kube-score's table.
var removedAPIs = map[string]string{
	"autoscaling/v2beta1":                  "autoscaling/v2",
	"autoscaling/v2beta2":                  "autoscaling/v2",
	"rbac.authorization.k8s.io/v1beta1":    "rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1alpha1":   "rbac.authorization.k8s.io/v1",
	"apiextensions.k8s.io/v1beta1":         "apiextensions.k8s.io/v1",
	"admissionregistration.k8s.io/v1beta1": "admissionregistration.k8s.io/v1",
	"storage.k8s.io/v1beta1":               "storage.k8s.io/v1",
	"scheduling.k8s.io/v1beta1":            "scheduling.k8s.io/v1",
	"discovery.k8s.io/v1beta1":             "discovery.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1beta3": "flowcontrol.apiserver.k8s.io/v1",
}

func checkRemovedAPI(_ *Context, o *Object, r *Reporter) {
	if o.APIVersion == "policy/v1beta1" && o.Kind == "PodSecurityPolicy" {
		r.Report([]any{"apiVersion"}, "PodSecurityPolicy was removed in Kubernetes 1.25; use Pod Security Admission")
		return
	}
	if repl, ok := removedAPIs[o.APIVersion]; ok {
		r.Report([]any{"apiVersion"}, "%s is no longer served; use %s", o.APIVersion, repl)
	}
}

func checkNoExtensions(_ *Context, o *Object, r *Reporter) {
	if strings.HasPrefix(o.APIVersion, "extensions/v1beta") {
		r.Report([]any{"apiVersion"}, "%s was removed in Kubernetes 1.16/1.22", o.APIVersion)
	}
}

func checkDeprecatedSAField(_ *Context, _ *Object, w *Workload, r *Reporter) {
	if w.Template.Spec.DeprecatedServiceAccount != "" {
		r.Report(w.Path("spec", "serviceAccount"), "serviceAccount is deprecated; use serviceAccountName")
	}
}

func checkLabelValues(_ *Context, o *Object, r *Reporter) {
	var bad []string
	for k, v := range o.Meta.Labels {
		if len(validation.IsValidLabelValue(v)) > 0 {
			bad = append(bad, k)
		}
	}
	slices.Sort(bad) // labels on one line are reported in key order
	for _, k := range bad {
		r.Report([]any{"metadata", "labels", k}, "label %s has an invalid value %q", k, o.Meta.Labels[k])
	}
}
