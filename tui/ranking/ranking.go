// Package ranking is the pane of ranked causal chains and root causes, best
// first, each with its score. The selected item decides which signals the
// chart stack shows.
package ranking

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/causeway-sre/causeway/correlate"
)

// Kind of an item.
type Kind int

// Item kinds.
const (
	ChainItem Kind = iota
	CauseItem
)

// Ref names one signal: a query and an entity.
type Ref struct {
	Query  string
	Entity map[string]string
	// Onset of the signal's change (zero when unknown).
	Onset time.Time
}

// Item is one row: a chain or a root cause.
type Item struct {
	Kind  Kind
	Score float64
	Chain *correlate.Chain
	Cause *correlate.RootCause
}

// Refs returns the signals of the item in chain order.
func (it Item) Refs() []Ref {
	if it.Kind == ChainItem && it.Chain != nil {
		out := make([]Ref, 0, len(it.Chain.Steps))
		for _, s := range it.Chain.Steps {
			out = append(out, Ref{Query: s.Query, Entity: s.Entity, Onset: s.Onset})
		}
		return out
	}
	if it.Cause != nil {
		return []Ref{{Query: it.Cause.Query, Entity: it.Cause.Entity, Onset: it.Cause.Onset}}
	}
	return nil
}

// KeyMap of the pane.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/k", "select")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
	}
}

// Styles of the pane.
type Styles struct {
	Title, Focused, Section, Selected, Score, Muted lipgloss.Style
}

// DefaultStyles are plain.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{Title: s.Bold(true), Focused: s.Bold(true).Underline(true), Section: s.Bold(true),
		Selected: s.Reverse(true), Score: s, Muted: s}
}

// Model is the ranking pane.
type Model struct {
	keys    KeyMap
	styles  Styles
	width   int
	height  int
	focused bool

	items    []Item
	summary  string
	selected int
	offset   int
}

// Option configures the model.
type Option func(*Model)

// WithStyles sets the styles.
func WithStyles(s Styles) Option { return func(m *Model) { m.styles = s } }

// WithKeyMap sets the keys.
func WithKeyMap(k KeyMap) Option { return func(m *Model) { m.keys = k } }

// New returns an empty pane.
func New(opts ...Option) Model {
	m := Model{keys: DefaultKeyMap(), styles: DefaultStyles()}
	for _, o := range opts {
		o(&m)
	}
	return m
}

// SetFindings fills the pane: chains first, then root causes. The selection
// is kept on the same position when possible.
func (m *Model) SetFindings(f *correlate.Findings) {
	m.items = m.items[:0]
	m.summary = ""
	if f == nil {
		return
	}
	for i := range f.Chains {
		m.items = append(m.items, Item{Kind: ChainItem, Score: f.Chains[i].Score, Chain: &f.Chains[i]})
	}
	for i := range f.RootCauses {
		m.items = append(m.items, Item{Kind: CauseItem, Score: f.RootCauses[i].Score, Cause: &f.RootCauses[i]})
	}
	if len(m.items) == 0 || f.Quiet {
		m.summary = f.Summary
	}
	m.selected = clamp(m.selected, 0, len(m.items)-1)
	m.scroll()
}

// SetStyles replaces the styles.
func (m *Model) SetStyles(s Styles) { m.styles = s }

// SetWidth sets the width.
func (m *Model) SetWidth(w int) { m.width = w }

// SetHeight sets the height.
func (m *Model) SetHeight(h int) { m.height = h; m.scroll() }

// Focus and Blur move the keyboard focus.
func (m *Model) Focus() { m.focused = true }

// Blur takes the focus away.
func (m *Model) Blur() { m.focused = false }

// Focused reports focus.
func (m Model) Focused() bool { return m.focused }

// KeyMap returns the keys.
func (m Model) KeyMap() KeyMap { return m.keys }

// Items returns the rows.
func (m Model) Items() []Item { return m.items }

// Index returns the selected row.
func (m Model) Index() int { return m.selected }

// Selected returns the selected item.
func (m Model) Selected() (Item, bool) {
	if m.selected < 0 || m.selected >= len(m.items) {
		return Item{}, false
	}
	return m.items[m.selected], true
}

// Select moves the selection to row i.
func (m *Model) Select(i int) { m.selected = clamp(i, 0, len(m.items)-1); m.scroll() }

// Update handles the pane's keys when it has the focus.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	page := max(m.listHeight()-1, 1)
	switch {
	case key.Matches(k, m.keys.Up):
		m.Select(m.selected - 1)
	case key.Matches(k, m.keys.Down):
		m.Select(m.selected + 1)
	case key.Matches(k, m.keys.Top):
		m.Select(0)
	case key.Matches(k, m.keys.Bottom):
		m.Select(len(m.items) - 1)
	case key.Matches(k, m.keys.PageUp):
		m.Select(m.selected - page)
	case key.Matches(k, m.keys.PageDown):
		m.Select(m.selected + page)
	}
	return m, nil
}

// rows are the lines of the list: section headers and items.
type row struct {
	header string
	item   int // -1 for a header
}

func (m Model) rows() []row {
	var out []row
	for i, it := range m.items {
		if i == 0 || it.Kind != m.items[i-1].Kind {
			h := "Chains"
			if it.Kind == CauseItem {
				h = "Root causes"
			}
			out = append(out, row{header: h, item: -1})
		}
		out = append(out, row{item: i})
	}
	return out
}

func (m Model) listHeight() int { return max(m.height-1, 1) }

// scroll keeps the selected row in view.
func (m *Model) scroll() {
	rows := m.rows()
	pos := 0
	for p, r := range rows {
		if r.item == m.selected {
			pos = p
		}
	}
	h := m.listHeight()
	if pos < m.offset+1 { // keep the section header above when possible
		m.offset = max(pos-1, 0)
	}
	if pos >= m.offset+h {
		m.offset = pos - h + 1
	}
	m.offset = clamp(m.offset, 0, max(len(rows)-h, 0))
}

// View draws the pane in width x height.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	title := fmt.Sprintf("Ranking (%d)", len(m.items))
	if m.focused {
		title = m.styles.Focused.Render(title)
	} else {
		title = m.styles.Title.Render(title)
	}
	lines := []string{title}
	if len(m.items) == 0 {
		s := m.summary
		if s == "" {
			s = "no chains or root causes"
		}
		for _, l := range strings.Split(lipgloss.Wrap(s, m.width, " "), "\n") {
			lines = append(lines, m.styles.Muted.Render(l))
		}
		return fit(lines, m.width, m.height)
	}
	rows := m.rows()
	end := min(m.offset+m.listHeight(), len(rows))
	for _, r := range rows[m.offset:end] {
		if r.item < 0 {
			lines = append(lines, m.styles.Section.Render(r.header))
			continue
		}
		lines = append(lines, m.itemLine(r.item))
	}
	return fit(lines, m.width, m.height)
}

func (m Model) itemLine(i int) string {
	it := m.items[i]
	var text string
	switch it.Kind {
	case ChainItem:
		names := make([]string, 0, len(it.Chain.Steps))
		for _, s := range it.Chain.Steps {
			names = append(names, s.Query)
		}
		text = strings.Join(names, " → ")
	case CauseItem:
		text = Label(it.Cause.Query, it.Cause.Entity) + " " + it.Cause.Onset.UTC().Format("15:04:05")
	}
	score := fmt.Sprintf("%.2f", it.Score)
	if i == m.selected {
		line := ansi.Truncate(fmt.Sprintf("▸ %s %s", score, text), m.width, "…")
		pad := max(m.width-ansi.StringWidth(line), 0)
		return m.styles.Selected.Render(line + strings.Repeat(" ", pad))
	}
	return ansi.Truncate("  "+m.styles.Score.Render(score)+" "+text, m.width, "…")
}

// Label names a signal: query{k="v",...} with sorted keys.
func Label(query string, entity map[string]string) string {
	if len(entity) == 0 {
		return query
	}
	keys := slices.Sorted(maps.Keys(entity))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%q", k, entity[k]))
	}
	return query + "{" + strings.Join(parts, ",") + "}"
}

// fit pads or cuts lines to exactly h lines of at most w cells.
func fit(lines []string, w, h int) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return min(max(v, lo), hi)
}
