package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
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

// spareRows is how many rows the chart pane leaves blank (its charts are
// whole and shorter than the pane): the timeline gets them. In the wide
// layout the ranking beside the charts must still fit in what is left.
func (m Model) spareRows(l layout) int {
	if m.charts.Fullscreen() || l.chartH <= 0 {
		return 0
	}
	used := strings.Count(m.charts.View(), "\n") + 1
	spare := max(l.chartH-used, 0)
	if l.wide {
		spare = min(spare, max(l.rankH-m.ranking.Needed(), 0))
	}
	return spare
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
	m.timeline.SetHeight(l.timeH + m.spareRows(l))
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
		msg := fmt.Sprintf("causeway needs a terminal of at least %dx%d; this one is %dx%d. Enlarge the window (or press q to quit).",
			minWidth, minHeight, m.width, m.height)
		return place(strings.Split(lipgloss.Wrap(msg, m.width, " "), "\n"), m.width, m.height)
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
		body = append(body, "", m.theme.Title.Render("Commands"))
		body = append(body, flow([]string{":window now-2h now", ":step 30s", `:selector namespace="web"`,
			":warnings", ":export", ":rerun", ":follow", ":q"}, m.width-2, "   ")...)
		body = append(body, "", m.theme.Muted.Render("  ? or esc closes this help"))
		return fill(body, l.body)
	}
	if m.showWarnings {
		return m.warningsBody(l.body)
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
		top = hjoin(left, l.rankW, charts, l.chartW, l.rankH-m.spareRows(l), m.theme.Muted.Render("│"))
	case m.showEvidence:
		top = fill(strings.Split(m.evidence.View(), "\n"), l.evidence)
	default:
		top = append(fill(strings.Split(m.ranking.View(), "\n"), l.rankH), fill(charts, l.chartH)...)
	}
	spare := m.spareRows(l)
	top = fill(top, l.body-l.timeH-spare)
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
	case m.screen == screenForm:
	case m.running && m.screen == screenMain:
		right = m.theme.Warn.Render("↻ refreshing")
	case m.opts.Live && m.followOn:
		right = m.theme.Live.Render("● live")
	case m.opts.Live:
		right = m.theme.Muted.Render("‖ paused")
	case m.width >= 100:
		right = m.theme.Muted.Render("■ fixed window")
	default:
		right = m.theme.Muted.Render("■ fixed")
	}
	if n := len(m.warnings); n > 0 && m.screen == screenMain {
		right = m.theme.Warn.Render(fmt.Sprintf("⚠ %d", n)) + " " + right
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
	if m.statusIsWarn {
		return m.theme.Warn.Render(m.status)
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

// warningsBody lists the shown result's warnings and failed queries
// (`:warnings`, W), wrapped to the width, in h lines.
func (m Model) warningsBody(h int) []string {
	var res []string
	if m.report != nil && m.report.Result != nil {
		for _, q := range m.report.Result.Queries {
			if q.Err != nil {
				res = append(res, q.Query.ID+": "+q.Err.Error())
			}
		}
	}
	title := fmt.Sprintf("Warnings (%d)", len(m.warnings))
	if len(res) > 0 {
		title += fmt.Sprintf(" · failed queries (%d)", len(res))
	}
	body := []string{m.theme.Title.Render(title), ""}
	item := func(mark, s string, st func(...string) string) {
		for i, l := range strings.Split(lipgloss.Wrap(s, max(m.width-4, 10), " /"), "\n") {
			p := "    "
			if i == 0 {
				p = "  " + mark + " "
			}
			body = append(body, st(p+l))
		}
	}
	if len(m.warnings) == 0 && len(res) == 0 {
		body = append(body, m.theme.Muted.Render("  no warnings: every query answered and nothing else was reported"))
	}
	for _, w := range m.warnings {
		item("⚠", w, m.theme.Warn.Render)
	}
	for _, e := range res {
		item("✗", e, m.theme.Error.Render)
	}
	if len(m.notes) > 0 {
		body = append(body, "", m.theme.Title.Render(fmt.Sprintf("Notes from the server (%d)", len(m.notes))))
		for _, n := range m.notes {
			item("·", n, m.theme.Muted.Render)
		}
	}
	foot := m.theme.Muted.Render("  esc or W closes this list")
	if len(body) > h-1 {
		more := len(body) - (h - 2)
		body = append(body[:h-2], m.theme.Muted.Render(fmt.Sprintf("  … %d more lines (causeway report lists everything)", more)))
	}
	return fill(append(body, foot), h)
}

// flow lays items out on lines of at most w cells, sep between them, each
// line indented by two spaces.
func flow(items []string, w int, sep string) []string {
	var out []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = "  " + it
		case ansi.StringWidth(line+sep+it) <= w:
			line += sep + it
		default:
			out = append(out, line)
			line = "  " + it
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}
