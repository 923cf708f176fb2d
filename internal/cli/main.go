package cli

import (
	"context"
	"os"
	"syscall"
	"time"
)

// SignalGrace is how long Main waits, after SIGINT or SIGTERM, for the
// command to return (removing its temporary files) before it exits anyway:
// a read blocked on a FIFO or a terminal cannot be cancelled.
const SignalGrace = 300 * time.Millisecond

// SignalExitCode is the shell's exit code for a process ended by sig:
// 128 + its number (130 for SIGINT, 143 for SIGTERM).
func SignalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

// Main runs slimship with args as the process does: the first signal on
// sigs cancels the command's context and, once the command returned or
// SignalGrace passed, Main returns SignalExitCode; a second signal returns
// at once. Otherwise it returns Execute's code.
func Main(args []string, s Streams, sigs <-chan os.Signal) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- Execute(ctx, args, s) }()
	select {
	case code := <-done:
		return code
	case sig := <-sigs:
		cancel()
		t := time.NewTimer(SignalGrace)
		defer t.Stop()
		select {
		case <-done:
		case <-sigs:
		case <-t.C:
		}
		return SignalExitCode(sig)
	}
}
