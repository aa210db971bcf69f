package correlate

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parChunk is the number of consecutive indices a worker claims at a time:
// large enough that claiming costs nothing beside the work, small enough
// that the workers finish together.
const parChunk = 32

// workers is the number of workers for n independent items: at most
// runtime.GOMAXPROCS, and one when there is too little work to share.
func workers(n int) int {
	w := runtime.GOMAXPROCS(0)
	return max(1, min(w, (n+parChunk-1)/parChunk))
}

// parallelFor calls fn(w, lo, hi) over consecutive index ranges covering
// [0, n) with a bounded pool of nw workers (nw from workers(n)); w is the
// worker's index in [0, nw), so fn can reuse per-worker scratch buffers.
// Each index is visited exactly once. fn must write only results owned by
// its indices (preallocated slices): the output then does not depend on
// the schedule.
func parallelFor(n, nw int, fn func(w, lo, hi int)) {
	if n <= 0 {
		return
	}
	if nw <= 1 {
		fn(0, 0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(parChunk)) - parChunk
				if lo >= n {
					return
				}
				fn(w, lo, min(n, lo+parChunk))
			}
		}()
	}
	wg.Wait()
}
