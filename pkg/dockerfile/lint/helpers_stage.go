package lint

import "github.com/slimship/slimship/pkg/dockerfile"

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
