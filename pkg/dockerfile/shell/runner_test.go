package shell

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/slimship/slimship/internal/shdiff"
)

// runResult is what a sequence of RUNs did: the status of the first that
// failed (0 when none did), everything printed, and the files left. What
// stderr says is compared as a multiset of bytes: the two sides of a pipe
// (`cat f | f`) write their errors concurrently, interleaved even within a
// line.
type runResult struct {
	Status int
	Output string
	Files  string
}

// runSeq runs each script with /bin/sh -c (with -e when errexit) in a fresh
// shell, in one new directory, stopping at the first failure, as a
// Dockerfile's RUNs run.
func runSeq(t testing.TB, scripts []string, errexit bool) runResult {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "w") // one name, for basename "$PWD"
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	res := runResult{}
	for _, s := range scripts {
		args := []string{"-c", s}
		if errexit {
			args = []string{"-e", "-c", s}
		}
		cmd := exec.Command("/bin/sh", args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", "LC_ALL=C"}
		cmd.Stdout, cmd.Stderr = &out, &errs
		cmd.Stdin = nil
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			res.Status = ee.ExitCode()
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	res.Output = shdiff.Output(out.Bytes(), errs.Bytes())
	res.Files = shdiff.Files(dir, nil)
	return res
}

func needSh(t testing.TB) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
}

// joinAll merges scripts the way `slimship fix` merges consecutive RUNs:
// each next one onto the merged text while AndThen allows it, else a new
// RUN starts.
func joinAll(scripts []string, errexit bool) []string {
	var out []string
	for _, s := range scripts {
		if len(out) == 0 {
			out = append(out, s)
			continue
		}
		acc := out[len(out)-1]
		j, err := AndThen(acc, s, errexit, true)
		if err != nil {
			out = append(out, s)
			continue
		}
		out[len(out)-1] = j.Text(acc, s)
	}
	return out
}
