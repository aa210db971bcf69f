package correlate

import (
	"math"
	"math/rand/v2"
	"time"
)

// Synthetic data for the tests and benchmarks: a grid, noise with the shapes
// real metrics have (daily traffic, slow trends, heavy tails), and changes.

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func newInput(n, b int) *Input {
	return &Input{Start: t0, Step: 30 * time.Second, N: n, Baseline: b, Seed: 7, Causes: map[string][]string{}}
}

func gaussian(rng *rand.Rand, n int, level, sd float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = level + sd*rng.NormFloat64()
	}
	return v
}

// daily adds a slow sinusoidal traffic shape (period in steps).
func daily(v []float64, amp, period, phase float64) {
	for i := range v {
		v[i] += amp * math.Sin(2*math.Pi*float64(i)/period+phase)
	}
}

func trend(v []float64, perStep float64) {
	for i := range v {
		v[i] += perStep * float64(i)
	}
}

func stepAt(v []float64, at int, delta float64) {
	for i := at; i < len(v); i++ {
		v[i] += delta
	}
}

func events(n int, at ...int) []float64 {
	v := make([]float64, n)
	for _, t := range at {
		v[t]++
	}
	return v
}

func gauge(q, fam string, entity map[string]string, v []float64) Signal {
	return Signal{Query: q, Family: fam, Kind: Gauge, Entity: entity, Labels: entity, Values: v}
}

func eventSig(q, fam string, entity map[string]string, v []float64) Signal {
	return Signal{Query: q, Family: fam, Kind: Events, Entity: entity, Labels: entity, Values: v}
}

// noiseSignals returns k ordinary signals: steady noise, daily shapes, slow
// trends, heavy-tailed latencies and quantised counts.
func noiseSignals(rng *rand.Rand, n, k int) []Signal {
	out := make([]Signal, 0, k)
	for i := 0; i < k; i++ {
		ent := map[string]string{"namespace": "bg", "pod": "bg-" + itoa(i)}
		var v []float64
		switch i % 5 {
		case 0:
			v = gaussian(rng, n, 100+rng.Float64()*50, 3)
		case 1:
			v = gaussian(rng, n, 500, 10)
			daily(v, 80, float64(n)*3, rng.Float64()*6)
		case 2:
			v = gaussian(rng, n, 200, 4)
			trend(v, 0.15)
		case 3:
			v = make([]float64, n)
			for t := range v {
				// Log-normal latencies: heavy right tail.
				v[t] = 0.05 * math.Exp(0.3*rng.NormFloat64())
			}
		default:
			v = make([]float64, n)
			for t := range v {
				v[t] = 3
				if rng.Float64() < 0.01 {
					v[t] = 2
				}
			}
		}
		out = append(out, gauge("bg_metric_"+itoa(i%5), "background", ent, v))
	}
	return out
}

func itoa(i int) string {
	const d = "0123456789"
	if i == 0 {
		return "0"
	}
	var b []byte
	for i > 0 {
		b = append([]byte{d[i%10]}, b...)
		i /= 10
	}
	return string(b)
}

// dbIncident builds a database-restart incident: the DB restarts at on;
// connections drop at once; web memory rises 3 steps later on three pods;
// two pods are OOMKilled 8 steps later; availability falls 10 steps later.
// An unrelated batch pod on another node spikes loudly at on+1.
func dbIncident(seed uint64, withCauses bool, nNoise int) (*Input, int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	n, b := 240, 120
	on := 150 + int(seed%7)
	in := newInput(n, b)
	db := map[string]string{"namespace": "db", "instance": "mysql-0"}
	in.Signals = append(in.Signals, eventSig("db_restarts", "database", db, events(n, on)))
	conn := gaussian(rng, n, 80, 3)
	stepAt(conn, on, -60)
	for t := on + 4; t < n; t++ {
		conn[t] += 60 * math.Min(1, float64(t-on-3)/6)
	}
	in.Signals = append(in.Signals, gauge("db_connections", "connections", db, conn))
	for p := 1; p <= 3; p++ {
		pod := "web-" + itoa(p)
		ent := map[string]string{"namespace": "shop", "pod": pod}
		mem := gaussian(rng, n, 500, 8)
		stepAt(mem, on+3, 425)
		in.Signals = append(in.Signals, gauge("container_memory", "memory", ent, mem))
		in.Topology = append(in.Topology,
			map[string]string{"namespace": "shop", "pod": pod, "workload": "web"},
			map[string]string{"namespace": "shop", "pod": pod, "node": "n" + itoa(p)})
	}
	for _, p := range []string{"web-1", "web-2"} {
		ent := map[string]string{"namespace": "shop", "pod": p}
		in.Signals = append(in.Signals, eventSig("oom_kills", "oom", ent, events(n, on+8)))
	}
	avail := make([]float64, n)
	for t := range avail {
		avail[t] = 3
		if t >= on+10 {
			avail[t] = 1
		}
	}
	in.Signals = append(in.Signals, gauge("available_pods", "pods", map[string]string{"namespace": "shop", "deployment": "web"}, avail))
	// The red herring: loud, coincident, unrelated.
	herring := gaussian(rng, n, 0.2, 0.01)
	for t := on + 1; t < on+3; t++ {
		herring[t] = 5
	}
	in.Signals = append(in.Signals, gauge("node_cpu", "nodes", map[string]string{"node": "n9"}, herring))
	in.Signals = append(in.Signals, noiseSignals(rng, n, nNoise)...)
	if withCauses {
		in.Causes = map[string][]string{
			"database":    {"connections", "memory"},
			"connections": {"memory"},
			"memory":      {"oom"},
			"oom":         {"pods"},
		}
	}
	return in, on
}
