package correlate_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/correlate"
)

// TestReplicasAcrossNamespaces: without topology, the app containers of
// pods in several namespaces are one component per namespace, and a pod
// that changed alone minutes before its siblings (noise) does not pull the
// group's onset ahead of the database restart that the siblings followed.
func TestReplicasAcrossNamespaces(t *testing.T) {
	for _, lead := range []int{8, 5} {
		t.Run("lead="+strconv.Itoa(lead), func(t *testing.T) { replicasAcrossNamespaces(t, lead) })
	}
}

// replicasAcrossNamespaces runs the case with the lone pod changing lead
// steps before the restart.
func replicasAcrossNamespaces(t *testing.T, lead int) {
	const points, baseline, restart = 480, 240, 360
	rng := rand.New(rand.NewPCG(7, 11))
	in := &correlate.Input{
		Start: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Step: 15 * time.Second,
		N: points, Baseline: baseline, Seed: 1,
		Causes: map[string][]string{"db_down": {"memory"}},
	}
	for ns := range 4 {
		for p := range 30 {
			ent := map[string]string{"namespace": "ns-" + strconv.Itoa(ns), "pod": "svc-" + strconv.Itoa(ns*30+p), "container": "app"}
			base := 1e8 + rng.Float64()*5e8
			v := make([]float64, points)
			for j := range v {
				v[j] = base * (1 + 0.005*rng.NormFloat64())
			}
			on := -1
			switch {
			case p < 8: // the database's clients, 45 s after the restart
				on = restart + 3 + rng.IntN(2)
			case p == 8 && ns == 0: // one pod of the first namespace, alone, minutes before
				on = restart - lead
			}
			if on >= 0 {
				for j := on; j < points; j++ {
					v[j] *= 1.6
				}
			}
			in.Signals = append(in.Signals, correlate.Signal{
				Query: "memory_working_set", Family: "memory", Kind: correlate.Gauge, Unit: "bytes",
				Entity: ent, Labels: ent, Values: v,
			})
		}
	}
	db := map[string]string{"exporter": "mysql", "job": "mysql", "instance": "mysql-0.db:9104"}
	down := make([]float64, points)
	down[restart], down[restart+1] = 1, 1
	in.Signals = append(in.Signals, correlate.Signal{Query: "db_down", Family: "database", Kind: correlate.State, Unit: "bool", Entity: db, Labels: db, Values: down})

	f := correlate.Analyze(in)
	if len(f.RootCauses) == 0 {
		t.Fatalf("no root cause: %s", f.Summary)
	}
	if rc := f.RootCauses[0]; rc.Query != "db_down" {
		t.Errorf("top root cause %s %v at %s, want db_down: %s", rc.Query, rc.Entity, rc.Onset.Format("15:04:05"), f.Summary)
	}
	for _, rc := range f.RootCauses {
		if rc.Query == "memory_working_set" && rc.Entity["namespace"] == "" {
			t.Errorf("root cause %v merges pods of several namespaces", rc.Entity)
		}
		// A namespace's group (no single pod named) changed when its
		// members did, after the restart; the lone early pod must not
		// drag the group's onset ahead.
		if rc.Query == "memory_working_set" && rc.Entity["pod"] == "" && rc.Onset.Before(in.Time(restart)) {
			t.Errorf("group %v has onset %s, before the restart its members followed", rc.Entity, rc.Onset.Format("15:04:05"))
		}
	}
	for _, ch := range f.Chains {
		for _, st := range ch.Steps {
			if st.Query == "memory_working_set" && st.Count > 8 {
				t.Errorf("step %v holds %d pods, want the 8 that followed the restart", st.Entity, st.Count)
			}
			if st.Query == "memory_working_set" && st.Onset.Before(in.Time(restart)) {
				t.Errorf("step %v onset %s, before the restart", st.Entity, st.Onset.Format("15:04:05"))
			}
		}
	}
}
