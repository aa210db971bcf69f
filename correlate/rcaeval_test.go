package correlate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
)

// An RCAEval-like benchmark: microservices with cpu, memory, latency and
// error gauges (realistic noise: daily shape, heavy-tailed latencies,
// quantised error ratios, occasional baseline blips), one fault injected
// in one service's cpu, memory or latency, propagating with lag and
// attenuation to its callers' latency and errors along a call graph that
// the data gives only through shared labels (a caller's client metrics
// name the service it calls). No bank priors. Causeway's top root cause
// (at service level) is compared with plain robust-z ranking (BARO /
// N-Sigma: the metric with the largest max |x - median| / MAD in the
// anomalous period names the service).

type rcaCase struct {
	in   *Input
	root string
	kind string
}

// rcaServices is the call graph: service -> the services it calls.
var rcaServices = map[string][]string{
	"frontend":       {"cart", "catalog", "checkout", "recommendation", "ad"},
	"checkout":       {"cart", "payment", "shipping", "email", "currency", "catalog"},
	"recommendation": {"catalog"},
	"cart":           {"redis"},
	"catalog":        {},
	"payment":        {},
	"shipping":       {"currency"},
	"email":          {},
	"currency":       {},
	"ad":             {},
	"redis":          {},
}

func rcaNames() []string {
	out := make([]string, 0, len(rcaServices))
	for s := range rcaServices {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// callers inverts the call graph.
func rcaCallers() map[string][]string {
	out := map[string][]string{}
	for _, s := range rcaNames() {
		for _, c := range rcaServices[s] {
			out[c] = append(out[c], s)
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

func rcaGen(seed uint64) rcaCase {
	rng := rand.New(rand.NewPCG(seed, 2024))
	const n, b = 240, 120
	in := newInput(n, b)
	in.Causes = nil
	names := rcaNames()
	root := names[rng.IntN(len(names))]
	kinds := []string{"cpu", "memory", "delay"}
	kind := kinds[rng.IntN(len(kinds))]
	on := b + 20 + rng.IntN(60)

	type svc struct {
		cpu, mem, lat, err []float64
		latSd              float64
	}
	ss := map[string]*svc{}
	for _, name := range names {
		s := &svc{}
		// cpu: cores, a daily shape (the window sees a slice of it) and
		// scrape noise; sometimes a short burst in the baseline (GC, a
		// cron job).
		lvl := 0.1 + rng.Float64()*0.8
		s.cpu = gaussian(rng, n, lvl, lvl*(0.04+0.08*rng.Float64()))
		daily(s.cpu, lvl*0.3, 2880, rng.Float64()*6)
		if rng.Float64() < 0.3 {
			t := rng.IntN(b - 5)
			for k := t; k < t+2; k++ {
				s.cpu[k] += lvl * (0.3 + 0.5*rng.Float64())
			}
		}
		// memory: bytes, a slow drift and small noise.
		m := (100 + rng.Float64()*700) * 1e6
		s.mem = gaussian(rng, n, m, m*(0.005+0.02*rng.Float64()))
		trend(s.mem, m*0.0002*rng.NormFloat64())
		// latency: log-normal around a median, heavy right tail.
		med := 0.005 + rng.Float64()*0.2
		s.latSd = 0.05 + 0.25*rng.Float64()
		s.lat = make([]float64, n)
		for t := range s.lat {
			s.lat[t] = med * math.Exp(s.latSd*rng.NormFloat64())
		}
		daily(s.lat, med*0.2, 2880, rng.Float64()*6)
		// errors: a small ratio over a scrape interval's requests.
		base := 0.002 + 0.01*rng.Float64()
		s.err = make([]float64, n)
		for t := range s.err {
			s.err[t] = math.Max(0, base*(1+0.3*rng.NormFloat64()))
		}
		ss[name] = s
	}
	// The fault.
	r := ss[root]
	latFactor := 0.0 // log-factor of the root's latency rise
	switch kind {
	case "cpu":
		lvl := median(append([]float64(nil), r.cpu[:b]...))
		stepAt(r.cpu, on, lvl*(0.6+1.5*rng.Float64()))
		latFactor = 0.2 + 0.6*rng.Float64()
	case "memory":
		m := median(append([]float64(nil), r.mem[:b]...))
		grow := m * (0.3 + 1.2*rng.Float64())
		ramp := 3 + rng.IntN(8)
		for t := on; t < n; t++ {
			r.mem[t] += grow * math.Min(1, float64(t-on+1)/float64(ramp))
		}
		latFactor = 0.1 + 0.4*rng.Float64()
	case "delay":
		latFactor = 0.5 + 1.5*rng.Float64()
	}
	// Propagation: breadth first up the callers, with lag and attenuation.
	callers := rcaCallers()
	type hit struct {
		at     int
		factor float64
	}
	hits := map[string]hit{root: {on + map[bool]int{true: 1}[kind != "delay"], latFactor}}
	queue := []string{root}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		h := hits[s]
		for _, c := range callers[s] {
			f := h.factor * (0.4 + 0.5*rng.Float64())
			at := h.at + 1 + rng.IntN(3)
			if old, ok := hits[c]; ok && old.factor >= f {
				continue
			}
			if f < 0.05 {
				continue
			}
			hits[c] = hit{at, f}
			queue = append(queue, c)
		}
	}
	for _, name := range rcaNames() {
		h, ok := hits[name]
		if !ok {
			continue
		}
		s := ss[name]
		for t := h.at; t < n; t++ {
			s.lat[t] *= math.Exp(h.factor)
		}
		if h.factor > 0.3 && rng.Float64() < 0.6 {
			// Timeouts: the error ratio rises.
			extra := 0.01 + 0.05*rng.Float64()*h.factor
			for t := h.at + 1; t < n; t++ {
				s.err[t] += extra * (0.7 + 0.6*rng.Float64())
			}
		}
	}
	for _, name := range names {
		s := ss[name]
		ent := map[string]string{"namespace": "shop", "service": name}
		lab := map[string]string{"namespace": "shop", "service": name, "pod": name + "-0"}
		add := func(q, fam string, v []float64) {
			in.Signals = append(in.Signals, Signal{Query: q, Family: fam, Kind: Gauge, Entity: ent, Labels: lab, Values: v})
		}
		add("cpu", "cpu", s.cpu)
		add("memory", "memory", s.mem)
		add("latency", "latency", s.lat)
		add("errors", "errors", s.err)
		in.Topology = append(in.Topology, map[string]string{"namespace": "shop", "pod": name + "-0", "service": name})
		// The call graph only through labels: the caller pod's client
		// metrics carry the callee's service label.
		for _, c := range rcaServices[name] {
			in.Topology = append(in.Topology, map[string]string{"namespace": "shop", "pod": name + "-0", "service": c})
		}
	}
	return rcaCase{in: in, root: root, kind: kind}
}

// robustZTop ranks services by the largest robust z of their metrics in
// the anomalous period (BARO / N-Sigma style).
func robustZTop(in *Input) string {
	best, top := -1.0, ""
	for _, s := range in.Signals {
		base := make([]float64, 0, in.Baseline)
		for _, v := range s.Values[:in.Baseline] {
			if !math.IsNaN(v) {
				base = append(base, v)
			}
		}
		if len(base) == 0 {
			continue
		}
		med, mad := medianMAD(base)
		mad = math.Max(mad, 1e-12)
		for _, v := range s.Values[in.Baseline:] {
			if z := math.Abs(v-med) / mad; z > best {
				best, top = z, s.Entity["service"]
			}
		}
	}
	return top
}

func rcaSeeds() int {
	if v, err := strconv.Atoi(os.Getenv("CAUSEWAY_RCAEVAL_SEEDS")); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return 30
	}
	return 120
}

func TestRCAEvalLike(t *testing.T) {
	seeds := rcaSeeds()
	var cw, rz int
	byKind := map[string][3]int{}
	for seed := 1; seed <= seeds; seed++ {
		c := rcaGen(uint64(seed))
		f := Analyze(c.in)
		got := ""
		if len(f.RootCauses) > 0 {
			got = f.RootCauses[0].Entity["service"]
		}
		z := robustZTop(c.in)
		k := byKind[c.kind]
		k[0]++
		if got == c.root {
			cw++
			k[1]++
		}
		if z == c.root {
			rz++
			k[2]++
		}
		byKind[c.kind] = k
		if got != c.root && testing.Verbose() {
			t.Logf("seed %d: %s fault in %s: causeway says %q (robust-z %q): %s", seed, c.kind, c.root, got, z, f.Summary)
			for _, a := range f.Anomalies {
				t.Logf("   anomaly %s %v %s z=%.1f", a.Query, a.Entity["service"], a.Shape, a.Z)
			}
			for i, r := range f.RootCauses {
				if i < 3 {
					t.Logf("   %.3f %s %v: %s", r.Score, r.Query, r.Entity, r.Why)
				}
			}
		}
	}
	var sb string
	for _, k := range []string{"cpu", "memory", "delay"} {
		v := byKind[k]
		sb += fmt.Sprintf(" %s %d/%d vs %d/%d;", k, v[1], v[0], v[2], v[0])
	}
	t.Logf("RCAEval-like top-1 at service level over %d cases: causeway %d (%.2f), robust-z %d (%.2f);%s",
		seeds, cw, float64(cw)/float64(seeds), rz, float64(rz)/float64(seeds), sb)
	if cw < rz {
		t.Errorf("causeway top-1 %d/%d is below plain robust-z %d/%d", cw, seeds, rz, seeds)
	}
}
