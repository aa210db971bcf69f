package drill

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/bundle"
)

// TestSpotInterruptionEndToEnd plays the real spot-interruption scenario:
// generated, queried with the default bank through the embedded engine and
// analysed. A trainee who picks the right signals scores high, one who
// picks a consequence scores in between, one who picks a red herring low.
func TestSpotInterruptionEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the default bank over a scenario")
	}
	s, err := PrepareScenario(context.Background(), "spot-interruption", 1, nil, queries.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Briefing == "" || s.Difficulty == "" || s.Key.Root.Family != "nodes" {
		t.Fatalf("session %+v", s.Key)
	}
	sig := s.Signals()
	if len(sig) == 0 {
		t.Fatal("no signals to pick from")
	}
	// The ideal trainee: a signal of each key family, with a matching
	// entity, in chain order, at the key's times.
	find := func(step KeyStep, exclude string) (Signal, bool) {
		for _, x := range sig {
			if x.Family == step.Family && x.Query != exclude && entityMatch(step.Entity, x.Labels) {
				return x, true
			}
		}
		return Signal{}, false
	}
	rootSig, ok := find(s.Key.Root, "")
	if !ok {
		var fams []string
		for _, x := range sig {
			fams = append(fams, x.Family+":"+x.Query+":"+EntityString(x.Labels))
		}
		t.Fatalf("no signal of the root family %s on %v among:\n%s", s.Key.Root.Family, s.Key.Root.Entity, strings.Join(fams, "\n"))
	}
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Attempt{Started: start, Committed: start.Add(3 * time.Minute)}
	r := rootSig.Pick(s.Key.Root.At)
	a.Root = &r
	for _, st := range s.Key.Chain[1:] {
		if x, ok := find(st, ""); ok {
			a.Chain = append(a.Chain, x.Pick(st.At))
		}
	}
	best := s.Score(a)
	if best.Total < 90 {
		t.Errorf("the ideal answer scored %d: %+v", best.Total, best.Parts)
	}
	// A consequence taken for the cause.
	var conseq Attempt = a
	conseq.Chain = nil
	for _, x := range sig {
		if x.Family == "edge" || x.Family == "pods" {
			p := x.Pick(s.Key.Root.At.Add(time.Minute))
			conseq.Root = &p
			break
		}
	}
	mid := s.Score(conseq)
	// A family absent from the key.
	wrong := a
	wrong.Chain = nil
	for _, x := range sig {
		if !contains(s.Key.Families(), x.Family) {
			p := x.Pick(s.Key.Root.At.Add(-20 * time.Minute))
			wrong.Root = &p
			break
		}
	}
	low := s.Score(wrong)
	if wrong.Root != nil && !(best.Total > mid.Total && mid.Total > low.Total) {
		t.Errorf("want ideal > consequence > wrong: %d, %d, %d", best.Total, mid.Total, low.Total)
	}
	d := s.Debrief(best)
	if len(d.Steps) == 0 || d.Steps[0].Evidence == "" {
		t.Errorf("debrief without evidence for the root: %+v", d.Steps)
	}
	var md, mdLow bytes.Buffer
	if err := WriteMarkdown(&md, best, d, s.Meta()); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&mdLow, low, s.Debrief(low), s.Meta()); err != nil {
		t.Fatal(err)
	}
	lintMarkdown(t, map[string][]byte{"ideal": md.Bytes(), "wrong": mdLow.Bytes()})
	t.Logf("ideal %d, consequence %d, wrong %d\n%s", best.Total, mid.Total, low.Total, md.String())
}

func TestPrepareErrors(t *testing.T) {
	if _, err := PrepareScenario(context.Background(), "no-such-scenario", 1, nil, queries.RunOptions{}); err == nil ||
		!strings.Contains(err.Error(), "spot-interruption") {
		t.Errorf("unknown scenario: %v", err)
	}
	if _, err := PrepareBundle("x.cwb", nil, ""); err == nil {
		t.Error("nil bundle: want an error")
	}
	if _, err := PrepareBundle("x.cwb", &bundle.Bundle{}, ""); err == nil {
		t.Error("bundle without a bank: want an error")
	}
	if _, err := NewBundleSession("x", &bundle.Bundle{Bank: &queries.Bank{}}, &queries.Result{}, nil, "impossible"); err == nil {
		t.Error("bad difficulty: want an error")
	}
}
