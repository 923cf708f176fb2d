// Package gctarget sets the garbage collector's target for a slimship run.
//
// A run is short and its live heap small, so Go's default GC percent (100)
// collects every few megabytes for nothing; the Go compiler raises its
// starting heap for the same reason. Every command starts at Percent unless
// the user set GOGC. It is kept because the project's benchmark shows it
// pays on a user-visible run (bench/k8s/README.md, "Performance code, kept
// or removed"): without it `slimship k8s lint` over the shared corpus takes
// about a fifth more CPU and `slimship lint` over the Dockerfile corpus a
// tenth more. It changes when memory is collected, never what a command
// prints, so there is no library to hold it to: the JSON reports of both
// corpora are the same byte for byte with and without it.
package gctarget

import (
	"os"
	"runtime/debug"
)

// Percent is the GC target a run starts with when GOGC is unset. Linting
// the 250-file Dockerfile corpus in one process (median of 7, CPU): GOGC
// 100 0.37-0.40 s, 200 0.27 s, 400 0.27 s, 800 0.32 s (fresh pages cost
// more than collections here); peak RSS 26, 29, 38, 53 MB.
const Percent = 200

// Start sets the GC target to Percent unless the user chose one with GOGC.
func Start() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
	}
}
