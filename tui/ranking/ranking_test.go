package ranking

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/causeway-sre/causeway/correlate"
)

func findings(chains int) *correlate.Findings {
	f := &correlate.Findings{}
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for i := range chains {
		f.Chains = append(f.Chains, correlate.Chain{Score: 0.9 - float64(i)/10, Steps: []correlate.Step{
			{Query: "a", Entity: map[string]string{"pod": "p"}, Onset: t0},
			{Query: "b", Onset: t0.Add(time.Minute)},
		}})
	}
	f.RootCauses = []correlate.RootCause{{Query: "a", Entity: map[string]string{"pod": "p", "ns": "x"}, Score: 0.95, Onset: t0}}
	return f
}

var down = tea.KeyPressMsg{Code: 'j', Text: "j"}

func TestRanking(t *testing.T) {
	m := New()
	m.SetWidth(50)
	m.SetHeight(5)
	m.Focus()
	m.SetFindings(findings(6))
	if len(m.Items()) != 7 {
		t.Fatalf("%d items", len(m.Items()))
	}
	it, _ := m.Selected()
	if it.Kind != ChainItem || len(it.Refs()) != 2 || it.Refs()[0].Query != "a" {
		t.Errorf("first item %+v", it)
	}
	for range 6 {
		m, _ = m.Update(down)
	}
	it, _ = m.Selected()
	if it.Kind != CauseItem || it.Refs()[0].Entity["ns"] != "x" {
		t.Errorf("last item %+v", it)
	}
	v := m.View()
	if !strings.Contains(v, `▸ 0.95 a{ns="x",pod="p"}`) || !strings.Contains(v, "Root causes") {
		t.Errorf("selection scrolled out of view:\n%s", v)
	}
	if n := strings.Count(v, "\n") + 1; n != 5 {
		t.Errorf("%d lines", n)
	}
	m.Blur()
	m, _ = m.Update(tea.KeyPressMsg{Code: 'k', Text: "k"})
	if m.Index() != 6 {
		t.Error("a blurred pane moved")
	}
}

func TestQuiet(t *testing.T) {
	m := New()
	m.SetWidth(30)
	m.SetHeight(6)
	m.SetFindings(&correlate.Findings{Quiet: true, Summary: "Nothing stands out in this window."})
	if _, ok := m.Selected(); ok {
		t.Error("selected item in an empty ranking")
	}
	if !strings.Contains(m.View(), "Nothing stands out") {
		t.Errorf("summary not shown:\n%s", m.View())
	}
}

func TestLabel(t *testing.T) {
	if got := Label("q", map[string]string{"b": "2", "a": "1"}); got != `q{a="1",b="2"}` {
		t.Errorf("Label = %s", got)
	}
	if got := Label("q", nil); got != "q" {
		t.Errorf("Label = %s", got)
	}
}
