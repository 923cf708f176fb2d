//go:build e2e

package e2e

import (
	"os/exec"
	"testing"
)

func TestBinaryRuns(t *testing.T) {
	out, err := exec.Command(Bin(t), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}
