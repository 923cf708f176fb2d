// Package manifest decodes Kubernetes YAML and JSON streams into objects that
// remember where they came from: the file, the line their document starts on,
// and an index of its YAML node tree to find the line of any field. Multi-document streams
// and List kinds (kustomize build, kubectl get -o yaml) are flattened.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	jsonv2 "github.com/go-json-experiment/json"
	yaml "go.yaml.in/yaml/v3"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/internal/safetext"
)

// MaxSize bounds one input stream.
const MaxSize = 64 << 20

// Object is one Kubernetes object of a stream.
type Object struct {
	// File is the input's name ("-" for standard input).
	File string
	// Line is the 1-based line the object starts on.
	Line int
	// APIVersion, Kind, Namespace and Name are read from the object.
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	// JSON is the object converted to JSON, for typed decoding.
	JSON []byte

	lines *lineIndex
}

// Group returns the API group of the object ("" for the core group).
func (o *Object) Group() string {
	if i := strings.IndexByte(o.APIVersion, '/'); i >= 0 {
		return o.APIVersion[:i]
	}
	return ""
}

// Version returns the API version without the group.
func (o *Object) Version() string {
	if i := strings.IndexByte(o.APIVersion, '/'); i >= 0 {
		return o.APIVersion[i+1:]
	}
	return o.APIVersion
}

// LineOf returns the line of the field at path (mapping keys as strings,
// sequence indexes as ints or, as in a JSON pointer, decimal strings). When the full path does not exist it returns the
// line of the deepest part that does, so a finding about a missing field
// points at its parent.
func (o *Object) LineOf(path ...any) int {
	return o.lines.lineOf(o.Line, path)
}

// Error is a malformed input with its position.
type Error struct {
	File string
	Line int
	Err  error
}

// Error shows Err (which may quote the input) quoted and cut when it holds
// control characters or invalid UTF-8.
func (e *Error) Error() string {
	msg := safetext.Text(e.Err.Error(), 200)
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	}
	return fmt.Sprintf("%s: %s", e.File, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Decode reads every object of a YAML or JSON stream. It returns the objects
// decoded before the first malformed document, and an *Error naming the file
// and line of that document. Documents that are empty, or are not mappings
// with a kind, are skipped.
func Decode(file string, r io.Reader) ([]*Object, error) {
	b, err := bounded.Read(file, r, MaxSize)
	if err != nil {
		return nil, err
	}
	return decodeOwned(file, b)
}

// DecodeFile reads and decodes the file at path with one open and fstat,
// into a buffer of the file's size. Errors reading it are returned as os.Open
// and (*os.File).Read return them (*fs.PathError), or a
// *bounded.TooLargeError.
func DecodeFile(path string) ([]*Object, error) {
	b, err := bounded.ReadFile(path, MaxSize)
	if err != nil {
		return nil, err
	}
	return decodeOwned(path, b)
}

// DecodeBytes is Decode over a byte slice.
func DecodeBytes(file string, b []byte) ([]*Object, error) {
	return decode(file, b, string(b))
}

// decodeOwned is DecodeBytes over a buffer nobody writes to any more: the
// objects' strings point into it instead of into a copy.
func decodeOwned(file string, b []byte) ([]*Object, error) {
	return decode(file, b, unsafe.String(unsafe.SliceData(b), len(b)))
}

// decode decodes b; s holds the same bytes, for the fast path's strings.
func decode(file string, b []byte, s string) ([]*Object, error) {
	var out []*Object
	limit := jsonLimit(len(b))
	if fastParse(s, func(root *yaml.Node) bool {
		objs, err := objects(file, root, 0, limit)
		out = append(out, objs...)
		// Errors come from yaml.v3's nodes, as they always have.
		return err == nil
	}) {
		return out, nil
	}
	return decodeYAML(file, b)
}

// decodeYAML is DecodeBytes with yaml.v3's parser, for any YAML.
func decodeYAML(file string, b []byte) ([]*Object, error) {
	var out []*Object
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, &Error{File: file, Line: errLine(err), Err: cleanErr(err)}
		}
		if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
			continue
		}
		root := deref(doc.Content[0])
		if root.Kind != yaml.MappingNode {
			if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
				continue
			}
			return out, &Error{File: file, Line: root.Line, Err: fmt.Errorf("document is a %s, not a Kubernetes object", kindName(root))}
		}
		objs, err := objects(file, root, 0, jsonLimit(len(b)))
		out = append(out, objs...)
		if err != nil {
			return out, err
		}
	}
}

func objects(file string, n *yaml.Node, depth, limit int) ([]*Object, error) {
	if depth > 8 {
		return nil, &Error{File: file, Line: n.Line, Err: errors.New("lists nested too deeply")}
	}
	kind := scalarValue(mapValue(n, "kind"))
	apiVersion := scalarValue(mapValue(n, "apiVersion"))
	if kind == "" {
		// Not a Kubernetes object (e.g. a values file): nothing to lint.
		return nil, nil
	}
	if strings.HasSuffix(kind, "List") && (apiVersion == "v1" || apiVersion == "") {
		items := mapValue(n, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			return nil, nil
		}
		var out []*Object
		for _, it := range items.Content {
			it = deref(it)
			if it.Kind != yaml.MappingNode {
				return out, &Error{File: file, Line: it.Line, Err: fmt.Errorf("list item is a %s, not an object", kindName(it))}
			}
			objs, err := objects(file, it, depth+1, limit)
			out = append(out, objs...)
			if err != nil {
				return out, err
			}
		}
		return out, nil
	}
	e := encoders.Get().(*encoder)
	defer e.release()
	e.limit = limit
	if err := e.writeJSON(n, 0); err != nil {
		line := n.Line
		var le *lineError
		if errors.As(err, &le) {
			line = le.line
		}
		return nil, &Error{File: file, Line: line, Err: err}
	}
	o := &Object{File: file, Line: n.Line, APIVersion: apiVersion, Kind: kind, JSON: bytes.Clone(e.b.Bytes()), lines: buildIndex(n)}
	if md := mapValue(n, "metadata"); md != nil && md.Kind == yaml.MappingNode {
		o.Name = scalarValue(mapValue(md, "name"))
		o.Namespace = scalarValue(mapValue(md, "namespace"))
	}
	return []*Object{o}, nil
}

func scalarValue(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return ""
	}
	return n.Value
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 64; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "sequence"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.MappingNode:
		return "mapping"
	}
	return "node"
}

// maxDepth bounds nesting (and alias expansion) of one object.
const maxDepth = 256

// lineError is an error at a line of the input.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return e.msg }

// encoder writes YAML nodes as JSON.
type encoder struct {
	b     bytes.Buffer
	limit int
}

// encoders reuse their buffers; each object's JSON is copied out at its size.
var encoders = sync.Pool{New: func() any { return new(encoder) }}

func (e *encoder) release() {
	if e.b.Cap() > 1<<20 {
		return
	}
	e.b.Reset()
	encoders.Put(e)
}

// jsonLimit bounds the JSON of one object, so aliases cannot blow it up:
// sixteen times the input plus a megabyte.
func jsonLimit(input int) int { return 16*input + 1<<20 }

// writeJSON writes a node as JSON. Merge keys (<<) are expanded, aliases
// followed; a later key wins over an earlier duplicate in encoding/json.
func (e *encoder) writeJSON(n *yaml.Node, depth int) error {
	b := &e.b
	if depth > maxDepth {
		return errors.New("nested too deeply (or recursive aliases)")
	}
	if b.Len() > e.limit {
		return errors.New("object too large (alias expansion?)")
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return errors.New("unknown alias")
		}
		return e.writeJSON(n.Alias, depth+1)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return e.writeJSON(n.Content[0], depth+1)
	case yaml.MappingNode:
		b.WriteByte('{')
		first := true
		if err := e.writeMembers(n, depth, &first); err != nil {
			return err
		}
		b.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := e.writeJSON(c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		return writeScalar(b, n)
	}
	return &lineError{n.Line, "unexpected node"}
}

// writeMembers writes a mapping's members, merged mappings first so that
// the mapping's own keys (written later) win.
func (e *encoder) writeMembers(n *yaml.Node, depth int, first *bool) error {
	b := &e.b
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			v := deref(n.Content[i+1])
			var srcs []*yaml.Node
			if v.Kind == yaml.SequenceNode {
				for j := len(v.Content) - 1; j >= 0; j-- {
					srcs = append(srcs, deref(v.Content[j]))
				}
			} else {
				srcs = append(srcs, v)
			}
			for _, m := range srcs {
				if m.Kind != yaml.MappingNode {
					return &lineError{m.Line, "merge value is not a mapping"}
				}
				if depth > maxDepth {
					return errors.New("nested too deeply (or recursive aliases)")
				}
				if err := e.writeMembers(m, depth+1, first); err != nil {
					return err
				}
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return &lineError{k.Line, fmt.Sprintf("mapping key is a %s, not a string", kindName(k))}
		}
		if !*first {
			b.WriteByte(',')
		}
		*first = false
		writeString(b, k.Value)
		b.WriteByte(':')
		if err := e.writeJSON(n.Content[i+1], depth+1); err != nil {
			return err
		}
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	js, _ := json.Marshal(s)
	b.Write(js)
}

func isJSONInt(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func writeScalar(b *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		b.WriteString("null")
		return nil
	case "!!bool":
		switch n.Value {
		case "true", "false":
			b.WriteString(n.Value)
			return nil
		}
		var v bool
		if err := n.Decode(&v); err != nil {
			return err
		}
		b.WriteString(strconv.FormatBool(v))
		return nil
	case "!!int":
		if isJSONInt(n.Value) {
			b.WriteString(n.Value)
			return nil
		}
		var i int64
		if err := n.Decode(&i); err == nil {
			b.WriteString(strconv.FormatInt(i, 10))
			return nil
		}
		var u uint64
		if err := n.Decode(&u); err == nil {
			b.WriteString(strconv.FormatUint(u, 10))
			return nil
		}
		writeString(b, n.Value)
		return nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			writeString(b, n.Value)
			return nil
		}
		b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		return nil
	}
	writeString(b, n.Value)
	return nil
}

// errLine digs the line out of a yaml.v3 error ("yaml: line 7: ...").
func errLine(err error) int {
	s := err.Error()
	i := strings.Index(s, "line ")
	if i < 0 {
		return 0
	}
	s = s[i+5:]
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	l, _ := strconv.Atoi(s[:j])
	return l
}

func cleanErr(err error) error {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(s, "line "); i == 0 {
		if j := strings.Index(s, ": "); j > 0 {
			s = s[j+2:]
		}
	}
	return errors.New(s)
}

// Into decodes the object into a typed value (a k8s.io/api struct) as the
// API server does: field names match case-sensitively and unknown fields are
// ignored. A value of the wrong type is an error at the line of that field.
//
// It uses encoding/json/v2's semantics (github.com/go-json-experiment/json):
// encoding/json builds the encoders of every type reachable from the target
// on its first decode, which is a tenth of linking a small corpus.
func (o *Object) Into(v any) error {
	if err := jsonv2.Unmarshal(o.JSON, v); err != nil {
		line := o.Line
		var se *jsonv2.SemanticError
		if errors.As(err, &se) && se.JSONPointer != "" {
			var path []any
			for tok := range se.JSONPointer.Tokens() {
				path = append(path, tok)
			}
			line = o.LineOf(path...)
		}
		return &Error{File: o.File, Line: line, Err: fmt.Errorf("%s %q: %v", o.Kind, o.Name, err)}
	}
	return nil
}
