package alerts

import (
	"math"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/prometheus/promql/parser"
)

func f64(v float64) *float64 { return &v }
func i32(v int32) *int32     { return &v }

// refusals collects what Validate refuses, by key.
func refusals(c Config) map[string]string {
	c.Complete()
	got := map[string]string{}
	c.Validate(func(key, format string, v ...any) {
		got[key] = format
	})
	return got
}

// TestValidateRefuses: a threshold outside (0,1], an SLO target outside
// (0,1), a duration of 0 or below or not a duration, a restart count below
// 1, a metric name or matchers Prometheus would not parse: each is refused
// under its own key.
func TestValidateRefuses(t *testing.T) {
	cases := []struct {
		name string
		c    Config
		key  string
	}{
		{"cpu 0", Config{CPU: f64(0)}, "cpu"},
		{"cpu above 1", Config{CPU: f64(1.01)}, "cpu"},
		{"cpu negative", Config{CPU: f64(-0.5)}, "cpu"},
		{"cpu NaN", Config{CPU: f64(math.NaN())}, "cpu"},
		{"cpu +Inf", Config{CPU: f64(math.Inf(1))}, "cpu"},
		{"memory percent, not ratio", Config{Memory: f64(85)}, "memory"},
		{"probe failures 0", Config{ProbeFailures: f64(0)}, "probeFailures"},
		{"cpuFor 0", Config{CPUFor: "0s"}, "cpuFor"},
		{"cpuFor bare 0", Config{CPUFor: "0"}, "cpuFor"},
		{"memoryFor negative", Config{MemoryFor: "-5m"}, "memoryFor"},
		{"probeFor not a duration", Config{ProbeFor: "five minutes"}, "probeFor"},
		{"pendingFor Go style", Config{PendingFor: "1.5h"}, "pendingFor"},
		{"nodeNotReadyFor 0", Config{NodeNotReadyFor: "0m"}, "nodeNotReadyFor"},
		{"crashLoopFor unit", Config{CrashLoopFor: "10x"}, "crashLoopFor"},
		{"restarts 0", Config{Restarts: i32(0)}, "restarts"},
		{"restarts negative", Config{Restarts: i32(-2)}, "restarts"},
		{"restarts window 0", Config{RestartsWindow: "0h"}, "restartsWindow"},
		{"replicasFor 0", Config{ReplicasFor: "0s"}, "replicasFor"},
		{"availability 1", Config{SLOAvailability: f64(1)}, "sloAvailability"},
		{"availability 0", Config{SLOAvailability: f64(0)}, "sloAvailability"},
		{"availability percent", Config{SLOAvailability: f64(99.9)}, "sloAvailability"},
		{"error ratio 0", Config{SLOErrorRatio: f64(0)}, "sloErrorRatio"},
		{"latency 0", Config{SLOLatency: "0ms"}, "sloLatency"},
		{"latency bare number", Config{SLOLatency: "0.3"}, "sloLatency"},
		{"quantile 1", Config{SLOLatency: "1s", SLOLatencyQuantile: f64(1)}, "sloLatencyQuantile"},
		{"sloFor 0", Config{SLOErrorRatio: f64(0.1), SLOFor: "0s"}, "sloFor"},
		{"requests metric name", Config{SLOErrorRatio: f64(0.1), SLORequests: "http-requests"}, "sloRequests"},
		{"requests UTF-8 name", Config{SLOAvailability: f64(0.99), SLORequests: "http.requests"}, "sloRequests"},
		{"errors unterminated", Config{SLOErrorRatio: f64(0.1), SLOErrors: `code=~"5`}, "sloErrors"},
		{"errors injection", Config{SLOErrorRatio: f64(0.1), SLOErrors: `code="5"} or vector(1) or up{a="b"`}, "sloErrors"},
		{"errors bad regexp", Config{SLOErrorRatio: f64(0.1), SLOErrors: `code=~"(5"`}, "sloErrors"},
		{"latency metric", Config{SLOLatency: "1s", SLOLatencyMetric: "9lat"}, "sloLatencyMetric"},
		{"selector", Config{SLOSelector: `job=`}, "sloSelector"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := refusals(c.c)
			if _, ok := got[c.key]; !ok {
				t.Errorf("refused %v, want %s", got, c.key)
			}
			if len(got) != 1 {
				t.Errorf("refused %v, want only %s", got, c.key)
			}
		})
	}
	if got := refusals(Config{}); len(got) != 0 {
		t.Errorf("defaults refused: %v", got)
	}
	if got := refusals(Config{CPU: f64(1), SLOErrorRatio: f64(1), SLOAvailability: f64(0.9999), SLOLatency: "1d"}); len(got) != 0 {
		t.Errorf("boundary values refused: %v", got)
	}
}

func build(t *testing.T, tg Target, c Config) *monitoringv1.PrometheusRule {
	t.Helper()
	c.Complete()
	pr, err := Build(tg, c)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func alertNames(pr *monitoringv1.PrometheusRule) []string {
	var names []string
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				names = append(names, r.Alert)
			}
		}
	}
	return names
}

// TestBuild: which alerts exist for which app, and that each carries a
// severity, a summary, a description and the runbook command; every
// expression parses and reads the app's own series.
func TestBuild(t *testing.T) {
	base := []string{"ContainerCPUNearLimit", "ContainerMemoryNearLimit", "PodPending", "NodeNotReady",
		"ContainerRestarting", "PodCrashLooping", "DeploymentReplicasUnavailable"}
	cases := []struct {
		name    string
		tg      Target
		c       Config
		alerts  []string
		records int
		runbook string
	}{
		{"no probe, no SLO", Target{Name: "worker"}, Config{}, base, 0, "slimship k8s status worker"},
		{"liveness", Target{Name: "web", Namespace: "shop", Liveness: true}, Config{},
			append([]string{"LivenessProbeFailing"}, base...), 0, "slimship k8s status web -n shop"},
		{"every SLO", Target{Name: "web", Namespace: "shop"}, Config{SLOAvailability: f64(0.995), SLOErrorRatio: f64(0.02), SLOLatency: "250ms"},
			append([]string{"ErrorBudgetBurnFast", "ErrorBudgetBurnSlow", "HighErrorRatio", "HighLatency"}, base...), 7, "slimship k8s status web -n shop"},
		{"latency only", Target{Name: "web"}, Config{SLOLatency: "2s"}, append([]string{"HighLatency"}, base...), 0, "slimship k8s status web"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pr := build(t, c.tg, c.c)
			got := alertNames(pr)
			slices.Sort(got)
			slices.Sort(c.alerts)
			if !slices.Equal(got, c.alerts) {
				t.Errorf("alerts %v, want %v", got, c.alerts)
			}
			records := 0
			for _, g := range pr.Spec.Groups {
				for _, r := range g.Rules {
					if _, err := parser.NewParser(parser.Options{}).ParseExpr(r.Expr.String()); err != nil {
						t.Errorf("%s%s: %v", r.Alert, r.Record, err)
					}
					if !strings.Contains(r.Expr.String(), c.tg.Name) {
						t.Errorf("%s%s does not select the app: %s", r.Alert, r.Record, r.Expr.String())
					}
					if r.Record != "" {
						records++
						continue
					}
					if r.Labels["severity"] != Warning && r.Labels["severity"] != Critical {
						t.Errorf("%s: severity %q", r.Alert, r.Labels["severity"])
					}
					for _, a := range []string{"summary", "description"} {
						if r.Annotations[a] == "" {
							t.Errorf("%s: no %s", r.Alert, a)
						}
					}
					if r.Annotations[RunbookAnnotation] != c.runbook {
						t.Errorf("%s: runbook %q, want %q", r.Alert, r.Annotations[RunbookAnnotation], c.runbook)
					}
				}
			}
			if records != c.records {
				t.Errorf("%d recording rules, want %d", records, c.records)
			}
		})
	}
}

// TestBuildThresholds: the values given reach the expressions, the for
// durations (in Prometheus's normal form) and the annotations.
func TestBuildThresholds(t *testing.T) {
	pr := build(t, Target{Name: "web", Namespace: "shop", Liveness: true}, Config{
		CPU: f64(0.7), CPUFor: "90s", ProbeFailures: f64(0.125), Restarts: i32(5), RestartsWindow: "2h",
		SLOAvailability: f64(0.99), SLOLatency: "1500ms", SLOLatencyQuantile: f64(0.95),
		SLOSelector: `service="web-api"`, SLOErrors: `status=~"5.."`,
	})
	rules := map[string]monitoringv1.Rule{}
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			rules[r.Alert+r.Record] = r
		}
	}
	checks := []struct{ rule, in, want string }{
		{"ContainerCPUNearLimit", "expr", "> 0.7"},
		{"ContainerCPUNearLimit", "for", "1m30s"},
		{"ContainerCPUNearLimit", "summary", "70%"},
		{"LivenessProbeFailing", "expr", "> 0.125"},
		{"LivenessProbeFailing", "description", "12.5%"},
		{"ContainerRestarting", "expr", "[2h]"},
		{"ContainerRestarting", "expr", ">= 5"},
		{"HighLatency", "expr", "histogram_quantile(0.95,"},
		{"HighLatency", "expr", "> 1.5"},
		{"HighLatency", "expr", `service="web-api"`},
		{"HighLatency", "summary", "p95"},
		{"ErrorBudgetBurnFast", "expr", "(14.4 * (1 - 0.99))"},
		{"ErrorBudgetBurnSlow", "expr", "(1 * (1 - 0.99))"},
		{"ErrorBudgetBurnFast", "expr", `slimship:request_error_ratio:rate1h{slo="shop/web"}`},
		{ErrorRatioRecord("3d"), "expr", `status=~"5.."`},
		{ErrorRatioRecord("3d"), "expr", "[3d]"},
	}
	for _, c := range checks {
		r, ok := rules[c.rule]
		if !ok {
			t.Errorf("no rule %s", c.rule)
			continue
		}
		var got string
		switch c.in {
		case "expr":
			got = flat(t, r.Expr.String())
		case "for":
			if r.For != nil {
				got = string(*r.For)
			}
		default:
			got = r.Annotations[c.in]
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%s %s = %q, want %q in it", c.rule, c.in, got, c.want)
		}
	}
	if got := rules[ErrorRatioRecord("5m")].Labels["slo"]; got != "shop/web" {
		t.Errorf("recording rule slo label %q", got)
	}
}

// TestBuildRefusesInvalid: Build checks the Config itself, so a caller
// that skipped Validate gets an error, not a rule Prometheus refuses.
func TestBuildRefusesInvalid(t *testing.T) {
	c := Config{CPU: f64(2)}
	c.Complete()
	if _, err := Build(Target{Name: "web"}, c); err == nil || !strings.Contains(err.Error(), "cpu") {
		t.Errorf("err %v, want a refusal of cpu", err)
	}
}

// flat is an expression on one line, as Prometheus prints it.
func flat(t *testing.T, expr string) string {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		t.Fatal(err)
	}
	return e.String()
}

func TestParse(t *testing.T) {
	if _, err := Parse("sum(rate(x[5m]) > "); err == nil {
		t.Error("a broken expression parsed")
	}
	got, err := Parse(`sum   by(a)(x{b="c"})>0.5`)
	if err != nil || got != `sum by (a) (x{b="c"}) > 0.5` {
		t.Errorf("got %q, %v", got, err)
	}
}
