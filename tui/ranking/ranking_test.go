package ranking

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

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
	// Six chains do not push the root causes out of a 5-row pane.
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Root causes (1)") || !strings.Contains(v, "0.95") ||
		!strings.Contains(v, "Chains (6) · 1–2") {
		t.Errorf("both sections should show:\n%s", v)
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
	v := ansi.Strip(m.View())
	if !strings.Contains(v, `▸ 0.95 10:00:00 a p/x`) || !strings.Contains(v, "Root causes") || !strings.Contains(v, "0.90 a → b") {
		t.Errorf("selection scrolled out of view:\n%s", v)
	}
	if n := strings.Count(v, "\n") + 1; n != 5 {
		t.Errorf("%d lines", n)
	}
	// Back up into the chains: the chain section scrolls, the cause stays.
	for range 3 {
		m, _ = m.Update(tea.KeyPressMsg{Code: 'k', Text: "k"})
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "▸ 0.60 a → b") || !strings.Contains(v, "0.95 10:00:00") {
		t.Errorf("chain 4 should be selected with the cause in view:\n%s", v)
	}
	for range 3 {
		m, _ = m.Update(down)
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

func TestShort(t *testing.T) {
	for _, c := range []struct {
		entity map[string]string
		want   string
	}{
		{map[string]string{"namespace": "databases", "pod": "mysql-0", "container": "mysql"}, "q databases/mysql-0/mysql"},
		{map[string]string{"exporter": "mysql", "instance": "10.0.0.1:9104", "job": "mysqld", "namespace": "db", "pod": "mysql-0"}, "q db/mysql-0"},
		{map[string]string{"instance": "10.0.0.1:9100"}, "q 10.0.0.1:9100"},
		{map[string]string{"node": "n1", "condition": "MemoryPressure"}, "q n1/MemoryPressure"},
		{map[string]string{"exported_namespace": "store", "namespace": "store", "ingress": "api"}, "q store/api"},
		{nil, "q"},
	} {
		if got := Short("q", c.entity); got != c.want {
			t.Errorf("Short(%v) = %q, want %q", c.entity, got, c.want)
		}
	}
}
