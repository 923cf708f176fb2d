// Package history maps an image's layers to the Dockerfile instructions
// that made them, from the layers' history (created_by), and tells the
// layers of the base image from those the Dockerfile added. analyze points
// waste at the line that made it; sbom and scan say which instruction
// installed a package and whether it came with the base image.
package history

import (
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// Position is a place in a Dockerfile.
type Position struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Text string `json:"text"`
}

// Layers is what a Dockerfile says of an image's layers.
type Layers struct {
	// Positions[i] is the instruction that made layer i, nil when unknown
	// (a base image layer, or history that matches no instruction).
	Positions []*Position
	// Base is how many of the bottom layers came from the base image, or
	// -1 when the history does not show it: not every layer-making
	// instruction of the Dockerfile was found.
	Base int
}

// Match points each layer (createdBy[i] is layer i's history created_by,
// empty layers left out) at the instruction that made it: an instruction
// of the Dockerfile's last stage or of the stages it is built FROM. History
// is matched from the newest layer back, by kind (RUN, COPY, ADD, WORKDIR)
// and, for RUN, by command text.
func Match(df *dockerfile.File, createdBy []string) Layers {
	out := Layers{Positions: make([]*Position, len(createdBy)), Base: -1}
	if df == nil || len(df.Stages) == 0 {
		return out
	}
	var ins []*dockerfile.Instruction
	for _, st := range chain(df) {
		for _, in := range st.Instructions {
			switch in.Cmd {
			case "run", "copy", "add", "workdir":
				ins = append(ins, in)
			}
		}
	}
	j := len(ins) - 1
	lowest := -1
	for i := len(createdBy) - 1; i >= 0 && j >= 0; i-- {
		kind, text := Kind(createdBy[i])
		if kind == "" {
			continue
		}
		for k := j; k >= 0; k-- {
			in := ins[k]
			if in.Cmd != kind {
				continue
			}
			if kind == "run" && !sameCommand(text, strings.Join(in.Args, " ")) && k != j {
				continue
			}
			out.Positions[i] = &Position{File: df.Path, Line: in.Line, Text: firstLine(in.Original)}
			lowest = i
			j = k - 1
			break
		}
	}
	// WORKDIR makes a layer only when the directory is new; a Dockerfile
	// whose every other layer-making instruction was found accounts for
	// the layers above its first one.
	if lowest >= 0 && allButWorkdir(ins[:j+1]) {
		out.Base = lowest
	}
	return out
}

// chain is the last stage and the stages it is built FROM, root first.
func chain(df *dockerfile.File) []*dockerfile.Stage {
	st := df.Final()
	out := []*dockerfile.Stage{st}
	for len(out) <= len(df.Stages) {
		parent := df.StageByRef(st.Base, st.Index)
		if parent == nil {
			break
		}
		out = append([]*dockerfile.Stage{parent}, out...)
		st = parent
	}
	return out
}

func allButWorkdir(ins []*dockerfile.Instruction) bool {
	for _, in := range ins {
		if in.Cmd != "workdir" {
			return false
		}
	}
	return true
}

// Kind classifies a history created_by string as written by BuildKit
// ("RUN /bin/sh -c ... # buildkit"), buildah/podman and the classic builder
// ("/bin/sh -c #(nop) COPY ..." or "/bin/sh -c cmd"): the instruction in
// lower case (run, copy, add, workdir, or "" for others) and its text.
func Kind(cb string) (string, string) {
	s := strings.TrimSpace(cb)
	s = strings.TrimSuffix(s, "# buildkit")
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "|") { // "|2 A=1 B=2 /bin/sh -c ..." (build args)
		if i := strings.Index(s, "/bin/sh -c"); i >= 0 {
			s = s[i:]
		}
	}
	upper := strings.ToUpper(s)
	for _, k := range []string{"RUN", "COPY", "ADD", "WORKDIR"} {
		if strings.HasPrefix(upper, k+" ") {
			rest := strings.TrimSpace(s[len(k):])
			rest = strings.TrimPrefix(rest, "/bin/sh -c ")
			return strings.ToLower(k), rest
		}
	}
	if strings.HasPrefix(s, "/bin/sh -c #(nop)") {
		rest := strings.TrimSpace(strings.TrimPrefix(s, "/bin/sh -c #(nop)"))
		up := strings.ToUpper(rest)
		for _, k := range []string{"COPY", "ADD", "WORKDIR"} {
			if strings.HasPrefix(up, k+" ") {
				return strings.ToLower(k), rest
			}
		}
		return "", ""
	}
	if strings.HasPrefix(s, "/bin/sh -c ") {
		return "run", strings.TrimPrefix(s, "/bin/sh -c ")
	}
	return "", ""
}

func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// sameCommand reports whether a history RUN text and a Dockerfile RUN's
// arguments start alike (history may hold build args or a shell prefix).
func sameCommand(hist, df string) bool {
	h, d := normSpace(hist), normSpace(df)
	if h == "" || d == "" {
		return false
	}
	n := min(len(d), 24)
	return strings.Contains(h, d[:n]) || strings.Contains(d, h[:min(len(h), n)])
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
