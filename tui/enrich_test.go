package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/tui/form"
	"github.com/causeway-sre/causeway/tui/progress"
)

// finishRun runs the run command that an Update returned (the first of its
// batch), then the analysis, and feeds both results back.
func finishRun(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	cs := batch(cmd)
	if len(cs) == 0 {
		t.Fatal("no run command")
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cs[0]() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("run did not finish")
	}
	if _, ok := msg.(runDoneMsg); !ok {
		t.Fatalf("first command returned %T, want runDoneMsg", msg)
	}
	mm, next := m.Update(msg)
	m = mm.(Model)
	if next != nil {
		m = send(t, m, next())
	}
	return m
}

// The Enrich hook runs inside the run's command with the run's context and
// window, after the queries and before the analysis; its events reach the
// analysis (sorted) and its warnings reach the header, the status line and
// the :warnings list.
func TestEnrichAddsEventsAndWarnings(t *testing.T) {
	src := &fakeSource{report: testReport()}
	opts := testOptions(src)
	var gotWindow queries.Window
	var gotCtx context.Context
	opts.Enrich = func(ctx context.Context, res *queries.Result) {
		gotCtx, gotWindow = ctx, res.Window
		if len(res.Series) == 0 {
			t.Error("enrich ran before the queries")
		}
		from := res.Window.From
		res.Events = append(res.Events,
			queries.Event{Time: from.Add(7 * time.Minute), Type: "Warning", Reason: "OOMKilling", Kind: "Pod",
				Namespace: "web", Name: "web-1", Message: "out of memory", Entity: map[string]string{"namespace": "web", "pod": "web-1"}},
			queries.Event{Time: from.Add(5 * time.Minute), Type: "Warning", Reason: "BackOff", Kind: "Pod",
				Namespace: "db", Name: "mysql-0", Message: "back-off restarting", Entity: map[string]string{"namespace": "db", "pod": "mysql-0"}})
		res.Warnings = append(res.Warnings, `kubernetes: events is forbidden: User "x" cannot list resource "events"`)
	}
	m := New(opts, nil)
	m = send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	mm, cmd := m.Update(startMsg{})
	m = finishRun(t, mm.(Model), cmd)
	if gotCtx == nil || gotWindow != testWindow() {
		t.Fatalf("enrich called with window %v", gotWindow)
	}
	if m.screen != screenMain || m.report == nil {
		t.Fatalf("screen %v", m.screen)
	}
	ev := m.report.Result.Events
	if len(ev) != 2 || ev[0].Reason != "BackOff" {
		t.Fatalf("events not sorted into the result: %+v", ev)
	}
	s := screenText(m)
	if !strings.Contains(strings.Split(s, "\n")[0], "⚠ 1") {
		t.Errorf("header lacks the warning count:\n%s", s)
	}
	// The failed query outranks the warning on the status line; both are listed.
	if !strings.Contains(s, "1 of 4 queries failed") {
		t.Errorf("status lacks the failed query:\n%s", s)
	}
	m = runCmds(t, keys(t, m, ":", "w", "a", "r", "n"), press("enter"))
	s = screenText(m)
	if !strings.Contains(s, "Warnings (1)") || !strings.Contains(s, "events is forbidden") || !strings.Contains(s, "node_cpu: node_cpu: bad_data") {
		t.Errorf(":warnings does not list the warning and the failed query:\n%s", s)
	}
	m = keys(t, m, "esc")
	if m.showWarnings {
		t.Error("esc did not close the warnings")
	}
	// The analysis put the cluster's events on the timeline, tagged k8s.
	m.timeline.SetHeight(12)
	m.timeline.SetCursor(testWindow().From.Add(7 * time.Minute))
	tl := m.timeline.View()
	if !strings.Contains(tl, "k8s") || !strings.Contains(tl, "OOMKilling") {
		t.Errorf("timeline lacks the k8s events:\n%s", tl)
	}
}

// A warning alone (no failed query) is shown on the status line.
func TestWarningOnStatusLine(t *testing.T) {
	m := mainModel(t, 80, 24)
	r := testReport()
	r.Result.Warnings = []string{"kubernetes: the server is unreachable: the analysis goes on with Prometheus alone"}
	m = send(t, m, analyzedMsg{id: m.runID, report: r})
	s := screenText(m)
	if !strings.Contains(s, "⚠ kubernetes: the server is unreachable") || !strings.Contains(strings.Split(s, "\n")[0], "⚠ 1") {
		t.Errorf("warning not shown:\n%s", s)
	}
	checkFits(t, "warning", s, 80, 24)
}

// failingSource fails every query with the same error, like an unreachable
// server.
type failingSource struct{ addr string }

func (s failingSource) Name() string { return "prometheus " + s.addr }
func (s failingSource) QueryRange(context.Context, queries.Request) (queries.Response, error) {
	return queries.Response{}, errors.New("cannot reach Prometheus at " + s.addr + ": connection refused")
}

// When every query fails, the user sees one message (not one per query)
// and the form to correct the address or the window; enter retries with
// the new address, esc quits. Enrich is not called for a dead run.
func TestAllFailedBackToForm(t *testing.T) {
	var opened []string
	opts := testOptions(failingSource{addr: "http://127.0.0.1:1"})
	opts.SourceAddr = "http://127.0.0.1:1"
	opts.NewSource = func(addr string) (queries.Source, error) {
		opened = append(opened, addr)
		return &fakeSource{report: testReport()}, nil
	}
	opts.Enrich = func(context.Context, *queries.Result) { t.Error("enrich called for a run where every query failed") }
	m := New(opts, nil)
	m = send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	mm, cmd := m.Update(startMsg{})
	m = mm.(Model)
	// The progress view says the shared error once.
	for i, q := range testBank().Queries {
		res := &queries.QueryResult{Query: q, Err: errors.New("cannot reach Prometheus at http://127.0.0.1:1: connection refused")}
		m = send(t, m, progress.ReportMsg{Progress: queries.Progress{RunID: m.runID, Query: q.ID, State: queries.Finished, Done: i + 1, Total: 4, Result: res}})
	}
	if s := screenText(m); strings.Count(s, "connection refused") != 1 || !strings.Contains(s, "4 queries: cannot reach") {
		t.Errorf("progress repeats the error:\n%s", s)
	}
	m = finishRun(t, m, cmd)
	if m.screen != screenForm {
		t.Fatalf("screen %v, want the form", m.screen)
	}
	s := screenText(m)
	if strings.Count(s, "connection refused") != 1 || !strings.Contains(s, "Every query failed (4)") ||
		!strings.Contains(s, "http://127.0.0.1:1") || !strings.Contains(s, "esc to quit") {
		t.Errorf("form after failure:\n%s", s)
	}
	checkFits(t, "failed", s, 80, 24)
	// Correct the address: clear the field and type another one.
	for range len("http://127.0.0.1:1") {
		m = send(t, m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	for _, r := range "http://127.0.0.1:9090" {
		m = send(t, m, press(string(r)))
	}
	m = runCmds(t, m, press("enter"))
	if len(opened) != 1 || opened[0] != "http://127.0.0.1:9090" || m.screen != screenProgress {
		t.Fatalf("retry: opened %v, screen %v", opened, m.screen)
	}
	m.cancelRun()
	// esc on the form quits.
	m = send(t, m, runDoneMsg{id: m.runID, res: &queries.Result{}, err: context.Canceled})
	if m.screen != screenForm {
		t.Fatalf("after cancel: screen %v", m.screen)
	}
	_, cmd = m.Update(press("esc"))
	msg := cmd()
	if _, ok := msg.(form.CancelMsg); !ok {
		t.Fatalf("esc on the form: %T", msg)
	}
	_, cmd = m.Update(msg)
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("esc on the form does not quit")
	}
}
