package tuidrill

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/causeway-sre/causeway/drill"
	"github.com/causeway-sre/causeway/tui/chart"
	"github.com/causeway-sre/causeway/tui/theme"
	"github.com/causeway-sre/causeway/tui/timeline"
)

// Minimum size of the drill; below it a message asks for more room.
const (
	MinWidth  = 60
	MinHeight = 20
)

type phase int

const (
	phasePreparing phase = iota
	phasePlaying
	phaseDebrief
	phaseFailed
)

// question is the yes/no question being asked, if any.
type question int

const (
	askNone question = iota
	askCommit
	askHint
	askQuit
)

// Messages.
type (
	tickMsg     struct{}
	preparedMsg struct {
		s   *drill.Session
		err error
	}
	exportedMsg struct {
		path string
		err  error
	}
)

// Model is the drill view.
type Model struct {
	opts   Options
	keys   KeyMap
	help   help.Model
	theme  theme.Theme
	isDark bool

	width, height int
	phase         phase
	ask           question
	showFullHelp  bool
	prepare       tea.Cmd

	sess     *drill.Session
	signals  []drill.Signal
	sel      int
	listTop  int
	grid     chart.Grid
	chart    chart.Model
	timeline timeline.Model

	attempt  drill.Attempt
	rootIdx  int   // index into signals, -1 when no root is marked
	chainIdx []int // indices into signals of the chain picks
	hints    []string
	now      time.Time

	score    drill.Scorecard
	debrief  drill.Debrief
	vp       viewport.Model
	exported string

	status    string
	statusErr bool
	fatal     error
}

// New returns the drill view. ctx bounds the preparation of the session
// (Options.Prepare); it is captured by the command, never kept otherwise.
func New(ctx context.Context, opts Options) Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ExportDir == "" {
		opts.ExportDir = "."
	}
	k := DefaultKeyMap()
	m := Model{
		opts:     opts,
		keys:     k,
		help:     help.New(),
		isDark:   true,
		rootIdx:  -1,
		chart:    chart.New(chart.WithKeyMap(k.chartKeys())),
		timeline: timeline.New(),
		vp:       viewport.New(),
		now:      opts.Now(),
	}
	m.applyTheme()
	if opts.Session != nil {
		m.start(opts.Session)
	} else if prep := opts.Prepare; prep != nil {
		m.prepare = func() tea.Msg {
			s, err := prep(ctx)
			return preparedMsg{s: s, err: err}
		}
	} else {
		m.phase = phaseFailed
		m.fatal = fmt.Errorf("drill: no session to play")
	}
	return m
}

// start shows a ready session and starts the clock.
func (m *Model) start(s *drill.Session) {
	m.sess = s
	m.phase = phasePlaying
	m.signals = s.Signals()
	m.now = m.opts.Now()
	m.attempt = drill.Attempt{Started: m.now}
	if s.Result != nil {
		w := s.Result.Window
		m.grid = chart.Grid{Start: w.Start(), Step: w.Step, N: w.Points()}
	}
	if s.Findings != nil {
		m.timeline.SetEntries(s.Findings.Timeline)
	}
	m.refreshChart()
	m.layout()
}

func (m *Model) applyTheme() {
	t := theme.New(m.isDark, m.opts.NoColor)
	m.theme = t
	cs := chart.Styles{Title: t.Title, Selected: t.Focused, Value: t.Title, Muted: t.Muted, Axis: t.Axis,
		Cursor: t.Cursor, Onset: t.Onset}
	for i := range max(len(t.Series), 1) {
		cs.Series = append(cs.Series, t.SeriesStyle(i))
	}
	m.chart.SetStyles(cs)
	m.timeline.SetStyles(timeline.Styles{Title: t.Title, Current: t.Selected, Time: t.Muted, Source: t.Muted, Muted: t.Muted})
	hs := help.DefaultStyles(m.isDark)
	if m.opts.NoColor {
		hs = help.Styles{ShortKey: t.Key, FullKey: t.Key}
	}
	m.help.Styles = hs
	if m.phase == phaseDebrief {
		m.vp.SetContent(m.debriefContent())
	}
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}

// Init asks for the background colour, starts the clock and, without a
// ready session, prepares one.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, tick()}
	if m.prepare != nil {
		cmds = append(cmds, m.prepare)
	}
	return tea.Batch(cmds...)
}

// Update handles a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.applyTheme()
		return m, nil
	case tickMsg:
		if m.phase == phaseDebrief || m.phase == phaseFailed {
			return m, nil
		}
		m.now = m.opts.Now()
		return m, tick()
	case preparedMsg:
		if msg.err != nil {
			m.phase = phaseFailed
			m.fatal = msg.err
			return m, tea.Quit
		}
		if msg.s == nil {
			m.phase = phaseFailed
			m.fatal = fmt.Errorf("drill: no session prepared")
			return m, tea.Quit
		}
		m.start(msg.s)
		return m, nil
	case exportedMsg:
		if msg.err != nil {
			m.setStatus(fmt.Sprintf("export failed: %v", msg.err), true)
		} else {
			m.exported = msg.path
			m.setStatus("scorecard written to "+msg.path, false)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m *Model) setStatus(s string, isErr bool) { m.status, m.statusErr = s, isErr }

func (m Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if key.Matches(k, m.keys.ForceQuit) {
		return m, tea.Quit
	}
	if m.ask != askNone {
		return m.answer(k)
	}
	switch m.phase {
	case phasePreparing, phaseFailed:
		if key.Matches(k, m.keys.Quit) {
			return m, tea.Quit
		}
		return m, nil
	case phaseDebrief:
		return m.debriefKey(k)
	}
	m.setStatus("", false)
	switch {
	case key.Matches(k, m.keys.Quit):
		m.ask = askQuit
	case key.Matches(k, m.keys.Help):
		m.showFullHelp = !m.showFullHelp
		m.layout()
	case key.Matches(k, m.keys.Down):
		m.moveSel(1)
	case key.Matches(k, m.keys.Up):
		m.moveSel(-1)
	case key.Matches(k, m.keys.Top):
		m.moveSel(-len(m.signals))
	case key.Matches(k, m.keys.Bottom):
		m.moveSel(len(m.signals))
	case key.Matches(k, m.keys.Mark):
		m.mark()
	case key.Matches(k, m.keys.Add):
		m.add()
	case key.Matches(k, m.keys.Undo):
		m.undo()
	case key.Matches(k, m.keys.Hint):
		if len(m.hints) >= drill.MaxHints {
			m.setStatus("no more hints", false)
		} else {
			m.ask = askHint
		}
	case key.Matches(k, m.keys.Commit):
		m.ask = askCommit
	default:
		var cmd tea.Cmd
		m.chart, cmd = m.chart.Update(k)
		m.timeline.SetCursor(m.chart.CursorTime())
		return m, cmd
	}
	m.layout()
	return m, nil
}

// answer handles y/n to the question being asked.
func (m Model) answer(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Yes):
		q := m.ask
		m.ask = askNone
		switch q {
		case askQuit:
			return m, tea.Quit
		case askHint:
			n := len(m.hints) + 1
			m.hints = append(m.hints, m.sess.Hint(n))
			m.attempt.Hints = n
			m.layout()
		case askCommit:
			return m.commit()
		}
	case key.Matches(k, m.keys.No), key.Matches(k, m.keys.Quit):
		m.ask = askNone
		m.layout()
	}
	return m, nil
}

func (m *Model) moveSel(d int) {
	if len(m.signals) == 0 {
		return
	}
	m.sel = min(max(m.sel+d, 0), len(m.signals)-1)
	m.refreshChart()
}

func (m *Model) mark() {
	if len(m.signals) == 0 {
		m.setStatus("no signal to mark", true)
		return
	}
	p := m.signals[m.sel].Pick(m.chart.CursorTime())
	m.attempt.Root = &p
	m.rootIdx = m.sel
	m.setStatus(fmt.Sprintf("root cause: %s at %s", m.signals[m.sel].Label(), clock(p.Time)), false)
	m.refreshChart()
}

func (m *Model) add() {
	if len(m.signals) == 0 {
		m.setStatus("no signal to add", true)
		return
	}
	if n := len(m.chainIdx); n > 0 && m.chainIdx[n-1] == m.sel {
		m.setStatus("already the last link of the chain", false)
		return
	}
	m.chainIdx = append(m.chainIdx, m.sel)
	m.attempt.Chain = append(m.attempt.Chain, m.signals[m.sel].Pick(m.chart.CursorTime()))
	m.setStatus(fmt.Sprintf("link %d: %s", len(m.attempt.Picks()), m.signals[m.sel].Label()), false)
	m.refreshChart()
}

func (m *Model) undo() {
	switch {
	case len(m.chainIdx) > 0:
		m.chainIdx = m.chainIdx[:len(m.chainIdx)-1]
		m.attempt.Chain = m.attempt.Chain[:len(m.attempt.Chain)-1]
		m.setStatus("last link removed", false)
	case m.attempt.Root != nil:
		m.attempt.Root, m.rootIdx = nil, -1
		m.setStatus("root cause unmarked", false)
	default:
		m.setStatus("nothing to undo", false)
	}
	m.refreshChart()
}

func (m Model) commit() (tea.Model, tea.Cmd) {
	m.now = m.opts.Now()
	m.attempt.Committed = m.now
	m.score = m.sess.Score(m.attempt)
	m.debrief = m.sess.Debrief(m.score)
	m.phase = phaseDebrief
	m.setStatus("", false)
	m.layout()
	m.vp.GotoTop()
	if m.opts.ExportPath != "" {
		return m, m.exportCmd()
	}
	return m, nil
}

func (m Model) debriefKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(k, m.keys.Export):
		m.setStatus("writing the scorecard…", false)
		return m, m.exportCmd()
	case key.Matches(k, m.keys.Down):
		m.vp.ScrollDown(1)
	case key.Matches(k, m.keys.Up):
		m.vp.ScrollUp(1)
	case key.Matches(k, m.keys.PageDown):
		m.vp.PageDown()
	case key.Matches(k, m.keys.PageUp):
		m.vp.PageUp()
	case key.Matches(k, m.keys.Top):
		m.vp.GotoTop()
	case key.Matches(k, m.keys.Bottom):
		m.vp.GotoBottom()
	}
	return m, nil
}

// exportPath is where the scorecard goes.
func (m Model) exportPath() string {
	if m.opts.ExportPath != "" {
		return m.opts.ExportPath
	}
	return filepath.Join(m.opts.ExportDir, DefaultExportName(m.sess.Name, m.attempt.Committed))
}

// exportCmd renders the scorecard now and writes it in a command.
func (m Model) exportCmd() tea.Cmd {
	var b bytes.Buffer
	meta := m.sess.Meta()
	meta.Date = m.attempt.Committed
	if err := drill.WriteMarkdown(&b, m.score, m.debrief, meta); err != nil {
		return func() tea.Msg { return exportedMsg{err: err} }
	}
	path, data := m.exportPath(), b.Bytes()
	return func() tea.Msg {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return exportedMsg{err: fmt.Errorf("write scorecard: %w", err)}
		}
		return exportedMsg{path: path}
	}
}

// Outcome returns what the drill leaves behind so far.
func (m Model) Outcome() Outcome {
	if m.phase != phaseDebrief {
		return Outcome{}
	}
	return Outcome{Committed: true, Scorecard: m.score, Debrief: m.debrief, Exported: m.exported}
}

// Attempt returns the trainee's answer so far.
func (m Model) Attempt() drill.Attempt { return m.attempt }

// Hints returns the hints taken so far.
func (m Model) Hints() []string { return append([]string(nil), m.hints...) }

// Committed reports whether the trainee has committed (the debrief shows).
func (m Model) Committed() bool { return m.phase == phaseDebrief }

// Err is the error that ended the drill (a failed preparation), if any.
func (m Model) Err() error { return m.fatal }

// refreshChart charts the selected signal, then the root and the chain
// picks, on one axis. No onset is marked but the trainee's own root mark.
func (m *Model) refreshChart() {
	if m.sess == nil {
		return
	}
	var series []chart.Series
	seen := map[int]bool{}
	addSig := func(i int, tag string) {
		if i < 0 || i >= len(m.signals) || seen[i] {
			return
		}
		seen[i] = true
		s := m.signals[i]
		cs := chart.Series{Title: s.Label() + tag, Unit: s.Unit, Kind: chart.Kind(s.Kind), Values: s.Values, Onset: -1}
		if i == m.rootIdx && m.attempt.Root != nil {
			cs.Onset = m.grid.Index(m.attempt.Root.Time)
		}
		series = append(series, cs)
	}
	tag := func(i int) string {
		var t string
		if i == m.rootIdx {
			t = " [root]"
		}
		for p, c := range m.chainIdx {
			if c == i {
				t += fmt.Sprintf(" [link %d]", m.linkNumber(p))
			}
		}
		return t
	}
	addSig(m.sel, tag(m.sel))
	addSig(m.rootIdx, tag(m.rootIdx))
	for _, c := range m.chainIdx {
		addSig(c, tag(c))
	}
	m.chart.SetData(m.grid, series)
	m.timeline.SetCursor(m.chart.CursorTime())
}

// linkNumber is the position (1-based) in the scored chain of chain pick p.
func (m Model) linkNumber(p int) int {
	n := p + 1
	if m.attempt.Root != nil {
		n++
		if len(m.chainIdx) > 0 && m.chainIdx[0] == m.rootIdx {
			n--
		}
	}
	return n
}
