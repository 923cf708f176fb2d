package fleet

import (
	"fmt"
	"testing"
)

func repos(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("registry.example.com/team-%d/service-%d", i%37, i)
	}
	return out
}

// TestShardSpreadsEvenlyAndOnce: on 10,000 repositories shard counts from
// 1 to 64 give each repository to exactly one index and every index
// within 10% (and 3 sigma) of the mean; the same name always lands in the
// same shard.
func TestShardSpreadsEvenlyAndOnce(t *testing.T) {
	names := repos(10_000)
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 10, 16, 24, 32, 50, 64} {
		counts := make([]int, n)
		for _, name := range names {
			counts[Shard(name, n)]++
		}
		// Of gives each name to exactly one index: the shards' union is
		// the input and their sizes add up.
		seen := map[string]int{}
		for i := range n {
			got := Of(names, i, n)
			if len(got) != counts[i] {
				t.Fatalf("n=%d: Of(%d) has %d names, Shard says %d", n, i, len(got), counts[i])
			}
			for _, name := range got {
				seen[name]++
			}
		}
		if len(seen) != len(names) {
			t.Fatalf("n=%d: %d of %d names in a shard", n, len(seen), len(names))
		}
		for name, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: %s in %d shards", n, name, c)
			}
		}
		mean := float64(len(names)) / float64(n)
		for i, c := range counts {
			if d := float64(c) - mean; d > 0.1*mean+30 || -d > 0.1*mean+30 {
				t.Errorf("n=%d: shard %d has %d names, mean %.0f", n, i, c, mean)
			}
		}
	}
	for _, name := range names[:100] {
		if Shard(name, 7) != Shard(name, 7) {
			t.Fatalf("%s: unstable", name)
		}
	}
}

// TestShardMovesFewWhenGrowing: from n to n+1 shards about 1/(n+1) of the
// names move, all of them to the new shard.
func TestShardMovesFewWhenGrowing(t *testing.T) {
	names := repos(10_000)
	for n := 1; n < 16; n++ {
		moved := 0
		for _, name := range names {
			a, b := Shard(name, n), Shard(name, n+1)
			if a != b {
				moved++
				if b != n {
					t.Fatalf("%s moved %d -> %d, not to the new shard %d", name, a, b, n)
				}
			}
		}
		want := float64(len(names)) / float64(n+1)
		if f := float64(moved); f > 1.15*want+30 || f < 0.85*want-30 {
			t.Errorf("%d -> %d shards: %d names moved, want about %.0f", n, n+1, moved, want)
		}
	}
}

func FuzzShard(f *testing.F) {
	f.Add("registry.example.com/app", 4)
	f.Add("", 1)
	f.Fuzz(func(t *testing.T, name string, n int) {
		if n < 1 || n > 1<<16 {
			return
		}
		if s := Shard(name, n); s < 0 || s >= n {
			t.Fatalf("Shard(%q, %d) = %d", name, n, s)
		}
	})
}
