package analyze

import (
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// matchDockerfile points each layer at the instruction of the Dockerfile's
// last stage that made it. History is matched from the newest layer back
// against the stage's instructions, by kind (RUN, COPY, ADD, WORKDIR) and,
// for RUN, by command text; base image layers stay unmatched.
func matchDockerfile(df *dockerfile.File, layers []Layer) {
	if df == nil || len(df.Stages) == 0 {
		return
	}
	st := df.Stages[len(df.Stages)-1]
	var ins []*dockerfile.Instruction
	for _, in := range st.Instructions {
		switch in.Cmd {
		case "run", "copy", "add", "workdir":
			ins = append(ins, in)
		}
	}
	j := len(ins) - 1
	for i := len(layers) - 1; i >= 0 && j >= 0; i-- {
		kind, text := historyKind(layers[i].CreatedBy)
		if kind == "" {
			continue
		}
		for k := j; k >= 0; k-- {
			in := ins[k]
			if in.Cmd != kind {
				continue
			}
			if kind == "run" && !sameCommand(text, strings.Join(in.Args, " ")) && !(k == j && len(ins) > 0) {
				continue
			}
			layers[i].Instruction = &Position{File: df.Path, Line: in.Line, Text: firstLine(in.Original)}
			j = k - 1
			break
		}
	}
}

// historyKind classifies a history created_by string as written by
// BuildKit ("RUN /bin/sh -c ... # buildkit"), buildah/podman and the
// classic builder ("/bin/sh -c #(nop) COPY ..." or "/bin/sh -c cmd").
func historyKind(cb string) (string, string) {
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

func sameCommand(hist, df string) bool {
	h, d := normSpace(hist), normSpace(df)
	if h == "" || d == "" {
		return false
	}
	n := 24
	if len(d) < n {
		n = len(d)
	}
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
