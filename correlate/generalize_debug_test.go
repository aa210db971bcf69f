package correlate_test

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/internal/altgen"
)

// TestGeneralizeDump prints one altgen case and the analysis of it
// (CAUSEWAY_ALTGEN_SEED=N, without priors unless CAUSEWAY_ALTGEN_PRIORS is
// set). It is a tool for working on the analysis, skipped otherwise.
func TestGeneralizeDump(t *testing.T) {
	seed, err := strconv.Atoi(os.Getenv("CAUSEWAY_ALTGEN_SEED"))
	if err != nil {
		t.Skip("set CAUSEWAY_ALTGEN_SEED to dump a case")
	}
	c := altgen.Generate(uint64(seed))
	in := *c.In
	if os.Getenv("CAUSEWAY_ALTGEN_PRIORS") == "" {
		in.Causes = nil
	}
	aff := map[string]int{}
	for i, a := range c.Affected {
		aff[a] = i + 1
	}
	t.Logf("seed %d %s/%s root %s decoy %q affected %v; %d signals, step %s, n %d, baseline %d",
		seed, c.Type, c.Fault, c.Root, c.Decoy, c.Affected, c.Signals, in.Step, in.N, in.Baseline)
	f := correlate.Analyze(&in)
	t.Log(f.Summary)
	as := append([]correlate.Anomaly(nil), f.Anomalies...)
	sort.SliceStable(as, func(i, j int) bool { return as[i].OnsetIndex < as[j].OnsetIndex })
	for _, a := range as {
		comp := c.Component(a.Entity)
		if a.Signal >= 0 {
			comp = c.Component(c.In.Signals[a.Signal].Labels)
		}
		t.Logf("  anomaly t=%d %-10s aff=%d %-16s %-10s z=%6.1f score=%.2f %v", a.OnsetIndex-in.Baseline, comp, aff[comp], a.Query, a.Shape, a.Z, a.Score, a.Entity)
	}
	for i, r := range f.RootCauses {
		if i < 5 {
			t.Logf("  root %.3f %s %v explains %d: %s", r.Score, r.Query, r.Entity, r.Explains, r.Why)
		}
	}
	for i, ch := range f.Chains {
		if i < 2 {
			var ev []string
			for _, s := range ch.Steps {
				ev = append(ev, s.Evidence)
			}
			t.Logf("  chain %.2f:\n    %s", ch.Score, strings.Join(ev, "\n    "))
		}
	}
}
