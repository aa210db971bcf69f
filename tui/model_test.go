package tui

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/tui/cmdline"
	"github.com/causeway-sre/causeway/tui/form"
	"github.com/causeway-sre/causeway/tui/progress"
)

func TestMainShowsChainInOrder(t *testing.T) {
	m := mainModel(t, 120, 40)
	if m.screen != screenMain {
		t.Fatalf("screen = %v, want main", m.screen)
	}
	if got := m.charts.Len(); got != 3 {
		t.Fatalf("charts = %d, want the 3 steps of the top chain", got)
	}
	s := screenText(m)
	i1 := strings.Index(s, "1 db_restarts")
	i2 := strings.Index(s, "2 container_memory")
	i3 := strings.Index(s, "3 http_5xx")
	if i1 < 0 || i2 < i1 || i3 < i2 {
		t.Errorf("charts not in chain order:\n%s", s)
	}
	// The cursor starts at the chain's first onset.
	if got := m.charts.CursorTime(); !got.Equal(t0.Add(5 * time.Minute)) {
		t.Errorf("cursor at %v, want 10:05", got)
	}
}

// One cursor: moving it changes the value shown by every chart, and the
// timeline follows it.
func TestCursorMovesEveryChart(t *testing.T) {
	m := mainModel(t, 120, 40)
	before := make([]float64, m.charts.Len())
	for i := range before {
		before[i] = m.charts.ValueAt(i)
	}
	c0 := m.charts.Cursor()
	m = keys(t, m, "right", "right", "right")
	if m.charts.Cursor() <= c0 {
		t.Fatalf("cursor did not move right: %d -> %d", c0, m.charts.Cursor())
	}
	want := testReport().Result.Series
	for i := range before {
		got := m.charts.ValueAt(i)
		exp := want[i].Values[m.charts.Cursor()]
		if got != exp {
			t.Errorf("chart %d shows %v at cursor, series holds %v", i, got, exp)
		}
	}
	if !strings.Contains(screenText(m), "Timeline (4, 1 from k8s) at "+m.charts.CursorTime().UTC().Format("15:04:05")) {
		t.Errorf("timeline title does not show the cursor time:\n%s", screenText(m))
	}
	m = keys(t, m, "left", "left", "left")
	if m.charts.Cursor() != c0 {
		t.Errorf("cursor back = %d, want %d", m.charts.Cursor(), c0)
	}
}

func TestZoomPanReset(t *testing.T) {
	m := mainModel(t, 120, 40)
	lo, hi := m.charts.Range()
	m = keys(t, m, "+")
	zlo, zhi := m.charts.Range()
	if zhi-zlo >= hi-lo {
		t.Fatalf("zoom in did not narrow the range: %d-%d -> %d-%d", lo, hi, zlo, zhi)
	}
	if c := m.charts.Cursor(); c < zlo || c > zhi {
		t.Errorf("cursor %d left the zoomed range %d-%d", c, zlo, zhi)
	}
	m = keys(t, m, "]")
	plo, _ := m.charts.Range()
	if plo <= zlo {
		t.Errorf("pan right did not move the range: %d -> %d", zlo, plo)
	}
	m = keys(t, m, "[", "[")
	if l, _ := m.charts.Range(); l >= plo {
		t.Errorf("pan left did not move the range back")
	}
	m = keys(t, m, "-", "0")
	if l, h := m.charts.Range(); l != lo || h != hi || m.charts.Cursor() != hi {
		t.Errorf("0: range %d-%d cursor %d, want %d-%d cursor at the end", l, h, m.charts.Cursor(), lo, hi)
	}
}

func TestSelectionChangesCharts(t *testing.T) {
	m := mainModel(t, 120, 40)
	m = keys(t, m, "j")
	if m.ranking.Index() != 1 || m.charts.Len() != 2 {
		t.Fatalf("after j: selected %d with %d charts, want 1 with 2", m.ranking.Index(), m.charts.Len())
	}
	// In the chart pane j/k select charts, not ranking rows.
	m = keys(t, m, "tab", "j")
	if m.ranking.Index() != 1 {
		t.Errorf("j in the chart pane moved the ranking to %d", m.ranking.Index())
	}
	m = keys(t, m, "tab", "k")
	if m.ranking.Index() != 0 || m.charts.Len() != 3 {
		t.Errorf("back to the top chain: %d, %d charts", m.ranking.Index(), m.charts.Len())
	}
}

func TestEvidenceHelpEsc(t *testing.T) {
	m := mainModel(t, 120, 40)
	m = keys(t, m, "enter")
	s := screenText(m)
	for _, want := range []string{"Evidence · chain of 3", "r=0.91", "known cause", "same topology"} {
		if !strings.Contains(s, want) {
			t.Errorf("evidence lacks %q:\n%s", want, s)
		}
	}
	m = keys(t, m, "esc")
	if m.showEvidence {
		t.Error("esc did not close the evidence")
	}
	m = keys(t, m, "?")
	if !strings.Contains(screenText(m), ":selector") {
		t.Errorf("help screen lacks the commands")
	}
	m = keys(t, m, "esc")
	if m.showHelp {
		t.Error("esc did not close the help")
	}
}

func TestToggleAndFilter(t *testing.T) {
	m := mainModel(t, 120, 40)
	m = keys(t, m, "2")
	if !m.charts.Hidden(1) || strings.Contains(m.charts.View(), "2 container_memory") {
		t.Errorf("2 did not hide the second chart")
	}
	m = keys(t, m, "2", "/")
	if !m.cmdline.IsOpen() {
		t.Fatal("/ did not open the filter")
	}
	for _, r := range "5xx" {
		m = runCmds(t, m, press(string(r)))
	}
	m = runCmds(t, m, press("enter"))
	if s := m.charts.View(); strings.Contains(s, "1 db_restarts") || !strings.Contains(s, "3 http_5xx") {
		t.Errorf("filter 5xx shows the wrong charts:\n%s", s)
	}
	m = keys(t, m, "esc")
	if m.charts.Filter() != "" {
		t.Errorf("esc kept the filter %q", m.charts.Filter())
	}
}

// runCmds sends msg and feeds back the messages of the commands it returns
// (one level, skipping blocking ones), as the program would.
func runCmds(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	mm, cmd := m.Update(msg)
	m = mm.(Model)
	for _, c := range flatten(cmd) {
		switch r := quick(c).(type) {
		case cmdline.SubmitMsg, cmdline.CancelMsg, cmdline.ChangeMsg, form.SubmitMsg, form.CancelMsg:
			mm, _ = m.Update(r)
			m = mm.(Model)
		}
	}
	return m
}

func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	// A batch is itself a command returning a BatchMsg; run the inner ones
	// that are quick (cmdline and form messages are immediate).
	msg := quick(cmd)
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Cmd
		for _, c := range b {
			out = append(out, flatten(c)...)
		}
		return out
	}
	return []tea.Cmd{func() tea.Msg { return msg }}
}

// quick runs cmd, giving up after a moment (cursor blinks and ticks wait).
func quick(cmd tea.Cmd) tea.Msg {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		return msg
	case <-time.After(50 * time.Millisecond):
		return nil
	}
}

func TestCommandLine(t *testing.T) {
	m := mainModel(t, 120, 40)
	m.src = &fakeSource{report: testReport(), gate: make(chan struct{})}
	typeLine := func(m Model, line string) Model {
		m = keys(t, m, ":")
		for _, r := range line {
			m = send(t, m, press(string(r)))
		}
		return runCmds(t, m, press("enter"))
	}
	bad := typeLine(m, "window yesterday")
	if !bad.statusIsError || bad.screen != screenMain {
		t.Errorf("bad window: status %q, screen %v", bad.status, bad.screen)
	}
	w := typeLine(m, "window now-2h now")
	if w.screen != screenProgress || w.window.To.Sub(w.window.From) != 2*time.Hour {
		t.Errorf(":window now-2h now: screen %v, window %v", w.screen, w.window)
	}
	w.cancelRun()
	st := typeLine(m, "step 1m")
	if st.window.Step != time.Minute {
		t.Errorf(":step 1m gave step %v", st.window.Step)
	}
	st.cancelRun()
	sel := typeLine(m, `selector namespace="web"`)
	if sel.selector != `namespace="web"` || !strings.Contains(sel.header(), `namespace="web"`) {
		t.Errorf(":selector: %q", sel.selector)
	}
	sel.cancelRun()
	unknown := typeLine(m, "frobnicate")
	if !strings.Contains(unknown.status, "unknown command") {
		t.Errorf("unknown command status %q", unknown.status)
	}
	_, cmd := m.Update(cmdline.SubmitMsg{Prompt: ":", Value: "q"})
	if cmd == nil || cmd() != tea.Quit() {
		t.Errorf(":q did not quit")
	}
}

func TestExport(t *testing.T) {
	m := mainModel(t, 120, 40)
	var got *incident.Report
	m.opts.Export = func(r *incident.Report) (string, error) { got = r; return "/tmp/x/postmortem.md", nil }
	mm, cmd := m.Update(press("e"))
	m = mm.(Model)
	if cmd == nil {
		t.Fatal("e returned no command")
	}
	m = send(t, m, cmd())
	if got == nil || !strings.Contains(screenText(m), "exported to /tmp/x/postmortem.md") {
		t.Errorf("export path not shown: %q", m.status)
	}
	m.opts.Export = func(*incident.Report) (string, error) { return "", errors.New("disk full") }
	mm, cmd = m.Update(press("e"))
	m = send(t, mm.(Model), cmd())
	if !m.statusIsError || !strings.Contains(m.status, "disk full") {
		t.Errorf("export error not shown: %q", m.status)
	}
}

func TestFollowNeedsLive(t *testing.T) {
	m := mainModel(t, 120, 40)
	m = keys(t, m, "F")
	if m.followOn || !strings.Contains(m.status, "live source") {
		t.Errorf("F on a fixed source: follow=%v status %q", m.followOn, m.status)
	}
}

// The first run end to end through the real runner: progress reports of the
// current run update the view, a stale run's report is dropped, and the
// analysis arrives as a message.
func TestRunFlow(t *testing.T) {
	r := testReport()
	src := &fakeSource{report: r, gate: make(chan struct{})}
	m := New(testOptions(src), nil)
	m = send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if m.screen != screenProgress {
		t.Fatalf("screen %v, want progress", m.screen)
	}
	mm, cmd := m.Update(startMsg{})
	m = mm.(Model)
	if cmd == nil || m.runID != 1 || !m.running {
		t.Fatalf("start: id %d running %v", m.runID, m.running)
	}
	// A report of another run is ignored.
	m = send(t, m, progress.ReportMsg{Progress: queries.Progress{RunID: 99, Query: "db_restarts", State: queries.Finished, Done: 4, Total: 4}})
	if done, _, _ := m.progress.Counts(); done != 0 {
		t.Errorf("stale report counted: done=%d", done)
	}
	// Run the batch: the runner (blocked on the gate) and the waiter.
	msgs := make(chan tea.Msg, 64)
	go func() {
		for _, c := range batch(cmd) {
			go func(c tea.Cmd) { msgs <- c() }(c)
		}
	}()
	close(src.gate)
	var done runDoneMsg
	for got := false; !got; {
		select {
		case msg := <-msgs:
			switch msg := msg.(type) {
			case runDoneMsg:
				done, got = msg, true
			case progress.ReportMsg:
				mm, c := m.Update(msg)
				m = mm.(Model)
				go func() { msgs <- lastCmd(c)() }()
			}
		case <-time.After(5 * time.Second):
			t.Fatal("run did not finish")
		}
	}
	if len(done.res.Queries) != 4 {
		t.Fatalf("result has %d rows", len(done.res.Queries))
	}
	mm, cmd = m.Update(done)
	m = mm.(Model)
	if cmd == nil {
		t.Fatal("no analysis command")
	}
	m = send(t, m, cmd())
	if m.screen != screenMain || m.report == nil {
		t.Fatalf("after analysis: screen %v", m.screen)
	}
	if !m.statusIsError || !strings.Contains(m.status, "1 of 4 queries failed") {
		t.Errorf("failed query not reported: %q", m.status)
	}
}

func batch(cmd tea.Cmd) []tea.Cmd {
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Cmd
		for _, c := range b {
			if c != nil {
				out = append(out, c)
			}
		}
		return out
	}
	return []tea.Cmd{func() tea.Msg { return msg }}
}

// lastCmd picks the waiter out of the batch an Update returned.
func lastCmd(cmd tea.Cmd) tea.Cmd {
	cs := batch(cmd)
	return cs[len(cs)-1]
}

func TestEscCancelsRun(t *testing.T) {
	src := &fakeSource{report: testReport(), gate: make(chan struct{})}
	var cancelled bool
	m := New(testOptions(src), func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		return ctx, func() { cancelled = true; cancel() }
	})
	m = send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = send(t, m, startMsg{})
	m = keys(t, m, "esc")
	if !cancelled {
		t.Fatal("esc did not cancel the run")
	}
	if !strings.Contains(screenText(m), "cancelling") {
		t.Errorf("progress does not say cancelling:\n%s", screenText(m))
	}
	// The cancelled run ends with its context error: back to the form.
	m = send(t, m, runDoneMsg{id: m.runID, res: &queries.Result{}, err: context.Canceled})
	if m.screen != screenForm {
		t.Errorf("after a cancelled first run: screen %v, want form", m.screen)
	}
}

func TestFormAsksForWindow(t *testing.T) {
	opts := testOptions(&fakeSource{report: testReport(), gate: make(chan struct{})})
	opts.Window = queries.Window{}
	m := New(opts, nil)
	m = send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.screen != screenForm {
		t.Fatalf("screen %v, want form", m.screen)
	}
	s := screenText(m)
	if !strings.Contains(s, "now-1h") {
		t.Errorf("form lacks the now-1h example:\n%s", s)
	}
	checkFits(t, "form", s, 80, 24)
	golden(t, "form_80x24", s)
	// A bad value is refused with the parser's message.
	for _, r := range "yesterday" {
		m = send(t, m, press(string(r)))
	}
	m = runCmds(t, m, press("enter"))
	if m.screen != screenForm || m.form.Err() == nil || !strings.Contains(screenText(m), "✗") {
		t.Fatalf("bad window accepted: screen %v err %v", m.screen, m.form.Err())
	}
	// Fixed: clear and type a good one.
	for range len("yesterday") {
		m = send(t, m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	for _, r := range "now-30m" {
		m = send(t, m, press(string(r)))
	}
	m = runCmds(t, m, press("enter"))
	if m.screen != screenProgress || m.window.To.Sub(m.window.From) != 30*time.Minute {
		t.Errorf("good window: screen %v window %v", m.screen, m.window)
	}
	m.cancelRun()
}

func TestTinyTerminal(t *testing.T) {
	m := mainModel(t, 59, 19)
	s := screenText(m)
	if !strings.Contains(s, "at least 60x20") {
		t.Errorf("no size message:\n%s", s)
	}
	checkFits(t, "tiny", s, 59, 19)
}

// Every size from 60x20 to 250x70 keeps the screen inside the terminal, in
// every mode.
func TestResizeSweep(t *testing.T) {
	m := mainModel(t, 80, 24)
	modes := [][]string{nil, {"enter"}, {"f"}, {"?"}}
	for w := 60; w <= 250; w += 19 {
		for h := 20; h <= 70; h += 7 {
			for _, ks := range modes {
				mm := send(t, m, tea.WindowSizeMsg{Width: w, Height: h})
				mm = keys(t, mm, ks...)
				checkFits(t, strings.Join(append([]string{"size"}, ks...), " "), screenText(mm), w, h)
			}
		}
	}
}

func TestSlide(t *testing.T) {
	base := testReport().Result
	bw := base.Window
	delta := &queries.Result{
		Window: queries.Window{From: bw.To.Add(bw.Step), To: bw.To.Add(4 * bw.Step), Step: bw.Step},
		Series: []queries.Series{
			{Query: "http_5xx", Labels: map[string]string{"service": "web"}, Values: []float64{7, 8, 9, 10}},
			{Query: "new_one", Labels: map[string]string{"x": "1"}, Values: []float64{1, 2, 3, 4}},
		},
		Events: []queries.Event{{Time: bw.To.Add(2 * bw.Step), Reason: "BackOff"}},
	}
	got := slide(base, delta)
	if got.Window.Points() != bw.Points() || !got.Window.To.Equal(delta.Window.To) {
		t.Fatalf("window %v, want same length ending at %v", got.Window, delta.Window.To)
	}
	n := bw.Points()
	byQ := map[string][]float64{}
	for _, s := range got.Series {
		if len(s.Values) != n {
			t.Fatalf("%s has %d points, want %d", s.Query, len(s.Values), n)
		}
		byQ[s.Query] = s.Values
	}
	old5 := base.Series[2].Values
	if v := byQ["http_5xx"]; v[0] != old5[4] || v[n-5] != old5[n-1] || v[n-1] != 10 {
		t.Errorf("http_5xx not shifted by 4 and extended: %v %v %v", v[0], v[n-5], v[n-1])
	}
	if v := byQ["db_restarts"]; !math.IsNaN(v[n-1]) {
		t.Errorf("series absent from the refresh should end in NaN, got %v", v[n-1])
	}
	if v := byQ["new_one"]; !math.IsNaN(v[0]) || v[n-1] != 4 {
		t.Errorf("new series: %v ... %v", v[0], v[n-1])
	}
	if base.Series[2].Values[0] != old5[0] || len(base.Series) != 4 {
		t.Error("slide changed its base")
	}
	if len(got.Events) != 1 {
		t.Errorf("events %d, want the refresh's one", len(got.Events))
	}
}

func TestFollowWindow(t *testing.T) {
	w := testWindow()
	if _, ok := followWindow(w, w.To); ok {
		t.Error("nothing new at the window end")
	}
	d, ok := followWindow(w, w.To.Add(95*time.Second))
	if !ok || !d.From.Equal(w.To.Add(30*time.Second)) || !d.To.Equal(w.To.Add(90*time.Second)) || d.Points() != 3 {
		t.Errorf("delta %v ok=%v", d, ok)
	}
	if _, ok := followWindow(w, w.To.Add(48*time.Hour)); ok {
		t.Error("a gap longer than the window should be a full run")
	}
}
