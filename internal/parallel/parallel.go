// Package parallel runs independent pieces of work on the available cores.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Each calls fn for 0..n-1 on up to GOMAXPROCS goroutines, the calling one
// among them, each taking the next index from a counter: no channel
// hand-offs (each wakes a goroutine), and no goroutine at all for n <= 1.
func Each(n int, fn func(i int)) {
	var next atomic.Int64
	work := func() {
		for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
			fn(i)
		}
	}
	var wg sync.WaitGroup
	for w := 1; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Go(work)
	}
	work()
	wg.Wait()
}
