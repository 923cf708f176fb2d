package deploy

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// Object is one Kubernetes object read from a manifest, with where it came
// from.
type Object struct {
	*unstructured.Unstructured
	// Source is "file:line" of the object's first line ("-" is stdin).
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

// ReadPaths reads every manifest under paths: files, directories (the
// files manifest.Find selects, as k8s lint does) and "-" for stdin. The
// objects are package manifest's, the same `k8s lint` checks: read as
// kubectl reads them.
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
			mobjs, err := manifest.DecodeFile(f)
			if err != nil {
				return nil, inputError(f, err)
			}
			objs, err := fromManifest(mobjs)
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
	files, err := manifest.Find(p)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("no *.yaml, *.yml or *.json manifest in directory")
	}
	return files, nil
}

// Read reads a multi-document YAML (or JSON) stream, named name in errors.
func Read(r io.Reader, name string) ([]Object, error) {
	mobjs, err := manifest.Decode(name, r)
	if err != nil {
		return nil, inputError(name, err)
	}
	return fromManifest(mobjs)
}

// inputError turns a reading error into an InputError at its file and line.
func inputError(file string, err error) error {
	var me *manifest.Error
	if errors.As(err, &me) {
		src := me.File
		if me.Line > 0 {
			src = fmt.Sprintf("%s:%d", me.File, me.Line)
		}
		return &InputError{Source: src, Err: me.Err}
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &InputError{Source: pe.Path, Err: pe.Err}
	}
	if msg, ok := strings.CutPrefix(err.Error(), file+": "); ok {
		err = errors.New(msg) // "FILE: larger than ..."
	}
	return &InputError{Source: file, Err: err}
}

// fromManifest makes unstructured objects of the JSON kubectl would send.
func fromManifest(mobjs []*manifest.Object) ([]Object, error) {
	out := make([]Object, 0, len(mobjs))
	for _, mo := range mobjs {
		src := fmt.Sprintf("%s:%d", mo.File, mo.Line)
		var m map[string]any
		if err := utiljson.Unmarshal(mo.JSON, &m); err != nil {
			return nil, &InputError{Source: src, Err: err}
		}
		o := Object{Unstructured: &unstructured.Unstructured{Object: m}, Source: src}
		if err := check(o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
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
