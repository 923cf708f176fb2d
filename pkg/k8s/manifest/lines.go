package manifest

import (
	"slices"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// lineIndex is what LineOf needs of an object's YAML node tree: for every
// mapping and sequence, its members' keys and lines. It is a few flat slices
// instead of a tree of yaml.Nodes, so the node tree can be dropped after
// decoding (a large run otherwise keeps hundreds of megabytes alive).
type lineIndex struct {
	// nodes[0] is the object's mapping.
	nodes []container
	kids  []member
	// seen maps anchored nodes to their index while building.
	seen map[*yaml.Node]int32
}

type container struct {
	mapping bool
	// kids[start:start+count] are the members.
	start, count int32
}

type member struct {
	// key is a mapping member's key (the key node's Value, as LineOf
	// compares it); empty for sequence items.
	key string
	// line is the key's line (mapping) or the item's (sequence).
	line int32
	// node is the index of the member's value in nodes, or -1 when the
	// value is not a mapping or sequence.
	node int32
}

// buildIndex indexes the tree under n (a mapping). Aliased subtrees are
// indexed once and shared, as in the node tree.
// The index is built in a reused scratch index and copied out at its size.
func buildIndex(n *yaml.Node) *lineIndex {
	x := scratchIndexes.Get().(*lineIndex)
	x.add(n)
	out := &lineIndex{nodes: slices.Clone(x.nodes), kids: slices.Clone(x.kids)}
	x.nodes, x.kids, x.seen = x.nodes[:0], x.kids[:0], nil
	if cap(x.kids) <= 1<<16 {
		scratchIndexes.Put(x)
	}
	return out
}

var scratchIndexes = sync.Pool{New: func() any { return new(lineIndex) }}

func (x *lineIndex) add(n *yaml.Node) int32 {
	n = deref(n)
	if n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode {
		return -1
	}
	if n.Anchor != "" {
		if i, ok := x.seen[n]; ok {
			return i
		}
	}
	id := int32(len(x.nodes))
	if n.Anchor != "" {
		if x.seen == nil {
			x.seen = map[*yaml.Node]int32{}
		}
		x.seen[n] = id
	}
	c := container{mapping: n.Kind == yaml.MappingNode, start: int32(len(x.kids))}
	if c.mapping {
		c.count = int32(len(n.Content) / 2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			x.kids = append(x.kids, member{key: n.Content[i].Value, line: int32(n.Content[i].Line)})
		}
	} else {
		c.count = int32(len(n.Content))
		for _, it := range n.Content {
			x.kids = append(x.kids, member{line: int32(it.Line)})
		}
	}
	x.nodes = append(x.nodes, c)
	for j := int32(0); j < c.count; j++ {
		var v *yaml.Node
		if c.mapping {
			v = n.Content[2*j+1]
		} else {
			v = n.Content[j]
		}
		k := x.add(v)
		x.kids[c.start+j].node = k
	}
	return id
}

// lineOf walks path through the index; see Object.LineOf.
func (x *lineIndex) lineOf(line int, path []any) int {
	if x == nil || len(x.nodes) == 0 {
		return line
	}
	cur := int32(0)
	for _, p := range path {
		if cur < 0 {
			return line
		}
		c := x.nodes[cur]
		kids := x.kids[c.start : c.start+c.count]
		next := int32(-2)
		switch k := p.(type) {
		case string:
			if !c.mapping {
				// A JSON pointer names sequence items by number.
				i, ok := pointerIndex(k)
				if !ok || i >= len(kids) {
					return line
				}
				line = int(kids[i].line)
				next = kids[i].node
				break
			}
			for i := range kids {
				if kids[i].key == k {
					line = int(kids[i].line)
					next = kids[i].node
					break
				}
			}
		case int:
			if c.mapping || k < 0 || k >= len(kids) {
				return line
			}
			line = int(kids[k].line)
			next = kids[k].node
		}
		if next == -2 {
			return line
		}
		cur = next
	}
	return line
}

// pointerIndex parses a JSON pointer's array index (RFC 6901: "0" or
// digits without a leading zero).
func pointerIndex(s string) (int, bool) {
	if s == "" || len(s) > 9 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
