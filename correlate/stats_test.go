package correlate

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSelectK checks the selection against a sort on the shapes baselines
// have: noise, quantised values with many ties, sorted and reversed runs,
// and sizes on both sides of the sampling threshold.
func TestSelectK(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(i int) float64{
		"noise":     func(int) float64 { return r.NormFloat64() },
		"ties":      func(int) float64 { return float64(r.IntN(3)) },
		"constant":  func(int) float64 { return 7 },
		"ascending": func(i int) float64 { return float64(i) },
		"desc":      func(i int) float64 { return -float64(i) },
		"steps":     func(i int) float64 { return float64(i/97) + 0.001*r.Float64() },
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 3, 15, 16, 17, 100, 599, 601, 602, 720, 1440, 5000} {
			a := make([]float64, n)
			for i := range a {
				a[i] = gen(i)
			}
			want := slices.Clone(a)
			slices.Sort(want)
			for _, k := range []int{0, n / 4, n / 2, n - 1 - n/3, n - 1} {
				b := slices.Clone(a)
				got := selectK(b, k)
				if got != want[k] {
					t.Fatalf("%s n=%d k=%d: got %v, want %v", name, n, k, got, want[k])
				}
				for i, v := range b {
					if (i < k && v > got) || (i > k && v < got) {
						t.Fatalf("%s n=%d k=%d: a[%d]=%v on the wrong side of %v", name, n, k, i, v, got)
					}
				}
			}
			m := median(slices.Clone(a))
			wm := want[n/2]
			if n%2 == 0 {
				wm = (want[n/2-1] + want[n/2]) / 2
			}
			if m != wm && !(math.IsNaN(m) && math.IsNaN(wm)) {
				t.Fatalf("%s n=%d: median %v, want %v", name, n, m, wm)
			}
		}
	}
}

// BenchmarkMedianMAD is the baseline statistic of one series (720 points),
// over 4,096 different series: one array again and again lets the branch
// predictor learn it and flatters a branchy selection ~4x.
func BenchmarkMedianMAD(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	pool := make([][]float64, 4096)
	for p := range pool {
		pool[p] = make([]float64, 720)
		for i := range pool[p] {
			pool[p][i] = 5e8 + 1e6*r.NormFloat64()
		}
	}
	buf := make([]float64, 720)
	i := 0
	for b.Loop() {
		copy(buf, pool[i%len(pool)])
		i++
		medianMAD(buf)
	}
}

// BenchmarkMedianMADTies is a quantised baseline (a pod count: three
// values, ties everywhere): without the pass that gathers the pivot's
// equals, the selection turns quadratic here (4.2 us -> 63.5 us), which no
// correctness test can see.
func BenchmarkMedianMADTies(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	src := make([]float64, 720)
	for i := range src {
		src[i] = float64(3 + r.IntN(3))
	}
	buf := make([]float64, len(src))
	for b.Loop() {
		copy(buf, src)
		medianMAD(buf)
	}
}
