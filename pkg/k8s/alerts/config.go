// Package alerts builds a prometheus-operator PrometheusRule
// (monitoring.coreos.com/v1, its typed API) that watches one app: its
// containers against their limits (cAdvisor and kube-state-metrics), its
// liveness probes (the kubelet's prober_probe_total), Pending pods, the
// nodes it runs on, restarts and crash loops, its Deployment's available
// replicas and, given SLO targets, its error ratio and latency, with
// multi-window multi-burn-rate alerts for an availability target (Google's
// SRE workbook). Every expression is parsed by Prometheus's own PromQL
// parser when it is built.
package alerts

import (
	"math"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// Config holds the thresholds. Its JSON names are the keys under `alerts`
// in an app file. Unset values (nil, "") take the defaults below; a value
// that was given is taken or refused, never replaced.
type Config struct {
	// CPU is the share of the CPU limit a container may use for CPUFor.
	CPU    *float64 `json:"cpu,omitempty"`
	CPUFor string   `json:"cpuFor,omitempty"`
	// Memory is the share of the memory limit (working set) a container
	// may use for MemoryFor.
	Memory    *float64 `json:"memory,omitempty"`
	MemoryFor string   `json:"memoryFor,omitempty"`
	// ProbeFailures is the share of liveness probes that may fail (over
	// five minutes) for ProbeFor.
	ProbeFailures *float64 `json:"probeFailures,omitempty"`
	ProbeFor      string   `json:"probeFor,omitempty"`
	// PendingFor is how long a pod of the app may stay Pending.
	PendingFor string `json:"pendingFor,omitempty"`
	// NodeNotReadyFor is how long a node running the app's pods may be
	// not Ready.
	NodeNotReadyFor string `json:"nodeNotReadyFor,omitempty"`
	// CrashLoopFor is how long a container may wait in CrashLoopBackOff.
	CrashLoopFor string `json:"crashLoopFor,omitempty"`
	// Restarts is how many restarts of a container within RestartsWindow
	// alert.
	Restarts       *int32 `json:"restarts,omitempty"`
	RestartsWindow string `json:"restartsWindow,omitempty"`
	// ReplicasFor is how long the Deployment may have fewer available
	// replicas than desired.
	ReplicasFor string `json:"replicasFor,omitempty"`

	// SLO alerts read the app's own request metrics; each part is off
	// unless its target is given.
	//
	// SLOAvailability (in (0,1), e.g. 0.999) adds multi-window
	// multi-burn-rate alerts on the error budget 1-SLOAvailability over 30
	// days.
	SLOAvailability *float64 `json:"sloAvailability,omitempty"`
	// SLOErrorRatio (in (0,1]) alerts when the error ratio stays above it
	// for SLOFor.
	SLOErrorRatio *float64 `json:"sloErrorRatio,omitempty"`
	// SLOLatency (a duration, e.g. 300ms) alerts when the
	// SLOLatencyQuantile of request latency stays above it for SLOFor.
	SLOLatency         string   `json:"sloLatency,omitempty"`
	SLOLatencyQuantile *float64 `json:"sloLatencyQuantile,omitempty"`
	SLOFor             string   `json:"sloFor,omitempty"`
	// SLORequests is the request counter, SLOErrors the label matchers that
	// make a request an error, SLOLatencyMetric the latency histogram
	// (without _bucket), SLOSelector the matchers that select the app's
	// series (default: its namespace and job, as a ServiceMonitor of its
	// Service labels them).
	SLORequests      string `json:"sloRequests,omitempty"`
	SLOErrors        string `json:"sloErrors,omitempty"`
	SLOLatencyMetric string `json:"sloLatencyMetric,omitempty"`
	SLOSelector      string `json:"sloSelector,omitempty"`
}

// Defaults. The thresholds and durations the issue names; where it names
// none, kube-prometheus's (crash loops and replicas: 15m).
const (
	DefaultCPU                = 0.85
	DefaultCPUFor             = "5m"
	DefaultMemory             = 0.85
	DefaultMemoryFor          = "5m"
	DefaultProbeFailures      = 0.05
	DefaultProbeFor           = "5m"
	DefaultPendingFor         = "10m"
	DefaultNodeNotReadyFor    = "10m"
	DefaultCrashLoopFor       = "15m"
	DefaultRestarts           = 3
	DefaultRestartsWindow     = "1h"
	DefaultReplicasFor        = "15m"
	DefaultSLOLatencyQuantile = 0.99
	DefaultSLOFor             = "5m"
	DefaultSLORequests        = "http_requests_total"
	DefaultSLOErrors          = `code=~"5.."`
	DefaultSLOLatencyMetric   = "http_request_duration_seconds"
)

// rateWindow is the range of the rate() of CPU use, probe results, errors
// and latency in the threshold alerts.
const rateWindow = "5m"

// Complete fills what is unset with the defaults. The SLO selector's
// default depends on the app, so Build fills it.
func (c *Config) Complete() {
	setF := func(p **float64, v float64) {
		if *p == nil {
			*p = &v
		}
	}
	setS := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	setF(&c.CPU, DefaultCPU)
	setS(&c.CPUFor, DefaultCPUFor)
	setF(&c.Memory, DefaultMemory)
	setS(&c.MemoryFor, DefaultMemoryFor)
	setF(&c.ProbeFailures, DefaultProbeFailures)
	setS(&c.ProbeFor, DefaultProbeFor)
	setS(&c.PendingFor, DefaultPendingFor)
	setS(&c.NodeNotReadyFor, DefaultNodeNotReadyFor)
	setS(&c.CrashLoopFor, DefaultCrashLoopFor)
	if c.Restarts == nil {
		n := int32(DefaultRestarts)
		c.Restarts = &n
	}
	setS(&c.RestartsWindow, DefaultRestartsWindow)
	setS(&c.ReplicasFor, DefaultReplicasFor)
	setF(&c.SLOLatencyQuantile, DefaultSLOLatencyQuantile)
	setS(&c.SLOFor, DefaultSLOFor)
	setS(&c.SLORequests, DefaultSLORequests)
	setS(&c.SLOErrors, DefaultSLOErrors)
	setS(&c.SLOLatencyMetric, DefaultSLOLatencyMetric)
}

// Validate reports every value of a completed Config that Prometheus would
// refuse or that cannot mean what it says, by its key (JSON name), through
// bad.
func (c *Config) Validate(bad func(key, format string, v ...any)) {
	ratio := func(key string, p *float64, closed bool) {
		switch {
		case p == nil:
			bad(key, "unset")
		case math.IsNaN(*p) || *p <= 0 || *p > 1 || (!closed && *p == 1):
			if closed {
				bad(key, "%s: want a ratio above 0 and at most 1 (0.85 is 85%%)", fmtFloat(p))
			} else {
				bad(key, "%s: want a ratio above 0 and below 1 (0.999 is 99.9%%)", fmtFloat(p))
			}
		}
	}
	ratio("cpu", c.CPU, true)
	ratio("memory", c.Memory, true)
	ratio("probeFailures", c.ProbeFailures, true)
	for _, d := range []struct{ key, v string }{
		{"cpuFor", c.CPUFor}, {"memoryFor", c.MemoryFor}, {"probeFor", c.ProbeFor},
		{"pendingFor", c.PendingFor}, {"nodeNotReadyFor", c.NodeNotReadyFor},
		{"crashLoopFor", c.CrashLoopFor}, {"restartsWindow", c.RestartsWindow},
		{"replicasFor", c.ReplicasFor}, {"sloFor", c.SLOFor},
	} {
		duration(d.key, d.v, bad)
	}
	if c.Restarts == nil || *c.Restarts < 1 {
		bad("restarts", "%s: want 1 or more", fmtInt(c.Restarts))
	}
	if c.SLOAvailability != nil {
		ratio("sloAvailability", c.SLOAvailability, false)
	}
	if c.SLOErrorRatio != nil {
		ratio("sloErrorRatio", c.SLOErrorRatio, true)
	}
	if c.SLOLatency != "" {
		duration("sloLatency", c.SLOLatency, bad)
	}
	ratio("sloLatencyQuantile", c.SLOLatencyQuantile, false)
	if c.SLOAvailability != nil || c.SLOErrorRatio != nil {
		metricName("sloRequests", c.SLORequests, bad)
		matchers("sloErrors", c.SLOErrors, bad)
	}
	if c.SLOLatency != "" {
		metricName("sloLatencyMetric", c.SLOLatencyMetric, bad)
	}
	if c.SLOSelector != "" {
		matchers("sloSelector", c.SLOSelector, bad)
	}
}

// SLO reports whether any SLO alert is asked for.
func (c *Config) SLO() bool {
	return c.SLOAvailability != nil || c.SLOErrorRatio != nil || c.SLOLatency != ""
}

// duration parses a Prometheus duration (1h30m, 2d, 500ms) above zero.
func duration(key, v string, bad func(key, format string, v ...any)) time.Duration {
	d, err := model.ParseDuration(v)
	switch {
	case err != nil:
		bad(key, "%q: want a duration such as 30s, 5m, 1h or 1d: %v", v, err)
	case d <= 0:
		bad(key, "%q: want a duration above 0", v)
	}
	return time.Duration(d)
}

func fmtFloat(p *float64) string {
	if p == nil {
		return "unset"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

func fmtInt(p *int32) string {
	if p == nil {
		return "unset"
	}
	return strconv.Itoa(int(*p))
}
