package lint

import (
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile/shell"
)

// TestPipInstallViews pins where the three tests for "a pip install"
// differ: DL3013 (hadolint) counts pipx, DL3042 (hadolint) does not and
// accepts any pip* name, the SS rules want the subcommand first.
func TestPipInstallViews(t *testing.T) {
	for _, tc := range []struct {
		code               string
		dl3013, dl3042, ss bool
	}{
		{"pip install flask", true, true, true},
		{"pip3.12 install flask", true, true, true},
		{"python3 -m pip install flask", true, true, true},
		{"pipx install black", true, false, false},
		{"pip --quiet install flask", true, true, true},
		{"python -u -m pip install flask", true, true, false},
		{"pipenv install", false, false, false},
	} {
		cmds := shell.Parse(tc.code).Commands
		if len(cmds) != 1 {
			t.Fatalf("%q: %d commands", tc.code, len(cmds))
		}
		c := cmds[0]
		if got := [3]bool{pipOrPipxInstall(c), pipInstall(c), isPip(c)}; got != [3]bool{tc.dl3013, tc.dl3042, tc.ss} {
			t.Errorf("%q: DL3013, DL3042, SS = %v, want %v", tc.code, got, [3]bool{tc.dl3013, tc.dl3042, tc.ss})
		}
	}
}
