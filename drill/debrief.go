package drill

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/causeway-sre/causeway/correlate"
)

// Debrief is what the trainee reads after committing: the verdict, what was
// missed, and the true chain with the evidence for each link.
type Debrief struct {
	// Verdict is one sentence: the grade and the headline.
	Verdict string
	// Missed lists what the trainee missed or got wrong, one sentence each.
	Missed []string
	// Steps is the true chain, cause first, with its evidence.
	Steps []DebriefStep
	// Distractors are the red herrings of the window (scenario keys only).
	Distractors []KeyStep
	// Source says where the answer comes from.
	Source string
}

// DebriefStep is one link of the true chain.
type DebriefStep struct {
	KeyStep
	// Evidence for the step (and for its link to the previous one) from
	// Causeway's analysis; "" when the analysis did not see it.
	Evidence string
	// Picked is true when the trainee's chain holds this family.
	Picked bool
}

// NewDebrief explains a scorecard. f, the analysis of the same window, gives
// the evidence; it may be nil.
func NewDebrief(sc Scorecard, f *correlate.Findings) Debrief {
	key, a := sc.Key, sc.Attempt
	d := Debrief{Source: key.Source, Distractors: key.Distractors}
	d.Verdict = verdict(sc)

	picked := map[string]bool{}
	for _, p := range a.Picks() {
		picked[p.Family] = true
	}
	steps := key.Chain
	if len(steps) == 0 && !key.Quiet {
		steps = []KeyStep{key.Root}
	}
	for i, s := range steps {
		ds := DebriefStep{KeyStep: s, Picked: picked[s.Family]}
		if i == 0 && ds.Note == "" && s.Family == key.Root.Family {
			ds.Note = key.Root.Note
		}
		prev := ""
		if i > 0 {
			prev = steps[i-1].Family
		}
		ds.Evidence = evidence(f, s, prev)
		d.Steps = append(d.Steps, ds)
	}

	// What was missed.
	if p := sc.Part(PartRoot); p.Fraction < 1 {
		d.Missed = append(d.Missed, "Root cause: "+p.Detail+".")
	}
	if !key.Quiet {
		var missing []string
		for _, s := range steps {
			if !picked[s.Family] && !contains(missing, s.Family) {
				missing = append(missing, s.Family)
			}
		}
		if len(missing) > 0 {
			d.Missed = append(d.Missed, fmt.Sprintf("Links not in your chain: %s.", strings.Join(missing, ", ")))
		}
		inKey := map[string]bool{}
		for _, s := range steps {
			inKey[s.Family] = true
		}
		var extra []string
		for _, p := range a.Picks() {
			if !inKey[p.Family] && !contains(extra, p.Family) {
				extra = append(extra, p.Family)
			}
		}
		if len(extra) > 0 {
			d.Missed = append(d.Missed, fmt.Sprintf("Not part of this incident: %s.", strings.Join(extra, ", ")))
		}
		if p := sc.Part(PartChain); p.Fraction < 1 && len(missing) == 0 && len(extra) == 0 && len(a.Picks()) > 0 {
			d.Missed = append(d.Missed, "Chain order: the right links, in the wrong order ("+p.Detail+").")
		}
	} else if len(a.Picks()) > 0 {
		d.Missed = append(d.Missed, "Nothing happened in this window: the changes you picked are normal noise.")
	}
	if p := sc.Part(PartTiming); p.Applicable && p.Fraction < 1 {
		d.Missed = append(d.Missed, "Timing: "+p.Detail+".")
	}
	if p := sc.Part(PartSpeed); p.Applicable && p.Fraction < 1 && sc.Elapsed > sc.Par {
		d.Missed = append(d.Missed, "Time taken: "+p.Detail+".")
	}
	if a.Hints > 0 {
		d.Missed = append(d.Missed, fmt.Sprintf("Hints: %d taken (%.0f points).", a.Hints, -sc.Part(PartHints).Points))
	}
	return d
}

func verdict(sc Scorecard) string {
	root := sc.Part(PartRoot)
	var head string
	switch {
	case root.Fraction >= 1:
		head = "you found the root cause"
	case root.Fraction >= 0.5:
		head = "partly right: the right kind of cause, on the wrong entity"
	case root.Fraction > 0:
		head = "partly right: you marked a consequence, not the cause"
	default:
		head = "the root cause was missed"
	}
	return fmt.Sprintf("%d/100, grade %s: %s.", sc.Total, sc.Grade, head)
}

// evidenceWindow is how far from a key step's onset the analysis's
// findings may lie to count as evidence for it.
const evidenceWindow = 5 * time.Minute

// evidence finds what the analysis says of a key step: a chain step of the
// same family on the same entity near the step's onset, preferring one
// linked from the previous key family, else the nearest anomaly of that
// family.
func evidence(f *correlate.Findings, s KeyStep, prevFamily string) string {
	if f == nil {
		return ""
	}
	near := func(t time.Time) bool {
		if s.At.IsZero() {
			return true
		}
		d := t.Sub(s.At)
		return max(d, -d) <= evidenceWindow
	}
	var best *correlate.Step
	bestLinked := false
	for ci := range f.Chains {
		steps := f.Chains[ci].Steps
		for j := range steps {
			st := &steps[j]
			if st.Family != s.Family || (s.Query != "" && st.Query != s.Query) || !entityMatch(s.Entity, st.Entity) || !near(st.Onset) {
				continue
			}
			linked := prevFamily != "" && j > 0 && steps[j-1].Family == prevFamily
			switch {
			case best == nil,
				linked && !bestLinked,
				linked == bestLinked && closer(st.Onset, best.Onset, s.At):
				best, bestLinked = st, linked
			}
		}
	}
	if best != nil {
		return stepEvidence(*best, bestLinked)
	}
	var an *correlate.Anomaly
	for i := range f.Anomalies {
		a := &f.Anomalies[i]
		if a.Family != s.Family || !entityMatch(s.Entity, a.Entity) || !near(a.Onset) {
			continue
		}
		if an == nil || closer(a.Onset, an.Onset, s.At) {
			an = a
		}
	}
	if an != nil {
		return anomalyEvidence(*an)
	}
	return ""
}

func closer(a, b, to time.Time) bool {
	if to.IsZero() {
		return a.Before(b)
	}
	da, db := a.Sub(to), b.Sub(to)
	return max(da, -da) < max(db, -db)
}

// stepEvidence is a chain step's evidence; with its link when the link ties
// it to the previous key step (the analysis's own evidence text, else the
// link's numbers).
func stepEvidence(st correlate.Step, withLink bool) string {
	if st.Evidence != "" && (withLink || st.Link == nil) {
		return strings.TrimSuffix(st.Evidence, ".")
	}
	base := fmt.Sprintf("%s changed at %s", st.Query, clock(st.Onset))
	if e := entityString(st.Entity); e != "" {
		base = fmt.Sprintf("%s on %s changed at %s", st.Query, e, clock(st.Onset))
	}
	l := st.Link
	if !withLink || l == nil {
		return base
	}
	var ls []string
	if l.Lag != 0 {
		ls = append(ls, "lag "+roundDur(l.Lag))
	}
	if l.R != 0 && !math.IsNaN(l.R) {
		ls = append(ls, fmt.Sprintf("r = %.2f", l.R))
	}
	if l.P != 0 && !math.IsNaN(l.P) {
		ls = append(ls, fmt.Sprintf("p = %.3g", l.P))
	}
	if l.Topology {
		ls = append(ls, "same topology")
	}
	if l.Prior {
		ls = append(ls, "known cause")
	}
	if l.Method != "" {
		ls = append(ls, "by "+l.Method)
	}
	if len(ls) == 0 {
		return base
	}
	return base + "; link: " + strings.Join(ls, ", ")
}

func anomalyEvidence(an correlate.Anomaly) string {
	s := fmt.Sprintf("%s %s at %s", an.Query, an.Shape, clock(an.Onset))
	if e := entityString(an.Entity); e != "" {
		s += " on " + e
	}
	if an.Z != 0 && !math.IsNaN(an.Z) && !math.IsInf(an.Z, 0) {
		s += fmt.Sprintf(" (z = %.1f)", an.Z)
	}
	return s + "; not linked in any chain by the analysis"
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
