package correlate

import (
	"math/rand/v2"
	"testing"
)

// churnIncident is a database outage in a large, busy cluster: the
// database is down for two steps, the memory of 150 pods in 15 namespaces
// rises three steps later, and meanwhile nPods unrelated pods in 100 other
// namespaces live their lives, 3% of them with a lasting step of their own
// at random moments (a deploy, a cache warming), some in the same namespace
// a few minutes apart.
func churnIncident(seed uint64, nPods int) *Input {
	rng := rand.New(rand.NewPCG(seed, 3))
	n, b := 480, 240
	on := 330
	in := newInput(n, b)
	in.Causes = map[string][]string{"database": {"memory"}}
	down := make([]float64, n)
	down[on], down[on+1] = 1, 1
	in.Signals = append(in.Signals, Signal{Query: "db_down", Family: "database", Kind: State,
		Entity: map[string]string{"instance": "mysql-0"}, Labels: map[string]string{"instance": "mysql-0"}, Values: down})
	for p := range 150 {
		ent := map[string]string{"namespace": "app-" + itoa(p%15), "pod": "web-" + itoa(p)}
		v := gaussian(rng, n, 4e8, 4e6)
		stepAt(v, on+3, 2e8)
		in.Signals = append(in.Signals, gauge("memory", "memory", ent, v))
	}
	for p := range nPods {
		ent := map[string]string{"namespace": "ns-" + itoa(p%100), "pod": "svc-" + itoa(p)}
		v := gaussian(rng, n, 4e8, 4e6)
		if rng.Float64() < 0.03 {
			stepAt(v, b+rng.IntN(n-b-20), 1.5e8)
		}
		in.Signals = append(in.Signals, gauge("memory", "memory", ent, v))
	}
	return in
}

// TestRootAmidClusterChurn: the database that 150 pods follow stays the
// root cause however many unrelated pods change around it. Unrelated
// changes shortly before it are the background of a big cluster, not
// evidence that it came later than something else, and the pod that a few
// siblings happen to follow does not outweigh it.
func TestRootAmidClusterChurn(t *testing.T) {
	for _, pods := range []int{1000, 6000} {
		for seed := uint64(1); seed <= 3; seed++ {
			f := Analyze(churnIncident(seed, pods))
			if len(f.RootCauses) == 0 {
				t.Errorf("pods=%d seed=%d: no root cause", pods, seed)
				continue
			}
			if rc := f.RootCauses[0]; rc.Query != "db_down" {
				t.Errorf("pods=%d seed=%d: root %s %v (score %.2f), want db_down", pods, seed, rc.Query, rc.Entity, rc.Score)
			}
		}
	}
}
