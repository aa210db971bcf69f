// Package form is a small form of text fields, used to ask for what the
// command line did not give (the window, a source address). It validates on
// submit with a function given by its owner and reports the values with a
// SubmitMsg; esc reports a CancelMsg.
package form

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Field is one text field.
type Field struct {
	Key         string // the name of the value in SubmitMsg
	Label       string
	Placeholder string // an example, shown greyed when empty
	Hint        string // one line of help under the field
	Value       string // initial value
}

// SubmitMsg carries valid values, by field key.
type SubmitMsg struct{ Values map[string]string }

// CancelMsg says the form was abandoned.
type CancelMsg struct{}

// ValidateFunc checks the values before they are submitted.
type ValidateFunc func(values map[string]string) error

// KeyMap of the form.
type KeyMap struct {
	Next, Prev, Submit, Cancel key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start")),
		Cancel: key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "quit")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Submit, k.Next, k.Prev, k.Cancel} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// Styles of the form.
type Styles struct {
	Title, Label, Focused, Hint, Error lipgloss.Style
	Input                              textinput.Styles
}

// DefaultStyles are plain.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{Title: s.Bold(true), Label: s, Focused: s.Bold(true), Hint: s, Error: s.Bold(true),
		Input: textinput.DefaultStyles(true)}
}

// Model is the form.
type Model struct {
	keys     KeyMap
	styles   Styles
	title    string
	fields   []Field
	inputs   []textinput.Model
	focus    int
	validate ValidateFunc
	err      error
	note     string
	width    int
	height   int
}

// Option configures the form.
type Option func(*Model)

// WithTitle sets the line above the fields.
func WithTitle(t string) Option { return func(m *Model) { m.title = t } }

// WithValidate sets the check run on submit.
func WithValidate(f ValidateFunc) Option { return func(m *Model) { m.validate = f } }

// WithStyles sets the styles.
func WithStyles(s Styles) Option { return func(m *Model) { m.styles = s } }

// WithKeyMap sets the keys.
func WithKeyMap(k KeyMap) Option { return func(m *Model) { m.keys = k } }

// New returns a form of the fields, the first one focused.
func New(fields []Field, opts ...Option) Model {
	m := Model{keys: DefaultKeyMap(), styles: DefaultStyles(), fields: fields}
	for _, o := range opts {
		o(&m)
	}
	for _, f := range fields {
		in := textinput.New()
		in.Prompt = ""
		in.Placeholder = f.Placeholder
		in.SetValue(f.Value)
		in.CharLimit = 256
		in.SetWidth(40)
		in.SetStyles(m.styles.Input)
		m.inputs = append(m.inputs, in)
	}
	m.focusField(0)
	return m
}

// Init focuses the first field.
func (m Model) Init() tea.Cmd { return nil }

// SetWidth sets the width.
func (m *Model) SetWidth(w int) {
	m.width = w
	for i := range m.inputs {
		m.inputs[i].SetWidth(max(min(w-20, 60), 10))
	}
}

// SetHeight sets the height.
func (m *Model) SetHeight(h int) { m.height = h }

// SetStyles replaces the styles.
func (m *Model) SetStyles(s Styles) {
	m.styles = s
	for i := range m.inputs {
		m.inputs[i].SetStyles(s.Input)
	}
}

// KeyMap returns the keys.
func (m Model) KeyMap() KeyMap { return m.keys }

// SetNote shows a message under the title (wrapped, in the error style):
// why the form is shown again, e.g. every query failed.
func (m *Model) SetNote(s string) { m.note = s }

// Note returns the message under the title.
func (m Model) Note() string { return m.note }

// Err is the last validation error.
func (m Model) Err() error { return m.err }

// Values returns the current values by key.
func (m Model) Values() map[string]string {
	out := make(map[string]string, len(m.fields))
	for i, f := range m.fields {
		out[f.Key] = strings.TrimSpace(m.inputs[i].Value())
	}
	return out
}

func (m *Model) focusField(i int) {
	if len(m.inputs) == 0 {
		return
	}
	m.focus = (i + len(m.inputs)) % len(m.inputs)
	for j := range m.inputs {
		if j == m.focus {
			m.inputs[j].Focus()
		} else {
			m.inputs[j].Blur()
		}
	}
}

// Update handles keys: field moves, submit, cancel, and typing.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Cancel):
			return m, func() tea.Msg { return CancelMsg{} }
		case key.Matches(k, m.keys.Next):
			m.focusField(m.focus + 1)
			return m, nil
		case key.Matches(k, m.keys.Prev):
			m.focusField(m.focus - 1)
			return m, nil
		case key.Matches(k, m.keys.Submit):
			vals := m.Values()
			if m.validate != nil {
				if err := m.validate(vals); err != nil {
					m.err = err
					return m, nil
				}
			}
			m.err = nil
			return m, func() tea.Msg { return SubmitMsg{Values: vals} }
		}
	}
	if len(m.inputs) == 0 {
		return m, nil
	}
	var cmd tea.Cmd
	m.inputs[m.focus], cmd = m.inputs[m.focus].Update(msg)
	return m, cmd
}

// View draws the form.
func (m Model) View() string {
	var lines []string
	if m.title != "" {
		lines = append(lines, m.styles.Title.Render(m.title), "")
	}
	if m.note != "" {
		w := m.width
		if w <= 0 {
			w = 80
		}
		for _, l := range strings.Split(lipgloss.Wrap(m.note, max(w-2, 10), " /:"), "\n") {
			lines = append(lines, m.styles.Error.Render(l))
		}
		lines = append(lines, "")
	}
	lw := 0
	for _, f := range m.fields {
		lw = max(lw, ansi.StringWidth(f.Label))
	}
	for i, f := range m.fields {
		label := f.Label + strings.Repeat(" ", lw-ansi.StringWidth(f.Label))
		mark := "  "
		if i == m.focus {
			label = m.styles.Focused.Render(label)
			mark = "▸ "
		} else {
			label = m.styles.Label.Render(label)
		}
		lines = append(lines, mark+label+"  "+m.inputs[i].View())
		if f.Hint != "" {
			lines = append(lines, strings.Repeat(" ", lw+4)+m.styles.Hint.Render(f.Hint))
		}
	}
	lines = append(lines, "")
	if m.err != nil {
		lines = append(lines, m.styles.Error.Render("✗ "+m.err.Error()))
	}
	if m.width > 0 {
		for i, l := range lines {
			lines[i] = ansi.Truncate(l, m.width, "…")
		}
	}
	return strings.Join(lines, "\n")
}
