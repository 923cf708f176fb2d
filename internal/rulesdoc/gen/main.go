// Command gen regenerates docs/rules from the rule registries of every
// domain; `go generate ./...` runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/slimship/slimship/internal/cli"
	"github.com/slimship/slimship/internal/rulesdoc"
)

func main() {
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	if err := rulesdoc.Write(*root, cli.Rules()); err != nil {
		fmt.Fprintln(os.Stderr, "rulesdoc:", err)
		os.Exit(1)
	}
}
