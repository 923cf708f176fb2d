package audit

import (
	"strconv"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile/shell"
)

// Step is one history entry's created_by, decoded. Docker's classic
// builder writes "/bin/sh -c #(nop)  CMD [...]" and "/bin/sh -c apt-get
// ..."; BuildKit "RUN /bin/sh -c ... # buildkit" and "ADD x y # buildkit";
// both prefix RUN with "|N KEY=VALUE ..." for N build arguments.
type Step struct {
	// Instruction is upper case (RUN, ADD, COPY, ENV ...); "" when unknown.
	Instruction string
	// Args is the instruction's text after its keyword (for RUN, the shell
	// code).
	Args string
	// BuildArgs are the KEY=VALUE build arguments the step ran with.
	BuildArgs []string
}

// ParseStep decodes a history entry's created_by.
func ParseStep(createdBy string) Step {
	s := strings.TrimSpace(createdBy)
	s = strings.TrimSpace(strings.TrimSuffix(s, "# buildkit"))
	var st Step
	if rest, ok := cutWord(s, "RUN"); ok {
		st.Instruction = "RUN"
		s = rest
	}
	s, st.BuildArgs = cutBuildArgs(s)
	for _, sh := range []string{"/bin/sh -c", "/bin/bash -c", "/bin/sh -o pipefail -c", "/bin/bash -o pipefail -c", "sh -c", "bash -c", "/bin/ash -c"} {
		if rest, ok := cutWord(s, sh); ok {
			s = rest
			if nop, ok := cutWord(s, "#(nop)"); ok {
				st.Instruction = ""
				s = nop
				break
			}
			st.Instruction, st.Args = "RUN", s
			return st
		}
	}
	if st.Instruction == "RUN" {
		st.Args = s
		return st
	}
	kw, rest, _ := strings.Cut(s, " ")
	if kw != "" && kw == strings.ToUpper(kw) && isWord(kw) {
		st.Instruction, st.Args = kw, strings.TrimSpace(rest)
	} else {
		st.Args = s
	}
	return st
}

// Script parses a RUN step's shell code.
func (st Step) Script() *shell.Script {
	if st.Instruction != "RUN" {
		return &shell.Script{}
	}
	return shell.Parse(st.Args)
}

func cutWord(s, prefix string) (string, bool) {
	if s == prefix {
		return "", true
	}
	if strings.HasPrefix(s, prefix+" ") || strings.HasPrefix(s, prefix+"\t") {
		return strings.TrimSpace(s[len(prefix):]), true
	}
	return s, false
}

// cutBuildArgs removes a "|N K=V ..." prefix. Values are written
// unquoted, so a value with spaces cannot be told apart from the next
// word; the N words after the count are taken.
func cutBuildArgs(s string) (string, []string) {
	if !strings.HasPrefix(s, "|") {
		return s, nil
	}
	countStr, rest, _ := strings.Cut(s[1:], " ")
	n, err := strconv.Atoi(countStr)
	if err != nil || n < 0 {
		return s, nil
	}
	var args []string
	for i := 0; i < n && rest != ""; i++ {
		var w string
		w, rest, _ = strings.Cut(strings.TrimLeft(rest, " "), " ")
		args = append(args, w)
	}
	return strings.TrimSpace(rest), args
}

func isWord(s string) bool {
	for _, r := range s {
		if (r < 'A' || r > 'Z') && r != '_' {
			return false
		}
	}
	return true
}
