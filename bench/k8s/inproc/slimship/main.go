// Command slimship runs `slimship k8s lint -f json FILE...` round after
// round in one process and prints each round's wall and CPU time, as
// ../kubescore does for kube-score: the first round pays every first-use
// cost but not process start-up, the later rounds are the steady state.
//
//	go run ./bench/k8s/inproc/slimship [-rounds N] FILE...
//
// Driven by ../../kube-score-agreement.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/slimship/slimship/internal/cli"
)

func main() {
	rounds := flag.Int("rounds", 20, "rounds to run")
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: slimship [-rounds N] FILE...")
		os.Exit(2)
	}
	for r := 0; r < *rounds; r++ {
		c0, t0 := cpu(), time.Now()
		if err := slimship(files); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%d %.6f %.6f\n", r, time.Since(t0).Seconds(), (cpu() - c0).Seconds())
	}
}

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// slimship runs `slimship k8s lint -f json FILE...` as the command does.
func slimship(files []string) error {
	args := append([]string{"k8s", "lint", "-f", "json", "--fail-on", "none"}, files...)
	if code := cli.Execute(context.Background(), args, cli.Streams{In: os.Stdin, Out: io.Discard, Err: io.Discard}); code != 0 {
		return fmt.Errorf("slimship exited %d", code)
	}
	return nil
}
