package lazyre

import (
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func TestLazyCompilesOnceOnFirstUse(t *testing.T) {
	re := New(`^a(b+)c$`)
	if re.re != nil {
		t.Fatal("compiled before first use")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !re.MatchString("abbc") {
				t.Error("no match")
			}
		}()
	}
	wg.Wait()
	first := re.Regexp()
	if re.Regexp() != first {
		t.Fatal("compiled twice")
	}
	if got := re.FindStringSubmatch("abbbc"); len(got) != 2 || got[1] != "bbb" {
		t.Fatalf("FindStringSubmatch = %q", got)
	}
	if got := re.ReplaceAllString("abc", "x"); got != "x" {
		t.Fatalf("ReplaceAllString = %q", got)
	}
}

func TestBadExpressionPanicsOnUse(t *testing.T) {
	re := New(`(`)
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	re.MatchString("x")
}

func TestCheckAll(t *testing.T) {
	New(`ok+`)
	New(`[z-a]`)
	if err := CheckAll(); err == nil {
		t.Fatal("a bad expression was not reported")
	}
}

// FuzzMatchesRegexp: every method gives what the same method of
// regexp.MustCompile(expr) gives.
func FuzzMatchesRegexp(f *testing.F) {
	f.Add(`^a(b+)c$`, "abbc", "x$1")
	f.Add(`(?i)(\w+)=(\S*)`, "A=1 b= c=3", "${2}")
	f.Add(`[^/]+`, "a/b//c", "")
	f.Fuzz(func(t *testing.T, expr, s, repl string) {
		want, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		got := New(expr)
		b := []byte(s)
		same := func(what string, g, w any) {
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("%s(%q) on %q: %q, regexp %q", what, expr, s, g, w)
			}
		}
		same("Match", got.Match(b), want.Match(b))
		same("MatchString", got.MatchString(s), want.MatchString(s))
		same("FindString", got.FindString(s), want.FindString(s))
		same("FindStringIndex", got.FindStringIndex(s), want.FindStringIndex(s))
		same("FindStringSubmatch", got.FindStringSubmatch(s), want.FindStringSubmatch(s))
		same("FindSubmatch", got.FindSubmatch(b), want.FindSubmatch(b))
		same("FindAllIndex", got.FindAllIndex(b, -1), want.FindAllIndex(b, -1))
		same("FindAllSubmatchIndex", got.FindAllSubmatchIndex(b, 3), want.FindAllSubmatchIndex(b, 3))
		same("FindAllStringSubmatch", got.FindAllStringSubmatch(s, -1), want.FindAllStringSubmatch(s, -1))
		same("FindAllStringSubmatchIndex", got.FindAllStringSubmatchIndex(s, -1), want.FindAllStringSubmatchIndex(s, -1))
		same("ReplaceAllString", got.ReplaceAllString(s, repl), want.ReplaceAllString(s, repl))
		same("ReplaceAllStringFunc", got.ReplaceAllStringFunc(s, strings.ToUpper), want.ReplaceAllStringFunc(s, strings.ToUpper))
		same("String", got.String(), want.String())
	})
}
