// Command slimship makes container images small, fast and safe, and ship
// them to Kubernetes well.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/slimship/slimship/internal/cli"
)

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	os.Exit(cli.Main(os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, sigs))
}
