package lint

import (
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
)

// Fixes that move shell code from one RUN into another (SS014, SS004) run
// two RUNs as one script. joinRuns allows that only where it keeps what
// the build does (shell.AndThen: no state crosses, the second part runs
// exactly when the first succeeded), where both RUNs have the same flags,
// and where only instructions that change nothing a RUN sees stand between
// them (so moving code past them changes nothing).

// joinRuns returns how the code of first can run before the code of second
// in second's RUN, or false.
func joinRuns(c *Context, first, second *dockerfile.Instruction, firstCode, secondCode string) (shell.Join, bool) {
	if first.Stage != second.Stage || !c.IsPOSIX(first) || !c.IsPOSIX(second) || !sameFlags(first, second) {
		return shell.Join{}, false
	}
	ins := c.File.Stages[first.Stage].Instructions
	ia, ib := -1, -1
	for k, in := range ins {
		switch in {
		case first:
			ia = k
		case second:
			ib = k
		}
	}
	if ia < 0 || ib < 0 {
		return shell.Join{}, false
	}
	for _, in := range ins[min(ia, ib)+1 : max(ia, ib)] {
		switch in.Cmd {
		case "label", "expose", "maintainer", "stopsignal", "healthcheck", "cmd", "entrypoint":
		default:
			return shell.Join{}, false
		}
	}
	for _, code := range []string{firstCode, secondCode} {
		t := strings.TrimSpace(code)
		if t == "" || strings.HasSuffix(t, ";") || strings.HasSuffix(t, "&") || strings.HasSuffix(t, "|") || strings.HasSuffix(t, `\`) {
			return shell.Join{}, false
		}
	}
	errexit, posix := shell.Mode(c.File.Shell(second))
	j, err := shell.AndThen(firstCode, secondCode, errexit, posix)
	return j, err == nil
}
