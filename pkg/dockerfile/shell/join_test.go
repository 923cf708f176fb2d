package shell

import (
	"strings"
	"testing"
)

// The four cases of issue 10: each merge used to change what the build did.
func TestAndThenKeepsBuildBehaviour(t *testing.T) {
	needSh(t)
	cases := []struct {
		name    string
		runs    []string
		merged  bool // whether one RUN results
		wantErr string
	}{
		{"failure stays a failure", []string{"false", "echo a; echo b"}, true, ""},
		{"cd does not move later files", []string{"mkdir -p tmp && cd tmp", "touch marker"}, false, "working directory"},
		{"exit does not skip the next RUN", []string{"test -f x || exit 0", "echo configure"}, false, "exit"},
		{"export does not leak", []string{"export V=1", "echo \"v=$V\""}, false, "sets variables"},
		{"plain && chain", []string{"echo a && echo b", "echo c"}, true, ""},
		{"|| in the second", []string{"false", "false || echo rescued"}, true, ""},
		{"set -e in the second", []string{"true", "set -e; false; echo no"}, true, ""},
		{"subshell cd is fine", []string{"(mkdir d && cd d && touch in)", "touch out"}, true, ""},
		{"function", []string{"f() { echo x; }", "f"}, false, "function"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j, err := AndThen(tc.runs[0], tc.runs[1], false, true)
			if (err == nil) != tc.merged || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("AndThen: %v (want merged=%v, error about %q)", err, tc.merged, tc.wantErr)
			}
			got := joinAll(tc.runs, false)
			if tc.merged && (len(got) != 1 || got[0] != j.Text(tc.runs[0], tc.runs[1])) {
				t.Fatalf("joined %q", got)
			}
			want := runSeq(t, tc.runs, false)
			if have := runSeq(t, got, false); have != want {
				t.Fatalf("%q behaves differently from %q:\n got %+v\nwant %+v", got, tc.runs, have, want)
			}
		})
	}
	// The first case as text: the failing RUN still fails.
	j, _ := AndThen("false", "echo a; echo b", false, true)
	if got := j.Text("false", "echo a; echo b"); got != "false && { echo a; echo b; }" {
		t.Fatalf("joined %q", got)
	}
}

// set -e is ignored inside a compound command that is not the last of an
// && list: under a SHELL with -e, such a RUN is not merged in front.
func TestAndThenErrexit(t *testing.T) {
	needSh(t)
	runs := []string{"{ false; echo still; }", "echo next"}
	if _, err := AndThen(runs[0], runs[1], true, true); err == nil {
		t.Fatal("merged a compound command under -e")
	}
	if got := joinAll(runs, true); runSeq(t, got, true) != runSeq(t, runs, true) {
		t.Fatal("differs")
	}
	// Without -e the same merge is exact.
	if got := joinAll(runs, false); len(got) != 1 || runSeq(t, got, false) != runSeq(t, runs, false) {
		t.Fatalf("joined %q", got)
	}
}

// genScripts turns fuzz bytes into a few RUN scripts over a small
// vocabulary: true, false, echo, cd, export, exit N, set -e/+e, ;, &&, ||,
// |, subshells, groups, if, for, here-documents, functions, traps.
func genScripts(data []byte) ([]string, bool) {
	g := &gen{data: data}
	errexit := g.next()%4 == 0
	n := 2 + g.next()%3
	var out []string
	for i := 0; i < n && !g.done(); i++ {
		out = append(out, g.list(2))
	}
	return out, errexit
}

type gen struct {
	data []byte
	i    int
}

func (g *gen) done() bool { return g.i >= len(g.data) }

func (g *gen) next() int {
	if g.i >= len(g.data) {
		return 0
	}
	b := g.data[g.i]
	g.i++
	return int(b)
}

var atoms = []string{
	"true", "false", "echo a", "echo b >>f", "cat f", "touch m", "test -f m", "rm -f m",
	"mkdir -p d", "cd d", "cd nod", "basename \"$PWD\"", "export V=1", "echo \"v=$V\"", "V=2",
	"exit 0", "exit 3", "set -e", "set +e", "(exit 4)", "umask 077", "trap 'echo trapped' EXIT",
	"f() { echo fn; }", "f", ": ${W:=w}", "echo \"w=$W\"", "ls", "cat <<E\nhd $V\nE", "echo $_",
	"sh -c 'exit 5'", "for i in 1 2; do echo $i; done", "echo \"i=$i\"", "echo $((1+2))",
}

func (g *gen) atom() string { return atoms[g.next()%len(atoms)] }

func (g *gen) list(depth int) string {
	if depth <= 0 || g.done() {
		return g.atom()
	}
	switch g.next() % 12 {
	case 0, 1, 2:
		return g.atom()
	case 3:
		return g.list(depth-1) + "; " + g.list(depth-1)
	case 4:
		return g.list(depth-1) + " && " + g.list(depth-1)
	case 5:
		return g.list(depth-1) + " || " + g.list(depth-1)
	case 6:
		return g.atom() + " | " + g.atom()
	case 7:
		return "( " + g.list(depth-1) + " )"
	case 8:
		return "{ " + g.list(depth-1) + "; }"
	case 9:
		return "if " + g.list(depth-1) + "; then " + g.list(depth-1) + "; else " + g.list(depth-1) + "; fi"
	case 10:
		return "for x in 1 2; do " + g.list(depth-1) + "; done"
	default:
		return "! " + g.atom()
	}
}

// FuzzAndThen runs random RUN sequences one shell at a time, stopping at
// the first failure, and the merged RUNs, in fresh directories: status,
// output and files must match.
func FuzzAndThen(f *testing.F) {
	needSh(f)
	for _, seed := range [][]byte{
		{1, 2, 0, 1, 0, 3}, {0, 3, 3, 1, 0, 2, 0, 9}, {4, 2, 4, 0, 8, 0, 13, 0, 22},
		{0, 2, 5, 0, 27, 0, 4}, {0, 2, 9, 0, 1, 0, 2, 0, 2}, {0, 3, 8, 0, 17, 0, 19, 0, 13},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runs, errexit := genScripts(data)
		if len(runs) < 2 {
			return
		}
		merged := joinAll(runs, errexit)
		if len(merged) == len(runs) {
			return // nothing merged: nothing to compare
		}
		want := runSeq(t, runs, errexit)
		got := runSeq(t, merged, errexit)
		if got != want {
			t.Fatalf("errexit=%v\nRUNs   %q\nmerged %q\n got %+v\nwant %+v", errexit, runs, merged, got, want)
		}
	})
}
