package lint

import (
	"iter"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
)

// stageNamesBefore returns the aliases of stages before index i.
func stageNamesBefore(f *dockerfile.File, i int) map[string]bool {
	out := map[string]bool{}
	for _, st := range f.Stages[:i] {
		if st.Name != "" {
			out[st.Name] = true
		}
	}
	return out
}

// stageName is the name hadolint tracks a stage by: its alias, or the
// image it starts from.
func stageName(s *dockerfile.Stage) string {
	if s.Name != "" {
		return s.Name
	}
	return parseImage(s.Base).untagged()
}

// finalChain returns the stages whose content reaches the final image:
// the last stage and the stages it is built FROM, transitively.
func finalChain(f *dockerfile.File) map[int]bool {
	out := map[int]bool{}
	s := f.Final()
	for s != nil && !out[s.Index] {
		out[s.Index] = true
		if s.From == nil {
			break
		}
		s = f.StageByRef(parseImage(s.Base).untagged(), s.Index)
	}
	return out
}

// parentStage returns the earlier stage s is built FROM, or nil when s starts
// from an image.
func parentStage(f *dockerfile.File, s *dockerfile.Stage) *dockerfile.Stage {
	if s.From == nil || s.Base == "" {
		return nil
	}
	return f.StageByRef(s.Base, s.Index)
}

// stageChain returns s and the stages it is built on, s first.
func stageChain(f *dockerfile.File, s *dockerfile.Stage) []*dockerfile.Stage {
	var out []*dockerfile.Stage
	seen := map[int]bool{}
	for s != nil && !seen[s.Index] {
		seen[s.Index] = true
		out = append(out, s)
		s = parentStage(f, s)
	}
	return out
}

// chainInstructions returns the effective instructions of s and its parent
// stages in build order (oldest first), FROM lines excluded.
func chainInstructions(c *Context, s *dockerfile.Stage) []*dockerfile.Instruction {
	chain := stageChain(c.File, s)
	var out []*dockerfile.Instruction
	for i := len(chain) - 1; i >= 0; i-- {
		for _, in := range c.StageEffective(chain[i]) {
			if in.Cmd != "from" {
				out = append(out, in)
			}
		}
	}
	return out
}

// rootStage is the first stage of s's chain: the one FROM an image.
func rootStage(f *dockerfile.File, s *dockerfile.Stage) *dockerfile.Stage {
	ch := stageChain(f, s)
	return ch[len(ch)-1]
}

// finalStage returns the last stage when it has a FROM.
func finalStage(c *Context) *dockerfile.Stage {
	s := c.File.Final()
	if s == nil || s.From == nil {
		return nil
	}
	return s
}

// bkStageCommands are the instructions BuildKit dispatches for a stage: FROM
// excluded, ONBUILD triggers not expanded.
func bkStageCommands(s *dockerfile.Stage) []*dockerfile.Instruction {
	if len(s.Instructions) > 0 && s.Instructions[0] == s.From {
		return s.Instructions[1:]
	}
	return s.Instructions
}

// fileStep is an instruction of the final stage's chain that puts files
// in the image: a COPY or ADD with where its files went, or a RUN with
// its script.
type fileStep struct {
	idx  int                     // in the chain's instructions
	in   *dockerfile.Instruction //
	copy copyRecord              // COPY and ADD
	sc   *shell.Script           // RUN; nil for COPY and ADD
	wd   *workdirTracker         // the WORKDIR at in
}

// finalInstructions is the final stage and its chain's instructions (see
// chainInstructions); ok is false when there is no final stage with a FROM.
func finalInstructions(c *Context) (final *dockerfile.Stage, ins []*dockerfile.Instruction, ok bool) {
	final = finalStage(c)
	if final == nil {
		return nil, nil, false
	}
	return final, chainInstructions(c, final), true
}

// fileSteps walks ins in order, following WORKDIR, and yields each COPY,
// ADD and each RUN whose script parses.
func fileSteps(c *Context, ins []*dockerfile.Instruction) iter.Seq[fileStep] {
	return func(yield func(fileStep) bool) {
		wd := &workdirTracker{}
		for idx, in := range ins {
			wd.apply(in)
			step := fileStep{idx: idx, in: in, wd: wd}
			switch in.Cmd {
			case "copy", "add":
				step.copy = recordCopy(in, wd)
			case "run":
				if step.sc = c.Script(in); step.sc == nil {
					continue
				}
			default:
				continue
			}
			if !yield(step) {
				return
			}
		}
	}
}
