package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/slimship/slimship/pkg/finding"
)

type csRoot struct {
	XMLName xml.Name `xml:"checkstyle"`
	Version string   `xml:"version,attr"`
	Files   []csFile `xml:"file"`
}

type csFile struct {
	Name   string    `xml:"name,attr"`
	Errors []csError `xml:"error"`
}

type csError struct {
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr,omitempty"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

// Checkstyle writes checkstyle XML, as hadolint's checkstyle format does.
func Checkstyle(w io.Writer, fs []finding.Finding) error {
	root := csRoot{Version: "4.3"}
	idx := map[string]int{}
	for _, f := range fs {
		name := groupKey(f)
		i, ok := idx[name]
		if !ok {
			i = len(root.Files)
			idx[name] = i
			root.Files = append(root.Files, csFile{Name: name})
		}
		sev := f.Severity.String()
		if f.Severity == finding.Style {
			sev = "info"
		}
		root.Files[i].Errors = append(root.Files[i].Errors, csError{Line: f.Line, Column: f.Column,
			Severity: sev, Message: f.Message, Source: f.RuleID})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// GitHub writes GitHub Actions workflow commands (annotations).
func GitHub(w io.Writer, fs []finding.Finding) error {
	for _, f := range fs {
		level := "notice"
		switch f.Severity {
		case finding.Error:
			level = "error"
		case finding.Warning:
			level = "warning"
		}
		var props []string
		if f.File != "" {
			props = append(props, "file="+ghProp(f.File))
		}
		if f.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Line))
		}
		if f.Column > 0 {
			props = append(props, fmt.Sprintf("col=%d", f.Column))
		}
		props = append(props, "title="+ghProp(f.RuleID))
		msg := f.Message
		if f.Object != nil {
			msg = objectName(f.Object) + ": " + msg
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", level, strings.Join(props, ","), ghData(msg)); err != nil {
			return err
		}
	}
	return nil
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
