package alerts

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// promql is Prometheus's own parser. Names are the legacy ones
// ([a-zA-Z_:][a-zA-Z0-9_:]*), which every Prometheus 2 and 3 accepts.
var promql = parser.NewParser(parser.Options{})

// Parse parses a PromQL expression and returns it as Prometheus prints
// it back (its prettifier: one line when short, indented when long), so
// what is written is what Prometheus's parser made of it.
func Parse(expr string) (string, error) {
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return "", fmt.Errorf("PromQL %q: %w", expr, err)
	}
	return parser.Prettify(e), nil
}

// metricName refuses what is not a metric name Prometheus 2 accepts.
func metricName(key, v string, bad func(key, format string, v ...any)) {
	if !model.LegacyValidation.IsValidMetricName(v) {
		bad(key, "%q: want a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)", v)
	}
}

// matchers refuses what is not a list of PromQL label matchers
// (code=~"5..",handler!="/healthz"), parsed as the inside of a selector.
func matchers(key, v string, bad func(key, format string, v ...any)) {
	ms, err := promql.ParseMetricSelector("{" + v + "}")
	if err != nil {
		bad(key, "%q: want PromQL label matchers such as code=~\"5..\": %v", v, err)
		return
	}
	for _, m := range ms {
		if !model.LegacyValidation.IsValidLabelName(m.Name) {
			bad(key, "%q: label name %q: want [a-zA-Z_][a-zA-Z0-9_]*", v, m.Name)
		}
	}
}

// selector is a PromQL series selector: a metric name and matchers, the
// empty ones left out.
func selector(metric string, ms ...string) string {
	var keep []string
	for _, m := range ms {
		if m != "" {
			keep = append(keep, m)
		}
	}
	return metric + "{" + strings.Join(keep, ",") + "}"
}

// eq and re are label matchers with the value quoted as PromQL (Go)
// string literals.
func eq(name, value string) string {
	if value == "" {
		return ""
	}
	return name + "=" + strconv.Quote(value)
}

func re(name, value string) string { return name + "=~" + strconv.Quote(value) }

// num prints a float as PromQL reads it back.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// percent prints a ratio for people: 0.85 as 85%.
func percent(v float64) string { return fmt.Sprintf("%.4g%%", v*100) }

// parseDuration parses a Prometheus duration.
func parseDuration(v string) (time.Duration, error) {
	d, err := model.ParseDuration(v)
	return time.Duration(d), err
}

// promDuration prints a valid duration in Prometheus's normal form (90s as
// 1m30s).
func promDuration(v string) string {
	d, err := model.ParseDuration(v)
	if err != nil {
		return v
	}
	return d.String()
}
