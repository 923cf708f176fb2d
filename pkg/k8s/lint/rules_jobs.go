package lint

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/slimship/slimship/pkg/finding"
)

// jobRules check CronJobs.
func jobRules() []Rule {
	return []Rule{
		cronJobCheck(kubeScore(finding.Spec{ID: "cronjob-has-deadline", Severity: sevE, Category: finding.Correctness,
			Description: "CronJobs set startingDeadlineSeconds",
			Remediation: "Set spec.startingDeadlineSeconds on the CronJob."}),
			checkCronDeadline),
		cronJobCheck(kubeScore(finding.Spec{ID: "cronjob-restartpolicy", Severity: sevE, Category: finding.Correctness,
			Description: "CronJob pods set restartPolicy Never or OnFailure",
			Remediation: "Set the job template's restartPolicy to Never or OnFailure."}),
			checkCronRestart),
	}
}

func checkCronDeadline(_ *Context, _ *Object, w *Workload, r *Reporter) {
	if w.StartingDeadline == nil {
		r.Report([]any{"spec"}, "CronJob has no startingDeadlineSeconds: missed runs may pile up")
	}
}

func checkCronRestart(_ *Context, _ *Object, w *Workload, r *Reporter) {
	p := w.Template.Spec.RestartPolicy
	if p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
		r.Report(w.Path("spec"), "CronJob pods have restartPolicy %q; use Never or OnFailure", orUnset(string(p)))
	}
}
