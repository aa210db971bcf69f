package tuidrill

import (
	"charm.land/bubbles/v2/key"

	"github.com/causeway-sre/causeway/tui/chart"
)

// KeyMap is every key of the drill. The help line is generated from it.
type KeyMap struct {
	Down, Up          key.Binding
	Top, Bottom       key.Binding
	Left, Right       key.Binding
	ZoomIn, ZoomOut   key.Binding
	PanLeft, PanRight key.Binding
	Reset             key.Binding
	Mark              key.Binding
	Add               key.Binding
	Undo              key.Binding
	Hint              key.Binding
	Commit            key.Binding
	Yes, No           key.Binding
	Export            key.Binding
	PageDown, PageUp  key.Binding
	Help              key.Binding
	Quit              key.Binding
	ForceQuit         key.Binding
}

// DefaultKeyMap returns the drill's keys (ANCHORS.md conventions).
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Down:      key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/k", "select signal")),
		Up:        key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k", "up")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/G", "first/last")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last")),
		Left:      key.NewBinding(key.WithKeys("left"), key.WithHelp("←/→", "time cursor")),
		Right:     key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "cursor right")),
		ZoomIn:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "zoom")),
		ZoomOut:   key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "zoom out")),
		PanLeft:   key.NewBinding(key.WithKeys("["), key.WithHelp("[/]", "pan")),
		PanRight:  key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "pan right")),
		Reset:     key.NewBinding(key.WithKeys("0"), key.WithHelp("0", "whole window")),
		Mark:      key.NewBinding(key.WithKeys("m", "enter"), key.WithHelp("m", "mark root cause")),
		Add:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add to chain")),
		Undo:      key.NewBinding(key.WithKeys("backspace", "u"), key.WithHelp("u", "undo pick")),
		Hint:      key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hint")),
		Commit:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "commit")),
		Yes:       key.NewBinding(key.WithKeys("y", "Y", "enter"), key.WithHelp("y", "yes")),
		No:        key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "no")),
		Export:    key.NewBinding(key.WithKeys("x", "e"), key.WithHelp("x", "export scorecard")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("pgdn", "page down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit now")),
	}
}

// chartKeys hands the time keys to the chart stack (its own h/l and j/k are
// left out: h is the hint here, j/k select signals).
func (k KeyMap) chartKeys() chart.KeyMap {
	c := chart.DefaultKeyMap()
	c.Left, c.Right = k.Left, k.Right
	c.ZoomIn, c.ZoomOut = k.ZoomIn, k.ZoomOut
	c.PanLeft, c.PanRight = k.PanLeft, k.PanRight
	c.Reset = k.Reset
	c.Up, c.Down = key.NewBinding(key.WithDisabled()), key.NewBinding(key.WithDisabled())
	c.Fullscreen = key.NewBinding(key.WithDisabled())
	c.Toggle = key.NewBinding(key.WithDisabled())
	return c
}

// playKeys is the help of the drill while playing.
type playKeys struct{ k KeyMap }

func (p playKeys) ShortHelp() []key.Binding {
	k := p.k
	return []key.Binding{k.Down, k.Left, k.Mark, k.Add, k.Hint, k.Commit, k.Help, k.Quit}
}

func (p playKeys) FullHelp() [][]key.Binding {
	k := p.k
	return [][]key.Binding{
		{k.Down, k.Top, k.Left, k.ZoomIn, k.PanLeft, k.Reset},
		{k.Mark, k.Add, k.Undo, k.Hint, k.Commit},
		{k.Help, k.Quit, k.ForceQuit},
	}
}

// confirmKeys is the help of a yes/no question.
type confirmKeys struct{ k KeyMap }

func (c confirmKeys) ShortHelp() []key.Binding  { return []key.Binding{c.k.Yes, c.k.No} }
func (c confirmKeys) FullHelp() [][]key.Binding { return [][]key.Binding{c.ShortHelp()} }

// debriefKeys is the help of the debrief.
type debriefKeys struct{ k KeyMap }

func (d debriefKeys) ShortHelp() []key.Binding {
	scroll := key.NewBinding(key.WithKeys(d.k.Down.Keys()...), key.WithHelp("j/k", "scroll"))
	return []key.Binding{scroll, d.k.PageDown, d.k.Export, d.k.Quit}
}
func (d debriefKeys) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
