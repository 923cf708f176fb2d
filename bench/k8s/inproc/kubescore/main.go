// Command kubescore scores files with kube-score's engine round after
// round in one process and prints each round's wall and CPU time, as
// ../slimship does for slimship: the first round pays every first-use cost
// but not process start-up, the later rounds are the steady state.
//
//	kubescore [-rounds N] FILE...
//
// It is a module of its own: kube-score v1.20.0 needs k8s.io/api v0.32,
// which slimship's module has left behind. Driven by
// ../../kube-score-agreement.sh.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/zegl/kube-score/config"
	ks "github.com/zegl/kube-score/domain"
	"github.com/zegl/kube-score/parser"
	"github.com/zegl/kube-score/renderer/json_v2"
	"github.com/zegl/kube-score/score"
	"github.com/zegl/kube-score/score/checks"
)

func main() {
	rounds := flag.Int("rounds", 20, "rounds to run")
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: kubescore [-rounds N] FILE...")
		os.Exit(2)
	}
	for r := 0; r < *rounds; r++ {
		c0, t0 := cpu(), time.Now()
		if err := kubeScore(files); err != nil {
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

type namedReader struct {
	io.Reader
	name string
}

func (n namedReader) Name() string { return n.name }

// kubeScore runs what `kube-score score -o json --kubernetes-version v1.33
// --enable-optional-test container-seccomp-profile FILE...` runs (its
// cmd/kube-score scoreFiles, flags set as in the process benchmark).
func kubeScore(files []string) error {
	var in []ks.NamedReader
	for _, f := range files {
		fp, err := os.Open(f)
		if err != nil {
			return err
		}
		defer fp.Close()
		name, _ := filepath.Abs(f)
		in = append(in, namedReader{Reader: fp, name: name})
	}
	ver, err := config.ParseSemver("v1.33")
	if err != nil {
		return err
	}
	run := &config.RunConfiguration{
		EnabledOptionalTests:        map[string]struct{}{"container-seccomp-profile": {}},
		UseIgnoreChecksAnnotation:   true,
		UseOptionalChecksAnnotation: true,
		KubernetesVersion:           ver,
		MinReplicasDeployment:       2,
		MinReplicasHPA:              2,
	}
	p, err := parser.New(&parser.Config{})
	if err != nil {
		return err
	}
	parsed, err := p.ParseFiles(in)
	if err != nil {
		return err
	}
	card, err := score.Score(parsed, score.RegisterAllChecks(parsed, &checks.Config{IgnoredTests: map[string]struct{}{}}, run), run)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, json_v2.Output(card))
	return err
}
