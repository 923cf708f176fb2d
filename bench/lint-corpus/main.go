// Command lint-corpus lints every Dockerfile of a directory in-process and
// reports how many parsed, how many were rejected, and how many crashed
// (a panic in the parser or in any rule: must be zero). Every parse error
// is checked against BuildKit's own parser: a file slimship rejects must be
// one BuildKit rejects too (its parser, or its instruction parser for an
// unknown instruction), else it counts as a disagreement.
//
//	go run ./bench/lint-corpus [-dir ../shared/corpus/dockerfiles] [-v] [-time N]
//
// With -time N it also times, in-process over N passes of the parsed files
// (ShellCheck, an outside program, left out): BuildKit's parser alone,
// slimship's parse (BuildKit's plus its lossless layer), and the rules, in
// milliseconds per file. BuildKit's share is the floor of any linter built
// on it.
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
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/command"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
	"github.com/slimship/slimship/pkg/finding"
)

func main() {
	dir := flag.String("dir", "../shared/corpus/dockerfiles", "directory of Dockerfiles (SOURCES.* are skipped)")
	verbose := flag.Bool("v", false, "print every parse error and the findings count per rule")
	passes := flag.Int("time", 0, "also time N in-process passes: BuildKit parse, slimship parse, rules (ms per file)")
	flag.Parse()
	var parsed [][]byte
	entries, err := os.ReadDir(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lint-corpus:", err)
		os.Exit(2)
	}
	var files, parseErrs, agree, disagree, crashes, findings, dups int
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
		n, d, perr, crash := lintOne(p, src, perRule)
		findings += n
		dups += d
		if perr == nil && crash == "" {
			parsed = append(parsed, src)
		}
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
	fmt.Printf("files %d, parsed %d, parse errors %d (BuildKit agrees on %d, disagrees on %d), crashes %d, findings %d, twin duplicates %d\n",
		files, files-parseErrs-crashes, parseErrs, agree, disagree, crashes, findings, dups)
	if *passes > 0 {
		timePasses(parsed, *passes)
	}
	if crashes > 0 || disagree > 0 {
		os.Exit(1)
	}
}

// timePasses prints the in-process cost per file of each stage.
func timePasses(srcs [][]byte, passes int) {
	var rules []lint.Rule
	for _, r := range lint.All() {
		if r.Requires == "" {
			rules = append(rules, r)
		}
	}
	per := func(d time.Duration) float64 {
		return float64(d.Nanoseconds()) / 1e6 / float64(passes*len(srcs))
	}
	t0 := time.Now()
	for range passes {
		for _, src := range srcs {
			_, _ = parser.Parse(bytes.NewReader(src))
		}
	}
	bk := time.Since(t0)
	var parse, rulesT time.Duration
	for range passes {
		for _, src := range srcs {
			t1 := time.Now()
			f, err := dockerfile.ParseBytes("Dockerfile", src)
			t2 := time.Now()
			parse += t2.Sub(t1)
			if err == nil {
				lint.Lint(f, lint.Options{Rules: rules})
				rulesT += time.Since(t2)
			}
		}
	}
	fmt.Printf("in-process, %d files x %d passes: BuildKit parser alone %.3f ms/file; slimship parse %.3f ms/file; rules %.3f ms/file; total %.3f ms/file\n",
		len(srcs), passes, per(bk), per(parse), per(rulesT), per(parse+rulesT))
}

// twins are the pairs of rules that report one problem twice (a hadolint
// rule and its BuildKit check, and SS009), listed here independently of
// the engine's own twin table so that the count checks it.
var twins = [][2]string{
	{"DL3025", "JSONArgsRecommended"}, {"DL3064", "SecretsUsedInArgOrEnv"}, {"DL3064", "SS009"},
	{"SS009", "SecretsUsedInArgOrEnv"}, {"DL4000", "MaintainerDeprecated"},
	{"DL3000", "WorkdirRelativePath"}, {"DL3029", "FromPlatformFlagConstDisallowed"},
	{"DL3024", "DuplicateStageName"},
}

// twinDuplicates counts the lines that carry two separate findings of a
// twin pair: one problem reported twice. DL4003 and DL4004 flag the CMD or
// ENTRYPOINT after the first, BuildKit the one before the last: those are
// counted per file, as many as both report.
func twinDuplicates(fs []finding.Finding) int {
	multi := map[string]int{}
	for _, f := range fs {
		switch {
		case f.RuleID == "DL4003", f.RuleID == "DL4004":
			multi[f.RuleID]++
		case f.RuleID == "MultipleInstructionsDisallowed" && strings.HasPrefix(f.Message, "Multiple CMD"):
			multi["CMD"]++
		case f.RuleID == "MultipleInstructionsDisallowed" && strings.HasPrefix(f.Message, "Multiple ENTRYPOINT"):
			multi["ENTRYPOINT"]++
		}
	}
	n := min(multi["DL4003"], multi["CMD"]) + min(multi["DL4004"], multi["ENTRYPOINT"])
	at := map[int]map[string]bool{}
	for _, f := range fs {
		if at[f.Line] == nil {
			at[f.Line] = map[string]bool{}
		}
		at[f.Line][f.RuleID] = true
	}
	for _, ids := range at {
		for _, t := range twins {
			if ids[t[0]] && ids[t[1]] {
				n++
			}
		}
	}
	return n
}

// lintOne parses and lints one file, turning a panic into a crash report.
func lintOne(path string, src []byte, perRule map[string]int) (n, dups int, perr error, crash string) {
	defer func() {
		if r := recover(); r != nil {
			crash = fmt.Sprintf("%v\n%s", r, debug.Stack())
		}
	}()
	f, err := dockerfile.ParseBytes(path, src)
	if err != nil {
		if strings.Contains(err.Error(), "parser failure") {
			return 0, 0, nil, err.Error()
		}
		return 0, 0, err, ""
	}
	fs := lint.Lint(f, lint.Options{Dir: filepath.Dir(path)})
	for _, fd := range fs {
		perRule[fd.RuleID]++
	}
	return len(fs), twinDuplicates(fs), nil, ""
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
