// Package evidence shows why a chain holds: each step with its onset and
// evidence, and between steps the link that ties them (lag, correlation,
// significance, topology, prior). For a root cause it shows the reason.
package evidence

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/causeway-sre/causeway/tui/ranking"
)

// KeyMap of the pane.
type KeyMap struct{ Up, Down, Close key.Binding }

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:    key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("j/k", "scroll")),
		Down:  key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j", "down")),
		Close: key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc", "close evidence")),
	}
}

// Styles of the pane.
type Styles struct{ Title, Step, Link, Muted lipgloss.Style }

// DefaultStyles are plain.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{Title: s.Bold(true), Step: s.Bold(true), Link: s, Muted: s}
}

// Model is the evidence pane.
type Model struct {
	keys   KeyMap
	styles Styles
	vp     viewport.Model
	item   ranking.Item
	title  string
	width  int
	height int
}

// Option configures the pane.
type Option func(*Model)

// WithStyles sets the styles.
func WithStyles(s Styles) Option { return func(m *Model) { m.styles = s } }

// New returns an empty pane.
func New(opts ...Option) Model {
	m := Model{keys: DefaultKeyMap(), styles: DefaultStyles(), vp: viewport.New()}
	for _, o := range opts {
		o(&m)
	}
	return m
}

// SetItem shows the evidence of a ranking item.
func (m *Model) SetItem(it ranking.Item) {
	m.item = it
	m.render()
	m.vp.GotoTop()
}

// SetStyles replaces the styles.
func (m *Model) SetStyles(s Styles) { m.styles = s; m.render() }

// SetWidth sets the width.
func (m *Model) SetWidth(w int) { m.width = w; m.vp.SetWidth(w); m.render() }

// SetHeight sets the height.
func (m *Model) SetHeight(h int) { m.height = h; m.vp.SetHeight(max(h-1, 1)) }

// KeyMap returns the keys.
func (m Model) KeyMap() KeyMap { return m.keys }

// Update scrolls.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Up):
			m.vp.ScrollUp(1)
		case key.Matches(k, m.keys.Down):
			m.vp.ScrollDown(1)
		}
	}
	return m, nil
}

// Lines returns the evidence as plain lines of at most width cells.
func Lines(it ranking.Item, width int, st Styles) (title string, lines []string) {
	wrap := func(indent int, s string) []string {
		var out []string
		for _, l := range strings.Split(lipgloss.Wrap(s, max(width-indent, 10), " ,"), "\n") {
			out = append(out, strings.Repeat(" ", indent)+l)
		}
		return out
	}
	switch {
	case it.Kind == ranking.ChainItem && it.Chain != nil:
		title = fmt.Sprintf("Evidence · chain of %d, score %.2f", len(it.Chain.Steps), it.Chain.Score)
		for i, s := range it.Chain.Steps {
			if l := s.Link; l != nil {
				var flags []string
				if l.Method != "" {
					flags = append(flags, l.Method)
				}
				if l.Topology {
					flags = append(flags, "same topology")
				}
				if l.Prior {
					flags = append(flags, "known cause")
				}
				for _, w := range wrap(3, fmt.Sprintf("↓ led by %s · r=%.2f · p=%.3g · %s", l.Lag, l.R, l.P, strings.Join(flags, " · "))) {
					lines = append(lines, st.Link.Render(w))
				}
			} else if i > 0 {
				lines = append(lines, st.Link.Render(fmt.Sprintf("   ↓ +%s", s.Lag)))
			}
			lines = append(lines, st.Step.Render(fmt.Sprintf("%d. %s", i+1, ranking.Short(s.Query, s.Entity))))
			for _, w := range wrap(3, fmt.Sprintf("onset %s · %s", s.Onset.UTC().Format("15:04:05"), ranking.Label(s.Query, s.Entity))) {
				lines = append(lines, st.Muted.Render(w))
			}
			if s.Evidence != "" {
				lines = append(lines, wrap(3, s.Evidence)...)
			}
		}
	case it.Cause != nil:
		c := it.Cause
		title = fmt.Sprintf("Evidence · root cause, score %.2f", c.Score)
		lines = append(lines, st.Step.Render(ranking.Short(c.Query, c.Entity)))
		for _, w := range wrap(3, fmt.Sprintf("family %s · onset %s · %s", c.Family, c.Onset.UTC().Format("15:04:05"), ranking.Label(c.Query, c.Entity))) {
			lines = append(lines, st.Muted.Render(w))
		}
		if c.Why != "" {
			lines = append(lines, wrap(3, c.Why)...)
		}
	default:
		title = "Evidence"
		lines = []string{"nothing selected"}
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return title, lines
}

func (m *Model) render() {
	title, lines := Lines(m.item, max(m.width, 20), m.styles)
	m.title = title
	m.vp.SetContent(strings.Join(lines, "\n"))
}

// View draws the pane: a title and the scrolled evidence.
func (m Model) View() string {
	return m.styles.Title.Render(ansi.Truncate(m.title+" (esc closes)", m.width, "…")) + "\n" + m.vp.View()
}
