// Command lint-corpus lints every Dockerfile of a directory in-process and
// reports how many parsed, how many were rejected, and how many crashed
// (a panic in the parser or in any rule: must be zero). Every parse error
// is checked against BuildKit's own parser: a file slimship rejects must be
// one BuildKit rejects too (its parser, or its instruction parser for an
// unknown instruction), else it counts as a disagreement.
//
//	go run ./bench/lint-corpus [-dir ../shared/corpus/dockerfiles] [-v]
//
// It exits 1 when there is a crash or a disagreement.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/command"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
)

func main() {
	dir := flag.String("dir", "../shared/corpus/dockerfiles", "directory of Dockerfiles (SOURCES.* are skipped)")
	verbose := flag.Bool("v", false, "print every parse error and the findings count per rule")
	flag.Parse()
	entries, err := os.ReadDir(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lint-corpus:", err)
		os.Exit(2)
	}
	var files, parseErrs, agree, disagree, crashes, findings int
	perRule := map[string]int{}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), "SOURCES.") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(*dir, e.Name())
		src, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "lint-corpus:", err)
			continue
		}
		files++
		n, perr, crash := lintOne(p, src, perRule)
		findings += n
		switch {
		case crash != "":
			crashes++
			fmt.Printf("CRASH %s: %s\n", p, crash)
		case perr != nil:
			parseErrs++
			if bk := buildkitRejects(src); bk != "" {
				agree++
				if *verbose {
					fmt.Printf("parse error %v (BuildKit: %s)\n", perr, bk)
				}
			} else {
				disagree++
				fmt.Printf("DISAGREE %v (BuildKit accepts it)\n", perr)
			}
		}
	}
	if *verbose {
		ids := make([]string, 0, len(perRule))
		for id := range perRule {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool {
			return perRule[ids[i]] > perRule[ids[j]] || perRule[ids[i]] == perRule[ids[j]] && ids[i] < ids[j]
		})
		for _, id := range ids {
			fmt.Printf("  %-32s %d\n", id, perRule[id])
		}
	}
	fmt.Printf("files %d, parsed %d, parse errors %d (BuildKit agrees on %d, disagrees on %d), crashes %d, findings %d\n",
		files, files-parseErrs-crashes, parseErrs, agree, disagree, crashes, findings)
	if crashes > 0 || disagree > 0 {
		os.Exit(1)
	}
}

// lintOne parses and lints one file, turning a panic into a crash report.
func lintOne(path string, src []byte, perRule map[string]int) (n int, perr error, crash string) {
	defer func() {
		if r := recover(); r != nil {
			crash = fmt.Sprintf("%v\n%s", r, debug.Stack())
		}
	}()
	f, err := dockerfile.ParseBytes(path, src)
	if err != nil {
		if strings.Contains(err.Error(), "parser failure") {
			return 0, nil, err.Error()
		}
		return 0, err, ""
	}
	fs := lint.Lint(f, lint.Options{Dir: filepath.Dir(path)})
	for _, fd := range fs {
		perRule[fd.RuleID]++
	}
	return len(fs), nil, ""
}

// buildkitRejects returns why BuildKit would refuse the file ("" if it
// would not): its parser's error, or an instruction it does not know.
func buildkitRejects(src []byte) string {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return err.Error()
	}
	for _, n := range res.AST.Children {
		if _, ok := command.Commands[strings.ToLower(n.Value)]; !ok {
			return fmt.Sprintf("unknown instruction: %s", n.Value)
		}
	}
	return ""
}
