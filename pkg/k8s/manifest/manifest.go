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
	"slices"
	"strconv"
	"strings"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	yaml "go.yaml.in/yaml/v3"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/internal/safetext"
	"github.com/slimship/slimship/pkg/k8s/manifest/internal/fastyaml"
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
	// JSON is the object as kubectl sends it: converted to JSON the way
	// sigs.k8s.io/yaml does (YAML 1.1, keys sorted), for typed decoding.
	JSON []byte
	// Coerced are the values kubectl's YAML 1.1 reads as something else
	// than their text where Kubernetes wants a string, and the mapping keys
	// it renames.
	Coerced []Coerced

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

// Coerced is a scalar that does not reach the API server as written: a
// value YAML 1.1 reads as a boolean, number or null (yes, on, 0755, 1.10,
// ~) where Kubernetes wants a string (labels, annotations, ConfigMap data,
// env values, command and args, names), or a mapping key it renames (on:
// becomes "true").
type Coerced struct {
	// Path is the value's path in the object's JSON.
	Path []any
	Line int
	// Text is the scalar as written; As is what kubectl sends ("boolean
	// true", "integer 493", "null", or a key's JSON name).
	Text string
	As   string
	Key  bool
}

// stringPlace reports whether path (in an object of kind) holds a string in
// every Kubernetes object that has it.
func stringPlace(kind string, path []step) bool {
	n := len(path)
	if n == 0 {
		return false
	}
	last := path[n-1]
	if last.idx < 0 {
		switch last.key {
		case "name", "namespace", "image", "apiVersion", "kind":
			return true
		}
	}
	if n < 2 {
		return false
	}
	parent := path[n-2]
	if last.idx < 0 && parent.idx < 0 {
		switch parent.key {
		case "labels", "annotations", "nodeSelector", "matchLabels":
			return true
		case "selector":
			return kind == "Service"
		case "data", "stringData", "binaryData":
			return n == 2 && (kind == "ConfigMap" || kind == "Secret")
		}
	}
	if last.idx >= 0 && parent.idx < 0 && (parent.key == "command" || parent.key == "args") {
		return true
	}
	return n >= 3 && last.key == "value" && last.idx < 0 && parent.idx >= 0 && path[n-3].key == "env" && path[n-3].idx < 0
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
// and line of that document. Empty documents are skipped; a mapping without
// apiVersion or kind is an object with those fields empty (kubectl rejects
// it; lint reports it).
func Decode(file string, r io.Reader) ([]*Object, error) {
	b, err := bounded.Read(file, r, MaxSize)
	if err != nil {
		return nil, err
	}
	return DecodeBytes(file, b)
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
	return DecodeBytes(path, b)
}

// DecodeBytes is Decode over a byte slice.
func DecodeBytes(file string, b []byte) ([]*Object, error) {
	b = endLine(b)
	var out []*Object
	limit := jsonLimit(len(b))
	if fastyaml.Parse(string(b), func(root *yaml.Node) bool {
		objs, err := objects(file, root, 0, limit)
		out = append(out, objs...)
		// Errors come from yaml.v3's nodes, as they always have.
		return err == nil
	}) {
		return out, nil
	}
	return decodeYAML(file, b)
}

// endLine returns b ending in a newline: kubectl reads YAML a line at a
// time and ends every line, the last one included, with one (so a literal
// block at the end of the input keeps its newline).
func endLine(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b[:len(b):len(b)], '\n')
	}
	return b
}

// decodeYAML is DecodeBytes with yaml.v3's parser, for any YAML.
func decodeYAML(file string, b []byte) ([]*Object, error) {
	b = endLine(b)
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
	e.limit, e.kind = limit, kind
	if err := e.writeJSON(n, 0); err != nil {
		line := n.Line
		var le *lineError
		if errors.As(err, &le) {
			line = le.line
		}
		return nil, &Error{File: file, Line: line, Err: err}
	}
	o := &Object{File: file, Line: n.Line, APIVersion: apiVersion, Kind: kind, JSON: bytes.Clone(e.b.Bytes()), Coerced: e.coerced, lines: buildIndex(n)}
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
	// kind is the object's; path is where the writer is in it.
	kind    string
	path    []step
	members []jsonMember
	coerced []Coerced
}

// step is a mapping member's name or a sequence index (key "", idx >= 0).
type step struct {
	key string
	idx int
}

func (e *encoder) coerce(c Coerced) { e.coerced = append(e.coerced, c) }

// pathWith returns the path as LineOf takes it, plus name when not "".
func (e *encoder) pathWith(name string) []any {
	p := make([]any, 0, len(e.path)+1)
	for _, s := range e.path {
		if s.idx >= 0 {
			p = append(p, s.idx)
		} else {
			p = append(p, s.key)
		}
	}
	if name != "" {
		p = append(p, name)
	}
	return p
}

// encoders reuse their buffers; each object's JSON is copied out at its size.
// With this pool and lines.go's, k8s lint over the corpus takes 13-15% less
// CPU than with a new encoder and index per object (bench/k8s/README.md);
// FuzzKubectlJSON holds the JSON to apimachinery's decoder, FuzzLineIndex
// the index to the node tree.
var encoders = sync.Pool{New: func() any { return new(encoder) }}

func (e *encoder) release() {
	if e.b.Cap() > 1<<20 {
		return
	}
	e.b.Reset()
	e.kind, e.path, e.members, e.coerced = "", e.path[:0], e.members[:0], nil
	encoders.Put(e)
}

// jsonLimit bounds the JSON of one object, so aliases cannot blow it up:
// sixteen times the input plus a megabyte.
func jsonLimit(input int) int { return 16*input + 1<<20 }

// writeJSON writes a node as JSON, as sigs.k8s.io/yaml.YAMLToJSON writes
// it: scalars as go-yaml v2 (YAML 1.1) reads them, mapping members sorted
// by name with the last of duplicates winning, merge keys (<<) expanded
// where they stand, aliases followed.
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
		return e.writeMapping(n, depth)
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			e.path = append(e.path, step{idx: i})
			if err := e.writeJSON(c, depth+1); err != nil {
				return err
			}
			e.path = e.path[:len(e.path)-1]
		}
		b.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		return e.writeScalar(n)
	}
	return &lineError{n.Line, "unexpected node"}
}

// jsonMember is a mapping member on its way to JSON.
type jsonMember struct {
	name  string
	value *yaml.Node
}

func (e *encoder) writeMapping(n *yaml.Node, depth int) error {
	start := len(e.members)
	if err := e.collect(n, depth); err != nil {
		e.members = e.members[:start]
		return err
	}
	ms := e.members[start:]
	// encoding/json writes a map's keys sorted; of duplicates go-yaml v2
	// keeps the last.
	slices.SortStableFunc(ms, func(a, b jsonMember) int { return strings.Compare(a.name, b.name) })
	b := &e.b
	b.WriteByte('{')
	first := true
	for i := range ms {
		if i+1 < len(ms) && ms[i+1].name == ms[i].name {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, ms[i].name)
		b.WriteByte(':')
		e.path = append(e.path, step{key: ms[i].name, idx: -1})
		if err := e.writeJSON(ms[i].value, depth+1); err != nil {
			e.members = e.members[:start]
			return err
		}
		e.path = e.path[:len(e.path)-1]
	}
	b.WriteByte('}')
	e.members = e.members[:start]
	return nil
}

// collect appends a mapping's members to e.members in go-yaml v2's order:
// a merge key's mappings where the key stands (of a sequence of them, the
// first wins), so later members override them and they override earlier
// ones.
func (e *encoder) collect(n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return errors.New("nested too deeply (or recursive aliases)")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			v := deref(n.Content[i+1])
			if v.Kind != yaml.SequenceNode {
				if v.Kind != yaml.MappingNode {
					return &lineError{v.Line, "merge value is not a mapping"}
				}
				if err := e.collect(v, depth+1); err != nil {
					return err
				}
				continue
			}
			for j := len(v.Content) - 1; j >= 0; j-- {
				m := deref(v.Content[j])
				if m.Kind != yaml.MappingNode {
					return &lineError{m.Line, "merge value is not a mapping"}
				}
				if err := e.collect(m, depth+1); err != nil {
					return err
				}
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return &lineError{k.Line, fmt.Sprintf("mapping key is a %s, not a string", kindName(k))}
		}
		name, kind, err := keyString11(k)
		if err != nil {
			return err
		}
		if kind != sString && name != k.Value {
			e.coerce(Coerced{Path: e.pathWith(name), Line: k.Line, Text: k.Value, As: name, Key: true})
		}
		e.members = append(e.members, jsonMember{name, n.Content[i+1]})
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
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

func (e *encoder) writeScalar(n *yaml.Node) error {
	kind, v, err := resolve11(n)
	if err != nil {
		return err
	}
	b := &e.b
	if kind == sString {
		writeString(b, v)
		return nil
	}
	if kind == sFloat && v == "" {
		return &lineError{n.Line, fmt.Sprintf("%s: %v %s (kubectl cannot convert it to JSON)", n.Value, errJSONFloat, n.Value)}
	}
	if stringPlace(e.kind, e.path) {
		as := kind.String() + " " + v
		if kind == sNull {
			as = "null"
		}
		e.coerce(Coerced{Path: e.pathWith(""), Line: n.Line, Text: n.Value, As: as})
	}
	b.WriteString(v)
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
