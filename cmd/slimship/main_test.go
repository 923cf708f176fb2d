//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary is slimship itself when SLIMSHIP_TEST_MAIN is set, so
// that the tests below run the real main (signals, exit codes) in a
// subprocess without building anything.
func TestMain(m *testing.M) {
	if os.Getenv("SLIMSHIP_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func command(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "SLIMSHIP_TEST_MAIN=1")
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return cmd, &stderr
}

// TestSignalWhileBlocked: a command blocked reading a FIFO or standard
// input exits 130 on SIGINT and 143 on SIGTERM within a second.
func TestSignalWhileBlocked(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	for _, tc := range []struct {
		args []string
		sig  syscall.Signal
		want int
	}{
		{[]string{"fix", fifo}, syscall.SIGINT, 130},
		{[]string{"lint", fifo}, syscall.SIGINT, 130},
		{[]string{"k8s", "lint", fifo}, syscall.SIGINT, 130},
		{[]string{"fix", fifo}, syscall.SIGTERM, 143},
		{[]string{"k8s", "lint", fifo}, syscall.SIGTERM, 143},
		{[]string{"lint", "-"}, syscall.SIGTERM, 143},
		{[]string{"k8s", "lint", "-"}, syscall.SIGINT, 130},
	} {
		name := strings.Join(tc.args, " ") + " " + tc.sig.String()
		t.Run(name, func(t *testing.T) {
			cmd, stderr := command(t, tc.args...)
			// Standard input is a pipe nobody writes to.
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			cmd.Stdin = r
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r.Close()
			waitBlocked(t, cmd.Process.Pid)
			start := time.Now()
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 5 s after %v; stderr: %s", tc.sig, stderr)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("exited %v after the signal, want within 1 s", d)
			}
			if got := cmd.ProcessState.ExitCode(); got != tc.want {
				t.Errorf("exit %d, want %d; stderr: %s", got, tc.want, stderr)
			}
		})
	}
}

// waitBlocked waits until a thread of process pid sleeps in the kernel on
// a FIFO's open or a pipe's read (Linux's /proc/PID/task/*/wchan): main
// has installed its signal handlers by then. Elsewhere it waits a second.
func waitBlocked(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
		if err != nil || len(tasks) == 0 {
			time.Sleep(time.Second)
			return
		}
		for _, w := range tasks {
			b, _ := os.ReadFile(w)
			if s := string(b); strings.Contains(s, "wait_for_partner") || strings.Contains(s, "pipe_read") || strings.Contains(s, "pipe_wait") || strings.Contains(s, "fifo") {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d did not block in a read within 10 s", pid)
}

// TestDevZero: fix and lint stop at their limit on an endless
// input: exit 2 quickly, with an error naming the file and the limit, and
// bounded memory.
func TestDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	for _, args := range [][]string{{"fix", "/dev/zero"}, {"lint", "/dev/zero"}} {
		cmd, stderr := command(t, args...)
		start := time.Now()
		err := cmd.Run()
		if cmd.ProcessState == nil {
			t.Fatalf("%v: %v", args, err)
		}
		if got := cmd.ProcessState.ExitCode(); got != 2 {
			t.Errorf("%v: exit %d, want 2; stderr: %s", args, got, stderr)
		}
		if !strings.Contains(stderr.String(), "/dev/zero: larger than") {
			t.Errorf("%v: stderr %q does not name the file and the limit", args, stderr)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%v: took %v", args, d)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > 400<<10 { // KiB on Linux
			t.Errorf("%v: peak RSS %d KiB", args, ru.Maxrss)
		}
	}
}
