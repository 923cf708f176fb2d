// Package yamlstrict decodes a YAML settings file (.slimship.yaml, k8s
// generate's app file) into a struct strictly: an unknown or misspelt key,
// a duplicate key or a value of the wrong type is an error naming the file,
// the line and the key, in YAML's words. Keys are the fields' json tags, as
// sigs.k8s.io/yaml reads them.
package yamlstrict

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/slimship/slimship/internal/safetext"
	"github.com/slimship/slimship/internal/suggest"
)

// Error is a problem at a line of a file.
type Error struct {
	File string
	Line int
	// Key is the dotted path of the key ("" at the top).
	Key string
	Msg string
}

func (e *Error) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", pos, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", pos, e.Msg)
}

// Decode decodes the single YAML document in b into v, a pointer to a
// struct. An empty document leaves v as it is.
func Decode(file string, b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return syntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return &Error{File: file, Line: extra.Line, Msg: "a second YAML document (---): want one"}
	} else if !errors.Is(err, io.EOF) {
		return syntaxError(file, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	d := decoder{file: file}
	return d.decode(doc.Content[0], "", reflect.ValueOf(v).Elem())
}

var lineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError turns "yaml: line 3: msg" into FILE:3: msg.
func syntaxError(file string, err error) error {
	msg := err.Error()
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: n, Msg: safetext.Text(msg[len(m[0]):], 200)}
	}
	return &Error{File: file, Msg: safetext.Text(strings.TrimPrefix(msg, "yaml: "), 200)}
}

// maxNodes bounds the values one decode visits, aliases expanded (a
// "billion laughs" document is an error, not a hang).
const maxNodes = 1 << 20

type decoder struct {
	file  string
	nodes int
}

func (d *decoder) errf(n *yaml.Node, key, format string, a ...any) error {
	return &Error{File: d.file, Line: n.Line, Key: key, Msg: fmt.Sprintf(format, a...)}
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func (d *decoder) decode(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if d.nodes++; d.nodes > maxNodes {
		return d.errf(n, key, "more than %d values (aliases expanded)", maxNodes)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.decode(n, key, v.Elem())
	}
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshaler) {
		if n.Kind != yaml.ScalarNode {
			return d.errf(n, key, "want a single value, not %s", describe(n))
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			return d.errf(n, key, "%v", err)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		return d.decodeStruct(n, key, v)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return d.errf(n, key, "want a mapping of keys to values, not %s", describe(n))
		}
		if v.Type().Key().Kind() != reflect.String {
			return d.errf(n, key, "unsupported map key type")
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if seen[k.Value] {
				return d.errf(k, join(key, k.Value), "key given twice")
			}
			seen[k.Value] = true
			e := reflect.New(v.Type().Elem()).Elem()
			if err := d.decode(val, join(key, k.Value), e); err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e)
		}
		return nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return d.errf(n, key, "want a list, not %s", describe(n))
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := d.decode(c, fmt.Sprintf("%s[%d]", key, i), s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			return d.errf(n, key, "%v", err)
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return d.errf(n, key, "want %s, not %s", want(v.Kind()), describe(n))
	}
	switch v.Kind() {
	case reflect.String:
		// Numbers are text too (cpu: 1), but true/false is a mistake more
		// often than not.
		if n.Tag == "!!bool" {
			return d.errf(n, key, "want text, not %s (quote it: \"%s\")", describe(n), n.Value)
		}
		v.SetString(n.Value)
	case reflect.Bool:
		if n.Tag != "!!bool" {
			return d.errf(n, key, "want true or false, not %s", describe(n))
		}
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if n.Tag != "!!int" || n.Decode(&i) != nil || v.OverflowInt(i) {
			return d.errf(n, key, "want a whole number in range, not %s", describe(n))
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var i uint64
		if n.Tag != "!!int" || n.Decode(&i) != nil || v.OverflowUint(i) {
			return d.errf(n, key, "want a whole number >= 0 in range, not %s", describe(n))
		}
		v.SetUint(i)
	case reflect.Float32, reflect.Float64:
		var f float64
		if (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&f) != nil {
			return d.errf(n, key, "want a number, not %s", describe(n))
		}
		v.SetFloat(f)
	default:
		return d.errf(n, key, "unsupported type %s", v.Type())
	}
	return nil
}

func (d *decoder) decodeStruct(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind != yaml.MappingNode {
		return d.errf(n, key, "want a mapping of keys to values, not %s", describe(n))
	}
	fields := map[string]int{}
	var names []string
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = i
		names = append(names, name)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return d.errf(k, key, "a key must be a name, not %s", describe(k))
		}
		idx, ok := fields[k.Value]
		if !ok {
			return d.errf(k, "", "unknown key %s%s", safetext.Quote(join(key, k.Value), 60), suggest.Hint(k.Value, names))
		}
		if seen[k.Value] {
			return d.errf(k, join(key, k.Value), "key given twice")
		}
		seen[k.Value] = true
		if err := d.decode(val, join(key, k.Value), v.Field(idx)); err != nil {
			return err
		}
	}
	return nil
}

func join(key, k string) string {
	k = safetext.Text(k, 60)
	if key == "" {
		return k
	}
	return key + "." + k
}

func want(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a whole number"
}

// describe says what a node is, in YAML's words.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!bool":
		return "true/false " + n.Value
	case "!!int", "!!float":
		return "the number " + safetext.Text(n.Value, 40)
	}
	return "the text " + safetext.Quote(n.Value, 40)
}
