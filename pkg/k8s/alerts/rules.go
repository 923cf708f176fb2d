package alerts

import (
	"errors"
	"fmt"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Target is the app the rules watch: a Deployment named Name whose pods
// run one container named Name (as `slimship k8s generate` writes it).
type Target struct {
	Name      string
	Namespace string
	// Labels are the PrometheusRule's own labels.
	Labels map[string]string
	// Liveness: the container has a liveness probe (else no probe alert).
	Liveness bool
}

// Severities, as kube-prometheus and Alertmanager routes spell them.
const (
	Warning  = "warning"
	Critical = "critical"
)

// RunbookAnnotation is the annotation naming the command that explains an
// alert.
const RunbookAnnotation = "runbook"

// burnWindows are the SRE workbook's multi-window multi-burn-rate alerts
// for a 30-day SLO (chapter 5, table 5-8): the long window, the short one
// (1/12 of it) and the burn rate, grouped into a fast alert (pages: 2% of
// the budget spent in an hour, 5% in six hours) and a slow one (tickets:
// 10% in a day, 10% in three days).
var burnWindows = []struct {
	long, short string
	factor      float64
	severity    string
}{
	{"1h", "5m", 14.4, Critical},
	{"6h", "30m", 6, Critical},
	{"1d", "2h", 3, Warning},
	{"3d", "6h", 1, Warning},
}

// ErrorRatioRecord is the name of the recorded error ratio over window.
func ErrorRatioRecord(window string) string { return "slimship:request_error_ratio:rate" + window }

// rule is one alerting or recording rule before parsing.
type rule struct {
	alert, record string
	expr          string
	forDur        string
	severity      string
	labels        map[string]string
	summary, desc string
}

// Build returns the PrometheusRule of a completed, valid Config for t.
// Every expression is parsed by Prometheus's PromQL parser; one that does
// not parse is an error (a bug here, or a matcher the parser refuses).
func Build(t Target, c Config) (*monitoringv1.PrometheusRule, error) {
	var errs []error
	c.Validate(func(key, format string, v ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, v...)))
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	runbook := "slimship k8s status " + t.Name
	if t.Namespace != "" {
		runbook += " -n " + t.Namespace
	}
	groups := []struct {
		name  string
		rules []rule
	}{
		{"slimship." + t.Name + ".slo", recordings(t, c)},
		{"slimship." + t.Name, alertRules(t, c)},
	}
	pr := &monitoringv1.PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: monitoringv1.PrometheusRuleKind},
		ObjectMeta: metav1.ObjectMeta{Name: t.Name, Namespace: t.Namespace, Labels: t.Labels},
	}
	for _, g := range groups {
		if len(g.rules) == 0 {
			continue
		}
		rg := monitoringv1.RuleGroup{Name: g.name}
		for _, r := range g.rules {
			expr, err := Parse(r.expr)
			if err != nil {
				return nil, fmt.Errorf("%s%s: %w", r.alert, r.record, err)
			}
			out := monitoringv1.Rule{Alert: r.alert, Record: r.record, Expr: intstr.FromString(expr), Labels: r.labels}
			if r.alert != "" {
				out.Labels = map[string]string{"severity": r.severity}
				out.Annotations = map[string]string{
					"summary":         r.summary,
					"description":     r.desc,
					RunbookAnnotation: runbook,
				}
			}
			if r.forDur != "" {
				d := monitoringv1.Duration(promDuration(r.forDur))
				out.For = &d
			}
			rg.Rules = append(rg.Rules, out)
		}
		pr.Spec.Groups = append(pr.Spec.Groups, rg)
	}
	return pr, nil
}

// podRegexp matches the pods of Deployment name: name-<template hash>-<suffix>
// (a longer Deployment name such as name-api has one more dash and is not
// matched).
func podRegexp(name string) string { return name + "-[a-z0-9]+-[a-z0-9]+" }

// alertRules are the alerts on the app's containers, pods, nodes and
// Deployment, then its SLOs.
func alertRules(t Target, c Config) []rule {
	ns := eq("namespace", t.Namespace)
	pod := re("pod", podRegexp(t.Name))
	ctr := eq("container", t.Name)
	app := t.Name
	if t.Namespace != "" {
		app = t.Namespace + "/" + t.Name
	}
	byCtr := "sum by (namespace, pod, container) "
	where := "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }}"

	var rs []rule
	add := func(r rule) { rs = append(rs, r) }
	add(rule{
		alert: "ContainerCPUNearLimit", severity: Warning, forDur: c.CPUFor,
		expr: byCtr + "(rate(" + selector("container_cpu_usage_seconds_total", ns, pod, ctr) + "[" + rateWindow + "]))" +
			" / " + byCtr + "(" + selector("kube_pod_container_resource_limits", ns, pod, ctr, `resource="cpu"`) + ")" +
			" > " + num(*c.CPU),
		summary: fmt.Sprintf("%s uses more than %s of its CPU limit", app, percent(*c.CPU)),
		desc: where + " has used {{ $value | humanizePercentage }} of its CPU limit for " + promDuration(c.CPUFor) +
			" (threshold " + percent(*c.CPU) + "). At the limit it is throttled: raise the CPU limit or add replicas.",
	})
	add(rule{
		alert: "ContainerMemoryNearLimit", severity: Warning, forDur: c.MemoryFor,
		expr: byCtr + "(" + selector("container_memory_working_set_bytes", ns, pod, ctr) + ")" +
			" / " + byCtr + "(" + selector("kube_pod_container_resource_limits", ns, pod, ctr, `resource="memory"`) + ")" +
			" > " + num(*c.Memory),
		summary: fmt.Sprintf("%s uses more than %s of its memory limit", app, percent(*c.Memory)),
		desc: where + " has used {{ $value | humanizePercentage }} of its memory limit (working set) for " + promDuration(c.MemoryFor) +
			" (threshold " + percent(*c.Memory) + "). At the limit it is OOM-killed: raise the memory limit or find the leak.",
	})
	if t.Liveness {
		live := selector("prober_probe_total", ns, pod, ctr, `probe_type="Liveness"`, `result="failed"`)
		all := selector("prober_probe_total", ns, pod, ctr, `probe_type="Liveness"`)
		add(rule{
			alert: "LivenessProbeFailing", severity: Warning, forDur: c.ProbeFor,
			expr: byCtr + "(rate(" + live + "[" + rateWindow + "]))" +
				" / " + byCtr + "(rate(" + all + "[" + rateWindow + "]))" +
				" > " + num(*c.ProbeFailures),
			summary: fmt.Sprintf("More than %s of %s's liveness probes fail", percent(*c.ProbeFailures), app),
			desc: "{{ $value | humanizePercentage }} of the liveness probes of " + strings.ToLower(where[:1]) + where[1:] +
				" failed over " + rateWindow + ", for " + promDuration(c.ProbeFor) + " (threshold " + percent(*c.ProbeFailures) +
				"). The kubelet restarts the container when they fail in a row.",
		})
	}
	add(rule{
		alert: "PodPending", severity: Warning, forDur: c.PendingFor,
		expr:    "sum by (namespace, pod) (" + selector("kube_pod_status_phase", ns, pod, `phase="Pending"`) + ") > 0",
		summary: fmt.Sprintf("A pod of %s has been Pending for more than %s", app, promDuration(c.PendingFor)),
		desc: "Pod {{ $labels.namespace }}/{{ $labels.pod }} has been Pending for more than " + promDuration(c.PendingFor) +
			": it cannot be scheduled (resources, affinity, taints, volumes) or its image cannot be pulled.",
	})
	add(rule{
		alert: "NodeNotReady", severity: Warning, forDur: c.NodeNotReadyFor,
		expr: `max by (node) (kube_node_status_condition{condition="Ready",status="true"}) == 0` +
			" and on (node) max by (node) (" + selector("kube_pod_info", ns, pod) + ")",
		summary: fmt.Sprintf("A node running %s has not been Ready for more than %s", app, promDuration(c.NodeNotReadyFor)),
		desc: "Node {{ $labels.node }}, which runs pods of " + app + ", has not been Ready for more than " + promDuration(c.NodeNotReadyFor) +
			": its pods are evicted and replaced elsewhere if capacity allows.",
	})
	add(rule{
		alert: "ContainerRestarting", severity: Warning,
		expr: byCtr + "(increase(" + selector("kube_pod_container_status_restarts_total", ns, pod, ctr) + "[" + promDuration(c.RestartsWindow) + "]))" +
			fmt.Sprintf(" >= %d", *c.Restarts),
		summary: fmt.Sprintf("A container of %s restarted %d times or more in %s", app, *c.Restarts, promDuration(c.RestartsWindow)),
		desc: where + fmt.Sprintf(` restarted {{ printf "%%.0f" $value }} times in %s (threshold %d): it crashes, is OOM-killed or fails its liveness probe.`,
			promDuration(c.RestartsWindow), *c.Restarts),
	})
	add(rule{
		alert: "PodCrashLooping", severity: Warning, forDur: c.CrashLoopFor,
		expr: "max by (namespace, pod, container) (max_over_time(" +
			selector("kube_pod_container_status_waiting_reason", ns, pod, ctr, `reason="CrashLoopBackOff"`) + "[5m])) >= 1",
		summary: fmt.Sprintf("A container of %s has been in CrashLoopBackOff for %s", app, promDuration(c.CrashLoopFor)),
		desc:    where + " has been waiting in CrashLoopBackOff for " + promDuration(c.CrashLoopFor) + ": it exits soon after each start.",
	})
	dep := eq("deployment", t.Name)
	add(rule{
		alert: "DeploymentReplicasUnavailable", severity: Warning, forDur: c.ReplicasFor,
		expr: "max by (namespace, deployment) (" + selector("kube_deployment_status_replicas_available", ns, dep) + ")" +
			" < max by (namespace, deployment) (" + selector("kube_deployment_spec_replicas", ns, dep) + ")",
		summary: fmt.Sprintf("Deployment %s has had fewer available replicas than desired for %s", app, promDuration(c.ReplicasFor)),
		desc: "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has had {{ $value }} available replicas, fewer than desired, for " +
			promDuration(c.ReplicasFor) + ".",
	})
	return append(rs, sloRules(t, c)...)
}

// sloSelector selects the app's own request series: by default its
// namespace and job (a ServiceMonitor of its Service sets job to the
// Service's name).
func sloSelector(t Target, c Config) []string {
	if c.SLOSelector != "" {
		return []string{c.SLOSelector}
	}
	return []string{eq("namespace", t.Namespace), eq("job", t.Name)}
}

// sloLabel tells this app's recorded error ratios from another's.
func sloLabel(t Target) string {
	if t.Namespace == "" {
		return t.Name
	}
	return t.Namespace + "/" + t.Name
}

// errorRatio is the share of requests that are errors over window.
func errorRatio(t Target, c Config, window string) string {
	sel := sloSelector(t, c)
	by := "sum by (namespace, job) "
	return by + "(rate(" + selector(c.SLORequests, append(sel, c.SLOErrors)...) + "[" + window + "]))" +
		" / " + by + "(rate(" + selector(c.SLORequests, sel...) + "[" + window + "]))"
}

// recordings are the error ratios over every window the burn-rate alerts
// read (with an availability target).
func recordings(t Target, c Config) []rule {
	if c.SLOAvailability == nil {
		return nil
	}
	seen := map[string]bool{}
	var rs []rule
	for _, w := range burnWindows {
		for _, win := range []string{w.short, w.long} {
			if seen[win] {
				continue
			}
			seen[win] = true
			rs = append(rs, rule{record: ErrorRatioRecord(win), expr: errorRatio(t, c, win),
				labels: map[string]string{"slo": sloLabel(t)}})
		}
	}
	return rs
}

func sloRules(t Target, c Config) []rule {
	app := sloLabel(t)
	var rs []rule
	if c.SLOAvailability != nil {
		budget := "(1 - " + num(*c.SLOAvailability) + ")"
		sel := "{" + eq("slo", sloLabel(t)) + "}"
		for _, sev := range []string{Critical, Warning} {
			var conds, spans []string
			for _, w := range burnWindows {
				if w.severity != sev {
					continue
				}
				limit := " > (" + num(w.factor) + " * " + budget + ")"
				conds = append(conds, "("+ErrorRatioRecord(w.long)+sel+limit+" and "+ErrorRatioRecord(w.short)+sel+limit+")")
				spans = append(spans, fmt.Sprintf("%sx over %s and %s", num(w.factor), w.long, w.short))
			}
			r := rule{alert: "ErrorBudgetBurnFast", severity: sev,
				expr:    strings.Join(conds, " or "),
				summary: fmt.Sprintf("%s is spending its error budget fast: at this rate the %s SLO is broken within days", app, percent(*c.SLOAvailability)),
			}
			if sev == Warning {
				r.alert = "ErrorBudgetBurnSlow"
				r.summary = fmt.Sprintf("%s is spending its error budget faster than the %s SLO allows over 30 days", app, percent(*c.SLOAvailability))
			}
			r.desc = "Job {{ $labels.job }} in {{ $labels.namespace }}: the ratio of " + c.SLORequests + " with " + c.SLOErrors +
				" burns the 30-day error budget (" + percent(1-*c.SLOAvailability) + " of requests) at " + strings.Join(spans, ", or ") + "."
			rs = append(rs, r)
		}
	}
	if c.SLOErrorRatio != nil {
		rs = append(rs, rule{
			alert: "HighErrorRatio", severity: Critical, forDur: c.SLOFor,
			expr:    errorRatio(t, c, rateWindow) + " > " + num(*c.SLOErrorRatio),
			summary: fmt.Sprintf("More than %s of %s's requests fail", percent(*c.SLOErrorRatio), app),
			desc: "{{ $value | humanizePercentage }} of the " + c.SLORequests + " of job {{ $labels.job }} in {{ $labels.namespace }} have had " +
				c.SLOErrors + " over " + rateWindow + ", for " + promDuration(c.SLOFor) + " (threshold " + percent(*c.SLOErrorRatio) + ").",
		})
	}
	if c.SLOLatency != "" {
		q := num(*c.SLOLatencyQuantile)
		d, _ := parseDuration(c.SLOLatency)
		sel := sloSelector(t, c)
		rs = append(rs, rule{
			alert: "HighLatency", severity: Warning, forDur: c.SLOFor,
			expr: "histogram_quantile(" + q + ", sum by (namespace, job, le) (rate(" +
				selector(c.SLOLatencyMetric+"_bucket", sel...) + "[" + rateWindow + "]))) > " + num(d.Seconds()),
			summary: fmt.Sprintf("The %s latency of %s is above %s", quantileName(*c.SLOLatencyQuantile), app, promDuration(c.SLOLatency)),
			desc: "The " + quantileName(*c.SLOLatencyQuantile) + " of " + c.SLOLatencyMetric + " of job {{ $labels.job }} in {{ $labels.namespace }} has been " +
				"{{ $value | humanizeDuration }} for " + promDuration(c.SLOFor) + " (threshold " + promDuration(c.SLOLatency) + ").",
		})
	}
	return rs
}

// quantileName prints 0.99 as p99 and 0.995 as p99.5.
func quantileName(q float64) string { return "p" + fmt.Sprintf("%.4g", q*100) }
