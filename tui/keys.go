package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/causeway-sre/causeway/tui/chart"
	"github.com/causeway-sre/causeway/tui/ranking"
)

// KeyMap is every key of the main view. The help line and the help screen
// are generated from it.
type KeyMap struct {
	Help     key.Binding
	Command  key.Binding
	Filter   key.Binding
	Back     key.Binding
	Quit     key.Binding
	Tab      key.Binding
	Evidence key.Binding
	Export   key.Binding
	Rerun    key.Binding
	Follow   key.Binding
	Warnings key.Binding

	Ranking ranking.KeyMap
	Chart   chart.KeyMap
}

// DefaultKeyMap returns the keys of ANCHORS.md's conventions.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Command:  key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter signals")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Tab:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "switch pane")),
		Evidence: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "evidence")),
		Export:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export")),
		Rerun:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rerun")),
		Follow:   key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "follow now")),
		Warnings: key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "warnings")),
		Ranking:  ranking.DefaultKeyMap(),
		Chart:    chart.DefaultKeyMap(),
	}
}

// ShortHelp implements help.KeyMap: the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Quit, k.Ranking.Down, k.Chart.Left, k.Evidence, k.Tab,
		k.Chart.ZoomIn, k.Chart.PanLeft, k.Command, k.Filter, k.Export}
}

// FullHelp implements help.KeyMap: the help screen, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Ranking.Down, k.Tab, k.Evidence, k.Chart.Fullscreen, k.Chart.Toggle, k.Filter},
		{k.Chart.Left, k.Chart.ZoomIn, k.Chart.PanLeft, k.Chart.Reset, k.Follow, k.Rerun},
		{k.Command, k.Export, k.Warnings, k.Help, k.Back, k.Quit},
	}
}

// progressKeys is the help of the progress view.
type progressKeys struct{ Cancel, Quit key.Binding }

func (k progressKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Cancel, k.Quit} }
func (k progressKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
