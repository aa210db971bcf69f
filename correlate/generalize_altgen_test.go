package correlate_test

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/internal/altgen"
)

// Generalisation: the analysis on incidents from an independent generator
// (internal/altgen: other steps, windows, noise models, names, topologies
// and incident types than the scenario catalog), at component level, with
// and without the bank's priors, against two baselines computed here:
// plain robust-z (BARO / N-Sigma: the component of the signal with the
// largest max |x - median| / (1.4826 MAD) in the window) and the earliest
// strong anomaly (the component whose signal first leaves its baseline by
// a wide margin and stays out).

// generalizeOffset shifts the seeds (CAUSEWAY_GENERALIZE_OFFSET), to check
// the numbers on cases the method was not tuned on.
func generalizeOffset() int {
	v, _ := strconv.Atoi(os.Getenv("CAUSEWAY_GENERALIZE_OFFSET"))
	return max(0, v)
}

func generalizeSeeds() int {
	if v, err := strconv.Atoi(os.Getenv("CAUSEWAY_GENERALIZE_SEEDS")); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return 64
	}
	return 240
}

// baseScale returns the baseline median and a robust scale of one series.
func baseScale(v []float64, b int) (med, scale float64, ok bool) {
	var xs []float64
	for _, x := range v[:min(b, len(v))] {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			xs = append(xs, x)
		}
	}
	if len(xs) < 3 {
		return 0, 0, false
	}
	sort.Float64s(xs)
	med = xs[len(xs)/2]
	dev := make([]float64, len(xs))
	var mean, ss float64
	for i, x := range xs {
		dev[i] = math.Abs(x - med)
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	sort.Float64s(dev)
	scale = 1.4826 * dev[len(dev)/2]
	if scale == 0 {
		scale = math.Sqrt(ss / float64(len(xs)))
	}
	if scale == 0 {
		scale = math.Max(1, 0.01*math.Abs(med))
	}
	return med, scale, true
}

// rankBy orders components by a score (higher first, then name).
func rankBy(score map[string]float64) []string {
	out := make([]string, 0, len(score))
	for k := range score {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if score[out[i]] != score[out[j]] {
			return score[out[i]] > score[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// robustZRank ranks components by the largest robust z of their signals.
func robustZRank(c *altgen.Case) []string {
	in := c.In
	score := map[string]float64{}
	for _, s := range in.Signals {
		med, sc, ok := baseScale(s.Values, in.Baseline)
		if !ok {
			continue
		}
		comp := c.Component(s.Labels)
		for _, x := range s.Values[in.Baseline:] {
			if z := math.Abs(x-med) / sc; !math.IsNaN(z) && z > score[comp] {
				score[comp] = z
			}
		}
	}
	return rankBy(score)
}

// earliestRank ranks components by the first strong anomaly of their
// signals (|z| >= 6 with at least two of the three points from there on
// beyond 4), then by the largest z.
func earliestRank(c *altgen.Case) []string {
	in := c.In
	first := map[string]int{}
	maxZ := map[string]float64{}
	for _, s := range in.Signals {
		med, sc, ok := baseScale(s.Values, in.Baseline)
		if !ok {
			continue
		}
		comp := c.Component(s.Labels)
		z := func(t int) float64 {
			if t >= len(s.Values) || math.IsNaN(s.Values[t]) {
				return 0
			}
			return math.Abs(s.Values[t]-med) / sc
		}
		for t := in.Baseline; t < len(s.Values); t++ {
			zt := z(t)
			maxZ[comp] = math.Max(maxZ[comp], zt)
			if zt < 6 {
				continue
			}
			k := 0
			for u := t; u < t+3; u++ {
				if z(u) >= 4 {
					k++
				}
			}
			if k >= 2 {
				if f, ok := first[comp]; !ok || t < f {
					first[comp] = t
				}
				break
			}
		}
	}
	score := map[string]float64{}
	for comp, z := range maxZ {
		score[comp] = -1e9 + math.Min(z, 1e6)
		if f, ok := first[comp]; ok {
			score[comp] = float64(-f)*1e7 + math.Min(z, 1e6)
		}
	}
	return rankBy(score)
}

// componentOf names the component of a root cause or chain step: its
// entity, else the labels of its strongest signal.
func componentOf(c *altgen.Case, f *correlate.Findings, ent map[string]string, anomaly int) string {
	if v := c.Component(ent); v != "" {
		return v
	}
	if anomaly >= 0 && anomaly < len(f.Anomalies) {
		a := f.Anomalies[anomaly]
		if a.Signal >= 0 && a.Signal < len(c.In.Signals) {
			return c.Component(c.In.Signals[a.Signal].Labels)
		}
		return c.Component(a.Entity)
	}
	return ""
}

func causewayRank(c *altgen.Case, f *correlate.Findings) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range f.RootCauses {
		comp := componentOf(c, f, r.Entity, r.Anomaly)
		if comp == "" || seen[comp] {
			continue
		}
		seen[comp] = true
		out = append(out, comp)
	}
	return out
}

func topK(rank []string, want string, k int) bool {
	for i := 0; i < k && i < len(rank); i++ {
		if rank[i] == want {
			return true
		}
	}
	return false
}

// chainPR is the precision and recall of the top chain's components
// against the affected components (recall against at most as many as a
// chain can hold).
func chainPR(c *altgen.Case, f *correlate.Findings) (p, r float64, ok bool) {
	if len(f.Chains) == 0 || len(c.Affected) == 0 {
		return 0, 0, false
	}
	aff := map[string]bool{}
	for _, a := range c.Affected {
		aff[a] = true
	}
	seen := map[string]bool{}
	hit := 0
	for _, s := range f.Chains[0].Steps {
		comp := componentOf(c, f, s.Entity, s.Anomaly)
		if comp == "" || seen[comp] {
			continue
		}
		seen[comp] = true
		if aff[comp] {
			hit++
		}
	}
	if len(seen) == 0 {
		return 0, 0, false
	}
	return float64(hit) / float64(len(seen)), float64(hit) / float64(min(len(c.Affected), 6)), true
}

type genResult struct {
	c                  *altgen.Case
	cw, cwNP, rz, er   []string
	quietFP, quietFPNP bool
	p, r, pNP, rNP     float64
	chain, chainNP     bool
	fNP                *correlate.Findings
}

type tally struct {
	n, top1, top3 [4]int
}

func TestGeneralizeAltgen(t *testing.T) {
	seeds, offset := generalizeSeeds(), generalizeOffset()
	res := make([]genResult, seeds)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := altgen.Generate(uint64(offset + i + 1))
				f := correlate.Analyze(c.In)
				np := *c.In
				np.Causes = nil
				fnp := correlate.Analyze(&np)
				r := genResult{c: c, cw: causewayRank(c, f), cwNP: causewayRank(c, fnp), fNP: fnp}
				if c.Quiet {
					r.quietFP = !f.Quiet || len(f.Chains) > 0
					r.quietFPNP = !fnp.Quiet || len(fnp.Chains) > 0
				} else {
					r.rz, r.er = robustZRank(c), earliestRank(c)
					r.p, r.r, r.chain = chainPR(c, f)
					r.pNP, r.rNP, r.chainNP = chainPR(c, fnp)
				}
				c.In = nil // free the series
				res[i] = r
			}
		}()
	}
	for i := 0; i < seeds; i++ {
		next <- i
	}
	close(next)
	wg.Wait()

	methods := []string{"causeway", "causeway-nopriors", "robust-z", "earliest"}
	byType := map[string]*tally{}
	bySize := map[string]*tally{}
	all := &tally{}
	var quiet, qfp, qfpNP int
	var chains, chainsNP int
	var sp, sr, spNP, srNP float64
	for _, r := range res {
		c := r.c
		if c.Quiet {
			quiet++
			if r.quietFP {
				qfp++
			}
			if r.quietFPNP {
				qfpNP++
			}
			continue
		}
		size := "<100"
		switch {
		case c.Signals >= 500:
			size = ">=500"
		case c.Signals >= 100:
			size = "100-499"
		}
		for _, tl := range []*tally{all, get(byType, c.Type), get(byType, "fault:"+c.Fault), get(bySize, size)} {
			for m, rank := range [][]string{r.cw, r.cwNP, r.rz, r.er} {
				tl.n[m]++
				if topK(rank, c.Root, 1) {
					tl.top1[m]++
				}
				if topK(rank, c.Root, 3) {
					tl.top3[m]++
				}
			}
		}
		if r.chain {
			chains++
			sp += r.p
			sr += r.r
		}
		if r.chainNP {
			chainsNP++
			spNP += r.pNP
			srNP += r.rNP
		}
		if testing.Verbose() && os.Getenv("CAUSEWAY_GENERALIZE_DEBUG") != "" && !topK(r.cwNP, c.Root, 1) {
			t.Logf("seed %d %s/%s root %s (decoy %q, %d signals, step %s): nopriors %v; robust-z %v; earliest %v; %s",
				c.Seed, c.Type, c.Fault, c.Root, c.Decoy, c.Signals, "", head(r.cwNP, 3), head(r.rz, 3), head(r.er, 3), r.fNP.Summary)
		}
	}
	var sb strings.Builder
	row := func(name string, tl *tally) {
		fmt.Fprintf(&sb, "%-18s %4d", name, tl.n[0])
		for m := range methods {
			fmt.Fprintf(&sb, "  %4.2f/%4.2f", ratio(tl.top1[m], tl.n[m]), ratio(tl.top3[m], tl.n[m]))
		}
		sb.WriteByte('\n')
	}
	fmt.Fprintf(&sb, "\ntop-1/top-3 root component over %d altgen cases, seeds %d-%d (%d incidents, %d quiet)\n",
		seeds, offset+1, offset+seeds, all.n[0], quiet)
	fmt.Fprintf(&sb, "%-18s %4s", "", "n")
	for _, m := range methods {
		fmt.Fprintf(&sb, "  %-9s", m[:min(9, len(m))])
	}
	sb.WriteByte('\n')
	row("all", all)
	for _, k := range sortedKeys(byType) {
		row(k, byType[k])
	}
	for _, k := range []string{"<100", "100-499", ">=500"} {
		if tl := bySize[k]; tl != nil {
			row("signals "+k, tl)
		}
	}
	fmt.Fprintf(&sb, "top chain vs affected components: with priors precision %.2f recall %.2f (%d chains); without priors precision %.2f recall %.2f (%d chains)\n",
		sp/math.Max(1, float64(chains)), sr/math.Max(1, float64(chains)), chains,
		spNP/math.Max(1, float64(chainsNP)), srNP/math.Max(1, float64(chainsNP)), chainsNP)
	fmt.Fprintf(&sb, "quiet windows with an incident or chain: with priors %d/%d, without %d/%d\n", qfp, quiet, qfpNP, quiet)
	t.Log(sb.String())

	for m := 0; m < 2; m++ {
		for b := 2; b < 4; b++ {
			if all.top1[m] < all.top1[b] {
				t.Errorf("%s top-1 %d/%d is below %s %d/%d", methods[m], all.top1[m], all.n[m], methods[b], all.top1[b], all.n[b])
			}
		}
	}
	if quiet > 0 && float64(qfpNP) > 0.15*float64(quiet) {
		t.Errorf("quiet windows: %d/%d reported an incident without priors", qfpNP, quiet)
	}
}

func get(m map[string]*tally, k string) *tally {
	if m[k] == nil {
		m[k] = &tally{}
	}
	return m[k]
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func sortedKeys(m map[string]*tally) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func head(s []string, k int) []string {
	if len(s) > k {
		return s[:k]
	}
	return s
}
