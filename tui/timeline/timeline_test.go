package timeline

import (
	"strings"
	"testing"
	"time"

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
	if !strings.Contains(v, "▸ 10:05:00 metric entry f") || strings.Count(v, "\n") != 3 {
		t.Errorf("view:\n%s", v)
	}
	m.SetCursor(t0.Add(-time.Hour))
	if m.Current() != -1 || !strings.Contains(m.View(), "entry a") {
		t.Errorf("before all entries: current %d\n%s", m.Current(), m.View())
	}
}
