package drill

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Meta describes the drill on the exported scorecard.
type Meta struct {
	Name       string
	Difficulty string
	Skill      string
	Briefing   string
	// Date is when the drill was played (zero: the commit time).
	Date time.Time
}

// Meta returns the session's description for the scorecard.
func (s *Session) Meta() Meta {
	return Meta{Name: s.Name, Difficulty: s.Difficulty, Skill: s.Skill, Briefing: s.Briefing}
}

// MarkdownWidth is the width prose is wrapped at, markdownlint's default
// line length.
const MarkdownWidth = 80

// WriteMarkdown writes the scorecard and its debrief as markdown that passes
// markdownlint-cli2 with its default rules (lines wrapped at 80 columns).
func WriteMarkdown(w io.Writer, sc Scorecard, d Debrief, m Meta) error {
	bw := bufio.NewWriter(w)
	md := &mdWriter{w: bw}
	title := "Drill scorecard"
	if m.Name != "" {
		title += ": " + m.Name
	}
	md.line("# " + escape(title))
	md.blank()
	date := m.Date
	if date.IsZero() {
		date = sc.Attempt.Committed
	}
	var facts []string
	if m.Name != "" {
		d := m.Name
		if m.Difficulty != "" {
			d += " (" + m.Difficulty + ")"
		}
		facts = append(facts, "Drill: "+escape(d))
	}
	if m.Skill != "" {
		facts = append(facts, "Trains: "+escape(m.Skill))
	}
	if !date.IsZero() {
		facts = append(facts, "Played: "+date.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if m.Briefing != "" {
		facts = append(facts, "Briefing: "+escape(m.Briefing))
	}
	if sc.Key.Source != "" {
		facts = append(facts, "Answer from: "+escape(sc.Key.Source))
	}
	if len(facts) > 0 {
		for _, f := range facts {
			md.item("- ", f)
		}
		md.blank()
	}

	md.line("## Score")
	md.blank()
	md.para(fmt.Sprintf("**%d/100, grade %s.** %s", sc.Total, sc.Grade, escape(capitalize(strings.TrimPrefix(d.Verdict, fmt.Sprintf("%d/100, grade %s: ", sc.Total, sc.Grade))))))
	md.blank()
	md.line("| Part | Points | Max |")
	md.line("| --- | ---: | ---: |")
	for _, p := range sc.Parts {
		switch {
		case !p.Applicable:
			md.line(fmt.Sprintf("| %s | n/a | n/a |", p.Name))
		case p.Name == PartHints:
			md.line(fmt.Sprintf("| %s | %s | 0 |", p.Name, num(p.Points)))
		default:
			md.line(fmt.Sprintf("| %s | %s | %s |", p.Name, num(p.Points), num(p.Max)))
		}
	}
	md.line(fmt.Sprintf("| **total** | **%d** | 100 |", sc.Total))
	md.blank()
	for _, p := range sc.Parts {
		md.item("- ", fmt.Sprintf("%s: %s.", capitalize(p.Name), escape(p.Detail)))
	}
	md.blank()

	md.line("## Your answer")
	md.blank()
	a := sc.Attempt
	if a.Root == nil {
		md.item("- ", "Root cause: none marked (nothing stands out).")
	} else {
		md.item("- ", fmt.Sprintf("Root cause: %s at %s.", pickText(*a.Root), clock(a.Root.Time)))
	}
	if picks := a.Picks(); len(picks) > 0 {
		var fams []string
		for _, p := range picks {
			fams = append(fams, p.Family)
		}
		md.item("- ", "Chain: "+escape(strings.Join(fams, " → "))+".")
	} else {
		md.item("- ", "Chain: none.")
	}
	md.item("- ", fmt.Sprintf("Hints taken: %d.", a.Hints))
	if sc.Elapsed > 0 {
		md.item("- ", fmt.Sprintf("Time taken: %s (par %s).", roundDur(sc.Elapsed), roundDur(sc.Par)))
	}
	md.blank()

	md.line("## The answer")
	md.blank()
	if sc.Key.Quiet {
		md.para("Nothing happened in this window: the right answer was to mark no root cause.")
		md.blank()
	} else {
		for i, s := range d.Steps {
			lead := fmt.Sprintf("%d. ", i+1)
			text := "**" + escape(s.Family) + "**"
			if s.Query != "" {
				text += " `" + s.Query + "`"
			}
			if e := entityString(s.Entity); e != "" {
				text += " on " + escape(e)
			}
			text += " at " + clock(s.At)
			if i == 0 {
				text += " (root cause)"
			}
			if s.Picked {
				text += ", in your chain"
			} else {
				text += ", missed"
			}
			text += "."
			if s.Note != "" {
				text += " " + escape(sentence(s.Note))
			}
			md.item(lead, text)
			ev := s.Evidence
			if ev == "" {
				ev = "the analysis did not detect this change"
			}
			md.cont(len(lead), "Evidence: "+escape(sentence(ev)))
		}
		md.blank()
	}

	md.line("## What was missed")
	md.blank()
	if len(d.Missed) == 0 {
		md.para("Nothing: a clean drill.")
	} else {
		for _, s := range d.Missed {
			md.item("- ", escape(s))
		}
	}
	if len(d.Distractors) > 0 {
		md.blank()
		md.line("## Red herrings")
		md.blank()
		for _, s := range d.Distractors {
			text := "**" + escape(s.Family) + "**"
			if e := entityString(s.Entity); e != "" {
				text += " on " + escape(e)
			}
			if !s.At.IsZero() {
				text += " at " + clock(s.At)
			}
			if s.Note != "" {
				text += ": " + escape(sentence(s.Note))
			} else {
				text += "."
			}
			md.item("- ", text)
		}
	}
	if md.err != nil {
		return fmt.Errorf("drill: write scorecard: %w", md.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("drill: write scorecard: %w", err)
	}
	return nil
}

func pickText(p Pick) string {
	s := "**" + escape(p.Family) + "**"
	if p.Query != "" {
		s += " `" + p.Query + "`"
	}
	if e := entityString(p.Entity); e != "" {
		s += " on " + escape(e)
	}
	return s
}

func num(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%.1f", f)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

var mdSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "#", `\#`,
)

// escape makes free text safe in markdown prose.
func escape(s string) string { return mdSpecial.Replace(s) }

// mdWriter writes markdown lines, wrapping prose at MarkdownWidth.
type mdWriter struct {
	w   *bufio.Writer
	err error
}

func (m *mdWriter) line(s string) {
	if m.err != nil {
		return
	}
	_, m.err = m.w.WriteString(strings.TrimRight(s, " ") + "\n")
}

func (m *mdWriter) blank() { m.line("") }

func (m *mdWriter) para(s string) {
	for _, l := range wrap(s, MarkdownWidth, "", "") {
		m.line(l)
	}
}

// item writes a list item: lead ("- " or "1. ") then text, continuation
// lines indented under the text.
func (m *mdWriter) item(lead, text string) {
	for _, l := range wrap(text, MarkdownWidth, lead, strings.Repeat(" ", len(lead))) {
		m.line(l)
	}
}

// cont writes a lazy-free continuation paragraph line of a list item.
func (m *mdWriter) cont(indent int, text string) {
	pad := strings.Repeat(" ", indent)
	for _, l := range wrap(text, MarkdownWidth, pad, pad) {
		m.line(l)
	}
}

// blockStart matches words that would open a block (a list, a heading, a
// quote, a table row) at the start of a line.
var blockStart = regexp.MustCompile(`^([-+*]|#{1,6}|=+|\d{1,9}[.)])$`)

// wrap breaks s at spaces so that lines fit width (a longer word stays
// whole), never starting a line with a word that would open a block.
func wrap(s string, width int, first, rest string) []string {
	words := strings.Fields(s)
	var lines []string
	cur := first
	empty := true
	for _, w := range words {
		if !empty && len([]rune(cur))+1+len([]rune(w)) > width && !blockStart.MatchString(w) {
			lines = append(lines, cur)
			cur, empty = rest+w, false
			continue
		}
		if empty {
			cur += w
		} else {
			cur += " " + w
		}
		empty = false
	}
	return append(lines, cur)
}
