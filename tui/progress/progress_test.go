package progress

import (
	"errors"
	"strings"
	"testing"

	"github.com/causeway-sre/causeway/queries"
)

func bank() *queries.Bank {
	return &queries.Bank{Queries: []queries.Query{{ID: "a", Title: "Alpha"}, {ID: "b", Title: "Beta"}, {ID: "c", Title: "Gamma"}}}
}

func report(run uint64, q string, st queries.ProgressState, done int, err error) ReportMsg {
	p := queries.Progress{RunID: run, Query: q, State: st, Done: done, Total: 3}
	if st == queries.Finished {
		p.Result = &queries.QueryResult{Query: queries.Query{ID: q}, Series: 2, Err: err}
	}
	return ReportMsg{Progress: p}
}

func TestProgress(t *testing.T) {
	m := New()
	m.SetWidth(60)
	m.SetHeight(10)
	if cmd := m.Start(7, "Running", bank()); cmd == nil {
		t.Error("Start returned no spinner tick")
	}
	for _, msg := range []ReportMsg{
		report(7, "a", queries.Started, 0, nil),
		report(7, "b", queries.Started, 0, nil),
		report(7, "a", queries.Finished, 1, nil),
		report(6, "c", queries.Finished, 3, nil), // an old run: dropped
		report(7, "b", queries.Finished, 2, errors.New("bad_data: parse error")),
	} {
		m, _ = m.Update(msg)
	}
	done, failed, total := m.Counts()
	if done != 2 || failed != 1 || total != 3 {
		t.Errorf("counts %d/%d failed %d", done, total, failed)
	}
	v := m.View()
	for _, want := range []string{"2/3 queries", "1 failed", "✓ Alpha · 2 series", "✗ Beta: bad_data: parse error", "· Gamma"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if n := strings.Count(v, "\n") + 1; n != 10 {
		t.Errorf("view has %d lines, want 10", n)
	}
	// Too many rows for the height: failures come first.
	m.SetHeight(4)
	if v := m.View(); !strings.Contains(v, "✗ Beta") {
		t.Errorf("failed row not kept in a short view:\n%s", v)
	}
}
