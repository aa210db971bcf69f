package tui

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/queries"
)

// updating reports -update (the flag is registered by teatest's golden
// package, which this package's tests import).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func testBank() *queries.Bank {
	return &queries.Bank{Origin: "test", Queries: []queries.Query{
		{ID: "db_restarts", Title: "Database restarts", Family: "database", Kind: queries.Events, Unit: "restarts", PromQL: "db"},
		{ID: "container_memory", Title: "Container memory", Family: "memory", Kind: queries.Gauge, Unit: "MiB", PromQL: "mem"},
		{ID: "http_5xx", Title: "HTTP 5xx ratio", Family: "edge", Kind: queries.Gauge, Unit: "ratio", PromQL: "5xx"},
		{ID: "node_cpu", Title: "Node CPU", Family: "nodes", Kind: queries.Gauge, Unit: "cores", PromQL: "cpu"},
	}}
}

func testWindow() queries.Window {
	return queries.Window{From: t0, To: t0.Add(time.Hour), Step: 30 * time.Second, Baseline: 30 * time.Minute}
}

// signal builds the values of one synthetic signal on w's grid: a wavy
// baseline, and from onset on a level change (gauge) or a burst (events).
func signal(w queries.Window, kind queries.Kind, base, after float64, onset time.Time) []float64 {
	v := make([]float64, w.Points())
	o := w.Index(onset)
	for i := range v {
		wave := math.Sin(float64(i)/5) * base * 0.05
		switch {
		case kind == queries.Events && i >= o && i < o+6:
			v[i] = after
		case kind == queries.Events:
			v[i] = 0
		case i >= o:
			v[i] = after + wave
		default:
			v[i] = base + wave
		}
	}
	return v
}

// testReport is a hand-made incident: a database restart at 10:05 leads to
// web memory growth at 10:06, then 5xx at 10:07.
func testReport() *incident.Report {
	w := testWindow()
	bank := testBank()
	db := map[string]string{"instance": "mysql-0"}
	web := map[string]string{"pod": "web-1"}
	svc := map[string]string{"service": "web"}
	node := map[string]string{"node": "n1"}
	on := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	res := &queries.Result{Window: w, Source: "scenario test", Series: []queries.Series{
		{Query: "db_restarts", Family: "database", Kind: queries.Events, Labels: db, Entity: db, Values: signal(w, queries.Events, 0, 1, on(5))},
		{Query: "container_memory", Family: "memory", Kind: queries.Gauge, Labels: web, Entity: web, Values: signal(w, queries.Gauge, 300, 900, on(6))},
		{Query: "http_5xx", Family: "edge", Kind: queries.Gauge, Labels: svc, Entity: svc, Values: signal(w, queries.Gauge, 0.01, 0.2, on(7))},
		{Query: "node_cpu", Family: "nodes", Kind: queries.Gauge, Labels: node, Entity: node, Values: signal(w, queries.Gauge, 2, 2, on(0))},
	}}
	for _, q := range bank.Queries {
		res.Queries = append(res.Queries, queries.QueryResult{Query: q, Expr: q.PromQL, Series: 1})
	}
	f := &correlate.Findings{
		Chains: []correlate.Chain{
			{Score: 0.88, Steps: []correlate.Step{
				{Query: "db_restarts", Family: "database", Entity: db, Onset: on(5), Evidence: "mysql-0 restarted twice"},
				{Query: "container_memory", Family: "memory", Entity: web, Onset: on(6), Lag: time.Minute,
					Evidence: "web-1 memory tripled within a minute of the restart",
					Link:     &correlate.Link{Lag: time.Minute, R: 0.91, P: 0.002, Prior: true, Method: "event-response"}},
				{Query: "http_5xx", Family: "edge", Entity: svc, Onset: on(7), Lag: time.Minute,
					Evidence: "5xx ratio rose from 1% to 20%",
					Link:     &correlate.Link{Lag: time.Minute, R: 0.84, P: 0.01, Topology: true, Method: "xcorr"}},
			}},
			{Score: 0.41, Steps: []correlate.Step{
				{Query: "container_memory", Family: "memory", Entity: web, Onset: on(6)},
				{Query: "http_5xx", Family: "edge", Entity: svc, Onset: on(7), Lag: time.Minute,
					Link: &correlate.Link{Lag: time.Minute, R: 0.7, P: 0.04, Method: "xcorr"}},
			}},
		},
		RootCauses: []correlate.RootCause{
			{Query: "db_restarts", Family: "database", Entity: db, Onset: on(5), Score: 0.93, Why: "first change, and it leads memory and 5xx"},
			{Query: "container_memory", Family: "memory", Entity: web, Onset: on(6), Score: 0.52, Why: "large step"},
		},
		Timeline: []correlate.TimelineEntry{
			{Time: on(5), Source: "metric", Query: "db_restarts", Text: "mysql-0 restarted"},
			{Time: on(5).Add(10 * time.Second), Source: "kubernetes", Text: "Pod mysql-0 BackOff"},
			{Time: on(6), Source: "metric", Query: "container_memory", Text: "web-1 memory 300 → 900 MiB"},
			{Time: on(7), Source: "metric", Query: "http_5xx", Text: "web 5xx ratio 1% → 20%"},
		},
		Summary: "db restart led memory and 5xx",
	}
	return &incident.Report{Bank: bank, Result: res, Findings: f}
}

// fakeSource answers every query from a report's series, after an optional
// gate (to hold a run in flight).
type fakeSource struct {
	report    *incident.Report
	gate      chan struct{}
	mu        sync.Mutex
	calls     []queries.Window
	cancelled int
}

func (s *fakeSource) cancels() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelled
}

func (s *fakeSource) Name() string { return "scenario test" }

func (s *fakeSource) QueryRange(ctx context.Context, req queries.Request) (queries.Response, error) {
	s.mu.Lock()
	s.calls = append(s.calls, req.Window)
	s.mu.Unlock()
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			s.mu.Lock()
			s.cancelled++
			s.mu.Unlock()
			return queries.Response{}, ctx.Err()
		}
	}
	var out queries.Response
	for _, ser := range s.report.Result.Series {
		if ser.Query != req.ID {
			continue
		}
		v := make([]float64, req.Window.Points())
		for i := range v {
			v[i] = float64(i % 7)
		}
		if req.Window == s.report.Result.Window {
			copy(v, ser.Values)
		}
		out.Matrix = append(out.Matrix, queries.Sample{Labels: ser.Labels, Values: v})
	}
	if req.ID == "node_cpu" {
		return out, fmt.Errorf("node_cpu: bad_data: synthetic failure")
	}
	return out, nil
}

func testOptions(src queries.Source) Options {
	return Options{
		Source: src, Bank: testBank(), Window: testWindow(), NoColor: true,
		Now: func() time.Time { return t0.Add(2 * time.Hour) },
	}
}

// mainModel is a root model at size w x h showing the synthetic report.
func mainModel(t *testing.T, w, h int) Model {
	t.Helper()
	r := testReport()
	m := New(testOptions(&fakeSource{report: r}), nil)
	m = send(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return send(t, m, analyzedMsg{id: m.runID, report: r})
}

// send is one Update, keeping the concrete type.
func send(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	mm, _ := m.Update(msg)
	return mm.(Model)
}

func keys(t *testing.T, m Model, ks ...string) Model {
	t.Helper()
	for _, k := range ks {
		m = send(t, m, press(k))
	}
	return m
}

// press is the key press for s (testenv.Key).
func press(s string) tea.KeyPressMsg { return testenv.Key(s) }

func screenText(m Model) string { return ansi.Strip(m.View().Content) }

func checkFits(t *testing.T, name, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", name, len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%s: line %d is %d wide (max %d): %q", name, i, lw, w, l)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	testenv.Golden(t, name+".golden", []byte(got), updating())
}
