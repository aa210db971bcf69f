package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/tui/chart"
	"github.com/causeway-sre/causeway/tui/cmdline"
	"github.com/causeway-sre/causeway/tui/evidence"
	"github.com/causeway-sre/causeway/tui/form"
	"github.com/causeway-sre/causeway/tui/progress"
	"github.com/causeway-sre/causeway/tui/ranking"
	"github.com/causeway-sre/causeway/tui/theme"
	"github.com/causeway-sre/causeway/tui/timeline"
)

type screen int

const (
	screenForm screen = iota
	screenProgress
	screenMain
)

type pane int

const (
	paneRanking pane = iota
	paneCharts
)

// Minimum usable size; below it a message asks for a bigger terminal.
const (
	minWidth  = 60
	minHeight = 20
)

// Model is the root model. It owns the session state (source, window,
// current run, report) and routes messages to its views.
type Model struct {
	opts   Options
	newCtx ctxFunc
	keys   KeyMap

	src      queries.Source
	window   queries.Window
	spec     queries.WindowSpec
	selector string

	// The current run: its id, how to cancel it, its progress channel.
	runID    uint64
	cancel   context.CancelFunc
	progCh   chan tea.Msg
	running  bool
	followOn bool
	gen      int // follow session

	report *incident.Report
	// warnings of the shown result (run-level first, then per query).
	warnings []string
	notes    []string // informational annotations of the queries
	// srcAddr is the address the source was opened from, if known.
	srcAddr string

	screen        screen
	focus         pane
	showHelp      bool
	showEvidence  bool
	showWarnings  bool
	status        string
	statusIsError bool
	statusIsWarn  bool

	width, height int
	isDark        bool
	theme         theme.Theme

	form     form.Model
	progress progress.Model
	ranking  ranking.Model
	charts   chart.Model
	timeline timeline.Model
	evidence evidence.Model
	cmdline  cmdline.Model
	help     help.Model
}

// New builds the root model. newCtx makes the context of each run (Run
// derives it from its own context); nil means context.Background.
func New(opts Options, newCtx func() (context.Context, context.CancelFunc)) Model {
	if newCtx == nil {
		newCtx = func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Follow <= 0 {
		opts.Follow = 30 * time.Second
	}
	m := Model{
		opts:     opts,
		newCtx:   newCtx,
		keys:     DefaultKeyMap(),
		src:      opts.Source,
		window:   opts.Window,
		spec:     opts.WindowSpec,
		selector: opts.RunOptions.Selector,
		srcAddr:  opts.SourceAddr,
		isDark:   true,
		progress: progress.New(),
		ranking:  ranking.New(),
		charts:   chart.New(),
		timeline: timeline.New(),
		evidence: evidence.New(),
		cmdline:  cmdline.New(),
		help:     help.New(),
		focus:    paneRanking,
	}
	m.ranking.Focus()
	if m.spec == (queries.WindowSpec{}) && !m.window.From.IsZero() {
		m.spec = specOf(m.window)
	}
	m.form = m.newForm()
	if m.src != nil && !m.window.From.IsZero() {
		m.screen = screenProgress
	}
	m.applyTheme()
	return m
}

// specOf writes a window as absolute form values.
func specOf(w queries.Window) queries.WindowSpec {
	return queries.WindowSpec{
		From:     w.From.UTC().Format(time.RFC3339),
		To:       w.To.UTC().Format(time.RFC3339),
		Step:     w.Step.String(),
		Baseline: w.Baseline.String(),
	}
}

func (m Model) newForm() form.Model { return m.formAsking(m.src == nil) }

// formAsking builds the form; askSource adds the address field (prefilled
// with the current address when there is one).
func (m Model) formAsking(askSource bool) form.Model {
	var fields []form.Field
	if askSource {
		fields = append(fields, form.Field{Key: "source", Label: "Prometheus URL", Placeholder: "http://localhost:9090",
			Value: m.srcAddr, Hint: "any Prometheus-compatible API"})
	}
	fields = append(fields,
		form.Field{Key: "from", Label: "From", Placeholder: "now-1h", Value: m.spec.From,
			Hint: "now-1h, now-90m, 2026-11-21T10:00:00Z or Unix seconds"},
		form.Field{Key: "to", Label: "To", Placeholder: "now", Value: m.spec.To, Hint: "empty means now"},
		form.Field{Key: "step", Label: "Step", Placeholder: "auto", Value: m.spec.Step, Hint: "e.g. 30s; empty picks one"},
		form.Field{Key: "baseline", Label: "Baseline", Placeholder: "auto", Value: m.spec.Baseline,
			Hint: "normal reference before From; empty = the window's length"},
	)
	now := m.opts.Now
	newSource := m.opts.NewSource
	needSource := askSource
	validate := func(v map[string]string) error {
		if needSource {
			if v["source"] == "" {
				return errors.New("type the address of a Prometheus-compatible server, e.g. http://localhost:9090")
			}
			if newSource == nil {
				return errors.New("no way to open a source address")
			}
		}
		_, err := queries.ParseWindow(formSpec(v), now())
		return err
	}
	return form.New(fields, form.WithTitle("What should Causeway look at?"), form.WithValidate(validate))
}

func formSpec(v map[string]string) queries.WindowSpec {
	s := queries.WindowSpec{From: v["from"], To: v["to"], Step: v["step"], Baseline: v["baseline"]}
	if s.From == "" {
		s.From = "now-1h"
	}
	if s.To == "" {
		s.To = "now"
	}
	return s
}

func (m *Model) applyTheme() {
	t := theme.New(m.isDark, m.opts.NoColor)
	m.theme = t
	m.ranking.SetStyles(ranking.Styles{Title: t.Title, Focused: t.Focused, Section: t.Muted.Bold(true),
		Selected: t.Selected, Score: t.Score, Muted: t.Muted})
	cs := chart.Styles{Title: t.Title, Selected: t.Focused, Value: t.Title, Muted: t.Muted, Axis: t.Axis,
		Cursor: t.Cursor, Onset: t.Onset}
	for i := range max(len(t.Series), 1) {
		cs.Series = append(cs.Series, t.SeriesStyle(i))
	}
	m.charts.SetStyles(cs)
	m.timeline.SetStyles(timeline.Styles{Title: t.Title, Current: t.Selected, Time: t.Muted, Source: t.Muted, Muted: t.Muted, Kube: t.Kube})
	m.progress.SetStyles(progress.Styles{Title: t.Title, Running: t.Title, Done: t.OK, Failed: t.Error, Muted: t.Muted})
	in := textinput.DefaultStyles(m.isDark)
	if m.opts.NoColor {
		in = plainInput()
	}
	m.form.SetStyles(form.Styles{Title: t.Header, Label: t.Muted, Focused: t.Title, Hint: t.Muted, Error: t.Error, Input: in})
	m.evidence.SetStyles(evidence.Styles{Title: t.Title, Step: t.Title, Link: t.Score, Muted: t.Muted})
	m.cmdline.SetStyles(cmdline.Styles{Prompt: t.Prompt, Input: in})
	hs := help.DefaultStyles(m.isDark)
	if m.opts.NoColor {
		hs = help.Styles{ShortKey: t.Key, FullKey: t.Key}
	}
	m.help.Styles = hs
}

// Init asks for the background colour and starts the first run.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.screen == screenProgress {
		cmds = append(cmds, func() tea.Msg { return startMsg{} })
	}
	return tea.Batch(cmds...)
}

// startMsg starts the first run from Update (Init cannot change the model).
type startMsg struct{}

// Update routes a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.applyTheme()
		return m, nil
	case startMsg:
		return m.start(nil)
	case progress.ReportMsg:
		if msg.RunID != m.runID {
			return m, nil // a stale run's report
		}
		var cmd tea.Cmd
		m.progress, cmd = m.progress.Update(msg)
		return m, tea.Batch(cmd, waitCmd(m.progCh))
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.progress, cmd = m.progress.Update(msg)
		return m, cmd
	case runDoneMsg:
		return m.runDone(msg)
	case analyzedMsg:
		return m.analyzed(msg)
	case exportedMsg:
		if msg.err != nil {
			m.setError(fmt.Sprintf("export failed: %v", msg.err))
		} else {
			m.setStatus("exported to " + msg.path)
		}
		return m, nil
	case followTickMsg:
		return m.followTick(msg)
	case form.SubmitMsg:
		return m.formSubmitted(msg)
	case form.CancelMsg:
		m.cancelRun()
		return m, tea.Quit
	case cmdline.SubmitMsg:
		return m.prompted(msg)
	case cmdline.ChangeMsg:
		if msg.Prompt == "/" {
			m.charts.SetFilter(msg.Value)
			m.resize()
		}
		return m, nil
	case cmdline.CancelMsg:
		if msg.Prompt == "/" {
			m.charts.SetFilter("")
			m.resize()
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		return m.wheel(msg)
	}
	// Anything else (cursor blinks...) goes to the open text input.
	var cmd tea.Cmd
	switch {
	case m.cmdline.IsOpen():
		m.cmdline, cmd = m.cmdline.Update(msg)
	case m.screen == screenForm:
		m.form, cmd = m.form.Update(msg)
	}
	return m, cmd
}

// key routes a key press.
func (m Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if k.String() == "ctrl+c" {
		m.cancelRun()
		return m, tea.Quit
	}
	switch m.screen {
	case screenForm:
		var cmd tea.Cmd
		m.form, cmd = m.form.Update(k)
		return m, cmd
	case screenProgress:
		switch {
		case key.Matches(k, m.progress.KeyMap().Cancel):
			m.cancelRun()
			m.progress.SetCancelling()
			return m, nil
		case k.String() == "q":
			m.cancelRun()
			return m, tea.Quit
		}
		return m, nil
	}
	return m.mainKey(k)
}

// mainKey routes a key of the main screen: the open prompt first, then the
// help screen, the global keys, the time-axis keys (every chart), and last
// the focused pane.
func (m Model) mainKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.cmdline.IsOpen() {
		var cmd tea.Cmd
		m.cmdline, cmd = m.cmdline.Update(k)
		return m, cmd
	}
	if m.showHelp {
		switch {
		case key.Matches(k, m.keys.Help), key.Matches(k, m.keys.Back):
			m.showHelp = false
			m.help.ShowAll = false
		case key.Matches(k, m.keys.Quit):
			m.cancelRun()
			return m, tea.Quit
		}
		return m, nil
	}
	if m.showWarnings {
		switch {
		case key.Matches(k, m.keys.Back), key.Matches(k, m.keys.Warnings):
			m.showWarnings = false
		case key.Matches(k, m.keys.Quit):
			m.cancelRun()
			return m, tea.Quit
		case key.Matches(k, m.keys.Command):
			return m, m.cmdline.Open(":", "")
		}
		return m, nil
	}
	keys := m.keys
	switch {
	case key.Matches(k, keys.Quit):
		m.cancelRun()
		return m, tea.Quit
	case key.Matches(k, keys.Help):
		m.showHelp = true
		m.help.ShowAll = true
		return m, nil
	case key.Matches(k, keys.Command):
		m.status = ""
		return m, m.cmdline.Open(":", "")
	case key.Matches(k, keys.Filter):
		return m, m.cmdline.Open("/", m.charts.Filter())
	case key.Matches(k, keys.Back):
		m.back()
		return m, nil
	case key.Matches(k, keys.Tab):
		m.switchPane()
		return m, nil
	case key.Matches(k, keys.Evidence):
		m.toggleEvidence()
		return m, nil
	case key.Matches(k, keys.Export):
		return m.export()
	case key.Matches(k, keys.Rerun):
		return m.start(nil)
	case key.Matches(k, keys.Follow):
		return m.toggleFollow()
	case key.Matches(k, keys.Warnings):
		m.showWarnings = true
		m.showHelp = false
		return m, nil
	}
	if m.showEvidence && (key.Matches(k, m.evidence.KeyMap().Up) || key.Matches(k, m.evidence.KeyMap().Down)) {
		var cmd tea.Cmd
		m.evidence, cmd = m.evidence.Update(k)
		return m, cmd
	}
	ck := keys.Chart
	if key.Matches(k, ck.Left, ck.Right, ck.ZoomIn, ck.ZoomOut, ck.PanLeft, ck.PanRight, ck.Reset, ck.Toggle, ck.Fullscreen) {
		var cmd tea.Cmd
		m.charts, cmd = m.charts.Update(k)
		m.timeline.SetCursor(m.charts.CursorTime())
		m.resize() // full-screen, a hidden chart... change the layout
		if key.Matches(k, ck.Reset) {
			return m.backToNow(cmd)
		}
		return m, cmd
	}
	var cmd tea.Cmd
	if m.focus == paneCharts {
		m.charts, cmd = m.charts.Update(k)
		return m, cmd
	}
	before := m.ranking.Index()
	m.ranking, cmd = m.ranking.Update(k)
	if m.ranking.Index() != before {
		m.loadCharts()
	}
	return m, cmd
}

func (m Model) wheel(w tea.MouseWheelMsg) (tea.Model, tea.Cmd) {
	if m.screen != screenMain {
		return m, nil
	}
	switch w.Button {
	case tea.MouseWheelUp:
		return m.mainKey(tea.KeyPressMsg{Code: tea.KeyLeft})
	case tea.MouseWheelDown:
		return m.mainKey(tea.KeyPressMsg{Code: tea.KeyRight})
	}
	return m, nil
}

func (m *Model) back() {
	switch {
	case m.showWarnings:
		m.showWarnings = false
	case m.showEvidence:
		m.showEvidence = false
	case m.charts.Fullscreen():
		m.charts.ToggleFullscreen()
	case m.charts.Filter() != "":
		m.charts.SetFilter("")
	default:
		m.status = ""
	}
	m.resize()
}

func (m *Model) switchPane() {
	if m.focus == paneRanking {
		m.focus = paneCharts
		m.ranking.Blur()
		m.charts.Focus()
	} else {
		m.focus = paneRanking
		m.charts.Blur()
		m.ranking.Focus()
	}
}

func (m *Model) toggleEvidence() {
	if m.showEvidence {
		m.showEvidence = false
	} else if it, ok := m.ranking.Selected(); ok {
		m.evidence.SetItem(it)
		m.showEvidence = true
	} else {
		m.setError("nothing selected: no chain or root cause was found")
	}
	m.resize()
}

func (m *Model) setStatus(s string) { m.status, m.statusIsError, m.statusIsWarn = s, false, false }
func (m *Model) setWarn(s string)   { m.status, m.statusIsError, m.statusIsWarn = s, false, true }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
func (m *Model) setError(s string) { m.status, m.statusIsError, m.statusIsWarn = s, true, false }

// cancelRun stops the run in flight, if any.
func (m *Model) cancelRun() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// start begins a run of the bank over the current window. With base set
// it is a follow run (only the new points of base's window), which keeps
// the main screen up; otherwise the progress screen shows.
func (m Model) start(base *queries.Result) (tea.Model, tea.Cmd) {
	if m.src == nil || m.window.Step <= 0 {
		m.screen = screenForm
		return m, nil
	}
	m.cancelRun()
	m.runID++
	ctx, cancel := m.newCtx()
	m.cancel = cancel
	m.running = true
	m.progCh = make(chan tea.Msg, 2*len(m.opts.Bank.Queries)+8)
	opts := m.opts.RunOptions
	opts.Selector = m.selector
	w := m.window
	var tick tea.Cmd
	if base != nil {
		var ok bool
		w, ok = followWindow(base.Window, m.opts.Now())
		if !ok {
			cancel()
			m.running = false
			return m, nil
		}
		m.setStatus("refreshing…")
	} else {
		m.screen = screenProgress
		m.showEvidence, m.showWarnings = false, false
		tick = m.progress.Start(m.runID, m.runTitle(), m.opts.Bank)
		m.resize()
	}
	run := runCmd(ctx, m.runID, m.src, m.opts.Bank, w, opts, m.progCh, base, m.opts.Enrich)
	return m, tea.Batch(run, waitCmd(m.progCh), tick)
}

func (m Model) runTitle() string {
	return fmt.Sprintf("Running %d queries on %s · %s", len(m.opts.Bank.Queries), m.src.Name(), windowText(m.window, true))
}

func (m Model) runDone(msg runDoneMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.runID {
		return m, nil
	}
	m.running = false
	m.cancel = nil
	if msg.err != nil {
		if m.report == nil {
			m.screen = screenForm
			m.form = m.newForm()
			m.resize()
			m.setError("cancelled")
			return m, nil
		}
		m.screen = screenMain
		m.setStatus("cancelled: showing the previous result")
		m.resize()
		return m, nil
	}
	if allFailed(msg.res) {
		return m.failed(msg)
	}
	m.progress.Finish()
	return m, analyzeCmd(msg.id, m.opts.Bank, msg.res, msg.base)
}

// failed handles a run in which every query failed: with nothing shown
// yet, the form comes back with the one common error and the address and
// window to correct (esc quits); otherwise the previous result stays.
func (m Model) failed(msg runDoneMsg) (tea.Model, tea.Cmd) {
	text, n, total := commonError(msg.res)
	what := fmt.Sprintf("every query failed (%d): %s", total, text)
	if n < total {
		what = fmt.Sprintf("every query failed (%d); %d with: %s", total, n, text)
	}
	if m.report != nil {
		m.screen = screenMain
		m.setError(what + " · showing the previous result")
		m.resize()
		return m, nil
	}
	askSource := m.opts.NewSource != nil
	m.form = m.formAsking(askSource)
	hint := "Correct the address or the window and press enter to retry, or esc to quit."
	if !askSource {
		hint = "Correct the window and press enter to retry, or esc to quit (the address is set by the command line)."
	}
	m.form.SetNote(strings.ToUpper(what[:1]) + what[1:] + ".\n" + hint)
	m.applyTheme()
	m.screen = screenForm
	m.status = ""
	m.resize()
	return m, nil
}

func (m Model) analyzed(msg analyzedMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.runID || msg.report == nil {
		return m, nil
	}
	wasFollow := m.screen == screenMain && m.report != nil && m.followOn
	m.report = msg.report
	if msg.report.Result != nil {
		m.window = msg.report.Result.Window
	}
	m.screen = screenMain
	m.ranking.SetFindings(msg.report.Findings)
	if msg.report.Findings != nil {
		m.timeline.SetEntries(timelineEntries(msg.report.Findings.Timeline))
	}
	m.loadCharts()
	if wasFollow {
		m.charts.Reset()
	} else if it, ok := m.ranking.Selected(); ok {
		// Start where the story starts: the first onset of the top item.
		if refs := it.Refs(); len(refs) > 0 && !refs[0].Onset.IsZero() {
			m.charts.SetCursor(grid(m.window).Index(refs[0].Onset))
		}
	}
	m.timeline.SetCursor(m.charts.CursorTime())
	if m.status == "refreshing…" {
		m.setStatus("")
	}
	m.warnings, m.notes = warnings(msg.report.Result)
	if res := msg.report.Result; res != nil && len(res.Queries) > 0 {
		text, n, failed := commonError(res)
		switch {
		case failed > 0 && n == failed:
			m.setError(fmt.Sprintf("%d of %d queries failed: %s (:warnings lists them)", failed, len(res.Queries), text))
		case failed > 0:
			m.setError(fmt.Sprintf("%d of %d queries failed (:warnings lists them)", failed, len(res.Queries)))
		case len(m.warnings) > 0:
			m.setWarn(fmt.Sprintf("⚠ %s (:warnings lists %s)", m.warnings[0], plural(len(m.warnings), "warning")))
		}
	}
	m.resize()
	return m, nil
}

// loadCharts shows the selected item's signals in chain order.
func (m *Model) loadCharts() {
	var refs []ranking.Ref
	if it, ok := m.ranking.Selected(); ok {
		refs = it.Refs()
	} else {
		refs = fallbackRefs(m.report, 6)
	}
	if m.report == nil || m.report.Result == nil {
		m.charts.SetData(chart.Grid{}, nil)
		return
	}
	m.charts.SetData(grid(m.report.Result.Window), chartSeries(m.report, refs))
	if m.showEvidence {
		if it, ok := m.ranking.Selected(); ok {
			m.evidence.SetItem(it)
		}
	}
	m.resize()
}

func (m Model) export() (tea.Model, tea.Cmd) {
	switch {
	case m.report == nil:
		m.setError("nothing to export yet")
		return m, nil
	case m.opts.Export == nil:
		m.setError("export is not available here")
		return m, nil
	}
	dir := m.opts.ExportDir
	if dir == "" {
		dir = "."
	}
	m.setStatus("exporting to " + dir + "…")
	return m, exportCmd(m.opts.Export, m.report)
}

func (m Model) toggleFollow() (tea.Model, tea.Cmd) {
	if !m.opts.Live {
		m.setError("follow needs a live source (this one has fixed data)")
		return m, nil
	}
	m.followOn = !m.followOn
	m.gen++
	if !m.followOn {
		m.setStatus("paused")
		return m, nil
	}
	m.setStatus(fmt.Sprintf("following: refresh every %s", m.opts.Follow))
	return m.followNow()
}

// followNow fetches what is new right away and schedules the next tick.
func (m Model) followNow() (tea.Model, tea.Cmd) {
	next := followTick(m.opts.Follow, m.gen)
	if m.running || m.report == nil || m.report.Result == nil {
		return m, next
	}
	mm, cmd := m.start(m.report.Result)
	return mm, tea.Batch(cmd, next)
}

func (m Model) followTick(msg followTickMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.gen || !m.followOn {
		return m, nil
	}
	return m.followNow()
}

// backToNow is `0`: the charts went back to the end of the window; for a
// live source whose window ends in the past, fetch up to now.
func (m Model) backToNow(cmd tea.Cmd) (tea.Model, tea.Cmd) {
	if !m.opts.Live || m.running || m.report == nil || m.report.Result == nil {
		return m, cmd
	}
	if _, ok := followWindow(m.window, m.opts.Now()); !ok {
		return m, cmd
	}
	mm, c := m.start(m.report.Result)
	return mm, tea.Batch(cmd, c)
}

func (m Model) formSubmitted(msg form.SubmitMsg) (tea.Model, tea.Cmd) {
	v := msg.Values
	if addr, ok := v["source"]; ok && (m.src == nil || addr != m.srcAddr) {
		src, err := m.opts.NewSource(addr)
		if err != nil {
			m.setError(err.Error())
			return m, nil
		}
		m.src, m.srcAddr = src, addr
	}
	m.spec = formSpec(v)
	w, err := queries.ParseWindow(m.spec, m.opts.Now())
	if err != nil {
		m.setError(err.Error())
		return m, nil
	}
	m.window = w
	m.status = ""
	return m.start(nil)
}

// prompted runs a `:` command or sets the `/` filter.
func (m Model) prompted(msg cmdline.SubmitMsg) (tea.Model, tea.Cmd) {
	if msg.Prompt == "/" {
		m.charts.SetFilter(msg.Value)
		m.resize()
		return m, nil
	}
	c, err := cmdline.Parse(msg.Value)
	if errors.Is(err, cmdline.ErrEmpty) {
		return m, nil
	}
	if err != nil {
		m.setError(err.Error())
		return m, nil
	}
	switch c.Verb {
	case cmdline.Quit:
		m.cancelRun()
		return m, tea.Quit
	case cmdline.Export:
		return m.export()
	case cmdline.Rerun:
		return m.start(nil)
	case cmdline.Follow:
		return m.toggleFollow()
	case cmdline.Help:
		m.showHelp, m.help.ShowAll = true, true
		return m, nil
	case cmdline.Warnings:
		m.showWarnings, m.showHelp = true, false
		return m, nil
	case cmdline.Selector:
		m.selector = c.Value
		return m.start(nil)
	case cmdline.Window:
		spec := m.spec
		spec.From, spec.To = c.From, c.To
		if spec.To == "" {
			spec.To = "now"
		}
		spec.At, spec.Span = "", ""
		return m.reWindow(spec)
	case cmdline.Step:
		spec := m.spec
		spec.Step = c.Value
		if strings.EqualFold(c.Value, "auto") {
			spec.Step = ""
		}
		return m.reWindow(spec)
	}
	return m, nil
}

func (m Model) reWindow(spec queries.WindowSpec) (tea.Model, tea.Cmd) {
	if spec.From == "" && spec.At == "" {
		spec = specOf(m.window)
		spec.Step = ""
	}
	w, err := queries.ParseWindow(spec, m.opts.Now())
	if err != nil {
		m.setError(err.Error())
		return m, nil
	}
	m.spec, m.window = spec, w
	return m.start(nil)
}

func windowText(w queries.Window, withDate bool) string {
	if w.From.IsZero() {
		return "no window"
	}
	from, to := w.From.UTC(), w.To.UTC()
	layout := "15:04"
	if withDate {
		layout = "2006-01-02 15:04"
	}
	toLayout := "15:04"
	if from.YearDay() != to.YearDay() || from.Year() != to.Year() {
		toLayout = layout
	}
	return fmt.Sprintf("%s–%s UTC (%s)", from.Format(layout), to.Format(toLayout), shortDur(w.To.Sub(w.From)))
}

func shortDur(d time.Duration) string {
	if d >= 10*time.Minute {
		d = d.Round(time.Minute)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// plainInput is a text input without colour: the cursor is reversed.
func plainInput() textinput.Styles {
	var s textinput.Styles
	s.Cursor.Color = nil
	s.Cursor.Blink = false
	return s
}
