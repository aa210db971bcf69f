package correlate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestSettledIsExact checks the early dismissal of gauges against the full
// detection on series built to sit on both sides of its bound: every series
// it dismisses, the full detection finds quiet, and every other series gets
// exactly the detection it got before. Levels, noise, trends, shifts of 2 to
// 8 floors, spikes, gaps, series that end early, negative and near-zero
// levels, quantised values, outliers in the baseline.
func TestSettledIsExact(t *testing.T) {
	const n, b = 480, 240
	rng := rand.New(rand.NewPCG(7, 11))
	d := newDetector(n, b)
	settled, anomalous := 0, 0
	for c := range 20000 {
		level := []float64{0, 1e-12, 3, -50, 1e3, 2.5e8, -7e9}[rng.IntN(7)]
		noise := math.Abs(level)*[]float64{0, 0.001, 0.01, 0.03, 0.1}[rng.IntN(5)] + []float64{0, 1e-3, 1}[rng.IntN(3)]
		floor := math.Max(0.05*math.Abs(level), 1e-9)
		shift := floor * (2 + 6*rng.Float64()) * float64(1-2*rng.IntN(2))
		at := b + rng.IntN(n-b)
		slope := 0.0
		if rng.IntN(4) == 0 {
			slope = noise * (rng.Float64() - 0.5) / 20
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = level + noise*rng.NormFloat64() + slope*float64(i)
			if c%3 == 0 && i >= at {
				v[i] += shift
			}
			if c%7 == 0 && i == at {
				v[i] += 3 * shift // a spike
			}
			if c%5 == 0 {
				v[i] = math.Round(v[i]/math.Max(noise, 1e-9)) * math.Max(noise, 1e-9)
			}
			if c%11 == 0 && rng.IntN(10) == 0 {
				v[i] = math.NaN()
			}
		}
		if c%17 == 0 {
			// Rare outliers in the baseline, far above its median, and a
			// shift just past the bound: only the median (not the
			// baseline's top) may set the floor.
			v[rng.IntN(b)] = level + 7*floor
			for i := b; i < n; i++ {
				v[i] = level + floor*(4.55+0.3*rng.Float64())
			}
		}
		if c%13 == 0 {
			for i := at; i < n; i++ {
				v[i] = math.NaN() // ends early: may have vanished
			}
		}
		fast := d.gauge(v, refStats{})
		full := d.gaugeStats(v, refStats{})
		if full.settled {
			t.Fatalf("case %d: gaugeStats returned a settled detection", c)
		}
		if fast.settled {
			settled++
			if full.anomalous {
				t.Fatalf("case %d: dismissed, but the full detection finds %s at %d (z %.2f)", c, full.shape, full.onset, full.z)
			}
			continue
		}
		if full.anomalous {
			anomalous++
		}
		if fmt.Sprintf("%+v", fast) != fmt.Sprintf("%+v", full) { // NaN-safe
			t.Fatalf("case %d: %+v, want %+v", c, fast, full)
		}
	}
	// The bound must be close enough to matter on both sides.
	if settled < 2000 || anomalous < 2000 {
		t.Fatalf("%d settled and %d anomalous of 20000: the cases miss the bound", settled, anomalous)
	}
	t.Logf("%d settled, %d anomalous of 20000", settled, anomalous)
}

// TestBornSeriesReferenceFromSettledSiblings: a pod born in the window is
// judged against its siblings' baselines; the siblings, quiet, were
// dismissed early, so their medians must be computed for the reference and
// not read as zero.
func TestBornSeriesReferenceFromSettledSiblings(t *testing.T) {
	const n, b = 480, 240
	rng := rand.New(rand.NewPCG(3, 4))
	in := &Input{Start: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Step: 15 * time.Second, N: n, Baseline: b, Seed: 1}
	d := newDetector(n, b)
	var meds, sigs []float64
	add := func(pod string, v []float64) {
		ent := map[string]string{"namespace": "shop", "pod": pod, "container": "web"}
		in.Signals = append(in.Signals, Signal{Query: "memory", Family: "memory", Kind: Gauge, Unit: "bytes", Entity: ent, Labels: ent, Values: v})
		in.Topology = append(in.Topology, map[string]string{"namespace": "shop", "pod": pod, "workload": "web", "workload_type": "Deployment"})
	}
	for p := range 6 {
		v := make([]float64, n)
		base := 2e8 * (1 + 0.1*float64(p))
		for i := range v {
			v[i] = base * (1 + 0.002*rng.NormFloat64())
		}
		if !d.gauge(v, refStats{}).settled {
			t.Fatalf("sibling %d was not dismissed early: the test no longer covers the case", p)
		}
		full := d.gaugeStats(v, refStats{})
		meds, sigs = append(meds, full.median), append(sigs, full.sigma)
		add("web-"+strconv.Itoa(p), v)
	}
	born := make([]float64, n)
	for i := range born {
		born[i] = math.NaN()
		if i >= 300 {
			born[i] = 9e8 * (1 + 0.002*rng.NormFloat64())
		}
	}
	add("web-new", born)
	wantMed, spread := medianMAD(append([]float64(nil), meds...))
	wantSig := math.Max(median(append([]float64(nil), sigs...)), madScale*spread)
	f := Analyze(in)
	for _, an := range f.Anomalies {
		if an.Entity["pod"] == "web-new" {
			if an.BaselineMedian != wantMed || an.BaselineMAD != wantSig {
				t.Fatalf("born pod judged against median %v, sigma %v; want its siblings' %v, %v", an.BaselineMedian, an.BaselineMAD, wantMed, wantSig)
			}
			return
		}
	}
	t.Fatalf("the born pod is not an anomaly: %+v", f.Anomalies)
}
