package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// MaxManifestSize bounds one manifest file or standard input.
const MaxManifestSize = 32 << 20

// Object is one Kubernetes object read from a manifest, with where it came
// from.
type Object struct {
	*unstructured.Unstructured
	// Source is "file:line" of the document's first line ("-" is stdin).
	Source string
}

// String names the object as kubectl does: "deployment.apps/web".
func (o Object) String() string {
	gvk := o.GroupVersionKind()
	kind := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	return kind + "/" + o.GetName()
}

// InputError is malformed input: a manifest that cannot be read or parsed,
// or an object without apiVersion, kind or name.
type InputError struct {
	Source string // file:line
	Err    error
}

func (e *InputError) Error() string { return e.Source + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ReadPaths reads every manifest under paths: files, directories (their
// *.yaml, *.yml and *.json files, recursively, in lexical order) and "-" for
// stdin.
func ReadPaths(paths []string, stdin io.Reader) ([]Object, error) {
	var out []Object
	for _, p := range paths {
		if p == "-" {
			objs, err := Read(stdin, "-")
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
			continue
		}
		files, err := manifestFiles(p)
		if err != nil {
			return nil, &InputError{Source: p, Err: err}
		}
		for _, f := range files {
			objs, err := readFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
		}
	}
	return out, nil
}

func manifestFiles(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, errors.Unwrap(err)
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if q != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(q)) {
		case ".yaml", ".yml", ".json":
			files = append(files, q)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("no *.yaml, *.yml or *.json manifest in directory")
	}
	sort.Strings(files)
	return files, nil
}

func readFile(name string) ([]Object, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, &InputError{Source: name, Err: errors.Unwrap(err)}
	}
	defer f.Close()
	return Read(f, name)
}

// Read parses a multi-document YAML (or JSON) stream into objects. Empty
// documents are skipped; a v1 List is expanded into its items.
func Read(r io.Reader, name string) ([]Object, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxManifestSize+1))
	if err != nil {
		return nil, &InputError{Source: name, Err: err}
	}
	if len(data) > MaxManifestSize {
		return nil, &InputError{Source: name, Err: fmt.Errorf("larger than %d bytes", MaxManifestSize)}
	}
	var out []Object
	for _, doc := range SplitDocuments(data) {
		objs, err := parseDocument(doc.Data, name, doc.Line)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// Document is one YAML document of a stream and the line it starts on.
type Document struct {
	Line int
	Data []byte
}

var separator = regexp.MustCompile(`^---[ \t]*(#.*)?\r?$`)

// SplitDocuments splits a YAML stream at "---" lines, keeping the line of
// each document's first content line (1-based; leading comments do not
// count). Documents holding only blanks and comments are dropped.
func SplitDocuments(data []byte) []Document {
	var docs []Document
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxManifestSize+1)
	var cur bytes.Buffer
	start, line, started := 1, 0, false
	flush := func() {
		if started {
			docs = append(docs, Document{Line: start, Data: bytes.Clone(cur.Bytes())})
		}
		cur.Reset()
		started = false
	}
	for sc.Scan() {
		line++
		l := sc.Bytes()
		if separator.Match(l) {
			flush()
			continue
		}
		if !started {
			if !hasContent(l) {
				continue // leading blanks and comments
			}
			start, started = line, true
		}
		cur.Write(l)
		cur.WriteByte('\n')
	}
	flush()
	return docs
}

func hasContent(doc []byte) bool {
	for _, l := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' && !bytes.Equal(t, []byte("...")) {
			return true
		}
	}
	return false
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func parseDocument(doc []byte, name string, line int) ([]Object, error) {
	src := fmt.Sprintf("%s:%d", name, line)
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		// Make the parser's document-relative line absolute.
		msg := yamlLine.ReplaceAllStringFunc(err.Error(), func(m string) string {
			n, _ := strconv.Atoi(m[len("line "):])
			return fmt.Sprintf("line %d", n+line-1)
		})
		return nil, &InputError{Source: src, Err: errors.New(msg)}
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return nil, nil
	}
	var m map[string]any
	if err := utiljson.Unmarshal(js, &m); err != nil {
		return nil, &InputError{Source: src, Err: fmt.Errorf("not a Kubernetes object: %v", err)}
	}
	u := &unstructured.Unstructured{Object: m}
	if strings.HasSuffix(u.GetKind(), "List") && u.IsList() {
		list, err := u.ToList()
		if err != nil {
			return nil, &InputError{Source: src, Err: err}
		}
		var out []Object
		for i := range list.Items {
			o := Object{Unstructured: &list.Items[i], Source: src}
			if err := check(o); err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		return out, nil
	}
	o := Object{Unstructured: u, Source: src}
	if err := check(o); err != nil {
		return nil, err
	}
	return []Object{o}, nil
}

func check(o Object) error {
	switch {
	case o.GetAPIVersion() == "":
		return &InputError{Source: o.Source, Err: errors.New("object has no apiVersion")}
	case o.GetKind() == "":
		return &InputError{Source: o.Source, Err: errors.New("object has no kind")}
	case o.GetName() == "":
		return &InputError{Source: o.Source, Err: fmt.Errorf("%s has no metadata.name (server-side apply needs one)", o.GetKind())}
	}
	return nil
}
