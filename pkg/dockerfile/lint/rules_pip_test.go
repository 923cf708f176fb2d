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

// pipCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_pip.go; a name starts with its rule's ID.
var pipCases = table([]tableCase{
	{"DL3013 unpinned", "FROM a:1\nRUN pip install flask\n", 1, nil},
	{"DL3013 python -m pip", "FROM a:1\nRUN python3 -m pip install flask\n", 1, nil},
	{"DL3013 pinned", "FROM a:1\nRUN pip install flask==3.0.0\n", 0, nil},
	{"DL3013 requirements", "FROM a:1\nRUN pip install -r requirements.txt\n", 0, nil},
	{"DL3013 index url value", "FROM a:1\nRUN pip install --index-url https://x/simple flask==3\n", 0, nil},
	{"DL3013 constraint", "FROM a:1\nRUN pip install -c constraints.txt flask\n", 0, nil},
	{"DL3013 vcs unpinned", "FROM a:1\nRUN pip install git+https://x/y.git#egg=y\n", 1, nil},
	{"DL3013 pipenv", "FROM a:1\nRUN pipenv install black\n", 0, nil},

	{"DL3042", "FROM python\nRUN pip install requests==2.0\n", 1, nil},
	{"DL3042", "FROM python\nRUN python3 -m pip install requests==2.0\n", 1, nil},
	{"DL3042", "FROM python\nRUN pip install --no-cache-dir requests==2.0\n", 0, nil},
	{"DL3042", "FROM python\nRUN pipx install black\n", 0, nil},
	{"DL3042", "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install requests\n", 0, nil},
	{"DL3042", "FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install requests\n", 0, nil},
	{"DL3042", "FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nFROM python\nRUN pip install requests\n", 1, nil},
	{"DL3042", "FROM python\nENV PIP_NO_CACHE_DIR=off\nRUN pip install requests\n", 1, nil},
	{"DL3042", "FROM python\nRUN PIP_NO_CACHE_DIR=1 pip install requests\n", 0, nil},
	{"DL3042", "FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install requests\n", 0, nil},
	{"DL3042", "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install requests\n", 0, nil},
	{"DL3042", "FROM python\nRUN --mount=type=cache,target=/var/cache/apt pip install requests\n", 1, nil},
	{"DL3042", "FROM python\nRUN <<EOF\nset -e\npip install requests\nEOF\n", 1, nil},
	{"DL3042", "FROM python\nSHELL [\"pwsh\", \"-c\"]\nRUN pip install requests\n", 0, nil},
})

func TestPipRules(t *testing.T) { runTableCases(t, pipCases) }

// pipFixes are the in-file fixes of the rules of rules_pip.go.
var pipFixes = []fixCase{
	{"DL3042", "FROM python\nRUN pip install requests\n", "FROM python\nRUN pip install --no-cache-dir requests\n"},
	{"DL3042", "FROM python\nRUN --mount=type=secret,id=x apt-get update \\\n  # comment\n  && pip3 install \\\n     requests\n",
		"FROM python\nRUN --mount=type=secret,id=x apt-get update \\\n  # comment\n  && pip3 install --no-cache-dir \\\n     requests\n"},
	{"DL3042", "FROM python\nONBUILD RUN pip install requests\n", "FROM python\nONBUILD RUN pip install --no-cache-dir requests\n"},
	{"DL3042", "FROM python\nRUN <<EOF\nset -e\npip install requests\nEOF\n", "FROM python\nRUN <<EOF\nset -e\npip install --no-cache-dir requests\nEOF\n"},
	{"DL3042", "FROM python\nRUN --mount=type=bind,source=req.txt,target=/r.txt <<EOF\npip install -r /r.txt\nEOF\n", "FROM python\nRUN --mount=type=bind,source=req.txt,target=/r.txt <<EOF\npip install --no-cache-dir -r /r.txt\nEOF\n"},
}

func TestPipFixes(t *testing.T) { runFixCases(t, pipFixes) }

// TestDL3042NoFixInShC: code inside `sh -c` has no file position.
func TestDL3042NoFixInShC(t *testing.T) {
	got := lintRule(t, "DL3042", "FROM python\nRUN sh -c 'pip install requests'\n", nil)
	if len(got) != 1 || got[0].Fix != nil {
		t.Fatalf("want one finding without fix, got %+v", got)
	}
}
