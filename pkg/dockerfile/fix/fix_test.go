package fix

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

func TestMergeRuns(t *testing.T) {
	src := "FROM debian:12\nRUN echo a\nRUN echo b\nRUN echo c\n# keep\nRUN echo d\nRUN [\"echo\", \"e\"]\n"
	res, err := Fix("Dockerfile", []byte(src), Options{Rules: []string{MergeRunsID}})
	if err != nil {
		t.Fatal(err)
	}
	want := "FROM debian:12\nRUN echo a && \\\n    echo b && \\\n    echo c\n# keep\nRUN echo d\nRUN [\"echo\", \"e\"]\n"
	if string(res.Fixed) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", res.Fixed, want)
	}
}

func TestApplyDefersOverlaps(t *testing.T) {
	src := []byte("abcdef")
	out, applied, _ := apply(src, []pending{
		{ruleID: "A", lines: []int{1}, fix: finding.Fix{Edits: []finding.Edit{{Offset: 1, Length: 2, NewText: "X"}}}},
		{ruleID: "B", lines: []int{1}, fix: finding.Fix{Edits: []finding.Edit{{Offset: 2, Length: 2, NewText: "Y"}}}},
		{ruleID: "C", lines: []int{1}, fix: finding.Fix{Edits: []finding.Edit{{Offset: 5, Length: 0, NewText: "Z"}}}},
	})
	if string(out) != "aXdeZf" || len(applied) != 2 {
		t.Fatalf("got %q, applied %v", out, applied)
	}
}

// Every case under testdata/*.Dockerfile is fixed, with testdata/<case>.ctx
// as its build context when there is one; the result is golden,
// fixing it again changes nothing, and it lints no worse than the input.
func TestFixGolden(t *testing.T) {
	cases, _ := filepath.Glob("testdata/*.Dockerfile")
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, path := range cases {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			o := Options{}
			if ctx := strings.TrimSuffix(path, ".Dockerfile") + ".ctx"; isDir(ctx) {
				o.Dir = ctx
			}
			res, err := Fix(filepath.Base(path), src, o)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, strings.TrimSuffix(path, ".Dockerfile")+".fixed", res.Fixed)
			again, err := Fix(filepath.Base(path), res.Fixed, o)
			if err != nil {
				t.Fatal(err)
			}
			if string(again.Fixed) != string(res.Fixed) {
				t.Fatalf("not idempotent:\n%s", Diff("x", res.Fixed, again.Fixed))
			}
			if len(res.After) > len(res.Before) {
				t.Fatalf("fixed file has more findings: %d > %d", len(res.After), len(res.Before))
			}
			if string(res.Fixed) != string(src) && len(res.After) == len(res.Before) && finding.Max(res.After) >= finding.Max(res.Before) && len(res.Applied) == 0 {
				t.Fatal("changed without applying anything")
			}
		})
	}
}

func TestWriteAtomicKeepsBackup(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(p, []byte("new"), true); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	orig, _ := os.ReadFile(p + ".orig")
	st, _ := os.Stat(p)
	if string(got) != "new" || string(orig) != "old" || st.Mode().Perm() != 0o600 {
		t.Fatalf("got %q orig %q mode %v", got, orig, st.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("leftover temp files: %v", entries)
	}
}

func TestCreateNeverEscapesContext(t *testing.T) {
	o := Options{Dir: t.TempDir()}
	res := &Result{Files: map[string][]byte{}, Existing: map[string]bool{}}
	fs := []finding.Finding{{RuleID: "SS006", Fix: &finding.Fix{Edits: []finding.Edit{
		{File: "../evil", Create: true, NewText: "x"}, {File: "/etc/x", Create: true, NewText: "x"},
		{File: ".dockerignore", Create: true, NewText: ".git\n"}}}}}
	o.collect(&dockerfile.File{Path: "Dockerfile"}, fs, &state{res: res}, func(string) bool { return true })
	if len(res.Files) != 1 || string(res.Files[".dockerignore"]) != ".git\n" {
		t.Fatalf("new files: %v", res.Files)
	}
	// An existing file is edited in place, once.
	os.WriteFile(filepath.Join(o.Dir, "x.ignore"), []byte("a\n"), 0o644)
	res = &Result{Files: map[string][]byte{}, Existing: map[string]bool{}}
	app := finding.Edit{File: "x.ignore", Offset: 2, NewText: ".git\n"}
	fs = []finding.Finding{{RuleID: "SS006", Fix: &finding.Fix{Edits: []finding.Edit{app}}}, {RuleID: "SS006", Fix: &finding.Fix{Edits: []finding.Edit{app}}}}
	o.collect(&dockerfile.File{Path: "Dockerfile"}, fs, &state{res: res}, func(string) bool { return true })
	if string(res.Files["x.ignore"]) != "a\n.git\n" || !res.Existing["x.ignore"] {
		t.Fatalf("edited file: %q", res.Files["x.ignore"])
	}
}

func TestReorderInstallBeforeCopy(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("flask\n"), 0o644)
	src := "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
	res, err := Fix("Dockerfile", []byte(src), Options{Rules: []string{CacheOrderID}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	want := "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
	if string(res.Fixed) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", res.Fixed, want)
	}
	// A RUN that also builds needs the source: left alone.
	src2 := "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
	res2, _ := Fix("Dockerfile", []byte(src2), Options{Rules: []string{CacheOrderID}})
	if string(res2.Fixed) != src2 {
		t.Fatalf("moved a RUN that needs the source:\n%s", res2.Fixed)
	}
	// An ENV between them could change the install: left alone.
	src3 := "FROM node:20\nCOPY . .\nENV NODE_ENV=production\nRUN npm ci\n"
	res3, _ := Fix("Dockerfile", []byte(src3), Options{Rules: []string{CacheOrderID}})
	if string(res3.Fixed) != src3 {
		t.Fatalf("moved across ENV:\n%s", res3.Fixed)
	}
}

// Issue 10: merging RUNs must never change what the build does. The four
// reported cases: the failing RUN still fails, and cd, exit and export
// stay in their RUN. Lint reports DL3059 only for RUNs of one command, so
// the first and third are not findings and stay as they are; the others
// are left apart with the reason. (shell.TestAndThenKeepsBuildBehaviour
// runs the same cases through the join itself.)
func TestMergeRunsKeepsBuildBehaviour(t *testing.T) {
	cases := []struct {
		name, src, want, skipped string
	}{
		{"failure stays a failure", "FROM debian:12\nRUN false\nRUN echo a; echo b\n", "", ""},
		{"a failing RUN merged with one command", "FROM debian:12\nRUN false\nRUN echo a\n",
			"FROM debian:12\nRUN false && \\\n    echo a\n", "-"},
		{"cd stays in its RUN", "FROM debian:12\nRUN cd /tmp\nRUN touch marker\n", "", "working directory"},
		{"exit does not skip the next RUN", "FROM debian:12\nRUN test -f x || exit 0\nRUN echo configure\n", "", ""},
		{"a lone exit", "FROM debian:12\nRUN exit 0\nRUN echo configure\n", "", "exit"},
		{"export does not leak", "FROM debian:12\nRUN export V=1\nRUN echo \"$V\"\n", "", "sets variables"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Fix("Dockerfile", []byte(tc.src), Options{Rules: []string{MergeRunsID}})
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == "" {
				want = tc.src
			}
			if string(res.Fixed) != want {
				t.Fatalf("got:\n%s\nwant:\n%s", res.Fixed, want)
			}
			if tc.skipped == "" {
				if len(res.Applied)+len(res.Skipped) != 0 {
					t.Fatalf("applied %+v, skipped %+v", res.Applied, res.Skipped)
				}
				return
			}
			if tc.skipped == "-" {
				if len(res.Applied) != 1 || res.Applied[0].RuleID != MergeRunsID || res.Applied[0].Line != 3 {
					t.Fatalf("applied %+v", res.Applied)
				}
				return
			}
			if len(res.Applied) != 0 {
				t.Fatalf("applied %+v", res.Applied)
			}
			if len(res.Skipped) != 1 || res.Skipped[0].RuleID != MergeRunsID || res.Skipped[0].Line != 3 ||
				!strings.Contains(res.Skipped[0].Reason, tc.skipped) {
				t.Fatalf("skipped %+v, want one DL3059 at line 3 about %q", res.Skipped, tc.skipped)
			}
		})
	}
}

// "fixed DL3059" only where lint reported DL3059: a RUN of two commands
// followed by another is not a finding, so it is not merged either.
func TestAppliedOnlyWhatLintReported(t *testing.T) {
	src := "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN echo done\n"
	res, err := Fix("Dockerfile", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	reported := map[string]bool{}
	for _, fd := range res.Before {
		reported[fmt.Sprint(fd.RuleID, ":", fd.Line)] = true
	}
	for _, a := range res.Applied {
		if !reported[fmt.Sprint(a.RuleID, ":", a.Line)] {
			t.Errorf("applied %s at line %d, which lint did not report there (%v)", a.RuleID, a.Line, reported)
		}
		if a.RuleID == MergeRunsID {
			t.Errorf("merged RUNs without a DL3059 finding: %+v", a)
		}
	}
}

// Lines reported after several passes are lines of the input: the
// apt.Dockerfile case merges the update into the install (SS014), then
// merges the next RUN (DL3059 at line 4), then appends the cleanup
// (DL3009, reported at line 2).
func TestAppliedLinesAreOriginal(t *testing.T) {
	src, err := os.ReadFile("testdata/apt.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Fix("Dockerfile", src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, a := range res.Applied {
		got[fmt.Sprint(a.RuleID, ":", a.Line)] = true
	}
	for _, want := range []string{"SS014:2", "DL3059:4", "DL3009:2"} {
		if !got[want] {
			t.Errorf("no %s among %v", want, got)
		}
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
