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
	// Kube marks the entries that come from the Kubernetes API (the k8s
	// tag), so that they stand apart from the metrics' change points.
	Kube lipgloss.Style
}

// DefaultStyles are plain.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{Title: s.Bold(true), Current: s.Bold(true), Time: s, Source: s, Muted: s, Kube: s.Bold(true)}
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
	kube    int // entries from the Kubernetes API
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
	m.kube = 0
	for _, x := range m.entries {
		if IsKube(x) {
			m.kube++
		}
	}
}

// IsKube reports whether an entry comes from the Kubernetes API.
func IsKube(e correlate.TimelineEntry) bool { return e.Source == "kubernetes" }

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
	count := fmt.Sprint(len(m.entries))
	if m.kube > 0 {
		count += fmt.Sprintf(", %d from k8s", m.kube)
	}
	lines := []string{m.styles.Title.Render(fmt.Sprintf("Timeline (%s) at %s", count, m.cursor.UTC().Format("15:04:05")))}
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
	mark := "  "
	if current {
		mark = "▸ "
	}
	text := e.Text
	if text == "" {
		text = e.Query
	}
	head := mark + e.Time.UTC().Format("15:04:05") + " "
	tag := "    "
	if IsKube(e) {
		tag = "k8s "
	}
	text = Cut(text, m.width-ansi.StringWidth(head)-len(tag))
	var st lipgloss.Style
	switch {
	case current:
		st = m.styles.Current
	case e.Time.After(m.cursor):
		st = m.styles.Muted
	}
	if IsKube(e) {
		return st.Render(head) + m.styles.Kube.Render("k8s") + st.Render(" "+text)
	}
	return st.Render(head + tag + text)
}

// Cut shortens s to w cells at a word boundary when there is one in the
// last third, with an ellipsis: "rose to its limit" -> "rose to its…",
// never "rose to i…".
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	cut := ansi.Truncate(s, w-1, "")
	if next := s[len(cut):]; !strings.HasPrefix(next, " ") {
		if i := strings.LastIndexAny(cut, " ,/{"); i > 0 && ansi.StringWidth(cut[:i]) >= w*2/3 {
			cut = cut[:i]
		}
	}
	return strings.TrimRight(cut, " ,") + "…"
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return min(max(v, lo), hi)
}
