package tuidrill

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/causeway-sre/causeway/drill"
	"github.com/causeway-sre/causeway/tui/ranking"
)

// layout sizes the panes for the window and the phase. It runs in Update,
// never in View.
func (m *Model) layout() {
	if m.width < MinWidth || m.height < MinHeight {
		return
	}
	m.help.SetWidth(m.width)
	switch m.phase {
	case phasePlaying:
		top := 1 + len(m.briefLines())
		bottom := 2 + len(m.hints) + 1 // answer, hints, help/question
		if m.showFullHelp {
			bottom += len(playKeys{m.keys}.FullHelp()[0]) - 1
		}
		tl := 4
		if m.height >= 36 {
			tl = 8
		}
		body := max(m.height-top-bottom-tl, 4)
		m.chart.SetSize(m.width-m.listWidth()-1, body)
		m.timeline.SetWidth(m.width)
		m.timeline.SetHeight(tl)
		m.timeline.SetCursor(m.chart.CursorTime())
		m.fixListTop(body)
	case phaseDebrief:
		m.vp.SetWidth(m.width)
		m.vp.SetHeight(max(m.height-3, 1))
		m.vp.SetContent(m.debriefContent())
	}
}

func (m Model) listWidth() int { return min(max(m.width/3, 24), 46) }

// fixListTop scrolls the signal list so that the selection shows.
func (m *Model) fixListTop(h int) {
	rows := max(h-1, 1)
	if m.sel < m.listTop {
		m.listTop = m.sel
	}
	if m.sel >= m.listTop+rows {
		m.listTop = m.sel - rows + 1
	}
	m.listTop = max(min(m.listTop, len(m.signals)-rows), 0)
}

// View draws the drill.
func (m Model) View() tea.View {
	v := tea.NewView(m.content())
	v.AltScreen = true
	v.WindowTitle = "causeway drill"
	return v
}

func (m Model) content() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		return fmt.Sprintf("The drill needs a terminal of at least %dx%d (this one is %dx%d).\nq quits.",
			MinWidth, MinHeight, m.width, m.height)
	}
	switch m.phase {
	case phasePreparing:
		return m.header() + "\n\n  Preparing the drill: running the query bank over the incident window…"
	case phaseFailed:
		msg := "failed"
		if m.fatal != nil {
			msg = m.fatal.Error()
		}
		return m.header() + "\n\n  " + m.theme.Error.Render(msg)
	case phaseDebrief:
		return m.debriefView()
	}
	return m.playView()
}

func (m Model) name() string {
	if m.sess == nil {
		return "…"
	}
	return m.sess.Name
}

func (m Model) header() string {
	t := m.theme
	left := t.Header.Render("Causeway drill") + t.Muted.Render(" · ") + t.Title.Render(m.name())
	if m.sess != nil && m.sess.Difficulty != "" {
		left += t.Muted.Render(" · " + m.sess.Difficulty)
	}
	var right string
	switch m.phase {
	case phasePlaying:
		par := drill.ParTime("")
		if m.sess != nil {
			par = m.sess.Config().Par
		}
		el := m.now.Sub(m.attempt.Started)
		clk := t.Live.Render("⏱ " + mmss(el))
		if el > par {
			clk = t.Warn.Render("⏱ " + mmss(el))
		}
		right = clk + t.Muted.Render(fmt.Sprintf(" / par %s · hints %d/%d", mmss(par), len(m.hints), drill.MaxHints))
	case phaseDebrief:
		right = t.Score.Render(fmt.Sprintf("%d/100 grade %s", m.score.Total, m.score.Grade)) +
			t.Muted.Render(" · took "+mmss(m.score.Elapsed))
	}
	return spread(left, right, m.width)
}

func (m Model) briefLines() []string {
	if m.sess == nil {
		return nil
	}
	text := "Paged: " + m.sess.Briefing
	lines := wrap(text, m.width, "", "        ")
	if len(lines) > 2 {
		lines = lines[:2]
		lines[1] = ansi.Truncate(lines[1]+" …", m.width, "…")
	}
	return lines
}

func (m Model) playView() string {
	t := m.theme
	var b strings.Builder
	b.WriteString(m.header())
	for _, l := range m.briefLines() {
		b.WriteByte('\n')
		b.WriteString(t.Warn.Render(l))
	}
	// Body: the signal list beside the charts.
	chartView := m.chart.View()
	body := strings.Split(chartView, "\n")
	h := len(body)
	if h < 4 {
		h = 4
	}
	list := m.listLines(h)
	lw := m.listWidth()
	for i := range h {
		b.WriteByte('\n')
		l := ""
		if i < len(list) {
			l = list[i]
		}
		b.WriteString(pad(l, lw))
		b.WriteString(t.Muted.Render("│"))
		if i < len(body) {
			b.WriteString(body[i])
		}
	}
	b.WriteByte('\n')
	b.WriteString(m.timeline.View())
	for _, l := range m.answerLines() {
		b.WriteByte('\n')
		b.WriteString(l)
	}
	for i, hnt := range m.hints {
		b.WriteByte('\n')
		b.WriteString(ansi.Truncate(t.Score.Render(fmt.Sprintf("Hint %d: ", i+1))+hnt, m.width, "…"))
	}
	b.WriteByte('\n')
	b.WriteString(m.footer(playKeys{m.keys}))
	return b.String()
}

// listLines draws the signal list: a title and one row per signal, the
// selection highlighted, the picks tagged (R root, 2.. chain links).
func (m Model) listLines(h int) []string {
	t := m.theme
	lw := m.listWidth()
	lines := []string{t.Title.Render(ansi.Truncate(fmt.Sprintf("Signals (%d)", len(m.signals)), lw, "…"))}
	if len(m.signals) == 0 {
		return append(lines, t.Muted.Render(" no signals in this window"))
	}
	rows := max(h-1, 1)
	for i := m.listTop; i < min(m.listTop+rows, len(m.signals)); i++ {
		s := m.signals[i]
		cur := " "
		if i == m.sel {
			cur = "▸" // visible without colour too
		}
		tag := "  "
		if i == m.rootIdx {
			tag = "R "
		}
		for p, c := range m.chainIdx {
			if c == i && i != m.rootIdx {
				tag = fmt.Sprintf("%-2d", m.linkNumber(p))
			}
		}
		row := fmt.Sprintf("%s%s%-8s %s", cur, tag, ansi.Truncate(s.Family, 8, ""), ranking.Short(s.Query, s.Entity))
		row = pad(ansi.Truncate(row, lw, "…"), lw)
		if i == m.sel {
			row = t.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	return lines
}

func (m Model) answerLines() []string {
	t := m.theme
	root := t.Muted.Render("none marked: select a signal, put the cursor on its onset, press m")
	if r := m.attempt.Root; r != nil {
		lbl := r.Title
		if e := drill.EntityString(r.Entity); e != "" {
			lbl += " " + e
		}
		root = t.Title.Render(r.Family) + " · " + lbl + " at " + clock(r.Time)
	}
	chain := t.Muted.Render("empty: press a to add the selected signal as the next link")
	if picks := m.attempt.Picks(); len(picks) > 0 {
		fams := make([]string, len(picks))
		for i, p := range picks {
			fams[i] = p.Family
		}
		chain = strings.Join(fams, " → ")
	}
	return []string{
		ansi.Truncate(t.Key.Render("Root cause ")+root, m.width, "…"),
		ansi.Truncate(t.Key.Render("Chain      ")+chain, m.width, "…"),
	}
}

// footer is the question being asked, else the status and the help line.
func (m Model) footer(k interface {
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}) string {
	t := m.theme
	switch m.ask {
	case askCommit:
		return t.Prompt.Render(m.commitQuestion()) + " " + m.help.View(confirmKeys{m.keys})
	case askHint:
		n := len(m.hints) + 1
		cost := drill.DefaultConfig().HintCost(n)
		if m.sess != nil {
			cost = m.sess.Config().HintCost(n)
		}
		return t.Prompt.Render(fmt.Sprintf("Take hint %d of %d? It costs %.0f points.", n, drill.MaxHints, cost)) + " " + m.help.View(confirmKeys{m.keys})
	case askQuit:
		return t.Prompt.Render("Quit without committing?") + " " + m.help.View(confirmKeys{m.keys})
	}
	if m.status != "" {
		st := t.Status
		if m.statusErr {
			st = t.Error
		}
		return ansi.Truncate(st.Render(m.status), m.width, "…")
	}
	if m.showFullHelp {
		return m.help.FullHelpView(k.FullHelp())
	}
	return m.help.ShortHelpView(k.ShortHelp())
}

func (m Model) commitQuestion() string {
	if m.attempt.Root == nil {
		return "Commit with no root cause (nothing stands out)?"
	}
	return fmt.Sprintf("Commit %s as the root cause, %d links?", m.attempt.Root.Family, len(m.attempt.Picks()))
}

func (m Model) debriefView() string {
	var b strings.Builder
	b.WriteString(m.header())
	b.WriteByte('\n')
	b.WriteString(m.theme.Muted.Render(strings.Repeat("─", m.width)))
	b.WriteByte('\n')
	b.WriteString(m.vp.View())
	b.WriteByte('\n')
	b.WriteString(m.footer(debriefKeys{m.keys}))
	return b.String()
}

// debriefContent renders the debrief for the viewport at the current width.
func (m Model) debriefContent() string {
	if m.sess == nil {
		return ""
	}
	return DebriefText(m.score, m.debrief, m.sess.Meta(), m.width, m.theme.Title, m.theme.Muted)
}

// DebriefText renders a debrief as the view shows it, wrapped to width:
// the verdict, the score parts, the trainee's answer, the true chain with
// the evidence of each link, what was missed and the red herrings. heading
// and muted style the section titles and the secondary text.
func DebriefText(sc drill.Scorecard, d drill.Debrief, meta drill.Meta, width int, heading, muted lipgloss.Style) string {
	var lines []string
	add := func(s ...string) { lines = append(lines, s...) }
	para := func(text, first, rest string) { add(wrap(text, width, first, rest)...) }
	title := func(s string) { add("", heading.Render(s)) }

	para(d.Verdict, "", "")
	src := d.Source
	if src == "" {
		src = "the key"
	}
	add(muted.Render(ansi.Truncate("Briefing: "+meta.Briefing+" · answer from "+src, width, "…")))

	title("Score")
	const nameW, ptsW = 12, 11
	for _, p := range sc.Parts {
		pts := "n/a"
		switch {
		case !p.Applicable:
		case p.Name == drill.PartHints:
			pts = fmt.Sprintf("%5.1f", p.Points)
		default:
			pts = fmt.Sprintf("%4.1f/%-3.0f", p.Points, p.Max)
		}
		lead := fmt.Sprintf("  %-*s %-*s ", nameW, p.Name, ptsW, pts)
		para(p.Detail, lead, strings.Repeat(" ", len(lead)))
	}
	add(fmt.Sprintf("  %-*s %3d/100    grade %s", nameW, "total", sc.Total, sc.Grade))

	title("Your answer")
	a := sc.Attempt
	if a.Root == nil {
		add("  root cause  none marked (nothing stands out)")
	} else {
		para(fmt.Sprintf("%s · %s at %s", a.Root.Family, pickLabel(*a.Root), clock(a.Root.Time)), "  root cause  ", "              ")
	}
	var fams []string
	for _, p := range a.Picks() {
		fams = append(fams, p.Family)
	}
	if len(fams) == 0 {
		fams = []string{"none"}
	}
	para(strings.Join(fams, " → "), "  chain       ", "              ")
	add(fmt.Sprintf("  hints       %d   time taken %s (par %s)", a.Hints, drill.FormatDuration(sc.Elapsed), drill.FormatDuration(sc.Par)))

	title("The answer")
	if sc.Key.Quiet {
		para("Nothing happened in this window: the right answer was to mark no root cause.", "  ", "  ")
	}
	for i, s := range d.Steps {
		mark := "✗"
		if s.Picked {
			mark = "✓"
		}
		text := s.Family
		if s.Query != "" {
			text += " (" + s.Query + ")"
		}
		if e := drill.EntityString(s.Entity); e != "" {
			text += " on " + e
		}
		text += " at " + clock(s.At)
		if i == 0 {
			text += " · root cause"
		}
		para(text, fmt.Sprintf("  %d %s ", i+1, mark), "      ")
		if s.Note != "" {
			para(s.Note, "      ", "      ")
		}
		ev := s.Evidence
		if ev == "" {
			ev = "the analysis did not detect this change"
		}
		para("evidence: "+ev, "      ", "        ")
	}

	title("What was missed")
	if len(d.Missed) == 0 {
		add("  Nothing: a clean drill.")
	}
	for _, s := range d.Missed {
		para(s, "  • ", "    ")
	}
	if len(d.Distractors) > 0 {
		title("Red herrings")
		for _, s := range d.Distractors {
			text := s.Family
			if e := drill.EntityString(s.Entity); e != "" {
				text += " on " + e
			}
			if !s.At.IsZero() {
				text += " at " + clock(s.At)
			}
			if s.Note != "" {
				text += ": " + s.Note
			}
			para(text, "  • ", "    ")
		}
	}
	return strings.Join(lines, "\n")
}

func pickLabel(p drill.Pick) string {
	s := p.Title
	if s == "" {
		s = p.Query
	}
	if e := drill.EntityString(p.Entity); e != "" {
		s += " " + e
	}
	return s
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.UTC().Format("15:04:05") + " UTC"
}

func mmss(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// spread puts left and right on one line of width w.
func spread(left, right string, w int) string {
	rw := lipgloss.Width(right)
	if rw >= w {
		return ansi.Truncate(right, w, "…")
	}
	left = ansi.Truncate(left, max(w-rw-1, 0), "…")
	gap := max(w-lipgloss.Width(left)-rw, 1)
	return left + strings.Repeat(" ", gap) + right
}

// pad fills s with spaces to width w.
func pad(s string, w int) string {
	if n := lipgloss.Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// wrap breaks plain text at spaces to width w (a longer word is cut),
// prefixing the first line with first and the others with rest.
func wrap(text string, w int, first, rest string) []string {
	var lines []string
	cur, prefix := first, first
	empty := true
	for _, word := range strings.Fields(text) {
		if !empty && ansi.StringWidth(cur)+1+ansi.StringWidth(word) > w {
			lines = append(lines, cur)
			cur, prefix, empty = rest, rest, true
		}
		if empty {
			cur = prefix + word
		} else {
			cur += " " + word
		}
		empty = false
	}
	lines = append(lines, cur)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return lines
}
