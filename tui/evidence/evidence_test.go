package evidence

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/tui/ranking"
)

func TestEvidence(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	ch := &correlate.Chain{Score: 0.8, Steps: []correlate.Step{
		{Query: "db_restarts", Entity: map[string]string{"instance": "mysql-0"}, Onset: t0, Evidence: "restarted"},
		{Query: "pool_waiters", Onset: t0.Add(40 * time.Second), Lag: 40 * time.Second, Evidence: strings.Repeat("long evidence ", 10),
			Link: &correlate.Link{Lag: 40 * time.Second, R: 0.91, P: 0.004, Topology: true, Method: "xcorr"}},
	}}
	m := New()
	m.SetWidth(40)
	m.SetHeight(6)
	m.SetItem(ranking.Item{Kind: ranking.ChainItem, Chain: ch, Score: 0.8})
	title, lines := Lines(ranking.Item{Kind: ranking.ChainItem, Chain: ch}, 40, DefaultStyles())
	all := strings.Join(lines, "\n")
	if !strings.Contains(title, "chain of 2") || !strings.Contains(all, "led by 40s") || !strings.Contains(all, "r=0.91") {
		t.Errorf("evidence:\n%s\n%s", title, all)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 40 {
			t.Errorf("line wider than 40: %q", l)
		}
	}
	first := m.View()
	m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	if m.View() == first {
		t.Error("j did not scroll a long evidence")
	}
	_, cause := Lines(ranking.Item{Kind: ranking.CauseItem, Cause: &correlate.RootCause{Query: "q", Why: "because", Onset: t0}}, 40, DefaultStyles())
	if !strings.Contains(strings.Join(cause, "\n"), "because") {
		t.Errorf("root cause evidence: %v", cause)
	}
}
