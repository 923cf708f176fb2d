package fix

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/slimship/slimship/internal/shdiff"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// A tiny stand-in for a build, to prove fixes keep what a build does: each
// RUN runs as `SHELL code` (default /bin/sh -c) in a fresh process, in the
// WORKDIR, with the ENV so far, stopping at the first that fails. Package
// managers are stubs that print what they install (flags aside, since
// fixes add -y, --no-cache and the like on purpose) and keep their index
// as a file, so an install that needs an index another RUN fetched, or
// that a cleanup removed, fails as it would. rm never touches an absolute
// path (the apt lists cleanup removes the stub index instead). The index
// files are left out of the files compared: removing them is what a
// cleanup fix is for; a later install that needs them still fails.

type buildResult struct {
	Status int
	Output string
	Files  string
}

const stubPM = `#!/bin/sh
name=${0##*/}
if [ "$name" = pip ] && [ "$1" = install ] && { [ "$2" = -r ] || [ "$3" = -r ]; }; then
	for f in "$@"; do :; done
	[ -r "$f" ] || { echo "ERROR: Could not open requirements file $f"; exit 1; }
	while read -r line; do
		case "$line" in
		"-r "*) [ -r "${line#-r }" ] || { echo "ERROR: Could not open ${line#-r }"; exit 1; } ;;
		"-e ."|.) [ -r setup.py ] || { echo "ERROR: no setup.py in ."; exit 1; } ;;
		esac
		echo "pip install $line"
	done <"$f"
	exit 0
fi
[ "$name" = apt ] && name=apt-get
sub=""
pkgs=""
for a in "$@"; do
	case "$a" in
	-*) ;;
	*) if [ -z "$sub" ]; then sub=$a; else pkgs="$pkgs $a"; fi ;;
	esac
done
[ "$name" = apk ] && [ "$sub" = add ] && sub=install
[ "$name" = pip ] || [ "$name" = pip3 ] && name=pip
case "$sub" in
update|makecache) : >"$ROOT/.index-$name"; echo "$name update" ;;
install|in)
	if [ "$name" = apt-get ] && [ ! -e "$ROOT/.index-apt-get" ]; then echo "E: Unable to locate package$pkgs"; exit 100; fi
	echo "$name install$pkgs" ;;
esac
exit 0
`

const stubRm = `#!/bin/sh
for a in "$@"; do
	case "$a" in
	/var/lib/apt/lists*) /bin/rm -f "$ROOT/.index-apt-get" ;;
	/*) ;;
	*) set -- "$@" "$a" ;;
	esac
	shift
done
exec /bin/rm "$@"
`

var (
	stubOnce sync.Once
	stubDir  string
	stubErr  error
)

func stubs(t testing.TB) string {
	stubOnce.Do(func() {
		stubDir, stubErr = os.MkdirTemp("", "slimship-fix-stubs")
		if stubErr != nil {
			return
		}
		for _, name := range []string{"apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper", "pip", "pip3", "yarn"} {
			if stubErr = os.WriteFile(filepath.Join(stubDir, name), []byte(stubPM), 0o755); stubErr != nil {
				return
			}
		}
		stubErr = os.WriteFile(filepath.Join(stubDir, "rm"), []byte(stubRm), 0o755)
	})
	if stubErr != nil {
		t.Fatal(stubErr)
	}
	return stubDir
}

// build runs the RUNs of a one-stage Dockerfile (RUN, WORKDIR, ENV, SHELL;
// other instructions change nothing a RUN sees here).
func build(t testing.TB, src []byte) buildResult {
	t.Helper()
	return buildIn(t, src, "")
}

// buildIn also runs COPY from the context directory ctx (sources are
// context paths or ".", the destination a directory under the workdir).
func buildIn(t testing.TB, src []byte, ctx string) buildResult {
	t.Helper()
	f, err := dockerfile.ParseBytes("Dockerfile", src)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	root := t.TempDir()
	work := filepath.Join(root, "w")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := work
	env := []string{"PATH=" + stubs(t) + ":/usr/bin:/bin", "HOME=/nonexistent", "LC_ALL=C", "ROOT=" + root}
	sh := []string{"/bin/sh", "-c"}
	var out, errs bytes.Buffer
	res := buildResult{}
run:
	for _, in := range f.Instructions {
		switch in.Cmd {
		case "shell":
			sh = in.Args
		case "workdir":
			dir = filepath.Join(work, in.Args[0])
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		case "copy":
			dest := filepath.Join(dir, in.Args[len(in.Args)-1])
			for _, from := range in.Args[:len(in.Args)-1] {
				if out, err := exec.Command("cp", "-R", filepath.Join(ctx, from)+"/.", dest).CombinedOutput(); err != nil && from == "." {
					t.Fatalf("%v: %s", err, out)
				}
				if from != "." {
					os.MkdirAll(dest, 0o755)
					if out, err := exec.Command("cp", filepath.Join(ctx, from), dest).CombinedOutput(); err != nil {
						t.Fatalf("%v: %s", err, out)
					}
				}
			}
		case "env":
			for i := 0; i+1 < len(in.Args); i += 3 {
				env = append(env, in.Args[i]+"="+in.Args[i+1])
			}
		case "run":
			cmd := exec.Command(sh[0], append(append([]string(nil), sh[1:]...), in.ShellSource())...)
			cmd.Dir, cmd.Env = dir, env
			cmd.Stdout, cmd.Stderr = &out, &errs
			err := cmd.Run()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				res.Status = ee.ExitCode()
				break run
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	res.Output = shdiff.Output(out.Bytes(), errs.Bytes())
	res.Files = shdiff.Files(root, func(rel string) bool {
		return strings.HasPrefix(rel, ".index-") // a cache: cleanups remove it on purpose
	})
	return res
}

// runWords are the commands RUNs are made of: the package installs and
// cleanups the fixes edit, and the shell state that must not cross RUNs.
var runWords = []string{
	"apt-get update", "apt-get install -y curl", "apt-get install curl", "apt install -y git",
	"apk add curl", "yum install -y curl", "dnf install -y curl", "zypper install -y curl",
	"pip install flask", "yarn install", "rm -rf build", "mkdir -p build", "touch build/x",
	"cat build/x", "cd build", "echo a", "false", "true", "exit 0", "exit 3", "export V=1",
	"echo \"v=$V\"", "test -f build/x || exit 0", "echo a; echo b", "set -e", "ls",
}

var otherLines = []string{"WORKDIR sub", "ENV V=2", "LABEL a=b", "EXPOSE 80", "SHELL [\"/bin/sh\", \"-e\", \"-c\"]"}

// genDockerfile turns fuzz bytes into a one-stage Dockerfile.
func genDockerfile(data []byte) []byte {
	var b strings.Builder
	b.WriteString("FROM debian:12\n")
	i := 0
	next := func() int {
		if i >= len(data) {
			return 0
		}
		i++
		return int(data[i-1])
	}
	for n := 0; n < 8 && i < len(data); n++ {
		k := next()
		if k%7 == 6 {
			b.WriteString(otherLines[next()%len(otherLines)] + "\n")
			continue
		}
		code := runWords[next()%len(runWords)]
		for m := k % 3; m > 0; m-- {
			code += []string{" && ", "; ", " || "}[next()%3] + runWords[next()%len(runWords)]
		}
		b.WriteString("RUN " + code + "\n")
	}
	return []byte(b.String())
}

func needShell(t testing.TB) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
}

// FuzzFixKeepsBuild fixes random Dockerfiles with every default fix (RUN
// merges, SS014 and SS004 moves, appended cleanups, added flags) and runs
// the input and the output: status, output and files must match.
func FuzzFixKeepsBuild(f *testing.F) {
	needShell(f)
	for _, seed := range []string{
		"\x00\x00\x00\x04",                         // apt-get update; apt-get install -y curl
		"\x01\x00\x02\x00\x00\x01\x04\x00\x0f",     // update && install, cleanup
		"\x00\x0b\x00\x0c\x00\x0a",                 // mkdir, touch, rm: SS004
		"\x00\x0b\x00\x0e\x00\x0c",                 // mkdir; cd build; touch
		"\x00\x16\x00\x0f",                         // test || exit 0; echo a
		"\x00\x12\x00\x0f",                         // exit 0; echo a
		"\x00\x14\x00\x15",                         // export; echo $V
		"\x00\x10\x00\x0f",                         // false; echo a
		"\x01\x00\x00\x00\x01\x00\x01\x00\x00\x02", // update && install; install
		"\x06\x04\x00\x0b\x00\x11",                 // SHELL -e
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := genDockerfile(data)
		res, err := Fix("Dockerfile", src, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if string(res.Fixed) == string(src) {
			return
		}
		want, got := build(t, src), build(t, res.Fixed)
		if got != want {
			t.Fatalf("the fix changed the build:\n%s\ninput:\n%s\n got %+v\nwant %+v\napplied %+v", Diff("Dockerfile", src, res.Fixed), src, got, want, res.Applied)
		}
	})
}

// SS003 moves a dependency install before `COPY . .` only where the
// manifest reads nothing else of the context; the build stays the same.
func TestReorderKeepsBuild(t *testing.T) {
	needShell(t)
	src := []byte("FROM python:3.12-slim\nWORKDIR app\nCOPY . .\nRUN pip install -r requirements.txt\n")
	for _, tc := range []struct {
		name, requirements string
		moved              bool
	}{
		{"plain", "flask\n", true},
		{"nested requirements file", "-r base.txt\n", false},
		{"the project itself", "-e .\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.TempDir()
			for name, data := range map[string]string{"requirements.txt": tc.requirements, "base.txt": "flask\n", "setup.py": "x\n"} {
				if err := os.WriteFile(filepath.Join(ctx, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Fix("Dockerfile", src, Options{Rules: []string{CacheOrderID}, Dir: ctx})
			if err != nil {
				t.Fatal(err)
			}
			if moved := string(res.Fixed) != string(src); moved != tc.moved {
				t.Fatalf("moved=%v, want %v:\n%s", moved, tc.moved, res.Fixed)
			}
			if want, got := buildIn(t, src, ctx), buildIn(t, res.Fixed, ctx); got != want || want.Status != 0 {
				t.Fatalf("the fix changed the build:\n%s\n got %+v\nwant %+v", res.Fixed, got, want)
			}
		})
	}
}

// Cleanups appended to a RUN (DL3009, DL3060 and the like) run after the
// command they clean up after, not inside a comment, a pipe or a
// redirection that follows it.
func TestCleanupFixesKeepBuild(t *testing.T) {
	needShell(t)
	for _, src := range []string{
		"FROM debian:12\nRUN apt-get update && apt-get install -y curl # note\n",
		"FROM node:20\nRUN yarn install > log\n",
		"FROM node:20\nRUN yarn install | tee log\n",
		"FROM node:20\nRUN yarn install && echo done\n",
	} {
		res, err := Fix("Dockerfile", []byte(src), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(res.Fixed), "# note &&") {
			t.Errorf("appended into a comment:\n%s", res.Fixed)
		}
		for _, a := range res.Applied {
			if a.RuleID == "DL3009" && strings.Contains(src, "# note") {
				t.Errorf("says fixed %s, but the text went into a comment", a.RuleID)
			}
		}
		if want, got := build(t, []byte(src)), build(t, res.Fixed); got != want {
			t.Errorf("the fix changed the build:\n%s\n got %+v\nwant %+v", Diff("Dockerfile", []byte(src), res.Fixed), got, want)
		}
	}
}
