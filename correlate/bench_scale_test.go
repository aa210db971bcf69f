package correlate_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/correlate"
)

// scaleInput builds what a real cluster's bank answers at scale: n container
// memory series x 1,440 points (6 h at 15 s, the first 720 the baseline),
// with a MySQL restart at point 960 followed ~45 s later by a step up on 5%
// of the pods, a few unrelated step changes elsewhere, the database signals
// (db_down, db_restarts) of two MySQL servers, and the pod -> node and
// pod -> workload topology of every pod. It uses only the exported API, so it
// keeps working while the analysis changes inside.
func scaleInput(n int) *correlate.Input {
	const points, baseline, restart = 1440, 720, 960
	rng := rand.New(rand.NewPCG(uint64(n), 9))
	in := &correlate.Input{
		Start:    time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC),
		Step:     15 * time.Second,
		N:        points,
		Baseline: baseline,
		Causes:   map[string][]string{"db_down": {"connections", "memory"}, "db_restarts": {"connections", "memory"}, "memory_working_set": {"oom"}},
		Seed:     1,
	}
	in.Signals = make([]correlate.Signal, 0, n+4)
	for i := range n {
		wl := "svc-" + strconv.Itoa(i/10)
		ns := "ns-" + strconv.Itoa(i/200)
		pod := wl + "-" + strconv.Itoa(i%10)
		node := "node-" + strconv.Itoa((i*7919)%max(1, n/30))
		ent := map[string]string{"namespace": ns, "pod": pod, "container": "app"}
		base := 64e6 + rng.Float64()*900e6
		noise := 0.004 + rng.Float64()*0.01
		v := make([]float64, points)
		ar := 0.0
		for j := range v {
			ar = 0.8*ar + rng.NormFloat64()*noise
			v[j] = base * (1 + ar)
		}
		switch {
		case (i/10)%4 == 0 && rng.Float64() < 0.2: // 5% of all pods, from 1 workload in 4 (those using mysql-0)
			on := restart + 3 + rng.IntN(2)
			rise := base * (0.4 + rng.Float64()*0.4)
			for j := on; j < points; j++ {
				v[j] += rise * min(1, float64(j-on+1)/3)
			}
		case rng.Float64() < 0.005: // unrelated changes
			at := 8 + rng.IntN(points-16)
			for j := at; j < points; j++ {
				v[j] *= 1.3
			}
		}
		in.Signals = append(in.Signals, correlate.Signal{
			Query: "memory_working_set", Family: "memory", Kind: correlate.Gauge, Unit: "bytes",
			Entity: ent, Labels: ent, Values: v,
		})
		in.Topology = append(in.Topology,
			map[string]string{"namespace": ns, "pod": pod, "node": node},
			map[string]string{"namespace": ns, "pod": pod, "workload": wl, "workload_type": "Deployment"})
	}
	for k, inst := range []string{"mysql-0.db:9104", "mysql-1.db:9104"} {
		ent := map[string]string{"exporter": "mysql", "job": "mysql", "instance": inst}
		down := make([]float64, points)
		restarts := make([]float64, points)
		for j := range points {
			restarts[j] = math.NaN()
		}
		if k == 0 {
			down[restart], down[restart+1], down[restart+2] = 1, 1, 1
			restarts[restart+2] = 1
		}
		in.Signals = append(in.Signals,
			correlate.Signal{Query: "db_down", Family: "database", Kind: correlate.State, Unit: "bool", Entity: ent, Labels: ent, Values: down},
			correlate.Signal{Query: "db_restarts", Family: "database", Kind: correlate.Events, Unit: "restarts", Entity: ent, Labels: ent, Values: restarts})
	}
	return in
}

// BenchmarkAnalyzeScale runs the whole analysis at the sizes of issue 9:
// 1k, 10k and 30k series x 1,440 points.
func BenchmarkAnalyzeScale(b *testing.B) {
	for _, n := range []int{1000, 10000, 30000} {
		b.Run(fmt.Sprintf("series=%d", n), func(b *testing.B) {
			if testing.Short() && n > 1000 {
				b.Skip("-short")
			}
			in := scaleInput(n)
			b.ReportAllocs()
			b.ResetTimer()
			var f *correlate.Findings
			for b.Loop() {
				f = correlate.Analyze(in)
			}
			if f == nil || len(f.RootCauses) == 0 {
				b.Fatalf("no root cause among %d series", n)
			}
			if rc := f.RootCauses[0]; rc.Family != "database" || rc.Entity["instance"] != "mysql-0.db:9104" {
				b.Errorf("top root cause %s %v, want the restarted mysql-0 (database)", rc.Query, rc.Entity)
			}
		})
	}
}
