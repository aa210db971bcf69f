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
	// offset is the first shown item of the selected section, relative to
	// the section; selectedSection is the first item of that section.
	offset          int
	selectedSection int
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

// section is one kind of item in the list: a header and its items.
type section struct {
	title      string
	first, n   int // items[first:first+n]
	shown, top int // rows given to the section, first shown item (relative)
}

func (m Model) sections() []section {
	var out []section
	for i, it := range m.items {
		if i == 0 || it.Kind != m.items[i-1].Kind {
			t := "Chains"
			if it.Kind == CauseItem {
				t = "Root causes"
			}
			out = append(out, section{title: t, first: i})
		}
		out[len(out)-1].n++
	}
	return out
}

// plan shares the pane's rows between the sections: each keeps its header
// and at least one row, the section holding the selection gets the rest, and
// each section scrolls on its own so that chains never push the root causes
// out of sight (nor the other way round).
func (m Model) plan() []section {
	secs := m.sections()
	rows := m.height - len(secs) // minus the headers
	total := 0
	for _, s := range secs {
		total += s.n
	}
	if total <= rows || len(secs) == 0 {
		for i := range secs {
			secs[i].shown = secs[i].n
		}
		return secs
	}
	sel := 0
	for i, s := range secs {
		if m.selected >= s.first && m.selected < s.first+s.n {
			sel = i
		}
	}
	rest := max(rows, len(secs))
	others := 0
	for i := range secs {
		if i != sel {
			secs[i].shown = min(secs[i].n, max(1, rest/(2*len(secs)-1)))
			others += secs[i].shown
		}
	}
	secs[sel].shown = min(secs[sel].n, max(rest-others, 1))
	// Rows the selected section cannot use go back to the others.
	spare := rest - others - secs[sel].shown
	for i := range secs {
		if i != sel && spare > 0 {
			add := min(spare, secs[i].n-secs[i].shown)
			secs[i].shown += add
			spare -= add
		}
	}
	for i := range secs {
		s := &secs[i]
		if i == sel {
			pos := m.selected - s.first
			s.top = clamp(m.offset, pos-s.shown+1, pos)
			s.top = clamp(s.top, 0, s.n-s.shown)
		}
	}
	return secs
}

// scroll keeps the selected row in view: offset is the first shown item of
// the selected section.
func (m *Model) scroll() {
	secs := m.sections()
	for _, s := range secs {
		if m.selected < s.first || m.selected >= s.first+s.n {
			continue
		}
		if m.selectedSection != s.first {
			m.offset, m.selectedSection = 0, s.first
		}
		for _, p := range m.plan() {
			if p.first == s.first {
				m.offset = p.top
			}
		}
	}
}

// Needed is how many lines the pane needs to show every row.
func (m Model) Needed() int {
	if len(m.items) == 0 {
		return 1 + len(strings.Split(lipgloss.Wrap(m.summary, max(m.width, 1), " "), "\n"))
	}
	return len(m.items) + len(m.sections())
}

func (m Model) listHeight() int { return max(m.height-1, 1) }

// View draws the pane in width x height: a header per section (with its
// count, and the shown range when it scrolls) and its rows.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if len(m.items) == 0 {
		title := m.styles.Title.Render("Ranking")
		if m.focused {
			title = m.styles.Focused.Render("Ranking")
		}
		lines := []string{title}
		s := m.summary
		if s == "" {
			s = "no chains or root causes"
		}
		for _, l := range strings.Split(lipgloss.Wrap(s, m.width, " "), "\n") {
			lines = append(lines, m.styles.Muted.Render(l))
		}
		return fit(lines, m.width, m.height)
	}
	var lines []string
	for _, s := range m.plan() {
		head := fmt.Sprintf("%s (%d)", s.title, s.n)
		if s.shown < s.n {
			head += fmt.Sprintf(" · %d–%d", s.top+1, s.top+s.shown)
		}
		mine := m.selected >= s.first && m.selected < s.first+s.n
		if mine && m.focused {
			head = m.styles.Focused.Render(head)
		} else {
			head = m.styles.Section.Render(head)
		}
		lines = append(lines, head)
		for i := s.first + s.top; i < s.first+s.top+s.shown; i++ {
			lines = append(lines, m.itemLine(i))
		}
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
		text = it.Cause.Onset.UTC().Format("15:04:05") + " " + Short(it.Cause.Query, it.Cause.Entity)
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

// Query names a signal as the analysis writes it in its texts:
// query{k=v,...} with sorted keys and unquoted values.
func Query(query string, entity map[string]string) string {
	if len(entity) == 0 {
		return query
	}
	keys := slices.Sorted(maps.Keys(entity))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+entity[k])
	}
	return query + "{" + strings.Join(parts, ",") + "}"
}

// Short names a signal compactly for narrow places (chart titles, lists):
// the query and its entity's values, most specific last, without the
// labels that only say where the metric was scraped (job, instance,
// exporter...) when the entity has better ones.
//
//	container_restarts{namespace="db",pod="mysql-0",container="mysql"} -> container_restarts db/mysql-0/mysql
func Short(query string, entity map[string]string) string {
	if len(entity) == 0 {
		return query
	}
	rank := map[string]int{"exported_namespace": 0, "namespace": 1, "destination_workload_namespace": 1,
		"workload": 2, "destination_workload": 2, "ingress": 2, "pod": 3, "container": 4, "node": 5}
	noise := map[string]bool{"job": true, "exporter": true, "source": true, "workload_type": true,
		"endpoint": true}
	named := false
	for k := range entity {
		if _, ok := rank[k]; ok {
			named = true
		}
	}
	keys := slices.Sorted(maps.Keys(entity))
	var kept []string
	for _, k := range keys {
		if entity[k] == "" {
			continue
		}
		if named && (noise[k] || k == "instance") {
			continue
		}
		if k == "exported_namespace" && entity[k] == entity["namespace"] {
			continue
		}
		kept = append(kept, k)
	}
	if len(kept) == 0 {
		return query
	}
	slices.SortStableFunc(kept, func(a, b string) int {
		ra, oka := rank[a]
		rb, okb := rank[b]
		switch {
		case oka && okb:
			return ra - rb
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a, b)
	})
	vals := make([]string, len(kept))
	for i, k := range kept {
		vals[i] = entity[k]
	}
	return query + " " + strings.Join(vals, "/")
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
