package lazyre

import (
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
