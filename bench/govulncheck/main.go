// Command govulncheck compares `slimship scan` with `govulncheck
// -mode=binary -scan=module` on the same Go binaries and the same Go
// vulnerability database (see gvcmp), prints the findings on each side, the
// differences with their causes and the timings, and exits 1 when a
// difference is unexplained. bench/govulncheck/compare.sh prepares its
// inputs and runs it:
//
//	go run ./bench/govulncheck -slimship BIN -govulncheck BIN -osv DIR -db DIR -bins DIR -work DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/slimship/slimship/bench/govulncheck/gvcmp"
)

func main() {
	var cfg gvcmp.Config
	flag.StringVar(&cfg.Slimship, "slimship", "slimship", "slimship binary")
	flag.StringVar(&cfg.Govulncheck, "govulncheck", "govulncheck", "govulncheck binary")
	flag.StringVar(&cfg.OSV, "osv", "", "x/vulndb's data/osv directory")
	flag.StringVar(&cfg.DB, "db", "", "the v1 database x/vulndb's cmd/indexdb wrote from -osv")
	flag.StringVar(&cfg.Bins, "bins", "", "directory of Go binaries")
	flag.StringVar(&cfg.Work, "work", "", "scratch directory")
	platforms := flag.String("platforms", "linux/amd64,windows/arm64", "GOOS/GOARCH list for the synthetic comparison (empty: none)")
	verbose := flag.Bool("v", false, "print each command")
	flag.Parse()
	if cfg.OSV == "" || cfg.DB == "" || cfg.Bins == "" || cfg.Work == "" {
		flag.Usage()
		os.Exit(2)
	}
	if *platforms != "" {
		cfg.Platforms = strings.Split(*platforms, ",")
	}
	if *verbose {
		cfg.Log = log.Printf
	}
	rep, err := gvcmp.Run(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	rep.Write(os.Stdout)
	if n := len(rep.Unexplained()); n > 0 {
		fmt.Printf("%d unexplained differences\n", n)
		os.Exit(1)
	}
}
