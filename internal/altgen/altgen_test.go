package altgen

import (
	"math"
	"reflect"
	"testing"
)

func TestGenerateDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 16; seed++ {
		a, b := Generate(seed), Generate(seed)
		if !reflect.DeepEqual(a.Affected, b.Affected) || a.Root != b.Root || a.Signals != b.Signals {
			t.Fatalf("seed %d: two runs differ", seed)
		}
		for i := range a.In.Signals {
			x, y := a.In.Signals[i].Values, b.In.Signals[i].Values
			for k := range x {
				if x[k] != y[k] && !(math.IsNaN(x[k]) && math.IsNaN(y[k])) {
					t.Fatalf("seed %d: signal %d differs at %d", seed, i, k)
				}
			}
		}
	}
}

func TestGenerateShapes(t *testing.T) {
	types := map[string]int{}
	minSig, maxSig := math.MaxInt, 0
	for seed := uint64(1); seed <= 80; seed++ {
		c := Generate(seed)
		types[c.Type]++
		minSig, maxSig = min(minSig, c.Signals), max(maxSig, c.Signals)
		in := c.In
		if in.N <= in.Baseline || in.Baseline < 30 || in.N > 1100 {
			t.Errorf("seed %d: grid n=%d baseline=%d", seed, in.N, in.Baseline)
		}
		for _, s := range in.Signals {
			if len(s.Values) != in.N {
				t.Fatalf("seed %d: %s has %d points, want %d", seed, s.Query, len(s.Values), in.N)
			}
			if c.Component(s.Labels) == "" {
				t.Fatalf("seed %d: %s %v names no component", seed, s.Query, s.Labels)
			}
		}
		if c.Quiet {
			if c.Root != "" || len(c.Affected) != 0 {
				t.Errorf("seed %d: quiet case with a root", seed)
			}
			continue
		}
		if c.Root == "" || len(c.Affected) == 0 || c.Affected[0] != c.Root {
			t.Errorf("seed %d %s: root %q, affected %v", seed, c.Type, c.Root, c.Affected)
		}
		for _, a := range c.Affected {
			if a == c.Decoy {
				t.Errorf("seed %d: the decoy %s is affected", seed, a)
			}
		}
	}
	for _, typ := range []string{"propagate", "cascade", "early", "twin", "distractor", "quiet"} {
		if types[typ] == 0 {
			t.Errorf("no %s case in 80 seeds", typ)
		}
	}
	if minSig > 40 || maxSig < 500 {
		t.Errorf("signals per case range %d..%d, want a spread from tens to hundreds", minSig, maxSig)
	}
	t.Logf("signals per case: %d..%d; types %v", minSig, maxSig, types)
}
