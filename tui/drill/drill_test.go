package tuidrill

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/drill"
	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// fixture is a spot interruption: node ip-10-0-1-5 goes NotReady at 10:04,
// web pods follow at 10:05, the ingress serves 5xx at 10:05:30; a batch
// job's memory grows at 10:01 (a red herring).
func fixture() *drill.Session {
	w := queries.Window{From: t0, To: t0.Add(20 * time.Minute), Step: 15 * time.Second, Baseline: 10 * time.Minute}
	n := w.Points()
	step := func(onset time.Time, before, after float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = before + 0.05*math.Sin(float64(i))
			if !w.Time(i).Before(onset) {
				v[i] = after
			}
		}
		return v
	}
	bank := &queries.Bank{Queries: []queries.Query{
		{ID: "pod_node", Role: queries.RoleTopology},
		{ID: "node_not_ready", Title: "Nodes not ready", Family: "nodes", Kind: queries.State},
		{ID: "pods_not_ready", Title: "Pods not ready", Family: "pods", Kind: queries.Gauge},
		{ID: "ingress_5xx", Title: "Ingress 5xx ratio", Family: "edge", Kind: queries.Gauge, Unit: "ratio"},
		{ID: "container_memory", Title: "Container memory", Family: "memory", Kind: queries.Gauge, Unit: "B"},
	}}
	node := map[string]string{"node": "ip-10-0-1-5"}
	res := &queries.Result{Window: w, Source: "test", Series: []queries.Series{
		{Query: "pod_node", Labels: map[string]string{"pod": "web-1", "node": "ip-10-0-1-5"}},
		{Query: "node_not_ready", Family: "nodes", Kind: queries.State, Entity: node, Values: step(t0.Add(4*time.Minute), 0, 1)},
		{Query: "pods_not_ready", Family: "pods", Kind: queries.Gauge, Entity: map[string]string{"namespace": "web"}, Values: step(t0.Add(5*time.Minute), 0, 3)},
		{Query: "ingress_5xx", Family: "edge", Kind: queries.Gauge, Entity: map[string]string{"ingress": "web"}, Values: step(t0.Add(5*time.Minute+30*time.Second), 0.001, 0.2)},
		{Query: "container_memory", Family: "memory", Kind: queries.Gauge, Entity: map[string]string{"pod": "batch-1"}, Values: step(t0.Add(time.Minute), 2e9, 3e9)},
	}}
	f := &correlate.Findings{
		Anomalies: []correlate.Anomaly{
			{Signal: 0, Query: "node_not_ready", Family: "nodes", Entity: node, Onset: t0.Add(4 * time.Minute), Shape: "step-up", Z: 12},
			{Signal: 1, Query: "pods_not_ready", Family: "pods", Entity: map[string]string{"namespace": "web"}, Onset: t0.Add(5 * time.Minute), Shape: "step-up", Z: 9},
			{Signal: 2, Query: "ingress_5xx", Family: "edge", Entity: map[string]string{"ingress": "web"}, Onset: t0.Add(5*time.Minute + 30*time.Second), Shape: "step-up", Z: 7},
			{Signal: 3, Query: "container_memory", Family: "memory", Entity: map[string]string{"pod": "batch-1"}, Onset: t0.Add(time.Minute), Shape: "step-up", Z: 4},
		},
		Chains: []correlate.Chain{{Score: 0.9, Steps: []correlate.Step{
			{Query: "node_not_ready", Family: "nodes", Entity: node, Onset: t0.Add(4 * time.Minute), Evidence: "node ip-10-0-1-5 NotReady after a spot interruption warning"},
			{Query: "pods_not_ready", Family: "pods", Entity: map[string]string{"namespace": "web"}, Onset: t0.Add(5 * time.Minute), Lag: time.Minute,
				Evidence: "3 web pods ran on the node", Link: &correlate.Link{Lag: time.Minute, R: 0.88, P: 0.002, Topology: true, Method: "event-response"}},
			{Query: "ingress_5xx", Family: "edge", Entity: map[string]string{"ingress": "web"}, Onset: t0.Add(5*time.Minute + 30*time.Second), Lag: 30 * time.Second,
				Evidence: "5xx ratio rose to 0.2", Link: &correlate.Link{Lag: 30 * time.Second, R: 0.91, P: 0.001, Prior: true, Method: "xcorr"}},
		}}},
		Timeline: []correlate.TimelineEntry{
			{Time: t0.Add(time.Minute), Source: "metric", Query: "container_memory", Text: "Container memory batch-1 rose"},
			{Time: t0.Add(4 * time.Minute), Source: "kubernetes", Text: "Node ip-10-0-1-5 NodeNotReady"},
			{Time: t0.Add(5 * time.Minute), Source: "metric", Query: "pods_not_ready", Text: "Pods not ready web rose"},
			{Time: t0.Add(5*time.Minute + 30*time.Second), Source: "metric", Query: "ingress_5xx", Text: "Ingress 5xx ratio web rose"},
		},
	}
	key := drill.KeyFromScenario(scenarios.AnswerKey{
		Root: scenarios.Step{Family: "nodes", Entity: node, At: t0.Add(4 * time.Minute), Note: "the spot instance was reclaimed"},
		Chain: []scenarios.Step{
			{Family: "nodes", Entity: node, At: t0.Add(4 * time.Minute)},
			{Family: "pods", Entity: map[string]string{"namespace": "web"}, At: t0.Add(5 * time.Minute)},
			{Family: "edge", Entity: map[string]string{"ingress": "web"}, At: t0.Add(5*time.Minute + 30*time.Second)},
		},
		Distractors: []scenarios.Step{{Family: "memory", Entity: map[string]string{"pod": "batch-1"}, At: t0.Add(time.Minute), Note: "a batch job loads its cache"}},
		Tolerance:   time.Minute,
	})
	return &drill.Session{Name: "spot-interruption", Difficulty: "medium", Skill: "tie pod loss to a lost node",
		Briefing: "5xx on ingress web, 10:05 UTC", Bank: bank, Result: res, Findings: f, Key: key}
}

// clockAt is a fake clock the test moves.
type clockAt struct{ t time.Time }

func (c *clockAt) now() time.Time { return c.t }

// press is the key press for s (testenv.Key).
func press(s string) tea.KeyPressMsg { return testenv.Key(s) }

// play sends keys one by one and returns the model and the last command.
func play(t *testing.T, m Model, keys ...string) (Model, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range keys {
		var tm tea.Model
		tm, cmd = m.Update(press(k))
		m = tm.(Model)
	}
	return m, cmd
}

func newModel(t *testing.T, w, h int, c *clockAt, opts Options) Model {
	t.Helper()
	if opts.Session == nil && opts.Prepare == nil {
		opts.Session = fixture()
	}
	opts.Now = c.now
	opts.NoColor = true
	m := New(context.Background(), opts)
	tm, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return tm.(Model)
}

// selectSignal moves the selection to the signal of query q.
func selectSignal(t *testing.T, m Model, q string) Model {
	t.Helper()
	m, _ = play(t, m, "g")
	for i := range m.signals {
		if m.signals[i].Query == q {
			return m
		}
		m, _ = play(t, m, "j")
	}
	t.Fatalf("no signal %s", q)
	return m
}

// cursorTo zooms in (one grid point per column) and moves the time cursor
// to t with the arrow keys, as a trainee would.
func cursorTo(t *testing.T, m Model, at time.Time) Model {
	t.Helper()
	m, _ = play(t, m, "+", "+", "+")
	for range 400 {
		switch c := m.chart.CursorTime(); {
		case c.After(at):
			m, _ = play(t, m, "left")
		case c.Before(at):
			m, _ = play(t, m, "right")
		default:
			return m
		}
	}
	t.Fatalf("cursor stuck at %s, want %s", m.chart.CursorTime(), at)
	return m
}

func TestPlayToDebrief(t *testing.T) {
	c := &clockAt{t: t0.Add(time.Hour)}
	m := newModel(t, 100, 30, c, Options{})
	if m.phase != phasePlaying || len(m.signals) != 4 {
		t.Fatalf("phase %v, %d signals", m.phase, len(m.signals))
	}
	// Nothing of the answer shows while playing.
	view := ansi.Strip(m.View().Content)
	for _, leak := range []string{"root cause ·", "r = 0.88", "spot instance was reclaimed", "▲10:04"} {
		if strings.Contains(view, leak) {
			t.Errorf("the play view leaks %q:\n%s", leak, view)
		}
	}
	if !strings.Contains(view, "Paged: 5xx on ingress web, 10:05 UTC") || !strings.Contains(view, "⏱ 00:00") {
		t.Errorf("no briefing or clock:\n%s", view)
	}

	m = selectSignal(t, m, "node_not_ready")
	m = cursorTo(t, m, t0.Add(4*time.Minute))
	m, _ = play(t, m, "m")
	if r := m.Attempt().Root; r == nil || r.Family != "nodes" || !r.Time.Equal(t0.Add(4*time.Minute)) {
		t.Fatalf("root %+v", r)
	}
	m = selectSignal(t, m, "pods_not_ready")
	m, _ = play(t, m, "a")
	m = selectSignal(t, m, "ingress_5xx")
	m, _ = play(t, m, "a", "a") // the second is refused: already the last link
	if got := len(m.Attempt().Picks()); got != 3 {
		t.Fatalf("%d links, want 3", got)
	}
	// A hint, asked then confirmed.
	m, _ = play(t, m, "h")
	if m.ask != askHint || !strings.Contains(ansi.Strip(m.View().Content), "costs 5 points") {
		t.Fatalf("hint question not asked:\n%s", ansi.Strip(m.View().Content))
	}
	m, _ = play(t, m, "y")
	if h := m.Hints(); len(h) != 1 || h[0] != "Look at the nodes signals." {
		t.Fatalf("hints %v", h)
	}
	c.t = c.t.Add(3*time.Minute + 12*time.Second)
	tm, _ := m.Update(tickMsg{})
	m = tm.(Model)
	if !strings.Contains(ansi.Strip(m.View().Content), "⏱ 03:12") {
		t.Errorf("the clock did not move:\n%s", ansi.Strip(m.View().Content))
	}
	// Commit asks first; n cancels, c then y commits.
	m, _ = play(t, m, "c", "n")
	if m.Committed() {
		t.Fatal("committed on n")
	}
	m, _ = play(t, m, "c", "y")
	if !m.Committed() {
		t.Fatal("not committed")
	}
	sc := m.Outcome().Scorecard
	if sc.Total != 95 || sc.Grade != "A" || sc.Part(drill.PartRoot).Points != 40 || sc.Elapsed != 3*time.Minute+12*time.Second {
		t.Errorf("score %d %s, parts %+v", sc.Total, sc.Grade, sc.Parts)
	}
	view = ansi.Strip(m.View().Content)
	for _, want := range []string{"95/100", "grade A", "root cause", "evidence: node ip-10-0-1-5 NotReady"} {
		if !strings.Contains(view, want) {
			t.Errorf("debrief lacks %q:\n%s", want, view)
		}
	}
	// x exports (in a command), q quits.
	dir := t.TempDir()
	m.opts.ExportDir = dir
	m, cmd := play(t, m, "x")
	if cmd == nil {
		t.Fatal("x gave no command")
	}
	tm, _ = m.Update(cmd())
	m = tm.(Model)
	out := m.Outcome().Exported
	if filepath.Dir(out) != dir || !strings.Contains(ansi.Strip(m.View().Content), "scorecard written to") {
		t.Fatalf("exported to %q:\n%s", out, ansi.Strip(m.View().Content))
	}
	md, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(md, []byte("**95/100, grade A.**")) {
		t.Fatalf("scorecard %v:\n%s", err, md)
	}
	if _, cmd = play(t, m, "q"); cmd == nil || cmd() != tea.Quit() {
		t.Error("q does not quit the debrief")
	}
}

func TestWrongAndPartialAnswers(t *testing.T) {
	for _, tt := range []struct {
		name, query string
		chain       []string
		want        int
	}{
		// Marked the edge (a consequence), at the end of the window: 30%
		// of the root cause, half the chain, 30% of the speed points.
		{"consequence", "ingress_5xx", nil, 29},
		// The red herring, chained to nothing.
		{"wrong", "container_memory", []string{"container_memory"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &clockAt{t: t0.Add(time.Hour)}
			m := newModel(t, 80, 24, c, Options{})
			m = selectSignal(t, m, tt.query)
			m, _ = play(t, m, "enter")
			c.t = c.t.Add(2 * time.Minute)
			m, _ = play(t, m, "c", "enter")
			if !m.Committed() {
				t.Fatal("not committed")
			}
			if got := m.Outcome().Scorecard.Total; got != tt.want {
				t.Errorf("score %d, want %d (%+v)", got, tt.want, m.Outcome().Scorecard.Parts)
			}
		})
	}
}

func TestQuitAsks(t *testing.T) {
	m := newModel(t, 80, 24, &clockAt{t: t0}, Options{})
	m, cmd := play(t, m, "q")
	if cmd != nil || m.ask != askQuit {
		t.Fatal("q should ask first while playing")
	}
	m, _ = play(t, m, "esc")
	if m.ask != askNone {
		t.Fatal("esc should cancel")
	}
	if _, cmd = play(t, m, "q", "y"); cmd == nil || cmd() != tea.Quit() {
		t.Error("q y should quit")
	}
}

func TestUndoAndHintLimit(t *testing.T) {
	m := newModel(t, 80, 24, &clockAt{t: t0}, Options{})
	m, _ = play(t, m, "m", "j", "a", "u")
	if len(m.Attempt().Chain) != 0 || m.Attempt().Root == nil {
		t.Fatalf("undo removed the wrong pick: %+v", m.Attempt())
	}
	m, _ = play(t, m, "backspace")
	if m.Attempt().Root != nil {
		t.Fatal("undo should unmark the root last")
	}
	m, _ = play(t, m, "h", "y", "h", "y", "h", "y", "h")
	if len(m.Hints()) != drill.MaxHints || m.ask != askNone || !strings.Contains(ansi.Strip(m.View().Content), "no more hints") {
		t.Errorf("hints %v, ask %v", m.Hints(), m.ask)
	}
}

func TestPrepare(t *testing.T) {
	c := &clockAt{t: t0}
	m := newModel(t, 80, 24, c, Options{Prepare: func(context.Context) (*drill.Session, error) { return fixture(), nil }})
	if m.phase != phasePreparing || !strings.Contains(ansi.Strip(m.View().Content), "Preparing") {
		t.Fatalf("phase %v", m.phase)
	}
	msg := m.prepare()
	tm, _ := m.Update(msg)
	if m = tm.(Model); m.phase != phasePlaying || len(m.signals) == 0 {
		t.Fatal("the prepared session is not shown")
	}
	bad := newModel(t, 80, 24, c, Options{Prepare: func(context.Context) (*drill.Session, error) { return nil, errors.New("no such scenario") }})
	tm, cmd := bad.Update(bad.prepare())
	if bad = tm.(Model); bad.Err() == nil || cmd == nil {
		t.Fatal("a failed preparation should end the drill with its error")
	}
}

func TestExportOnCommit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "card.md")
	m := newModel(t, 80, 24, &clockAt{t: t0}, Options{ExportPath: p})
	m, cmd := play(t, m, "c", "y")
	if cmd == nil {
		t.Fatal("no export command on commit")
	}
	tm, _ := m.Update(cmd())
	if m = tm.(Model); m.Outcome().Exported != p {
		t.Fatalf("exported %q", m.Outcome().Exported)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
}

func TestSmallTerminal(t *testing.T) {
	m := newModel(t, 50, 15, &clockAt{t: t0}, Options{})
	if v := m.View().Content; !strings.Contains(v, "at least 60x20") {
		t.Errorf("small terminal view: %q", v)
	}
}

// TestViewFits checks every line of every screen fits the terminal.
func TestViewFits(t *testing.T) {
	for _, size := range [][2]int{{60, 20}, {80, 24}, {100, 30}, {160, 48}, {250, 70}} {
		c := &clockAt{t: t0}
		m := newModel(t, size[0], size[1], c, Options{})
		screens := map[string]Model{"play": m}
		mm, _ := play(t, m, "h", "y", "h", "y", "h", "y", "m", "j", "a", "j", "a")
		screens["play with hints"] = mm
		mm, _ = play(t, mm, "c")
		screens["commit question"] = mm
		mm, _ = play(t, mm, "y")
		screens["debrief"] = mm
		for name, s := range screens {
			lines := strings.Split(ansi.Strip(s.View().Content), "\n")
			if len(lines) > size[1] {
				t.Errorf("%dx%d %s: %d lines", size[0], size[1], name, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%dx%d %s: line %d is %d wide: %q", size[0], size[1], name, i, w, l)
				}
			}
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	testenv.Golden(t, name, []byte(got), *update)
}

// partialDrill plays a partly right drill: the pods marked as the cause,
// the memory red herring chained in, one hint, 12 minutes.
func partialDrill(t *testing.T, w, h int) Model {
	t.Helper()
	c := &clockAt{t: t0.Add(time.Hour)}
	m := newModel(t, w, h, c, Options{})
	m = selectSignal(t, m, "pods_not_ready")
	m = cursorTo(t, m, t0.Add(5*time.Minute))
	m, _ = play(t, m, "m")
	m = selectSignal(t, m, "container_memory")
	m, _ = play(t, m, "a")
	m = selectSignal(t, m, "ingress_5xx")
	m, _ = play(t, m, "a", "h", "y")
	c.t = c.t.Add(12 * time.Minute)
	m, _ = play(t, m, "c", "y")
	if !m.Committed() {
		t.Fatal("not committed")
	}
	return m
}

func TestGoldenDebrief(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		m := partialDrill(t, size[0], size[1])
		name := func(s string) string { return s + "_" + itoa(size[0]) + "x" + itoa(size[1]) + ".golden" }
		golden(t, name("debrief"), ansi.Strip(m.View().Content))
		// The whole debrief, as the viewport scrolls it.
		golden(t, name("debrief_full"), ansi.Strip(m.debriefContent()))
	}
}

func TestGoldenPlay(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		c := &clockAt{t: t0.Add(time.Hour)}
		m := newModel(t, size[0], size[1], c, Options{})
		m = selectSignal(t, m, "node_not_ready")
		m = cursorTo(t, m, t0.Add(4*time.Minute))
		m, _ = play(t, m, "m", "j", "a", "h", "y")
		c.t = c.t.Add(95 * time.Second)
		tm, _ := m.Update(tickMsg{})
		golden(t, "play_"+itoa(size[0])+"x"+itoa(size[1])+".golden", ansi.Strip(tm.(Model).View().Content))
	}
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
