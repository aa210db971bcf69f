package tui

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/causeway-sre/causeway/queries"
)

// Flows through a real tea.Program: the real runner and analysis behind a
// fake source. v2's renderer writes only changed cells, so the flows wait
// for a word to appear and check the final model's view.

func waitText(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func finalModel(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	if !ok {
		t.Fatal("final model is not a tui.Model")
	}
	return fm
}

func TestFlowDemoKeys(t *testing.T) {
	src := &fakeSource{report: testReport()}
	tm := teatest.NewTestModel(t, New(testOptions(src), nil), teatest.WithInitialTermSize(80, 24))
	waitText(t, tm, "Root causes")
	tm.Send(press("j"))
	tm.Send(press("right"))
	tm.Send(press("?"))
	tm.Send(press("esc"))
	tm.Send(press("q"))
	m := finalModel(t, tm)
	if m.screen != screenMain || m.report == nil || m.showHelp {
		t.Fatalf("final: screen %v report %v help %v", m.screen, m.report != nil, m.showHelp)
	}
	if len(m.report.Result.Queries) != len(testBank().Queries) {
		t.Errorf("report has %d query rows", len(m.report.Result.Queries))
	}
	s := screenText(m)
	checkFits(t, "flow", s, 80, 24)
	if !strings.Contains(s, "cursor ") || !strings.Contains(s, "Timeline") {
		t.Errorf("main view:\n%s", s)
	}
}

func TestFlowFormToMain(t *testing.T) {
	opts := testOptions(&fakeSource{report: testReport()})
	opts.Window = queries.Window{}
	tm := teatest.NewTestModel(t, New(opts, nil), teatest.WithInitialTermSize(100, 30))
	waitText(t, tm, "What should Causeway look at?")
	tm.Type("now-30m")
	tm.Send(press("enter"))
	waitText(t, tm, "Timeline")
	tm.Send(press("q"))
	m := finalModel(t, tm)
	if m.screen != screenMain || m.window.To.Sub(m.window.From) != 30*time.Minute {
		t.Errorf("final: screen %v window %v", m.screen, m.window)
	}
}

// ctrl-c while the bank runs quits and cancels the queries in flight.
func TestFlowCtrlCMidQuery(t *testing.T) {
	src := &fakeSource{report: testReport(), gate: make(chan struct{})}
	tm := teatest.NewTestModel(t, New(testOptions(src), nil), teatest.WithInitialTermSize(80, 24))
	waitText(t, tm, "queries")
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	deadline := time.Now().Add(5 * time.Second)
	for src.cancels() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if src.cancels() == 0 {
		t.Error("queries in flight were not cancelled")
	}
	out, _ := io.ReadAll(tm.FinalOutput(t))
	// The alternate screen was left: the terminal is back as it was.
	if !bytes.Contains(out, []byte("\x1b[?1049l")) {
		t.Error("the program did not leave the alternate screen")
	}
}
