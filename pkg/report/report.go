// Package report writes findings for people (text) and machines (json,
// sarif, checkstyle, github). Writers never decide exit codes: the CLI does.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/slimship/slimship/internal/safetext"
	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/report/internal/jsonw"
)

// Formats lists the formats Write accepts.
var Formats = []string{"text", "json", "sarif", "checkstyle", "github"}

// Options tune a report.
type Options struct {
	// Color turns on ANSI colours in text output.
	Color bool
	// ToolVersion goes into SARIF.
	ToolVersion string
	// Rules describes the rules that may appear, for SARIF's rule table.
	Rules []finding.Rule
	// Files lists every input, so text can count clean files too.
	Files []string
}

// ValidFormat reports whether f is a known format.
func ValidFormat(f string) bool {
	for _, k := range Formats {
		if k == f {
			return true
		}
	}
	return false
}

// Write renders findings in format.
func Write(w io.Writer, format string, fs []finding.Finding, opts Options) error {
	switch format {
	case "text", "":
		return Text(w, fs, opts)
	case "json":
		return JSON(w, fs)
	case "sarif":
		return SARIF(w, fs, opts)
	case "checkstyle":
		return Checkstyle(w, fs)
	case "github":
		return GitHub(w, fs)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// Document is the JSON contract of lint-style commands.
type Document struct {
	Version  int               `json:"version"`
	Findings []finding.Finding `json:"findings"`
}

// JSON writes {"version":1,"findings":[...]}: the bytes encoding/json's
// indented Encoder writes for a Document, written by package jsonw.
func JSON(w io.Writer, fs []finding.Finding) error {
	return jsonw.Write(w, fs)
}

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
)

var sevColor = map[finding.Severity]string{
	finding.Error:   "\x1b[31m",
	finding.Warning: "\x1b[33m",
	finding.Info:    "\x1b[36m",
	finding.Style:   "\x1b[35m",
}

// Text writes findings grouped by file (or image/object), then a summary.
func Text(w io.Writer, fs []finding.Finding, opts Options) error {
	paint := func(code, s string) string {
		if !opts.Color || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	groups := map[string][]finding.Finding{}
	var order []string
	for _, f := range fs {
		key := groupKey(f)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], f)
	}
	sort.Strings(order)
	for _, key := range order {
		fmt.Fprintln(w, paint(ansiBold, safetext.Escape(key)))
		// the position column is as wide as the group's widest position,
		// so severities, rule IDs and messages line up (up to a width of
		// 60; a longer position pushes only its own line).
		width := 8
		for _, f := range groups[key] {
			width = max(width, min(utf8.RuneCountInString(position(f)), 60))
		}
		for _, f := range groups[key] {
			pos := position(f)
			fmt.Fprintf(w, "  %-*s %s %s %s\n", width, pos,
				paint(sevColor[f.Severity], fmt.Sprintf("%-7s", f.Severity)),
				paint(ansiDim, f.RuleID), safetext.Escape(f.Message))
		}
		fmt.Fprintln(w)
	}
	count := map[finding.Severity]int{}
	for _, f := range fs {
		count[f.Severity]++
	}
	files := len(opts.Files)
	if files < len(order) {
		files = len(order)
	}
	_, err := fmt.Fprintf(w, "%s (%d error, %d warning, %d info, %d style) in %s\n",
		units.Count(len(fs), "finding"), count[finding.Error], count[finding.Warning], count[finding.Info], count[finding.Style],
		units.Count(files, "input"))
	return err
}

func groupKey(f finding.Finding) string {
	if f.File != "" {
		return f.File
	}
	if f.Object != nil {
		return objectName(f.Object)
	}
	return "-"
}

func objectName(o *finding.Object) string {
	if o.Namespace != "" {
		return o.Kind + " " + o.Namespace + "/" + o.Name
	}
	return o.Kind + " " + o.Name
}

func position(f finding.Finding) string {
	var parts []string
	if f.Line > 0 {
		if f.Column > 0 {
			parts = append(parts, fmt.Sprintf("%d:%d", f.Line, f.Column))
		} else {
			parts = append(parts, fmt.Sprintf("%d", f.Line))
		}
	}
	if f.Object != nil && f.File != "" {
		parts = append(parts, objectName(f.Object))
	}
	if f.Path != "" {
		parts = append(parts, f.Path)
	}
	if f.Layer != "" {
		l := f.Layer
		if len(l) > 19 {
			l = l[:19]
		}
		parts = append(parts, "layer "+l)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
