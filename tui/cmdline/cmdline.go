// Package cmdline is the one-line prompt at the bottom of the screen: the
// `:` command line and the `/` filter. It reports what was typed with a
// SubmitMsg (enter) or a CancelMsg (esc); Parse reads a `:` command.
package cmdline

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// SubmitMsg carries the typed line.
type SubmitMsg struct {
	Prompt string // ":" or "/"
	Value  string
}

// CancelMsg says the prompt was closed without submitting.
type CancelMsg struct{ Prompt string }

// ChangeMsg reports each edit (for a live filter).
type ChangeMsg struct {
	Prompt string
	Value  string
}

// KeyMap of the prompt.
type KeyMap struct{ Submit, Cancel key.Binding }

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Submit, k.Cancel} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// Styles of the prompt.
type Styles struct {
	Prompt lipgloss.Style
	Input  textinput.Styles
}

// DefaultStyles are plain.
func DefaultStyles() Styles {
	return Styles{Prompt: lipgloss.NewStyle().Bold(true), Input: textinput.DefaultStyles(true)}
}

// Model is the prompt.
type Model struct {
	keys   KeyMap
	styles Styles
	input  textinput.Model
	prompt string
	open   bool
	width  int
}

// Option configures the prompt.
type Option func(*Model)

// WithStyles sets the styles.
func WithStyles(s Styles) Option { return func(m *Model) { m.styles = s } }

// New returns a closed prompt.
func New(opts ...Option) Model {
	m := Model{keys: DefaultKeyMap(), styles: DefaultStyles(), input: textinput.New()}
	m.input.Prompt = ""
	m.input.CharLimit = 512
	for _, o := range opts {
		o(&m)
	}
	return m
}

// Open shows the prompt with an initial value.
func (m *Model) Open(prompt, value string) tea.Cmd {
	m.prompt, m.open = prompt, true
	m.input.SetValue(value)
	m.input.CursorEnd()
	return m.input.Focus()
}

// Close hides the prompt.
func (m *Model) Close() { m.open = false; m.input.Blur() }

// IsOpen reports whether the prompt is shown.
func (m Model) IsOpen() bool { return m.open }

// Prompt returns ":" or "/".
func (m Model) Prompt() string { return m.prompt }

// Value returns the typed text.
func (m Model) Value() string { return m.input.Value() }

// SetWidth sets the width.
func (m *Model) SetWidth(w int) { m.width = w; m.input.SetWidth(max(w-3, 1)) }

// SetStyles replaces the styles.
func (m *Model) SetStyles(s Styles) { m.styles = s; m.input.SetStyles(s.Input) }

// KeyMap returns the keys.
func (m Model) KeyMap() KeyMap { return m.keys }

// Update edits the line; enter submits, esc cancels (both close it).
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.open {
		return m, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		p := m.prompt
		switch {
		case key.Matches(k, m.keys.Submit):
			v := strings.TrimSpace(m.input.Value())
			m.Close()
			return m, func() tea.Msg { return SubmitMsg{Prompt: p, Value: v} }
		case key.Matches(k, m.keys.Cancel):
			m.Close()
			return m, func() tea.Msg { return CancelMsg{Prompt: p} }
		}
	}
	before := m.input.Value()
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if v := m.input.Value(); v != before {
		p := m.prompt
		change := func() tea.Msg { return ChangeMsg{Prompt: p, Value: v} }
		return m, tea.Batch(cmd, change)
	}
	return m, cmd
}

// View draws the prompt line (empty when closed).
func (m Model) View() string {
	if !m.open {
		return ""
	}
	return m.styles.Prompt.Render(m.prompt) + m.input.View()
}

// Verb is what a command does.
type Verb string

// Commands of the `:` line.
const (
	Window   Verb = "window"
	Step     Verb = "step"
	Selector Verb = "selector"
	Export   Verb = "export"
	Quit     Verb = "quit"
	Rerun    Verb = "rerun"
	Follow   Verb = "follow"
	Help     Verb = "help"
	Warnings Verb = "warnings"
)

// Command is a parsed `:` line.
type Command struct {
	Verb Verb
	// From and To for :window (To may be empty: now).
	From, To string
	// Value for :step and :selector.
	Value string
}

// ErrEmpty is returned for a blank line.
var ErrEmpty = errors.New("empty command")

// Parse reads one command line (without the leading colon). It checks the
// shape of the command only; the window and step are checked by the caller
// against the clock.
func Parse(line string) (Command, error) {
	line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), ":"))
	if line == "" {
		return Command{}, ErrEmpty
	}
	verb, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	args := strings.Fields(rest)
	switch strings.ToLower(verb) {
	case "window", "w":
		switch len(args) {
		case 1:
			return Command{Verb: Window, From: args[0]}, nil
		case 2:
			return Command{Verb: Window, From: args[0], To: args[1]}, nil
		}
		return Command{}, fmt.Errorf("usage: :window FROM [TO] (e.g. :window now-2h now)")
	case "step", "s":
		if len(args) != 1 {
			return Command{}, fmt.Errorf("usage: :step DURATION (e.g. :step 30s, or :step auto)")
		}
		return Command{Verb: Step, Value: args[0]}, nil
	case "selector", "sel":
		// An empty selector clears it.
		return Command{Verb: Selector, Value: rest}, nil
	case "export", "e":
		return noArgs(Export, args)
	case "q", "quit", "q!", "wq":
		return noArgs(Quit, args)
	case "rerun", "r", "refresh":
		return noArgs(Rerun, args)
	case "follow", "f":
		return noArgs(Follow, args)
	case "help", "h", "?":
		return noArgs(Help, args)
	case "warnings", "warn", "warning", "errors":
		return noArgs(Warnings, args)
	}
	return Command{}, fmt.Errorf("unknown command %q (try :window, :step, :selector, :warnings, :export, :q)", verb)
}

func noArgs(v Verb, args []string) (Command, error) {
	if len(args) > 0 {
		return Command{}, fmt.Errorf(":%s takes no arguments", v)
	}
	return Command{Verb: v}, nil
}
