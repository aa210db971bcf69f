package correlate

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchInput builds k series x 720 points (360 baseline) with about 5% of
// them anomalous: pods of a few workloads that step up together after a
// database event, spread over the window, plus the topology of every pod.
func benchInput(k int) *Input {
	const n, b = 720, 360
	rng := rand.New(rand.NewPCG(uint64(k), 11))
	in := newInput(n, b)
	in.Signals = noiseSignals(rng, n, k-k/20)
	for i := range in.Signals {
		pod := in.Signals[i].Entity["pod"]
		in.Topology = append(in.Topology, map[string]string{"namespace": "bg", "pod": pod, "node": "n" + itoa(i%50)})
	}
	anom := k / 20
	for i := 0; i < anom; i++ {
		wl := "app-" + itoa(i/10)
		pod := wl + "-" + itoa(i%10)
		ent := map[string]string{"namespace": "shop", "pod": pod}
		on := b + 40 + (i/10)*7%300
		var s Signal
		switch i % 4 {
		case 0:
			s = eventSig("restarts", "pods", ent, events(n, on))
		default:
			v := gaussian(rng, n, 400, 8)
			stepAt(v, on+2, 200)
			s = gauge("memory", "memory", ent, v)
		}
		in.Signals = append(in.Signals, s)
		in.Topology = append(in.Topology,
			map[string]string{"namespace": "shop", "pod": pod, "workload": wl},
			map[string]string{"namespace": "shop", "pod": pod, "node": "n" + itoa(i%50)})
	}
	in.Causes = map[string][]string{"pods": {"memory"}}
	return in
}

func BenchmarkAnalyze(b *testing.B) {
	for _, k := range []int{100, 1000, 10000} {
		in := benchInput(k)
		b.Run(fmt.Sprintf("series=%d", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Analyze(in)
			}
		})
	}
}
