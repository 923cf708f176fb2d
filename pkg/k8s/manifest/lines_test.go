package manifest

import (
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// treeLineOf is LineOf over the yaml.v3 node tree, which the index replaces.
func treeLineOf(root *yaml.Node, line int, path []any) int {
	n := root
	for _, p := range path {
		n = deref(n)
		var next *yaml.Node
		switch k := p.(type) {
		case string:
			if i, ok := pointerIndex(k); ok && n.Kind == yaml.SequenceNode {
				if i >= len(n.Content) {
					return line
				}
				next = n.Content[i]
				line = next.Line
				break
			}
			if n.Kind != yaml.MappingNode {
				return line
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
		case int:
			if n.Kind != yaml.SequenceNode || k < 0 || k >= len(n.Content) {
				return line
			}
			next = n.Content[k]
			line = next.Line
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

// paths lists the paths of a tree (and one missing key and index at each
// level), bounded for alias-heavy inputs.
func paths(n *yaml.Node, prefix []any, out *[][]any, depth int) {
	if len(*out) > 2000 || depth > 12 {
		return
	}
	*out = append(*out, prefix)
	at := func(p any) []any { return append(append([]any{}, prefix...), p) }
	*out = append(*out, at("no-such-key"), at(99), at(-1))
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			paths(n.Content[i+1], at(n.Content[i].Value), out, depth+1)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			paths(c, at(i), out, depth+1)
		}
		*out = append(*out, at("0"), at("00"), at("+1"))
	}
}

func checkIndex(t *testing.T, src string) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil || len(doc.Content) == 0 {
		return
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return
	}
	x := buildIndex(root)
	var ps [][]any
	paths(root, nil, &ps, 0)
	for _, p := range ps {
		if got, want := x.lineOf(root.Line, p), treeLineOf(root, root.Line, p); got != want {
			t.Fatalf("path %v: index says line %d, tree %d", p, got, want)
		}
	}
}

func TestLineIndexMatchesTree(t *testing.T) {
	for _, src := range lineIndexSeeds {
		checkIndex(t, src)
	}
}

var lineIndexSeeds = []string{
	"kind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: x\n    ports:\n    - containerPort: 80\n",
	"base: &b\n  x: 1\n  y: [1, 2]\nkind: K\nuse: *b\nmerged:\n  <<: *b\n  z: 3\nlist:\n- *b\n- {a: 1}\n",
	"kind: K\na: {b: {c: [d, {e: f}]}}\nx: null\n? [complex]\n: v\n",
}

func FuzzLineIndex(f *testing.F) {
	for _, s := range lineIndexSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		checkIndex(t, src)
	})
}
