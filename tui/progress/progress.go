// Package progress is the view shown while the query bank runs: each query
// with its state, done/total, and failed queries as rows with their error.
// Reports arrive as messages tagged with a run id; reports of any other run
// are dropped.
package progress

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/causeway-sre/causeway/queries"
)

// ReportMsg carries one progress report of a run.
type ReportMsg struct{ queries.Progress }

// State of one query.
type State int

// Query states.
const (
	Pending State = iota
	Running
	Done
	Failed
)

type row struct {
	id, title string
	state     State
	series    int
	warnings  int
	err       string
	dur       time.Duration
}

// KeyMap of the view.
type KeyMap struct {
	Cancel key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
}

// Styles of the view.
type Styles struct {
	Title, Running, Done, Failed, Muted lipgloss.Style
}

// DefaultStyles are plain.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{Title: s.Bold(true), Running: s, Done: s, Failed: s.Bold(true), Muted: s}
}

// Model is the progress view.
type Model struct {
	keys    KeyMap
	styles  Styles
	width   int
	height  int
	spinner spinner.Model

	runID      uint64
	title      string
	rows       []row
	index      map[string]int
	done       int
	total      int
	cancelling bool
	finished   bool
}

// Option configures the model.
type Option func(*Model)

// WithStyles sets the styles.
func WithStyles(s Styles) Option { return func(m *Model) { m.styles = s } }

// New returns an idle view.
func New(opts ...Option) Model {
	m := Model{keys: DefaultKeyMap(), styles: DefaultStyles(), index: map[string]int{},
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
	for _, o := range opts {
		o(&m)
	}
	return m
}

// Start resets the view for a new run of bank and returns the spinner's tick.
func (m *Model) Start(runID uint64, title string, bank *queries.Bank) tea.Cmd {
	m.runID, m.title = runID, title
	m.rows = m.rows[:0]
	m.index = map[string]int{}
	m.done, m.cancelling, m.finished = 0, false, false
	if bank != nil {
		for _, q := range bank.Queries {
			m.index[q.ID] = len(m.rows)
			t := q.Title
			if t == "" {
				t = q.ID
			}
			m.rows = append(m.rows, row{id: q.ID, title: t})
		}
	}
	m.total = len(m.rows)
	return m.spinner.Tick
}

// SetCancelling marks the run as being cancelled.
func (m *Model) SetCancelling() { m.cancelling = true }

// Finish marks the run as over (the analysis runs next).
func (m *Model) Finish() { m.finished = true }

// RunID is the run the view follows.
func (m Model) RunID() uint64 { return m.runID }

// Counts returns done, failed and total.
func (m Model) Counts() (done, failed, total int) {
	for _, r := range m.rows {
		if r.state == Failed {
			failed++
		}
	}
	return m.done, failed, m.total
}

// SetStyles replaces the styles.
func (m *Model) SetStyles(s Styles) { m.styles = s }

// SetWidth sets the width.
func (m *Model) SetWidth(w int) { m.width = w }

// SetHeight sets the height.
func (m *Model) SetHeight(h int) { m.height = h }

// KeyMap returns the keys.
func (m Model) KeyMap() KeyMap { return m.keys }

// Update takes progress reports of the current run and spinner ticks.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case ReportMsg:
		if msg.RunID != m.runID {
			return m, nil // a cancelled run's late report
		}
		i, ok := m.index[msg.Query]
		if !ok {
			i = len(m.rows)
			m.index[msg.Query] = i
			m.rows = append(m.rows, row{id: msg.Query, title: msg.Query})
		}
		r := &m.rows[i]
		switch msg.State {
		case queries.Started:
			if r.state == Pending {
				r.state = Running
			}
		case queries.Finished:
			r.state = Done
			if res := msg.Result; res != nil {
				r.series, r.warnings, r.dur = res.Series, len(res.Warnings), res.Duration
				if res.Err != nil {
					r.state, r.err = Failed, res.Err.Error()
				}
			}
		}
		if msg.Total > 0 {
			m.total = max(msg.Total, len(m.rows))
		}
		m.done = max(m.done, msg.Done)
		return m, nil
	case spinner.TickMsg:
		if m.finished {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	}
	return m, nil
}

// View draws the view in width x height.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	_, failed, _ := m.Counts()
	state := "running"
	switch {
	case m.cancelling:
		state = "cancelling"
	case m.finished:
		state = "analysing"
	}
	head := fmt.Sprintf("%s %s %d/%d queries", m.spinner.View(), state, m.done, m.total)
	if failed > 0 {
		head += m.styles.Failed.Render(fmt.Sprintf(" · %d failed", failed))
	}
	lines := []string{m.styles.Title.Render(m.title), head}
	// An error shared by several queries (an unreachable server) is said
	// once, not on every row.
	common, n := m.commonError()
	if n >= 2 {
		lines = append(lines, m.styles.Failed.Render(fmt.Sprintf("✗ %d queries: %s", n, common)))
	}
	lines = append(lines, "")
	for _, i := range m.order(m.height - len(lines)) {
		lines = append(lines, m.line(m.rows[i], common, n))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "…")
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:m.height], "\n")
}

// order is the rows to show in n lines: in bank order when they fit,
// otherwise failed first, then running, pending, done.
func (m Model) order(n int) []int {
	idx := make([]int, len(m.rows))
	for i := range idx {
		idx[i] = i
	}
	if n <= 0 {
		return nil
	}
	if len(idx) <= n {
		return idx
	}
	var out []int
	for _, st := range []State{Failed, Running, Pending, Done} {
		for i, r := range m.rows {
			if r.state == st {
				out = append(out, i)
			}
		}
	}
	return out[:n]
}

// commonError is the error most failed rows share, and how many do.
func (m Model) commonError() (string, int) {
	counts := map[string]int{}
	best, n := "", 0
	for _, r := range m.rows {
		if r.state != Failed {
			continue
		}
		counts[r.err]++
		if c := counts[r.err]; c > n || (c == n && r.err < best) {
			best, n = r.err, c
		}
	}
	return best, n
}

func (m Model) line(r row, common string, n int) string {
	switch r.state {
	case Running:
		return m.styles.Running.Render(fmt.Sprintf("%s %s", m.spinner.View(), r.title))
	case Done:
		s := fmt.Sprintf("✓ %s · %d series", r.title, r.series)
		if r.warnings > 0 {
			s += fmt.Sprintf(" · %d warnings", r.warnings)
		}
		return m.styles.Done.Render(s)
	case Failed:
		if n >= 2 && r.err == common {
			return m.styles.Failed.Render("✗ " + r.title)
		}
		return m.styles.Failed.Render(fmt.Sprintf("✗ %s: %s", r.title, r.err))
	}
	return m.styles.Muted.Render("· " + r.title)
}
