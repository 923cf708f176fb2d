// Package lazyre holds regular expressions that compile on first use.
//
// Every package-level regexp.MustCompile runs at process start, for every
// command, whether the command needs it or not; across slimship's rule
// packages that was milliseconds of each start-up. A lazyre.Regexp costs
// nothing until a rule that needs it runs, then compiles once (safe for
// concurrent use) and forwards to the compiled *regexp.Regexp. A bad
// expression still panics, on first use; the package's tests compile every
// expression to catch that early.
//
// It stands in for regexp.MustCompile for speed, and stays because the
// project's benchmark shows it pays (bench/k8s/README.md, "Performance
// code, kept or removed"): compiling every expression at start costs
// 10-13% of the CPU of `slimship k8s lint` over the shared corpus and
// about 8% of a one-file `slimship lint`. FuzzMatchesRegexp holds every
// method to regexp's.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use.
type Regexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

var (
	mu  sync.Mutex
	all []*Regexp
)

// New returns expr, to be compiled with regexp.MustCompile on first use.
func New(expr string) *Regexp {
	l := &Regexp{expr: expr}
	mu.Lock()
	all = append(all, l)
	mu.Unlock()
	return l
}

// CheckAll compiles every expression made with New so far and returns the
// first that does not compile: a test of a package that links them all
// (internal/cli) calls it, so a typo fails tests rather than a user's run.
func CheckAll() error {
	mu.Lock()
	defer mu.Unlock()
	for _, l := range all {
		if _, err := regexp.Compile(l.expr); err != nil {
			return err
		}
	}
	return nil
}

// Regexp returns the compiled expression.
func (l *Regexp) Regexp() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.expr) })
	return l.re
}

// String returns the source text.
func (l *Regexp) String() string { return l.expr }

func (l *Regexp) Match(b []byte) bool            { return l.Regexp().Match(b) }
func (l *Regexp) MatchString(s string) bool      { return l.Regexp().MatchString(s) }
func (l *Regexp) FindString(s string) string     { return l.Regexp().FindString(s) }
func (l *Regexp) FindStringIndex(s string) []int { return l.Regexp().FindStringIndex(s) }
func (l *Regexp) FindStringSubmatch(s string) []string {
	return l.Regexp().FindStringSubmatch(s)
}
func (l *Regexp) FindSubmatch(b []byte) [][]byte { return l.Regexp().FindSubmatch(b) }
func (l *Regexp) FindAllIndex(b []byte, n int) [][]int {
	return l.Regexp().FindAllIndex(b, n)
}
func (l *Regexp) FindAllSubmatchIndex(b []byte, n int) [][]int {
	return l.Regexp().FindAllSubmatchIndex(b, n)
}
func (l *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return l.Regexp().FindAllStringSubmatch(s, n)
}
func (l *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return l.Regexp().FindAllStringSubmatchIndex(s, n)
}
func (l *Regexp) ReplaceAllString(src, repl string) string {
	return l.Regexp().ReplaceAllString(src, repl)
}
func (l *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return l.Regexp().ReplaceAllStringFunc(src, repl)
}
