// Package theme holds the colours and styles every view of the TUI draws
// with. A Theme is a value built for one background (dark or light) and one
// colour policy (NO_COLOR); nothing here is package-level mutable state.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Theme is the set of styles of the whole TUI.
type Theme struct {
	IsDark  bool
	NoColor bool

	Title    lipgloss.Style // pane titles, the header's name
	Header   lipgloss.Style // the header line
	Muted    lipgloss.Style // secondary text
	Focused  lipgloss.Style // the title of the focused pane
	Selected lipgloss.Style // the selected row of a list
	Score    lipgloss.Style // scores
	Error    lipgloss.Style // error rows and messages
	Warn     lipgloss.Style // warnings
	OK       lipgloss.Style // finished queries
	Live     lipgloss.Style // the live indicator
	Status   lipgloss.Style // the status line
	Cursor   lipgloss.Style // the shared chart cursor
	Onset    lipgloss.Style // the onset marker
	Axis     lipgloss.Style // chart axes and labels
	Key      lipgloss.Style // a key in help text
	Prompt   lipgloss.Style // the command-line prompt
	Kube     lipgloss.Style // the k8s tag of Kubernetes entries

	// Series colours, one per chart in chain order (cycled).
	Series []color.Color
}

// New returns the theme for a dark or light background. With noColor, no
// colour is emitted: emphasis uses bold, underline and reverse only.
func New(isDark, noColor bool) Theme {
	t := Theme{IsDark: isDark, NoColor: noColor}
	if noColor {
		plain := lipgloss.NewStyle()
		t.Title = plain.Bold(true)
		t.Header = plain.Bold(true)
		t.Muted = plain
		t.Focused = plain.Bold(true).Underline(true)
		t.Selected = plain.Reverse(true)
		t.Score = plain
		t.Error = plain.Bold(true)
		t.Warn = plain
		t.OK = plain
		t.Live = plain.Bold(true)
		t.Status = plain
		t.Cursor = plain.Bold(true)
		t.Onset = plain.Bold(true)
		t.Axis = plain
		t.Key = plain.Bold(true)
		t.Prompt = plain.Bold(true)
		t.Kube = plain.Reverse(true)
		return t
	}
	ld := lipgloss.LightDark(isDark)
	var (
		fg      = ld(lipgloss.Color("#1f2328"), lipgloss.Color("#e6edf3"))
		muted   = ld(lipgloss.Color("#6e7781"), lipgloss.Color("#8b949e"))
		accent  = ld(lipgloss.Color("#0550ae"), lipgloss.Color("#79c0ff"))
		selBg   = ld(lipgloss.Color("#ddf4ff"), lipgloss.Color("#264f78"))
		red     = ld(lipgloss.Color("#cf222e"), lipgloss.Color("#ff7b72"))
		yellow  = ld(lipgloss.Color("#9a6700"), lipgloss.Color("#d29922"))
		green   = ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#3fb950"))
		magenta = ld(lipgloss.Color("#8250df"), lipgloss.Color("#d2a8ff"))
		orange  = ld(lipgloss.Color("#bc4c00"), lipgloss.Color("#ffa657"))
		cyan    = ld(lipgloss.Color("#1b7c83"), lipgloss.Color("#56d4dd"))
	)
	base := lipgloss.NewStyle()
	t.Title = base.Bold(true).Foreground(fg)
	t.Header = base.Bold(true).Foreground(accent)
	t.Muted = base.Foreground(muted)
	t.Focused = base.Bold(true).Foreground(accent).Underline(true)
	t.Selected = base.Background(selBg).Foreground(fg).Bold(true)
	t.Score = base.Foreground(yellow)
	t.Error = base.Foreground(red).Bold(true)
	t.Warn = base.Foreground(yellow)
	t.OK = base.Foreground(green)
	t.Live = base.Foreground(green).Bold(true)
	t.Status = base.Foreground(muted)
	t.Cursor = base.Foreground(magenta).Bold(true)
	t.Onset = base.Foreground(red).Bold(true)
	t.Axis = base.Foreground(muted)
	t.Key = base.Foreground(accent).Bold(true)
	t.Prompt = base.Foreground(accent).Bold(true)
	t.Kube = base.Foreground(cyan).Bold(true)
	t.Series = []color.Color{accent, orange, green, magenta, cyan, yellow, red}
	return t
}

// SeriesStyle is the style of the i-th chart's line.
func (t Theme) SeriesStyle(i int) lipgloss.Style {
	if len(t.Series) == 0 {
		return lipgloss.NewStyle()
	}
	return lipgloss.NewStyle().Foreground(t.Series[i%len(t.Series)])
}
