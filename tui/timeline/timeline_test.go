package timeline

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/causeway-sre/causeway/correlate"
)

func TestTimeline(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var es []correlate.TimelineEntry
	for i := 9; i >= 0; i-- { // given out of order
		es = append(es, correlate.TimelineEntry{Time: t0.Add(time.Duration(i) * time.Minute), Source: "metric", Text: "entry " + string(rune('a'+i))})
	}
	m := New()
	m.SetWidth(40)
	m.SetHeight(4)
	m.SetEntries(es)
	m.SetCursor(t0.Add(5*time.Minute + 30*time.Second))
	if m.Current() != 5 {
		t.Errorf("current %d, want 5", m.Current())
	}
	v := m.View()
	if !strings.Contains(v, "▸ 10:05:00     entry f") || strings.Count(v, "\n") != 3 {
		t.Errorf("view:\n%s", v)
	}
	m.SetCursor(t0.Add(-time.Hour))
	if m.Current() != -1 || !strings.Contains(m.View(), "entry a") {
		t.Errorf("before all entries: current %d\n%s", m.Current(), m.View())
	}
}

func TestKubeTagAndCut(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	m := New()
	m.SetWidth(52)
	m.SetHeight(3)
	m.SetEntries([]correlate.TimelineEntry{
		{Time: t0, Source: "metric", Text: "memory ratio store/api rose to its limit"},
		{Time: t0.Add(time.Minute), Source: "kubernetes", Text: "OOMKilling store/api-1: out of memory"},
	})
	m.SetCursor(t0.Add(time.Minute))
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "Timeline (2, 1 from k8s)") || !strings.Contains(v, "▸ 10:01:00 k8s OOMKilling store/api-1: out of memory") {
		t.Errorf("k8s entry not tagged:\n%s", v)
	}
	if !strings.Contains(v, "rose to its…") || strings.Contains(v, "rose to its l…") {
		t.Errorf("metric entry not cut at a word:\n%s", v)
	}
	for _, c := range []struct {
		s    string
		w    int
		want string
	}{
		{"short", 10, "short"},
		{"rose to its limit", 15, "rose to its…"},
		{"rose to its limit", 13, "rose to its…"},
		{"abcdefghijklmnop", 8, "abcdefg…"},
	} {
		if got := Cut(c.s, c.w); got != c.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.s, c.w, got, c.want)
		}
	}
}
