package gctarget

import (
	"runtime/debug"
	"testing"
)

// TestStart: Start sets Percent, and leaves a target set with GOGC alone.
func TestStart(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	t.Setenv("GOGC", "")
	Start()
	if got := debug.SetGCPercent(100); got != Percent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, Percent)
	}
	t.Setenv("GOGC", "100")
	Start()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=100: GC percent %d, want 100", got)
	}
}
