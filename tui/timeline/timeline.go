// Package timeline shows the lines of the incident timeline nearest to the
// chart cursor: the last entry at or before the cursor is marked, with its
// neighbours around it.
package timeline

import (
	"fmt"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/causeway-sre/causeway/correlate"
)

// Styles of the pane.
type Styles struct {
	Title, Current, Time, Source, Muted lipgloss.Style
}

// DefaultStyles are plain.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{Title: s.Bold(true), Current: s.Bold(true), Time: s, Source: s, Muted: s}
}

// KeyMap is empty: the timeline follows the chart cursor.
type KeyMap struct{}

// DefaultKeyMap returns the (empty) keys.
func DefaultKeyMap() KeyMap { return KeyMap{} }

// Model is the timeline pane.
type Model struct {
	styles  Styles
	width   int
	height  int
	entries []correlate.TimelineEntry
	cursor  time.Time
}

// Option configures the model.
type Option func(*Model)

// WithStyles sets the styles.
func WithStyles(s Styles) Option { return func(m *Model) { m.styles = s } }

// New returns an empty pane.
func New(opts ...Option) Model {
	m := Model{styles: DefaultStyles()}
	for _, o := range opts {
		o(&m)
	}
	return m
}

// SetEntries sets the timeline (any order; kept sorted by time).
func (m *Model) SetEntries(e []correlate.TimelineEntry) {
	m.entries = append(m.entries[:0:0], e...)
	sort.SliceStable(m.entries, func(i, j int) bool { return m.entries[i].Time.Before(m.entries[j].Time) })
}

// SetCursor sets the time the pane centres on.
func (m *Model) SetCursor(t time.Time) { m.cursor = t }

// SetStyles replaces the styles.
func (m *Model) SetStyles(s Styles) { m.styles = s }

// SetWidth sets the width.
func (m *Model) SetWidth(w int) { m.width = w }

// SetHeight sets the height.
func (m *Model) SetHeight(h int) { m.height = h }

// Update does nothing: the pane has no keys of its own.
func (m Model) Update(tea.Msg) (Model, tea.Cmd) { return m, nil }

// Current returns the index of the last entry at or before the cursor, -1
// when the cursor is before every entry.
func (m Model) Current() int {
	return sort.Search(len(m.entries), func(i int) bool { return m.entries[i].Time.After(m.cursor) }) - 1
}

// View draws the pane: a title line and height-1 entries.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := []string{m.styles.Title.Render(fmt.Sprintf("Timeline (%d) at %s", len(m.entries), m.cursor.UTC().Format("15:04:05")))}
	n := m.height - 1
	if len(m.entries) == 0 {
		lines = append(lines, m.styles.Muted.Render("  no timeline entries"))
	} else if n > 0 {
		cur := m.Current()
		// Show the current entry with one line of history above it when
		// there is room, then what follows.
		start := clamp(cur-max(n/3, 0), 0, max(len(m.entries)-n, 0))
		for i := start; i < min(start+n, len(m.entries)); i++ {
			lines = append(lines, m.line(i, i == cur))
		}
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}

func (m Model) line(i int, current bool) string {
	e := m.entries[i]
	src := e.Source
	if src == "kubernetes" {
		src = "k8s"
	}
	mark := "  "
	if current {
		mark = "▸ "
	}
	text := e.Text
	if text == "" {
		text = e.Query
	}
	s := fmt.Sprintf("%s%s %-6s %s", mark, e.Time.UTC().Format("15:04:05"), src, text)
	s = ansi.Truncate(s, m.width, "…")
	if current {
		return m.styles.Current.Render(s)
	}
	if e.Time.After(m.cursor) {
		return m.styles.Muted.Render(s)
	}
	return s
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return min(max(v, lo), hi)
}
