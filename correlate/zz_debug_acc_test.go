//go:build cwdebug

package correlate

import (
	"strings"
	"strconv"
	"encoding/gob"
	"os"
	"testing"
)

type dbgCase struct {
	Name  string
	Seed  int64
	Input *Input
	Quiet bool
}

func loadAcc(t *testing.T) []dbgCase {
	f, err := os.Open("/tmp/cw/acc.5")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	var cs []dbgCase
	if err := gob.NewDecoder(f).Decode(&cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestDebugQuiet(t *testing.T) {
	for _, c := range loadAcc(t) {
		if !c.Quiet && os.Getenv("ALL") == "" {
			continue
		}
		f := Analyze(c.Input)
		t.Logf("%s %d quiet=%v: %s", c.Name, c.Seed, f.Quiet, f.Summary)
		for _, a := range f.Anomalies {
			t.Logf("   %s %v %s z=%.1f score=%.2f", a.Query, a.Entity, a.Shape, a.Z, a.Score)
		}
	}
}

func TestDebugGroups(t *testing.T) {
	name, seed := os.Getenv("SC"), os.Getenv("SEED")
	for _, c := range loadAcc(t) {
		if c.Name != name || itoa(int(c.Seed)) != seed {
			continue
		}
		in := c.Input
		if os.Getenv("NOPRIORS") != "" {
			cp := *in
			cp.Causes = nil
			in = &cp
		}
		f := Analyze(in)
		t.Logf("%s", f.Summary)
		if len(f.Chains) > 0 {
			for _, st := range f.Chains[0].Steps {
				t.Logf("  step %s %s %v", st.Family, st.Query, st.Entity)
			}
		}
		a := lastAnalysis
		for _, gi := range a.byRoot() {
			g := a.groups[gi]
			up := ""
			if g.up >= 0 {
				e := a.edges[g.up]
				up = a.groupName(a.groups[e.from]) + " w=" + ftoa(e.w) + " " + e.method
			}
			t.Logf("root=%.3f str=%.2f score=%.2f z=%.1f mass=%.2f sus=%v inc=%v on=%d fine=%.2f kind=%s %s <- %s", g.root, g.strength, g.score, g.z, g.mass, g.sustained, g.incident, g.onset, g.fine, g.kind, a.groupName(g), up)
		}
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

func TestDebugAccSeries(t *testing.T) {
	name, seed, q, sub := os.Getenv("SC"), os.Getenv("SEED"), os.Getenv("Q"), os.Getenv("SUB")
	for _, c := range loadAcc(t) {
		if c.Name != name || itoa(int(c.Seed)) != seed {
			continue
		}
		t.Logf("N=%d B=%d", c.Input.N, c.Input.Baseline)
		for _, s := range c.Input.Signals {
			if s.Query != q || !strings.Contains(labelString(s.Labels, nil), sub) {
				continue
			}
			var sb strings.Builder
			for _, v := range s.Values {
				sb.WriteString(strconv.FormatFloat(v, 'g', 3, 64) + " ")
			}
			t.Logf("%s %s\n%s", s.Query, labelString(s.Labels, nil), sb.String())
		}
	}
}

func TestDebugTopo(t *testing.T) {
	name, seed, sub := os.Getenv("SC"), os.Getenv("SEED"), os.Getenv("SUB")
	for _, c := range loadAcc(t) {
		if c.Name != name || itoa(int(c.Seed)) != seed {
			continue
		}
		for _, tp := range c.Input.Topology {
			if l := labelString(tp, nil); strings.Contains(l, sub) {
				t.Logf("%s", l)
			}
		}
		for _, s := range c.Input.Signals {
			if l := labelString(s.Labels, nil); strings.Contains(l, sub) {
				t.Logf("sig %s %s", s.Query, l)
			}
		}
	}
}

func TestDebugScaleInternal(t *testing.T) {
	f, err := os.Open("/tmp/cw/scale30k.gob")
	if err != nil {
		t.Skip(err)
	}
	var in Input
	gob.NewDecoder(f).Decode(&in)
	f.Close()
	Analyze(&in)
	a := lastAnalysis
	for _, gi := range a.byRoot()[:2] {
		g := a.groups[gi]
		t.Logf("root %.3f %s", g.root, a.groupName(g))
		for _, c := range a.kids[gi] {
			e := a.edges[a.groups[c].up]
			t.Logf("   kid %s w=%.2f topo=%.2f prior=%v sig=%v lag=%d %s conc=%.2f/%.2f p=%.3g", a.groupName(a.groups[c]), e.w, e.topo, e.prior, e.sig, e.lag, e.method, g.conc, a.groups[c].conc, e.p)
		}
	}
}

func TestDebugConc(t *testing.T) {
	name, seed := os.Getenv("SC"), os.Getenv("SEED")
	for _, c := range loadAcc(t) {
		if c.Name != name || itoa(int(c.Seed)) != seed {
			continue
		}
		Analyze(c.Input)
		a := lastAnalysis
		for _, g := range a.groups {
			if g.family == "memory" || g.family == "nodes" {
				t.Logf("conc=%.2f %s", g.conc, a.groupName(g))
			}
		}
	}
}
