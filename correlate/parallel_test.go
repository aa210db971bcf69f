package correlate

import (
	"encoding/json"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
)

// TestParallelForCoversOnce checks that every index is visited exactly
// once, by workers within the pool's bounds.
func TestParallelForCoversOnce(t *testing.T) {
	for _, n := range []int{0, 1, 31, 32, 33, 1000} {
		for _, nw := range []int{1, 2, 3, 8} {
			seen := make([]atomic.Int32, n)
			var bad atomic.Bool
			parallelFor(n, nw, func(w, lo, hi int) {
				if w < 0 || w >= max(1, nw) || lo < 0 || hi > n || lo >= hi {
					bad.Store(true)
				}
				for i := lo; i < hi; i++ {
					seen[i].Add(1)
				}
			})
			if bad.Load() {
				t.Fatalf("n=%d nw=%d: a range or worker index out of bounds", n, nw)
			}
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("n=%d nw=%d: index %d visited %d times", n, nw, i, c)
				}
			}
		}
	}
}

// TestParallelDeterministic runs an analysis large enough for every
// parallel pass to use several workers, with one and with several
// workers and with the signals shuffled: the findings must not change.
func TestParallelDeterministic(t *testing.T) {
	in := benchInput(600)
	enc := func(f *Findings) string {
		b, err := json.Marshal(strip(f))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	prev := runtime.GOMAXPROCS(1)
	one := enc(Analyze(in))
	runtime.GOMAXPROCS(max(prev, 4))
	defer runtime.GOMAXPROCS(prev)
	if workers(len(in.Signals)) < 2 {
		t.Fatal("the input is too small to exercise the worker pool")
	}
	f := Analyze(in)
	if len(f.RootCauses) == 0 {
		t.Fatal("no root cause found")
	}
	if got := enc(f); got != one {
		t.Fatalf("findings differ between 1 and %d workers", runtime.GOMAXPROCS(0))
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for r := 0; r < 2; r++ {
		rng.Shuffle(len(in.Signals), func(i, j int) { in.Signals[i], in.Signals[j] = in.Signals[j], in.Signals[i] })
		if got := enc(Analyze(in)); got != one {
			t.Fatalf("findings changed with signal order under %d workers", runtime.GOMAXPROCS(0))
		}
	}
}
