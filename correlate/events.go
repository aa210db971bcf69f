package correlate

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Kubernetes events as evidence.
//
// A Kubernetes event (SpotInterrupted on node X, Evicted on pod P) is a
// report of a happening the metrics of the same entity usually show too, a
// scrape or two later: the taints of node X, the unavailable replicas of
// P's workload. Counted as a signal of its own the event competes with the
// metric it confirms (two candidate roots for one happening, each weaker
// than the two together). So an event stream corroborates the metric
// changes of its entity (or, for a pod, of its workload) whose onset falls
// near the event: their evidence combines (independent z-scores, summed as
// Stouffer's method does), the change's onset moves to the event's exact
// time when the metric showed it later, and links into the change can rest
// on the event (an Evicted pod that ran on the interrupted node). An event
// whose entity no metric shows near its time stays a signal of its own.

// eventMatch is how far (in steps) a metric onset may be from the event it
// is corroborated by: before by the grid's ambiguity, after by twice that
// or a minute, whichever is longer (exporters and scrapes lag the API).
func (a *analysis) eventMatch() (before, after int) {
	minute := int(math.Ceil(float64(time.Minute) / float64(a.step)))
	return a.ambig, max(2*a.ambig, minute)
}

// eventFine is the time of a stream's first event at or after grid index
// onset, in steps from the start (fractional).
func (a *analysis) eventFine(si, onset int) float64 {
	best := math.Inf(1)
	lo := a.in.Time(onset)
	for _, k := range a.sigs[si].events {
		t := a.in.Events[k].Time
		if t.Before(lo) {
			continue
		}
		if f := float64(t.Sub(a.in.Start)) / float64(a.step); f < best {
			best = f
		}
	}
	if math.IsInf(best, 1) {
		return float64(onset)
	}
	return best
}

// corroborate attaches anomalous Kubernetes event streams to the anomalous
// metric signals of the same entity with an onset near the events, and
// strengthens those signals. Streams attached to a metric are no longer
// changes of their own.
func (a *analysis) corroborate() {
	byAtom := map[int][]int{}
	streams := 0
	for i := range a.sigs {
		if !a.dets[i].anomalous {
			continue
		}
		if a.sigs[i].idx < 0 {
			streams++
			continue
		}
		for _, at := range a.atoms[i] {
			if at.kind != "namespace" {
				byAtom[at.id] = append(byAtom[at.id], i)
			}
		}
	}
	if streams == 0 || len(byAtom) == 0 {
		return
	}
	before, after := a.eventMatch()
	podLevel := func(si int) bool {
		for _, at := range a.atoms[si] {
			if at.kind == "pod" || at.kind == "container" {
				return true
			}
		}
		return false
	}
	var touched []int
	for si := range a.sigs {
		s, d := &a.sigs[si], &a.dets[si]
		if s.idx >= 0 || !d.anomalous {
			continue
		}
		fine := a.eventFine(si, d.onset)
		te := int(math.Floor(fine))
		matched := map[int]bool{}
		try := func(m int, viaParent bool) {
			if matched[m] || (viaParent && podLevel(m)) {
				return
			}
			dm := &a.dets[m]
			if dm.onset < te-before || dm.onset > te+after {
				return
			}
			matched[m] = true
		}
		// The event's own entity is its most specific atom: a pod event
		// that also names the pod's node speaks of the pod.
		top := -1
		for _, at := range a.atoms[si] {
			if at.kind != "namespace" {
				top = max(top, specificity(at.kind))
			}
		}
		for _, at := range a.atoms[si] {
			if at.kind == "namespace" || specificity(at.kind) < top {
				continue
			}
			for _, m := range byAtom[at.id] {
				try(m, false)
			}
		}
		if p := a.parents[si]; p >= 0 {
			for _, m := range byAtom[p] {
				try(m, true)
			}
		}
		if len(matched) == 0 {
			continue
		}
		ms := make([]int, 0, len(matched))
		for m := range matched {
			ms = append(ms, m)
		}
		sort.Ints(ms)
		for _, m := range ms {
			dm := &a.dets[m]
			if len(dm.evs) == 0 {
				touched = append(touched, m)
			}
			dm.evs = append(dm.evs, si)
			dm.evz = math.Max(dm.evz, d.z)
			if fine < dm.fine {
				// The event says when it happened; the metric showed it
				// a scrape or two later.
				dm.fine = fine
				dm.onset = max(a.b, te)
			}
		}
		d.anomalous = false
		d.absorbed = true
	}
	for _, m := range touched {
		dm := &a.dets[m]
		dm.z = math.Hypot(dm.z, dm.evz)
		dm.score = saturate(dm.z)
	}
}

// eventAtoms returns the entity atoms of the Kubernetes events that
// corroborate a group's members.
func (a *analysis) eventAtoms(g *group) []atom {
	var out []atom
	seen := map[int]bool{}
	for _, m := range g.members {
		for _, si := range a.dets[m].evs {
			if seen[si] {
				continue
			}
			seen[si] = true
			out = append(out, a.atoms[si]...)
		}
	}
	return out
}

// eventNote describes the Kubernetes events corroborating a group, e.g.
// "Kubernetes: SpotInterrupted at 09:44:45; Evicted for 2 pods at 09:45:15",
// or "" when there are none.
func (a *analysis) eventNote(g *group) string {
	type agg struct {
		first time.Time
		ents  map[string]bool
		kind  string
	}
	by := map[string]*agg{}
	var reasons []string
	seen := map[int]bool{}
	for _, m := range g.members {
		for _, si := range a.dets[m].evs {
			if seen[si] {
				continue
			}
			seen[si] = true
			s := &a.sigs[si]
			reason := strings.TrimPrefix(s.query, "event:")
			x := by[reason]
			if x == nil {
				x = &agg{ents: map[string]bool{}}
				by[reason] = x
				reasons = append(reasons, reason)
			}
			x.ents[labelString(s.entity, nil)] = true
			for _, at := range a.atoms[si] {
				if x.kind == "" || specificity(at.kind) > specificity(x.kind) {
					x.kind = at.kind
				}
			}
			for _, k := range s.events {
				t := a.in.Events[k].Time
				if !t.Before(a.in.Time(a.b)) && (x.first.IsZero() || t.Before(x.first)) {
					x.first = t
				}
			}
		}
	}
	if len(reasons) == 0 {
		return ""
	}
	sort.Strings(reasons)
	parts := make([]string, 0, len(reasons))
	for _, r := range reasons {
		x := by[r]
		p := r
		if n := len(x.ents); n > 1 {
			what := "objects"
			if x.kind != "" {
				what = x.kind + "s"
			}
			p += fmt.Sprintf(" for %d %s", n, what)
		}
		if !x.first.IsZero() {
			p += " at " + clock(x.first)
		}
		parts = append(parts, p)
	}
	return "Kubernetes: " + strings.Join(parts, "; ")
}
