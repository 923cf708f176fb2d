// Package jsonw writes the JSON report of lint-style commands
// ({"version": 1, "findings": [...]}) byte for byte as encoding/json's
// indented Encoder writes it, without reflection and without re-indenting.
//
// It replaces one encoding/json call for speed, and stays because the
// project's benchmark shows it pays: `slimship k8s lint --format json` over
// the shared corpus (1384 findings) takes about a fifth more CPU and ~1100
// more page faults with encoding/json (bench/k8s/README.md, "Performance
// code, kept or removed"). FuzzWriteMatchesEncodingJSON holds it to
// encoding/json on every input; report's TestJSONMatchesEncodingJSON holds
// it to report.Document.
package jsonw

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slimship/slimship/pkg/finding"
)

// Write writes {"version": 1, "findings": fs} as encoding/json's Encoder
// with SetIndent("", "  ") writes report.Document (a nil fs is written as
// an empty array), in chunks of about 56 KB.
func Write(w io.Writer, fs []finding.Finding) error {
	b := make([]byte, 0, jsonChunk+8<<10)
	b = append(b, "{\n  \"version\": 1,\n  \"findings\": ["...)
	for i := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		b, err = appendFinding(b, &fs[i])
		if err != nil {
			return err
		}
		if len(b) > jsonChunk {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	if len(fs) > 0 {
		b = append(b, "\n  "...)
	}
	b = append(b, "]\n}\n"...)
	_, err := w.Write(b)
	return err
}

// jsonChunk is how much Write formats before each write.
const jsonChunk = 56 << 10

const findingIndent = "\n      "

func appendFinding(b []byte, f *finding.Finding) ([]byte, error) {
	b = append(b, "\n    {"...)
	b = appendKey(b, "rule", true)
	b = appendString(b, f.RuleID)
	if len(f.Aliases) > 0 {
		b = appendKey(b, "aliases", false)
		b = append(b, '[')
		for i, a := range f.Aliases {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, findingIndent...)
			b = append(b, "  "...)
			b = appendString(b, a)
		}
		b = append(b, findingIndent...)
		b = append(b, ']')
	}
	b = appendKey(b, "severity", false)
	b = appendString(b, f.Severity.String())
	b = appendKey(b, "category", false)
	b = appendString(b, string(f.Category))
	l := &f.Location
	if l.File != "" {
		b = appendKey(b, "file", false)
		b = appendString(b, l.File)
	}
	for _, n := range [...]struct {
		key string
		v   int
	}{{"line", l.Line}, {"column", l.Column}, {"endLine", l.EndLine}, {"endColumn", l.EndColumn}} {
		if n.v != 0 {
			b = appendKey(b, n.key, false)
			b = strconv.AppendInt(b, int64(n.v), 10)
		}
	}
	if l.Layer != "" {
		b = appendKey(b, "layer", false)
		b = appendString(b, l.Layer)
	}
	if l.Path != "" {
		b = appendKey(b, "path", false)
		b = appendString(b, l.Path)
	}
	if o := l.Object; o != nil {
		b = appendKey(b, "object", false)
		b = append(b, "{\n        \"kind\": "...)
		b = appendString(b, o.Kind)
		b = append(b, ",\n        \"namespace\": "...)
		b = appendString(b, o.Namespace)
		b = append(b, ",\n        \"name\": "...)
		b = appendString(b, o.Name)
		b = append(b, "\n      }"...)
	}
	b = appendKey(b, "message", false)
	b = appendString(b, f.Message)
	if f.Fix != nil {
		b = appendKey(b, "fix", false)
		js, err := json.MarshalIndent(f.Fix, "      ", "  ")
		if err != nil {
			return b, err
		}
		b = append(b, js...)
	}
	return append(b, "\n    }"...), nil
}

func appendKey(b []byte, k string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, findingIndent...)
	b = append(b, '"')
	b = append(b, k...)
	return append(b, "\": "...)
}

// appendString quotes s as encoding/json does (HTML-safe escaping, invalid
// UTF-8 replaced). Printable ASCII, with the quotes and backslashes most
// messages have, is escaped here; anything else takes the generic path.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf {
			js, _ := json.Marshal(s)
			return append(b, js...)
		}
	}
	b = append(b, '"')
	for len(s) > 0 {
		i := strings.IndexAny(s, `"\`)
		if i < 0 {
			b = append(b, s...)
			break
		}
		b = append(b, s[:i]...)
		b = append(b, '\\', s[i])
		s = s[i+1:]
	}
	return append(b, '"')
}
