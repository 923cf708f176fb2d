//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"sigs.k8s.io/yaml"
)

// alertParams are the thresholds one run of `slimship k8s alerts` was
// given; the promtool unit tests are derived from them, so the same tests
// hold the defaults and other values to their meaning.
type alertParams struct {
	cpu, memory, probe                                                      float64
	cpuFor, memoryFor, probeFor, pendingFor, nodeFor, crashFor, replicasFor time.Duration
	restarts                                                                int
	restartsWindow                                                          time.Duration
	availability, errorRatio, quantile                                      float64
	latency, sloFor                                                         time.Duration
}

var defaultAlertParams = alertParams{
	cpu: 0.85, memory: 0.85, probe: 0.05,
	cpuFor: 5 * time.Minute, memoryFor: 5 * time.Minute, probeFor: 5 * time.Minute,
	pendingFor: 10 * time.Minute, nodeFor: 10 * time.Minute, crashFor: 15 * time.Minute, replicasFor: 15 * time.Minute,
	restarts: 3, restartsWindow: time.Hour,
	availability: 0.999, errorRatio: 0.05, quantile: 0.99, latency: 300 * time.Millisecond, sloFor: 5 * time.Minute,
}

var otherAlertParams = alertParams{
	cpu: 0.5, memory: 0.95, probe: 0.2,
	cpuFor: 2 * time.Minute, memoryFor: 3 * time.Minute, probeFor: 2 * time.Minute,
	pendingFor: 4 * time.Minute, nodeFor: 3 * time.Minute, crashFor: 7 * time.Minute, replicasFor: 6 * time.Minute,
	restarts: 5, restartsWindow: 30 * time.Minute,
	availability: 0.99, errorRatio: 0.2, quantile: 0.9, latency: time.Second, sloFor: 3 * time.Minute,
}

func pd(d time.Duration) string { return model.Duration(d).String() }
func pf(v float64) string       { return strconv.FormatFloat(v, 'f', -1, 64) }

// args are the flags that give p (the SLO flags always: the defaults
// have no SLO).
func (p alertParams) args(isDefault bool) []string {
	a := []string{"--slo-availability", pf(p.availability), "--slo-error-ratio", pf(p.errorRatio), "--slo-latency", pd(p.latency)}
	if isDefault {
		return a
	}
	return append(a,
		"--alert-cpu", pf(p.cpu), "--alert-cpu-for", pd(p.cpuFor),
		"--alert-memory", pf(p.memory), "--alert-memory-for", pd(p.memoryFor),
		"--alert-probe-failures", pf(p.probe), "--alert-probe-for", pd(p.probeFor),
		"--alert-pending-for", pd(p.pendingFor), "--alert-node-not-ready-for", pd(p.nodeFor),
		"--alert-crashloop-for", pd(p.crashFor), "--alert-replicas-for", pd(p.replicasFor),
		"--alert-restarts", strconv.Itoa(p.restarts), "--alert-restarts-window", pd(p.restartsWindow),
		"--slo-latency-quantile", pf(p.quantile), "--slo-for", pd(p.sloFor))
}

// slimshipOut runs slimship and returns its stdout, failing on an exit
// other than 0.
func slimshipOut(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(Bin(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("slimship %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// promRule returns the PrometheusRule of a YAML stream, as the typed API
// reads it and as its raw spec (the rules file promtool reads).
func promRule(t *testing.T, stream string) (*monitoringv1.PrometheusRule, []byte) {
	t.Helper()
	for _, doc := range strings.Split(stream, "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		if m["kind"] != "PrometheusRule" {
			continue
		}
		var pr monitoringv1.PrometheusRule
		if err := yaml.UnmarshalStrict([]byte(doc), &pr); err != nil {
			t.Fatal(err)
		}
		spec, err := yaml.Marshal(m["spec"])
		if err != nil {
			t.Fatal(err)
		}
		return &pr, spec
	}
	t.Fatalf("no PrometheusRule in:\n%s", stream)
	return nil, nil
}

// The synthetic objects: pods of Deployment web in namespace shop, and a
// pod of Deployment web-api whose container is also named web, which no
// alert of web may match.
const (
	alertNS = "shop"
	podA    = "web-6b7d9f5c4-x2x9z"
	podB    = "web-6b7d9f5c4-b4c5d"
	podC    = "web-6b7d9f5c4-k8m2q"
	podD    = "web-6b7d9f5c4-q7w8e"
	decoy   = "web-api-5f6g7h8j9-abcde"
)

// series is a promtool input series: a selector and its values, one per
// step of the test's interval from 0.
type series struct {
	Series string `json:"series"`
	Values string `json:"values"`
}

// sel prints metric{k="v",...} from pairs, in their order.
func sel(metric string, kv ...string) string {
	var m []string
	for i := 0; i+1 < len(kv); i += 2 {
		m = append(m, kv[i]+"="+strconv.Quote(kv[i+1]))
	}
	return metric + "{" + strings.Join(m, ",") + "}"
}

// gauge is n samples of f(step).
func gauge(name string, n int, f func(i int) float64) series {
	v := make([]string, n)
	for i := range v {
		v[i] = pf(f(i))
	}
	return series{Series: name, Values: strings.Join(v, " ")}
}

// counter is n samples of a counter from 0 that grows by inc(i) into step i.
func counter(name string, n int, inc func(i int) float64) series {
	sum := 0.0
	return gauge(name, n, func(i int) float64 {
		if i > 0 {
			sum += inc(i)
		}
		return sum
	})
}

func constant(v float64) func(int) float64 { return func(int) float64 { return v } }

// until is v for steps before n, then after.
func until(n int, v, after float64) func(int) float64 {
	return func(i int) float64 {
		if i < n {
			return v
		}
		return after
	}
}

// firing is one alert expected at a time: its labels from the expression
// and its value (for the annotations).
type firing struct {
	labels map[string]string
	value  float64
}

type check struct {
	at     time.Duration
	firing []firing
}

// promCase is one promtool test group: an alert, input series and the
// alerts expected at some times.
type promCase struct {
	name   string
	alert  string
	step   time.Duration
	series []series
	checks []check
}

func minutes(d time.Duration) int { return int(d / time.Minute) }

func ctr(pod string) map[string]string {
	return map[string]string{"namespace": alertNS, "pod": pod, "container": "web"}
}

// fastCases test every alert but the slow burn-rate one, at one sample
// and one evaluation a minute. Each alert fires past its threshold once
// its duration has passed, and stays silent just below the threshold, or
// for just less than the duration.
func fastCases(p alertParams) []promCase {
	var cs []promCase
	m := time.Minute
	ctrSel := func(metric, pod string, kv ...string) string {
		return sel(metric, append([]string{"namespace", alertNS, "pod", pod, "container", "web"}, kv...)...)
	}
	// Container CPU and memory against their limits: pod A just above the
	// threshold, pod B just below, the decoy at 100%.
	{
		f := minutes(p.cpuFor)
		n := f + 8
		const limit = 0.2 // cores
		var ss []series
		for _, x := range []struct {
			pod   string
			ratio float64
		}{{podA, p.cpu + 0.01}, {podB, p.cpu - 0.01}, {decoy, 1}} {
			ss = append(ss,
				gauge(ctrSel("kube_pod_container_resource_limits", x.pod, "resource", "cpu", "unit", "core"), n, constant(limit)),
				counter(ctrSel("container_cpu_usage_seconds_total", x.pod, "cpu", "total", "id", "/kubepods/"+x.pod), n, constant(x.ratio*limit*60)))
		}
		// rate() divides by its whole range, so the usage reads true
		// once the 5m window is full of samples.
		full := 5 * m
		cs = append(cs, promCase{name: "cpu", alert: "ContainerCPUNearLimit", step: m, series: ss, checks: []check{
			{at: full + p.cpuFor - m},
			{at: full + p.cpuFor, firing: []firing{{ctr(podA), p.cpu + 0.01}}},
		}})
	}
	{
		f := minutes(p.memoryFor)
		n := f + 8
		const limit = 128 << 20
		var ss []series
		for _, x := range []struct {
			pod   string
			ratio float64
		}{{podA, p.memory + 0.01}, {podB, p.memory - 0.01}, {decoy, 1}} {
			ss = append(ss,
				gauge(ctrSel("kube_pod_container_resource_limits", x.pod, "resource", "memory", "unit", "byte"), n, constant(limit)),
				gauge(ctrSel("container_memory_working_set_bytes", x.pod, "id", "/kubepods/"+x.pod), n, constant(x.ratio*limit)))
		}
		cs = append(cs, promCase{name: "memory", alert: "ContainerMemoryNearLimit", step: m, series: ss, checks: []check{
			{at: p.memoryFor - m},
			{at: p.memoryFor, firing: []firing{{ctr(podA), p.memory + 0.01}}},
		}})
	}
	// Liveness probes: 1000 a minute; A fails just above the ratio, B just
	// below, C fails every readiness probe (not liveness).
	{
		n := minutes(p.probeFor) + 8
		var ss []series
		for _, x := range []struct {
			pod, probe string
			ratio      float64
		}{{podA, "Liveness", p.probe + 0.01}, {podB, "Liveness", p.probe - 0.01}, {podC, "Readiness", 1}, {decoy, "Liveness", 1}} {
			ss = append(ss,
				counter(ctrSel("prober_probe_total", x.pod, "probe_type", x.probe, "result", "failed"), n, constant(1000*x.ratio)),
				counter(ctrSel("prober_probe_total", x.pod, "probe_type", x.probe, "result", "successful"), n, constant(1000*(1-x.ratio))))
		}
		cs = append(cs, promCase{name: "liveness", alert: "LivenessProbeFailing", step: m, series: ss, checks: []check{
			{at: p.probeFor},
			{at: p.probeFor + m, firing: []firing{{ctr(podA), p.probe + 0.01}}},
		}})
	}
	// Pending: A stays Pending, B only for just less than the duration, C
	// runs, the decoy stays Pending.
	{
		f := minutes(p.pendingFor)
		n := f + 8
		phase := func(pod, ph string, v func(int) float64) series {
			return gauge(sel("kube_pod_status_phase", "namespace", alertNS, "pod", pod, "phase", ph), n, v)
		}
		cs = append(cs, promCase{name: "pending", alert: "PodPending", step: m, series: []series{
			phase(podA, "Pending", constant(1)), phase(podA, "Running", constant(0)),
			phase(podB, "Pending", until(f-1, 1, 0)), phase(podB, "Running", until(f-1, 0, 1)),
			phase(podC, "Pending", constant(0)), phase(podC, "Running", constant(1)),
			phase(decoy, "Pending", constant(1)),
		}, checks: []check{
			{at: p.pendingFor - m},
			{at: p.pendingFor, firing: []firing{{map[string]string{"namespace": alertNS, "pod": podA}, 1}}},
			{at: p.pendingFor + 5*m, firing: []firing{{map[string]string{"namespace": alertNS, "pod": podA}, 1}}},
		}})
	}
	// Nodes: n1 (runs A) not Ready; n2 not Ready but runs no pod of web;
	// n3 (runs B) Ready; n4 (runs C) not Ready for just less than the
	// duration.
	{
		f := minutes(p.nodeFor)
		n := f + 8
		ready := func(node string, v func(int) float64) series {
			return gauge(sel("kube_node_status_condition", "node", node, "condition", "Ready", "status", "true", "job", "kube-state-metrics"), n, v)
		}
		info := func(ns, pod, node string) series {
			return gauge(sel("kube_pod_info", "namespace", ns, "pod", pod, "node", node, "created_by_kind", "ReplicaSet", "job", "kube-state-metrics"), n, constant(1))
		}
		cs = append(cs, promCase{name: "node", alert: "NodeNotReady", step: m, series: []series{
			ready("n1", constant(0)), ready("n2", constant(0)), ready("n3", constant(1)), ready("n4", until(f-1, 0, 1)),
			info(alertNS, podA, "n1"), info(alertNS, decoy, "n2"), info("other", podB, "n2"), info(alertNS, podB, "n3"), info(alertNS, podC, "n4"),
		}, checks: []check{
			{at: p.nodeFor - m},
			{at: p.nodeFor, firing: []firing{{map[string]string{"node": "n1"}, 0}}},
		}})
	}
	// Restarts: A restarts N times one minute apart from 11m; B N-1 times;
	// C N times, but spread wider than the window.
	{
		N := p.restarts
		w := minutes(p.restartsWindow)
		spread := w/(N-1) + 6
		end := 11 + (N-1)*spread + 1
		n := end + 2
		restartsAt := func(times ...int) func(int) float64 {
			return func(i int) float64 {
				for _, t := range times {
					if t == i {
						return 1
					}
				}
				return 0
			}
		}
		var a, b, c []int
		for k := 0; k < N; k++ {
			a = append(a, 11+k)
			if k < N-1 {
				b = append(b, 11+k)
			}
			c = append(c, 11+k*spread)
		}
		rs := func(pod string) string { return ctrSel("kube_pod_container_status_restarts_total", pod) }
		cs = append(cs, promCase{name: "restarts", alert: "ContainerRestarting", step: m, series: []series{
			counter(rs(podA), n, restartsAt(a...)), counter(rs(podB), n, restartsAt(b...)), counter(rs(podC), n, restartsAt(c...)),
			counter(rs(decoy), n, restartsAt(a...)),
		}, checks: []check{
			{at: time.Duration(10+N-1) * m},
			{at: time.Duration(10+N) * m, firing: []firing{{ctr(podA), float64(N)}}},
			{at: time.Duration(end) * m},
		}})
	}
	// CrashLoopBackOff: A waits throughout; B until the condition has held
	// for just less than the duration (max_over_time keeps it 5m longer);
	// C flaps between waiting and running every minute; D waits on an
	// image pull.
	{
		f := minutes(p.crashFor)
		n := f + 8
		w := func(pod, reason string, v func(int) float64) series {
			return gauge(ctrSel("kube_pod_container_status_waiting_reason", pod, "reason", reason), n, v)
		}
		cs = append(cs, promCase{name: "crashloop", alert: "PodCrashLooping", step: m, series: []series{
			w(podA, "CrashLoopBackOff", constant(1)),
			w(podB, "CrashLoopBackOff", until(f-5, 1, 0)),
			w(podC, "CrashLoopBackOff", func(i int) float64 { return float64((i + 1) % 2) }),
			w(podD, "ImagePullBackOff", constant(1)),
			w(decoy, "CrashLoopBackOff", constant(1)),
		}, checks: []check{
			{at: p.crashFor - m},
			{at: p.crashFor, firing: []firing{{ctr(podA), 1}, {ctr(podC), 1}}},
		}})
	}
	// Deployment: 2 of 3 available; 3 of 3; 2 of 3 for just less than the
	// duration. The decoy Deployment has none available.
	{
		f := minutes(p.replicasFor)
		n := f + 8
		dep := func(metric, name string, v func(int) float64) series {
			return gauge(sel(metric, "namespace", alertNS, "deployment", name, "job", "kube-state-metrics", "instance", "10.0.0.9:8080"), n, v)
		}
		spec := dep("kube_deployment_spec_replicas", "web", constant(3))
		decoys := []series{dep("kube_deployment_spec_replicas", "web-api", constant(3)), dep("kube_deployment_status_replicas_available", "web-api", constant(0))}
		labels := map[string]string{"namespace": alertNS, "deployment": "web"}
		cs = append(cs,
			promCase{name: "replicas short", alert: "DeploymentReplicasUnavailable", step: m,
				series: append([]series{spec, dep("kube_deployment_status_replicas_available", "web", constant(2))}, decoys...),
				checks: []check{{at: p.replicasFor - m}, {at: p.replicasFor, firing: []firing{{labels, 2}}}}},
			promCase{name: "replicas all", alert: "DeploymentReplicasUnavailable", step: m,
				series: append([]series{spec, dep("kube_deployment_status_replicas_available", "web", constant(3))}, decoys...),
				checks: []check{{at: p.replicasFor + 5*m}}},
			promCase{name: "replicas short briefly", alert: "DeploymentReplicasUnavailable", step: m,
				series: append([]series{spec, dep("kube_deployment_status_replicas_available", "web", until(f-1, 2, 3))}, decoys...),
				checks: []check{{at: p.replicasFor}, {at: p.replicasFor + 5*m}}},
		)
	}
	// Error ratio: 1000 requests a minute, errors just above and just
	// below the ratio.
	sloLabels := map[string]string{"namespace": alertNS, "job": "web"}
	requests := func(n int, ratio func(int) float64) []series {
		l := []string{"namespace", alertNS, "job", "web", "service", "web", "pod", podA, "instance", "10.1.2.3:9090"}
		return []series{
			counter(sel("http_requests_total", append(l, "code", "200")...), n, func(i int) float64 { return 1000 * (1 - ratio(i)) }),
			counter(sel("http_requests_total", append(l, "code", "500")...), n, func(i int) float64 { return 1000 * ratio(i) }),
			// another job's errors
			counter(sel("http_requests_total", "namespace", alertNS, "job", "web-api", "code", "500"), n, constant(1000)),
		}
	}
	{
		n := minutes(p.sloFor) + 8
		cs = append(cs,
			promCase{name: "error ratio above", alert: "HighErrorRatio", step: m, series: requests(n, constant(p.errorRatio+0.01)),
				checks: []check{{at: p.sloFor}, {at: p.sloFor + m, firing: []firing{{sloLabels, p.errorRatio + 0.01}}}}},
			promCase{name: "error ratio below", alert: "HighErrorRatio", step: m, series: requests(n, constant(p.errorRatio-0.01)),
				checks: []check{{at: p.sloFor + 5*m}}},
		)
	}
	// Latency: buckets at L/2, L, 2L; the quantile falls just above L (a
	// share of requests 0.001 short of it at or below L) or just below.
	{
		n := minutes(p.sloFor) + 8
		L := p.latency.Seconds()
		q := p.quantile
		hist := func(below float64) []series {
			var ss []series
			for _, b := range []struct {
				le    string
				share float64
			}{{pf(L / 2), 0}, {pf(L), below}, {pf(2 * L), 1}, {"+Inf", 1}} {
				ss = append(ss, counter(sel("http_request_duration_seconds_bucket", "namespace", alertNS, "job", "web", "le", b.le), n, constant(100000*b.share)))
			}
			return ss
		}
		above := L * (1 + 0.001/(1-q+0.001))
		cs = append(cs,
			promCase{name: "latency above", alert: "HighLatency", step: m, series: hist(q - 0.001),
				checks: []check{{at: p.sloFor}, {at: p.sloFor + m, firing: []firing{{sloLabels, above}}}}},
			promCase{name: "latency below", alert: "HighLatency", step: m, series: hist(q + 0.001),
				checks: []check{{at: p.sloFor + 5*m}}},
		)
	}
	// Fast burn: six hours without errors, then an error ratio just above
	// or below 14.4 (1h and 5m windows) or 6 (6h and 30m) times the budget.
	// With a constant ratio r from then on, the long window crosses
	// factor*budget once factor*budget/r of it has passed.
	{
		budget := 1 - p.availability
		start := 360
		burn := func(r float64, n int) []series { return requests(n, until(start+1, 0, r)) }
		burnLabels := map[string]string{"namespace": alertNS, "job": "web", "slo": alertNS + "/web"}
		at := func(min int) time.Duration { return time.Duration(start+min) * m }
		cs = append(cs,
			promCase{name: "burn 14.4x above", alert: "ErrorBudgetBurnFast", step: m, series: burn(14.4*budget*1.1, start+62),
				checks: []check{{at: at(50)}, {at: at(60), firing: []firing{{labels: burnLabels}}}}},
			promCase{name: "burn 14.4x below", alert: "ErrorBudgetBurnFast", step: m, series: burn(14.4*budget*0.9, start+72),
				checks: []check{{at: at(70)}}},
			promCase{name: "burn 6x above", alert: "ErrorBudgetBurnFast", step: m, series: burn(6*budget*1.1, start+342),
				checks: []check{{at: at(315)}, {at: at(340), firing: []firing{{labels: burnLabels}}}}},
			promCase{name: "burn 6x below", alert: "ErrorBudgetBurnFast", step: m, series: burn(6*budget*0.9, start+402),
				checks: []check{{at: at(400)}}},
		)
	}
	return cs
}

// slowStep is the sample and evaluation interval of slowCases.
const slowStep = 15 * time.Minute

// slowCases test the slow burn-rate alert at one sample and one
// evaluation every 15 minutes: three days without errors, then a ratio
// just above or below 3 (1d and 2h) or 1 (3d and 6h) times the budget.
func slowCases(p alertParams) []promCase {
	budget := 1 - p.availability
	step := slowStep
	perStep := 1000 * step.Minutes()
	start := int(72 * time.Hour / step) // steps in three days
	burnLabels := map[string]string{"namespace": alertNS, "job": "web", "slo": alertNS + "/web"}
	burn := func(r float64, minutesAfter int) []series {
		n := start + minutesAfter/int(step.Minutes()) + 2
		l := []string{"namespace", alertNS, "job", "web"}
		ratio := until(start+1, 0, r)
		return []series{
			counter(sel("http_requests_total", append(l, "code", "200")...), n, func(i int) float64 { return perStep * (1 - ratio(i)) }),
			counter(sel("http_requests_total", append(l, "code", "503")...), n, func(i int) float64 { return perStep * ratio(i) }),
		}
	}
	at := func(min int) time.Duration { return time.Duration(start)*step + time.Duration(min)*time.Minute }
	return []promCase{
		// 3.3x: the 1d window crosses 3x after 1440/1.1 = 1309m (so does
		// the 3d one, 1x after 4320/3.3 = 1309m).
		{name: "burn 3x above", alert: "ErrorBudgetBurnSlow", step: step, series: burn(3*budget*1.1, 1380),
			checks: []check{{at: at(1245)}, {at: at(1380), firing: []firing{{labels: burnLabels}}}}},
		// 2.7x: never 3x over a day; 1x over 3d only after 1600m.
		{name: "burn 3x below", alert: "ErrorBudgetBurnSlow", step: step, series: burn(3*budget*0.9, 1500),
			checks: []check{{at: at(1500)}}},
		// 1.1x: the 3d window crosses 1x after 4320/1.1 = 3927m.
		{name: "burn 1x above", alert: "ErrorBudgetBurnSlow", step: step, series: burn(budget*1.1, 4005),
			checks: []check{{at: at(3840)}, {at: at(4005), firing: []firing{{labels: burnLabels}}}}},
		{name: "burn 1x below", alert: "ErrorBudgetBurnSlow", step: step, series: burn(budget*0.9, 4410),
			checks: []check{{at: at(4410)}}},
	}
}

// humanizeDuration is Prometheus's template function of that name.
func humanizeDuration(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%.4g", v)
	}
	if v == 0 {
		return fmt.Sprintf("%.4gs", v)
	}
	if math.Abs(v) >= 1 {
		sign := ""
		if v < 0 {
			sign, v = "-", -v
		}
		d := int64(v)
		seconds, minutes, hours, days := d%60, (d/60)%60, (d/3600)%24, d/86400
		switch {
		case days != 0:
			return fmt.Sprintf("%s%dd %dh %dm %ds", sign, days, hours, minutes, seconds)
		case hours != 0:
			return fmt.Sprintf("%s%dh %dm %ds", sign, hours, minutes, seconds)
		case minutes != 0:
			return fmt.Sprintf("%s%dm %ds", sign, minutes, seconds)
		}
		return fmt.Sprintf("%s%.4gs", sign, v)
	}
	prefix := ""
	for _, p := range []string{"m", "u", "n", "p", "f", "a", "z", "y"} {
		if math.Abs(v) >= 1 {
			break
		}
		prefix = p
		v *= 1000
	}
	return fmt.Sprintf("%.4g%ss", v, prefix)
}

// expand renders an annotation as Prometheus does: $labels and $value
// defined, and the template functions the generated rules use.
func expand(t *testing.T, text string, labels map[string]string, value float64) string {
	t.Helper()
	funcs := template.FuncMap{
		"humanizePercentage": func(v float64) string { return fmt.Sprintf("%.4g%%", v*100) },
		"humanizeDuration":   humanizeDuration,
	}
	tmpl, err := template.New("a").Option("missingkey=zero").Funcs(funcs).Parse("{{$labels := .Labels}}{{$value := .Value}}" + text)
	if err != nil {
		t.Fatalf("annotation %q: %v", text, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, struct {
		Labels map[string]string
		Value  float64
	}{labels, value}); err != nil {
		t.Fatalf("annotation %q: %v", text, err)
	}
	return b.String()
}

// promtoolTests writes a promtool test file for cases against rules.
func promtoolTests(t *testing.T, pr *monitoringv1.PrometheusRule, rulesFile string, eval time.Duration, cases []promCase) []byte {
	t.Helper()
	rules := map[string]monitoringv1.Rule{}
	var groups []string
	for _, g := range pr.Spec.Groups {
		groups = append(groups, g.Name)
		for _, r := range g.Rules {
			if r.Alert != "" {
				rules[r.Alert] = r
			}
		}
	}
	type expAlert struct {
		Labels      map[string]string `json:"exp_labels"`
		Annotations map[string]string `json:"exp_annotations"`
	}
	type alertTest struct {
		EvalTime  string     `json:"eval_time"`
		Alertname string     `json:"alertname"`
		ExpAlerts []expAlert `json:"exp_alerts"`
	}
	type group struct {
		Interval    string      `json:"interval"`
		InputSeries []series    `json:"input_series"`
		AlertTests  []alertTest `json:"alert_rule_test"`
	}
	var gs []group
	for _, c := range cases {
		r, ok := rules[c.alert]
		if !ok {
			t.Fatalf("%s: no alert %s in the rules", c.name, c.alert)
		}
		g := group{Interval: pd(c.step), InputSeries: c.series}
		for _, ch := range c.checks {
			at := alertTest{EvalTime: pd(ch.at), Alertname: c.alert, ExpAlerts: []expAlert{}}
			for _, f := range ch.firing {
				e := expAlert{Labels: map[string]string{}, Annotations: map[string]string{}}
				for k, v := range f.labels {
					e.Labels[k] = v
				}
				for k, v := range r.Labels {
					e.Labels[k] = v
				}
				for k, v := range r.Annotations {
					e.Annotations[k] = expand(t, v, f.labels, f.value)
				}
				at.ExpAlerts = append(at.ExpAlerts, e)
			}
			g.AlertTests = append(g.AlertTests, at)
		}
		gs = append(gs, g)
	}
	b, err := yaml.Marshal(map[string]any{
		"rule_files":          []string{rulesFile},
		"evaluation_interval": pd(eval),
		// The recorded error ratios first, then the alerts reading them.
		"group_eval_order": groups,
		"tests":            gs,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func promtool(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.CombinedOutput()
	t.Logf("promtool %s:\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestK8sAlertsPromtool: promtool (Debian's prometheus package) accepts
// the rules `slimship k8s alerts` writes, and its unit tests, on synthetic
// series, show every alert firing past its threshold and duration and
// silent just below either, for the default thresholds and for others.
func TestK8sAlertsPromtool(t *testing.T) {
	bin := Need(t, "SLIMSHIP_E2E_PROMTOOL", "promtool")
	for _, c := range []struct {
		name      string
		p         alertParams
		isDefault bool
	}{{"defaults", defaultAlertParams, true}, {"other values", otherAlertParams, false}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := append([]string{"k8s", "alerts", "--name", "web", "-n", alertNS, "--port", "8080", "--health-path", "/ready",
				"--liveness-path", "/live", "--metrics-port", "9090"}, c.p.args(c.isDefault)...)
			pr, spec := promRule(t, slimshipOut(t, args...))
			rulesFile := filepath.Join(dir, "rules.yaml")
			if err := os.WriteFile(rulesFile, spec, 0o644); err != nil {
				t.Fatal(err)
			}
			out := promtool(t, bin, "check", "rules", rulesFile)
			// 7 recorded error ratios, 12 alerts.
			if !strings.Contains(out, "SUCCESS: 19 rules found") {
				t.Errorf("promtool check rules: %s", out)
			}
			// Every alert is tested.
			fast, slow := fastCases(c.p), slowCases(c.p)
			tested := map[string]bool{}
			for _, pc := range append(fast, slow...) {
				tested[pc.alert] = true
			}
			for _, g := range pr.Spec.Groups {
				for _, r := range g.Rules {
					if r.Alert != "" && !tested[r.Alert] {
						t.Errorf("no promtool test for %s", r.Alert)
					}
				}
			}
			for _, f := range []struct {
				name  string
				eval  time.Duration
				cases []promCase
			}{{"fast", time.Minute, fast}, {"slow", slowStep, slow}} {
				t.Run(f.name, func(t *testing.T) {
					t.Parallel()
					file := filepath.Join(dir, f.name+"_test.yaml")
					if err := os.WriteFile(file, promtoolTests(t, pr, rulesFile, f.eval, f.cases), 0o644); err != nil {
						t.Fatal(err)
					}
					start := time.Now()
					out := promtool(t, bin, "test", "rules", file)
					if !strings.Contains(out, "SUCCESS") {
						t.Errorf("promtool test rules %s: %s", f.name, out)
					}
					t.Logf("%d test groups, %d checks, %s", len(f.cases), countChecks(f.cases), time.Since(start).Round(time.Millisecond))
				})
			}
		})
	}
}

func countChecks(cs []promCase) int {
	n := 0
	for _, c := range cs {
		n += len(c.checks)
	}
	return n
}

// crdFiles are the CRDs the generated objects need.
var crdFiles = []string{"monitoring.coreos.com_prometheusrules.yaml", "monitoring.coreos.com_servicemonitors.yaml", "monitoring.coreos.com_podmonitors.yaml"}

// TestK8sAlertsServerDryRun: with prometheus-operator's CRDs installed, the
// API server accepts (server-side dry run) every object `k8s generate
// --alerts` writes, PrometheusRule and ServiceMonitor or PodMonitor
// included, and refuses a PrometheusRule the CRD's schema rejects;
// `k8s lint` is clean on the same output.
func TestK8sAlertsServerDryRun(t *testing.T) {
	k := newKube(t)
	dir := Need(t, "SLIMSHIP_E2E_PROMOP_CRDS", "prometheus-operator's CRDs")
	var crds []string
	for _, f := range crdFiles {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		crds = append(crds, strings.TrimPrefix(string(b), "---\n"))
	}
	if r := k.run(strings.Join(crds, "---\n"), "k8s", "deploy", "-"); r.code != 0 {
		t.Fatalf("installing the CRDs: exit %d", r.code)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"web", []string{"--name", "web", "--image", "registry.example.com/web:1.4.2", "--port", "8080", "--health-path", "/ready",
			"--liveness-path", "/live", "--metrics-port", "9090", "--hpa-cpu", "70", "--alerts",
			"--slo-availability", "0.999", "--slo-error-ratio", "0.05", "--slo-latency", "300ms"},
			[]string{"prometheusrule.monitoring.coreos.com/web created (server dry run)", "servicemonitor.monitoring.coreos.com/web created (server dry run)",
				"deployment.apps/web created (server dry run)"}},
		{"worker", append([]string{"--name", "worker", "--image", "registry.example.com/worker:2", "--metrics-port", "9100",
			"--metrics-path", "/internal/metrics"}, otherAlertParams.args(false)...),
			[]string{"prometheusrule.monitoring.coreos.com/worker created (server dry run)", "podmonitor.monitoring.coreos.com/worker created (server dry run)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := slimshipOut(t, append([]string{"k8s", "generate"}, c.args...)...)
			r := k.run(out, "k8s", "deploy", "--dry-run=server", "-")
			if r.code != 0 || strings.Contains(r.stdout, "failed") {
				t.Fatalf("the API server refused generated objects: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			mustContain(t, "stdout", r.stdout, c.want...)
			lint := exec.Command(Bin(t), "k8s", "lint", "-")
			lint.Stdin = strings.NewReader(out)
			if b, err := lint.CombinedOutput(); err != nil {
				t.Errorf("k8s lint: %v\n%s", err, b)
			}
			// The CRD's schema is enforced: a for that is no duration is refused.
			bad := regexp.MustCompile(`(?m)^(\s+for:) \S+$`).ReplaceAllString(out, "$1 five minutes")
			r = k.run(bad, "k8s", "deploy", "--dry-run=server", "-")
			if r.code == 0 || !strings.Contains(r.stdout, "prometheusrule.monitoring.coreos.com/"+c.name+" failed (server dry run)") {
				t.Errorf("a PrometheusRule with for: five minutes was not refused: exit %d\n%s", r.code, r.stdout)
			}
		})
	}
}
