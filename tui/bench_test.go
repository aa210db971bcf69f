package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
)

// benchReport is a chain of 8 signals over 481 points.
func benchReport() *incident.Report {
	w := queries.Window{From: t0, To: t0.Add(2 * time.Hour), Step: 30 * time.Second, Baseline: 2 * time.Hour}
	bank := &queries.Bank{}
	res := &queries.Result{Window: w}
	f := &correlate.Findings{Chains: []correlate.Chain{{Score: 0.9}}}
	for i := range 8 {
		id := fmt.Sprintf("signal_%d", i)
		kind := queries.Gauge
		if i%3 == 1 {
			kind = queries.Events
		}
		bank.Queries = append(bank.Queries, queries.Query{ID: id, Kind: kind, Unit: "MiB"})
		e := map[string]string{"pod": fmt.Sprintf("web-%d", i)}
		onset := t0.Add(time.Duration(10+i) * time.Minute)
		res.Series = append(res.Series, queries.Series{Query: id, Kind: kind, Labels: e, Entity: e,
			Values: signal(w, kind, 100, 300+float64(i)*50, onset)})
		f.Chains[0].Steps = append(f.Chains[0].Steps, correlate.Step{Query: id, Entity: e, Onset: onset})
	}
	return &incident.Report{Bank: bank, Result: res, Findings: f}
}

// BenchmarkRender8Charts is the render budget: 8 charts on one axis at
// 160x48 (and 80x24), in colour. "data" is a new report (every plot drawn),
// "cursor" a cursor move (plots cached, overlay redone), "view" one frame.
func BenchmarkRender8Charts(b *testing.B) {
	r := benchReport()
	for _, sz := range []struct{ w, h int }{{160, 48}, {80, 24}} {
		opts := Options{Source: &fakeSource{report: r}, Bank: r.Bank, Window: r.Result.Window}
		m := New(opts, nil)
		mm, _ := m.Update(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
		m = mm.(Model)
		msg := analyzedMsg{id: m.runID, report: r}
		mm, _ = m.Update(msg)
		m = mm.(Model)
		if m.charts.Len() != 8 {
			b.Fatalf("%d charts", m.charts.Len())
		}
		b.Run(fmt.Sprintf("data/%dx%d", sz.w, sz.h), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mm, _ = m.Update(msg)
			}
		})
		right := tea.KeyPressMsg{Code: tea.KeyRight}
		b.Run(fmt.Sprintf("cursor/%dx%d", sz.w, sz.h), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mm, _ = m.Update(right)
				m = mm.(Model)
				if m.charts.Cursor() == r.Result.Window.Points()-1 {
					m.charts.SetCursor(0)
				}
			}
		})
		b.Run(fmt.Sprintf("view/%dx%d", sz.w, sz.h), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
