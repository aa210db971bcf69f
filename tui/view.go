package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// layout is where the panes of the main screen go.
type layout struct {
	wide                bool
	body                int // rows between header and footer
	rankW, rankH        int
	chartW, chartH      int
	timeW, timeH        int
	evidenceW, evidence int
}

func (m Model) layout() layout {
	w, h := m.width, m.height
	l := layout{body: max(h-3, 1)}
	if m.charts.Fullscreen() {
		l.chartW, l.chartH = w, l.body
		return l
	}
	l.timeW = w
	l.timeH = 3
	if h >= 30 {
		l.timeH = 5
	}
	top := l.body - l.timeH
	if w >= 110 {
		l.wide = true
		l.rankW = min(max(w*34/100, 32), 56)
		l.rankH = top
		l.chartW, l.chartH = w-l.rankW-1, top
		l.evidenceW, l.evidence = l.rankW, top
		return l
	}
	l.rankW, l.rankH = w, 5
	if h >= 34 {
		l.rankH = 8
	}
	l.chartW, l.chartH = w, top-l.rankH
	l.evidenceW, l.evidence = w, top
	return l
}

// resize gives every view its size for the current screen.
func (m *Model) resize() {
	if m.width == 0 || m.height == 0 {
		return
	}
	l := m.layout()
	m.ranking.SetWidth(l.rankW)
	m.ranking.SetHeight(l.rankH)
	m.charts.SetSize(l.chartW, l.chartH)
	m.timeline.SetWidth(l.timeW)
	m.timeline.SetHeight(l.timeH)
	m.evidence.SetWidth(l.evidenceW)
	m.evidence.SetHeight(l.evidence)
	m.progress.SetWidth(m.width)
	m.progress.SetHeight(max(m.height-3, 1))
	m.form.SetWidth(m.width)
	m.form.SetHeight(m.height - 3)
	m.cmdline.SetWidth(m.width)
	m.help.SetWidth(m.width)
}

// View draws the screen. It only assembles what Update prepared.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "causeway"
	if m.opts.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

func (m Model) render() string {
	if m.width == 0 || m.height == 0 {
		return "starting…"
	}
	if m.width < minWidth || m.height < minHeight {
		msg := fmt.Sprintf("causeway needs a terminal of at least %dx%d; this one is %dx%d.\nEnlarge the window (or press q to quit).",
			minWidth, minHeight, m.width, m.height)
		return place(strings.Split(msg, "\n"), m.width, m.height)
	}
	var lines []string
	lines = append(lines, m.header())
	switch m.screen {
	case screenForm:
		lines = append(lines, "")
		lines = append(lines, strings.Split(m.form.View(), "\n")...)
		lines = fill(lines, m.height-2)
		lines = append(lines, m.statusLine(), m.help.ShortHelpView(m.form.KeyMap().ShortHelp()))
	case screenProgress:
		lines = append(lines, strings.Split(m.progress.View(), "\n")...)
		lines = fill(lines, m.height-1)
		lines = append(lines, m.help.ShortHelpView(progressKeys{Cancel: m.progress.KeyMap().Cancel, Quit: m.keys.Quit}.ShortHelp()))
	default:
		lines = append(lines, m.mainBody()...)
		lines = fill(lines, m.height-2)
		lines = append(lines, m.statusLine(), m.help.ShortHelpView(m.keys.ShortHelp()))
	}
	return place(lines, m.width, m.height)
}

func (m Model) mainBody() []string {
	l := m.layout()
	if m.showHelp {
		body := []string{m.theme.Title.Render("Keys"), ""}
		body = append(body, strings.Split(m.help.FullHelpView(m.keys.FullHelp()), "\n")...)
		body = append(body, "",
			m.theme.Title.Render("Commands"),
			`  :window now-2h now   :step 30s   :selector namespace="web"   :export   :rerun   :q`,
			"", m.theme.Muted.Render("  ? or esc closes this help"))
		return fill(body, l.body)
	}
	charts := strings.Split(m.charts.View(), "\n")
	if m.charts.Fullscreen() {
		return fill(charts, l.body)
	}
	var top []string
	switch {
	case l.wide:
		left := strings.Split(m.ranking.View(), "\n")
		if m.showEvidence {
			left = strings.Split(m.evidence.View(), "\n")
		}
		top = hjoin(left, l.rankW, charts, l.chartW, l.rankH, m.theme.Muted.Render("│"))
	case m.showEvidence:
		top = fill(strings.Split(m.evidence.View(), "\n"), l.evidence)
	default:
		top = append(fill(strings.Split(m.ranking.View(), "\n"), l.rankH), fill(charts, l.chartH)...)
	}
	top = fill(top, l.body-l.timeH)
	return append(top, strings.Split(m.timeline.View(), "\n")...)
}

func (m Model) header() string {
	name := m.opts.Title
	if name == "" && m.src != nil {
		name = m.src.Name()
	}
	left := m.theme.Header.Render("causeway")
	if name != "" {
		left += " · " + name
	}
	if m.screen != screenForm {
		left += " · " + windowText(m.window, m.width >= 100)
		if m.window.Step > 0 {
			left += " · step " + shortDur(m.window.Step)
		}
		if m.selector != "" {
			left += " · {" + m.selector + "}"
		}
	}
	var right string
	switch {
	case m.running && m.screen == screenMain:
		right = m.theme.Warn.Render("↻ refreshing")
	case m.opts.Live && m.followOn:
		right = m.theme.Live.Render("● live")
	case m.opts.Live:
		right = m.theme.Muted.Render("‖ paused")
	default:
		right = m.theme.Muted.Render("■ fixed window")
	}
	rw := ansi.StringWidth(right)
	left = ansi.Truncate(left, max(m.width-rw-1, 1), "…")
	gap := max(m.width-ansi.StringWidth(left)-rw, 1)
	return left + strings.Repeat(" ", gap) + right
}

func (m Model) statusLine() string {
	if m.cmdline.IsOpen() {
		return m.cmdline.View()
	}
	if m.status == "" {
		return ""
	}
	if m.statusIsError {
		return m.theme.Error.Render(m.status)
	}
	return m.theme.Status.Render(m.status)
}

// hjoin puts two blocks side by side with a separator, h lines tall.
func hjoin(left []string, lw int, right []string, rw int, h int, sep string) []string {
	out := make([]string, h)
	for i := range h {
		var l, r string
		if i < len(left) {
			l = ansi.Truncate(left[i], lw, "…")
		}
		if i < len(right) {
			r = ansi.Truncate(right[i], rw, "…")
		}
		out[i] = l + strings.Repeat(" ", max(lw-ansi.StringWidth(l), 0)) + sep + r
	}
	return out
}

// fill pads or cuts lines to exactly n.
func fill(lines []string, n int) []string {
	if n < 0 {
		n = 0
	}
	if len(lines) > n {
		return lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

// place cuts the screen to w x h.
func place(lines []string, w, h int) string {
	lines = fill(lines, h)
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}
