package correlate

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// spotInput is a node interruption seen by the metrics (the node's taint,
// the unavailable replicas of the workload whose pods ran on it) plus
// unrelated background, and the Kubernetes events of the same happening
// (SpotInterrupted on the node, Evicted on its pods) when events is set.
func spotInput(seed uint64, events bool) *Input {
	rng := rand.New(rand.NewPCG(seed, 17))
	const n, b, on = 240, 120, 160
	in := newInput(n, b)
	in.Causes = map[string][]string{"nodes": {"pods"}}
	in.Signals = noiseSignals(rng, n, 40)
	taint := make([]float64, n)
	for i := on + 1; i < n; i++ { // the taint is scraped a step late
		taint[i] = 1
	}
	in.Signals = append(in.Signals, Signal{Query: "node_taints", Family: "nodes", Kind: State,
		Entity: map[string]string{"node": "spot-1"}, Labels: map[string]string{"node": "spot-1", "key": "disrupted"}, Values: taint})
	unavail := make([]float64, n)
	for i := on + 2; i < n; i++ {
		unavail[i] = 2
	}
	wl := map[string]string{"namespace": "shop", "workload": "web"}
	in.Signals = append(in.Signals, Signal{Query: "unavailable_replicas", Family: "pods", Kind: Gauge, Entity: wl, Labels: wl, Values: unavail})
	for _, p := range []string{"web-1", "web-2"} {
		in.Topology = append(in.Topology,
			map[string]string{"namespace": "shop", "pod": p, "node": "spot-1"},
			map[string]string{"namespace": "shop", "pod": p, "workload": "web"})
	}
	if events {
		at := in.Time(on).Add(10 * time.Second)
		in.Events = append(in.Events, Event{Time: at, Reason: "SpotInterrupted", Type: "Warning", Family: "nodes",
			Entity: map[string]string{"node": "spot-1"}})
		for _, p := range []string{"web-1", "web-2"} {
			ent := map[string]string{"namespace": "shop", "pod": p}
			if p == "web-2" {
				ent["node"] = "spot-1" // a pod event naming its node speaks of the pod
			}
			in.Events = append(in.Events, Event{Time: at.Add(40 * time.Second), Reason: "Evicted", Family: "pods", Entity: ent})
		}
		// An event no metric shows: it stands alone.
		in.Events = append(in.Events, Event{Time: in.Time(200), Reason: "FailedMount", Type: "Warning",
			Entity: map[string]string{"namespace": "billing", "pod": "invoice-1"}})
	}
	return in
}

func TestEventsCorroborateMetrics(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		with, without := Analyze(spotInput(seed, true)), Analyze(spotInput(seed, false))
		if len(with.RootCauses) == 0 || len(with.Chains) == 0 || len(without.Chains) == 0 {
			t.Fatalf("seed %d: nothing found: %s / %s", seed, with.Summary, without.Summary)
		}
		rc := with.RootCauses[0]
		if rc.Query != "node_taints" || rc.Entity["node"] != "spot-1" {
			t.Errorf("seed %d: root cause %s %v, want the node's taint corroborated by its event", seed, rc.Query, rc.Entity)
		}
		// The event is more precise than the scrape: the onset moves to it.
		if want := spotInput(seed, true).Time(160); !rc.Onset.Equal(want) {
			t.Errorf("seed %d: root onset %s, want the event's step %s", seed, clock(rc.Onset), clock(want))
		}
		if !strings.Contains(rc.Why, "SpotInterrupted") || strings.Contains(rc.Why, "Evicted") {
			t.Errorf("seed %d: why does not cite the event: %s", seed, rc.Why)
		}
		if with.Chains[0].Score < without.Chains[0].Score {
			t.Errorf("seed %d: events weakened the chain: %.3f < %.3f", seed, with.Chains[0].Score, without.Chains[0].Score)
		}
		var event bool
		for _, s := range with.Chains[0].Steps[1:] {
			if s.Link != nil && s.Link.Method == "event" && s.Query == "unavailable_replicas" {
				event = true
				if !strings.Contains(s.Evidence, "Evicted") {
					t.Errorf("seed %d: event link evidence does not cite the events: %s", seed, s.Evidence)
				}
			}
		}
		if !event {
			t.Errorf("seed %d: no event link to the unavailable replicas", seed)
			for _, s := range with.Chains[0].Steps {
				t.Logf("   %s", s.Evidence)
			}
		}
		var alone, absorbed bool
		for _, a := range with.Anomalies {
			if a.Source == "kubernetes" {
				switch a.Query {
				case "event:FailedMount":
					alone = true
				default:
					absorbed = true
				}
			}
		}
		if !alone || absorbed {
			t.Errorf("seed %d: events standing alone: FailedMount %v (want true), corroborating ones %v (want false)", seed, alone, absorbed)
		}
		for _, e := range []string{"SpotInterrupted", "Evicted", "FailedMount"} {
			found := false
			for _, tl := range with.Timeline {
				found = found || (tl.Source == "kubernetes" && strings.HasPrefix(tl.Text, e))
			}
			if !found {
				t.Errorf("seed %d: %s missing from the timeline", seed, e)
			}
		}
	}
}

// A pod series born in the window that is off its siblings' level only in
// its first samples is a pod warming up, not an incident (seen on real
// Prometheus data, where a rollout's new pods start with a low ratio for a
// minute).
func TestStartupTransientIsChurn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const n, b = 480, 240
	in := newInput(n, b)
	in.Step = 15 * time.Second
	in.Signals = noiseSignals(rng, n, 30)
	for k := 0; k < 3; k++ {
		old := gaussian(rng, n, 0.48, 0.008)
		nw := gaussian(rng, n, 0.48, 0.008)
		birth := 300 + k
		for i := range old {
			if i >= birth+20 { // the old series lingers (no staleness markers)
				old[i] = math.NaN()
			}
			if i < birth {
				nw[i] = math.NaN()
			} else if i < birth+4 {
				nw[i] = 0.27
			}
		}
		po, pn := "portal-a-"+itoa(k), "portal-b-"+itoa(k)
		for _, p := range [][2]string{{po, "old"}, {pn, "new"}} {
			ent := map[string]string{"namespace": "store", "pod": p[0], "container": "nginx"}
			in.Topology = append(in.Topology, map[string]string{"namespace": "store", "pod": p[0], "workload": "portal"})
			v := old
			if p[1] == "new" {
				v = nw
			}
			in.Signals = append(in.Signals, gauge("memory_limit_ratio", "memory", ent, v))
		}
	}
	f := Analyze(in)
	for _, a := range f.Anomalies {
		if a.Query == "memory_limit_ratio" {
			t.Errorf("a rollout's start-up transient is a change: %s %v %s z=%.1f", a.Query, a.Entity, a.Shape, a.Z)
		}
	}
	if !f.Quiet {
		t.Errorf("not quiet: %s", f.Summary)
	}
}

func TestEventsPermutationInvariant(t *testing.T) {
	in := spotInput(2, true)
	want := Analyze(in)
	rng := rand.New(rand.NewPCG(8, 8))
	for r := 0; r < 3; r++ {
		rng.Shuffle(len(in.Events), func(i, j int) { in.Events[i], in.Events[j] = in.Events[j], in.Events[i] })
		rng.Shuffle(len(in.Signals), func(i, j int) { in.Signals[i], in.Signals[j] = in.Signals[j], in.Signals[i] })
		got := Analyze(in)
		if !reflect.DeepEqual(strip(want), strip(got)) {
			t.Fatalf("findings changed with event order:\nwant %s\ngot  %s", want.Summary, got.Summary)
		}
	}
}
