// Package chart draws a stack of asciigraph charts that share one time axis
// and one cursor. Every chart of the stack covers the same visible range of
// the same grid, column for column, so a cursor column is the same instant
// in every chart.
//
// All drawing happens when the model changes (in Update and the setters):
// plot bodies are cached per data version, visible range and size, and the
// composed view is kept as a string that View only returns.
package chart

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"
)

// Kind tells how a series is reduced when several points share a column.
type Kind string

// Kinds, mirroring the query bank's.
const (
	Gauge  Kind = "gauge"
	Events Kind = "events"
	State  Kind = "state"
)

// Series is one chart of the stack.
type Series struct {
	Title string
	// Name is the signal's full name (all labels); the filter matches it
	// as well as the title. Optional.
	Name string
	Unit string
	Kind Kind
	// Values[i] is the value at Grid.Time(i); NaN where absent.
	Values []float64
	// Onset is the grid index where the signal started to change, -1 if none.
	Onset int
}

// Grid is the shared time axis: N points from Start, Step apart.
type Grid struct {
	Start time.Time
	Step  time.Duration
	N     int
}

// Time returns the time of grid point i.
func (g Grid) Time(i int) time.Time { return g.Start.Add(time.Duration(i) * g.Step) }

// Index returns the grid point at or before t, clamped to the grid.
func (g Grid) Index(t time.Time) int {
	if g.Step <= 0 || g.N == 0 {
		return 0
	}
	i := int(t.Sub(g.Start) / g.Step)
	return clamp(i, 0, g.N-1)
}

// KeyMap are the chart keys.
type KeyMap struct {
	Left       key.Binding
	Right      key.Binding
	ZoomIn     key.Binding
	ZoomOut    key.Binding
	PanLeft    key.Binding
	PanRight   key.Binding
	Reset      key.Binding
	Toggle     key.Binding
	Fullscreen key.Binding
	Up         key.Binding
	Down       key.Binding
}

// DefaultKeyMap returns the default chart keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Left:       key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "cursor")),
		Right:      key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "cursor right")),
		ZoomIn:     key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "zoom")),
		ZoomOut:    key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "zoom out")),
		PanLeft:    key.NewBinding(key.WithKeys("["), key.WithHelp("[/]", "pan")),
		PanRight:   key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "pan right")),
		Reset:      key.NewBinding(key.WithKeys("0"), key.WithHelp("0", "reset to end")),
		Toggle:     key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "toggle series")),
		Fullscreen: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "full-screen chart")),
		Up:         key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("j/k", "select chart")),
		Down:       key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j", "next chart")),
	}
}

// Styles of the stack.
type Styles struct {
	Title    lipgloss.Style
	Selected lipgloss.Style
	Value    lipgloss.Style
	Muted    lipgloss.Style
	Axis     lipgloss.Style
	Cursor   lipgloss.Style
	Onset    lipgloss.Style
	// Series are the line styles, cycled by chart number.
	Series []lipgloss.Style
}

// DefaultStyles are plain styles: no colour.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{Title: s.Bold(true), Selected: s.Bold(true).Underline(true), Value: s.Bold(true),
		Muted: s, Axis: s, Cursor: s.Bold(true), Onset: s.Bold(true)}
}

const (
	labelWidth = 6 // y labels are always this wide, so every chart's plot starts at the same column
	offset     = 3 // asciigraph's offset between label and plot
	leftPad    = labelWidth + offset
	minPoints  = 8 // zooming in stops at this many grid points
	maxCache   = 128
)

// Model is the chart stack.
type Model struct {
	keys   KeyMap
	styles Styles

	width, height int
	grid          Grid
	series        []Series
	version       uint64
	hidden        []bool
	filter        string

	lo, hi     int // visible range, grid indices, inclusive
	cursor     int // grid index
	selected   int // index into series
	fullscreen bool
	focused    bool

	cache map[cacheKey][]string
	view  string
	// paint holds the styles as plain escape sequences: lipgloss renders
	// once per style, not once per drawn run.
	paint paints
}

// seg is a style as the escape sequences around a text.
type seg struct{ pre, post string }

func segOf(st lipgloss.Style) seg {
	r := st.Render("X")
	i := strings.IndexByte(r, 'X')
	if i < 0 {
		return seg{}
	}
	return seg{pre: r[:i], post: r[i+1:]}
}

func (g seg) write(b *strings.Builder, text string) {
	b.WriteString(g.pre)
	b.WriteString(text)
	b.WriteString(g.post)
}

type paints struct {
	// hit is the cursor over a drawn cell: reversed, so that the cursor
	// column stays visible where it crosses the line.
	axis, cursor, hit, onset seg
	series                   []seg
}

func paintsOf(s Styles) paints {
	p := paints{axis: segOf(s.Axis), cursor: segOf(s.Cursor), hit: segOf(s.Cursor.Reverse(true)), onset: segOf(s.Onset)}
	for _, st := range s.Series {
		p.series = append(p.series, segOf(st))
	}
	return p
}

type cacheKey struct {
	series  int
	version uint64
	lo, hi  int
	w, h    int
}

// Option configures a Model.
type Option func(*Model)

// WithKeyMap sets the keys.
func WithKeyMap(k KeyMap) Option { return func(m *Model) { m.keys = k } }

// WithStyles sets the styles.
func WithStyles(s Styles) Option { return func(m *Model) { m.styles = s } }

// WithSize sets the size.
func WithSize(w, h int) Option { return func(m *Model) { m.width, m.height = w, h } }

// New returns an empty stack.
func New(opts ...Option) Model {
	m := Model{keys: DefaultKeyMap(), styles: DefaultStyles(), cache: map[cacheKey][]string{}}
	for _, o := range opts {
		o(&m)
	}
	m.paint = paintsOf(m.styles)
	m.refresh()
	return m
}

// SetData replaces the charts. The cursor and the visible range are kept
// when the grid is unchanged (a refresh of the same window); otherwise they
// are reset to the whole grid with the cursor at its end.
func (m *Model) SetData(g Grid, series []Series) {
	same := g == m.grid
	m.grid = g
	m.series = series
	m.version++
	m.cache = map[cacheKey][]string{}
	if len(m.hidden) != len(series) {
		m.hidden = make([]bool, len(series))
	}
	if !same || m.hi >= g.N {
		m.lo, m.hi = 0, max(g.N-1, 0)
		m.cursor = m.hi
	}
	m.selected = clamp(m.selected, 0, max(len(series)-1, 0))
	m.refresh()
}

// SetStyles replaces the styles.
func (m *Model) SetStyles(s Styles) { m.styles = s; m.paint = paintsOf(s); m.refresh() }

// SetWidth sets the width.
func (m *Model) SetWidth(w int) { m.width = w; m.refresh() }

// SetHeight sets the height.
func (m *Model) SetHeight(h int) { m.height = h; m.refresh() }

// SetSize sets both.
func (m *Model) SetSize(w, h int) {
	if w == m.width && h == m.height {
		return
	}
	m.width, m.height = w, h
	m.refresh()
}

// SetFilter shows only charts whose title contains s (case-insensitive).
func (m *Model) SetFilter(s string) { m.filter = s; m.refresh() }

// Filter returns the current filter.
func (m Model) Filter() string { return m.filter }

// Focus gives the stack the keyboard's j/k.
func (m *Model) Focus() { m.focused = true; m.refresh() }

// Blur takes it away.
func (m *Model) Blur() { m.focused = false; m.refresh() }

// Focused reports focus.
func (m Model) Focused() bool { return m.focused }

// KeyMap returns the keys.
func (m Model) KeyMap() KeyMap { return m.keys }

// Cursor returns the grid index of the cursor.
func (m Model) Cursor() int { return m.cursor }

// CursorTime returns the time at the cursor.
func (m Model) CursorTime() time.Time { return m.grid.Time(m.cursor) }

// Range returns the visible range (grid indices, inclusive).
func (m Model) Range() (lo, hi int) { return m.lo, m.hi }

// Fullscreen reports whether one chart fills the stack.
func (m Model) Fullscreen() bool { return m.fullscreen }

// Hidden reports whether chart i is toggled off.
func (m Model) Hidden(i int) bool { return i >= 0 && i < len(m.hidden) && m.hidden[i] }

// Len returns the number of charts.
func (m Model) Len() int { return len(m.series) }

// ValueAt returns chart i's value at the cursor (NaN if absent). An absent
// point of an events or state series is 0: no event, not in the state.
func (m Model) ValueAt(i int) float64 {
	if i < 0 || i >= len(m.series) || m.cursor >= len(m.series[i].Values) {
		return math.NaN()
	}
	return value(m.series[i].Kind, m.series[i].Values[m.cursor])
}

// value reads one point: for events and state series (the bank's
// convention) absence means 0.
func value(k Kind, v float64) float64 {
	if (k == Events || k == State) && (math.IsNaN(v) || math.IsInf(v, 0)) {
		return 0
	}
	return v
}

// SetCursor moves the cursor to grid index i, panning if needed.
func (m *Model) SetCursor(i int) {
	if m.grid.N == 0 {
		return
	}
	m.cursor = clamp(i, 0, m.grid.N-1)
	n := m.hi - m.lo
	if m.cursor < m.lo {
		m.lo, m.hi = m.cursor, m.cursor+n
	} else if m.cursor > m.hi {
		m.lo, m.hi = m.cursor-n, m.cursor
	}
	m.refresh()
}

// Reset shows the whole grid with the cursor at its end.
func (m *Model) Reset() {
	m.lo, m.hi = 0, max(m.grid.N-1, 0)
	m.cursor = m.hi
	m.refresh()
}

// Update handles the chart keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || m.grid.N == 0 {
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Left):
		m.SetCursor(m.cursor - m.colSpan())
	case key.Matches(k, m.keys.Right):
		m.SetCursor(m.cursor + m.colSpan())
	case key.Matches(k, m.keys.ZoomIn):
		m.zoom(0.5)
	case key.Matches(k, m.keys.ZoomOut):
		m.zoom(2)
	case key.Matches(k, m.keys.PanLeft):
		m.pan(-1)
	case key.Matches(k, m.keys.PanRight):
		m.pan(1)
	case key.Matches(k, m.keys.Reset):
		m.Reset()
	case key.Matches(k, m.keys.Toggle):
		i := int(k.Text[0] - '1')
		if len(k.Text) == 1 && i >= 0 && i < len(m.hidden) {
			m.hidden[i] = !m.hidden[i]
			m.refresh()
		}
	case key.Matches(k, m.keys.Fullscreen):
		m.fullscreen = !m.fullscreen
		m.refresh()
	case m.focused && key.Matches(k, m.keys.Down):
		m.moveSelection(1)
	case m.focused && key.Matches(k, m.keys.Up):
		m.moveSelection(-1)
	}
	return m, nil
}

// ToggleFullscreen switches between the stack and the selected chart alone.
func (m *Model) ToggleFullscreen() { m.fullscreen = !m.fullscreen; m.refresh() }

func (m *Model) moveSelection(d int) {
	vis := m.visible()
	if len(vis) == 0 {
		return
	}
	pos := 0
	for p, i := range vis {
		if i == m.selected {
			pos = p
		}
	}
	m.selected = vis[clamp(pos+d, 0, len(vis)-1)]
	m.refresh()
}

// colSpan is how many grid points one column covers (at least 1).
func (m Model) colSpan() int {
	w := m.plotWidth()
	n := m.hi - m.lo + 1
	if w <= 0 || n <= w {
		return 1
	}
	return (n + w - 1) / w
}

func (m *Model) zoom(f float64) {
	n := m.hi - m.lo + 1
	nn := clamp(int(math.Round(float64(n)*f)), min(minPoints, m.grid.N), m.grid.N)
	if nn == n {
		return
	}
	// Keep the cursor at the same relative place.
	rel := 0.5
	if n > 1 {
		rel = float64(m.cursor-m.lo) / float64(n-1)
	}
	lo := m.cursor - int(math.Round(rel*float64(nn-1)))
	lo = clamp(lo, 0, m.grid.N-nn)
	m.lo, m.hi = lo, lo+nn-1
	m.cursor = clamp(m.cursor, m.lo, m.hi)
	m.refresh()
}

func (m *Model) pan(dir int) {
	n := m.hi - m.lo + 1
	d := max(n/4, 1) * dir
	lo := clamp(m.lo+d, 0, m.grid.N-n)
	d = lo - m.lo
	m.lo, m.hi = lo, lo+n-1
	m.cursor = clamp(m.cursor+d, m.lo, m.hi)
	m.refresh()
}

// View returns the stack as drawn at the last change.
func (m Model) View() string { return m.view }

// visible returns the indices of the charts shown: not hidden, matching the filter.
func (m Model) visible() []int {
	var out []int
	f := strings.ToLower(m.filter)
	for i, s := range m.series {
		if m.Hidden(i) {
			continue
		}
		if f != "" && !strings.Contains(strings.ToLower(s.Title), f) && !strings.Contains(strings.ToLower(s.Name), f) {
			continue
		}
		out = append(out, i)
	}
	return out
}

func (m Model) plotWidth() int { return m.width - leftPad - 1 }

// layout decides which charts are drawn and how tall their plots are.
func (m Model) layout() (shown []int, plotH int, more int) {
	vis := m.visible()
	if len(vis) == 0 {
		return nil, 0, 0
	}
	avail := m.height - 3 // status line + axis + labels
	if m.fullscreen {
		sel := m.selected
		if m.Hidden(sel) || !contains(vis, sel) {
			sel = vis[0]
		}
		return []int{sel}, max(avail-1, 1), len(vis) - 1
	}
	n := min(len(vis), max(avail/3, 1))
	plotH = min(max(avail/n-1, 1), 14)
	// Scroll so that the selected chart is shown.
	start := 0
	for p, i := range vis {
		if i == m.selected && p >= n {
			start = p - n + 1
		}
	}
	return vis[start : start+n], plotH, len(vis) - n
}

// refresh recomputes the view. It is called by every method that changes
// what is drawn, never by View.
func (m *Model) refresh() {
	if m.width < leftPad+10 || m.height < 4 {
		m.view = ""
		return
	}
	if m.grid.N == 0 || len(m.series) == 0 {
		m.view = m.styles.Muted.Render("no signals to chart")
		return
	}
	if len(m.cache) > maxCache {
		m.cache = map[cacheKey][]string{}
	}
	w := m.plotWidth()
	cols := newColumns(m.lo, m.hi, w)
	shown, plotH, more := m.layout()
	curCol := cols.of(m.cursor)

	var b strings.Builder
	b.Grow((m.width + 16) * m.height * 2)
	b.WriteString(m.statusLine(more))
	for _, i := range shown {
		b.WriteByte('\n')
		b.WriteString(m.titleLine(i))
		body := m.body(i, cols, w, plotH)
		onCol := -1
		if o := m.series[i].Onset; o >= m.lo && o <= m.hi {
			onCol = cols.of(o)
		}
		style := seg{}
		if len(m.paint.series) > 0 {
			style = m.paint.series[i%len(m.paint.series)]
		}
		for _, line := range body {
			b.WriteByte('\n')
			m.overlay(&b, line, w, curCol, onCol, style)
		}
	}
	if len(shown) == 0 {
		b.WriteByte('\n')
		b.WriteString(m.styles.Muted.Render(fmt.Sprintf("no chart matches %q", m.filter)))
	}
	b.WriteByte('\n')
	m.axis(&b, cols, w, curCol)
	m.view = b.String()
}

func (m Model) seriesStyle(i int) lipgloss.Style {
	if len(m.styles.Series) == 0 {
		return lipgloss.NewStyle()
	}
	return m.styles.Series[i%len(m.styles.Series)]
}

func (m Model) statusLine(more int) string {
	t := m.CursorTime().UTC()
	parts := []string{
		"cursor " + m.styles.Value.Render(t.Format(timeLayout(m.grid.Step, true))),
		fmt.Sprintf("%s–%s", m.grid.Time(m.lo).UTC().Format("15:04"), m.grid.Time(m.hi).UTC().Format("15:04")),
	}
	if z := float64(m.grid.N) / float64(m.hi-m.lo+1); z > 1.01 {
		parts = append(parts, fmt.Sprintf("zoom %.1fx", z))
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("+%d more", more))
	}
	var hid []string
	for i, h := range m.hidden {
		if h {
			hid = append(hid, fmt.Sprint(i+1))
		}
	}
	if len(hid) > 0 {
		parts = append(parts, "hidden "+strings.Join(hid, ","))
	}
	if m.filter != "" {
		parts = append(parts, fmt.Sprintf("filter %q", m.filter))
	}
	return truncate(m.styles.Muted.Render(strings.Join(parts, " · ")), m.width)
}

func (m Model) titleLine(i int) string {
	s := m.series[i]
	title := fmt.Sprintf("%d %s", i+1, s.Title)
	if i == m.selected && m.focused {
		title = m.styles.Selected.Render(title)
	} else {
		title = m.seriesStyle(i).Bold(true).Render(title)
	}
	v := m.ValueAt(i)
	val := "–"
	if !math.IsNaN(v) {
		val = Humanize(v)
		if s.Unit != "" && s.Unit != "bool" {
			val += " " + s.Unit
		}
	}
	right := m.styles.Value.Render("= " + val)
	if s.Onset >= 0 && s.Onset < m.grid.N {
		right += m.styles.Onset.Render(" ▲" + m.grid.Time(s.Onset).UTC().Format(timeLayout(m.grid.Step, false)))
	}
	rw := lipgloss.Width(right)
	left := truncate(title, max(m.width-rw-1, 4))
	gap := max(m.width-lipgloss.Width(left)-rw, 1)
	return left + strings.Repeat(" ", gap) + right
}

// body returns the plain plot lines of chart i, from the cache when it can.
func (m *Model) body(i int, cols columns, w, h int) []string {
	k := cacheKey{series: i, version: m.version, lo: m.lo, hi: m.hi, w: w, h: h}
	if b, ok := m.cache[k]; ok {
		return b
	}
	b := plot(m.series[i], cols, w, h)
	m.cache[k] = b
	return b
}

// overlay writes one plot line with the cursor and onset columns drawn on it.
func (m Model) overlay(b *strings.Builder, line string, w, curCol, onCol int, style seg) {
	r := []rune(line)
	for len(r) < leftPad+w {
		r = append(r, ' ')
	}
	m.paint.axis.write(b, string(r[:leftPad]))
	data := r[leftPad : leftPad+w]
	marks := [2]int{curCol, onCol}
	if onCol >= 0 && onCol < curCol {
		marks = [2]int{onCol, curCol}
	}
	pos := 0
	for _, c := range marks {
		if c < pos || c >= w {
			continue
		}
		if c > pos {
			writeRun(b, style, data[pos:c])
		}
		ch := data[c]
		st := m.paint.onset
		if c == curCol {
			st = m.paint.cursor
			if ch == ' ' {
				ch = '│'
			} else {
				st = m.paint.hit
			}
		} else if ch == ' ' {
			ch = '┆'
		}
		st.write(b, string(ch))
		pos = c + 1
	}
	if pos < w {
		writeRun(b, style, data[pos:])
	}
}

// writeRun writes runes in a style, leaving the trailing blanks unstyled.
func writeRun(b *strings.Builder, st seg, r []rune) {
	end := len(r)
	for end > 0 && r[end-1] == ' ' {
		end--
	}
	if end > 0 {
		st.write(b, string(r[:end]))
	}
	for range len(r) - end {
		b.WriteByte(' ')
	}
}

// axis writes the shared time axis: a rule with ticks and the tick labels.
func (m Model) axis(b *strings.Builder, cols columns, w, curCol int) {
	rule := []rune(strings.Repeat("─", w))
	labels := []rune(strings.Repeat(" ", w+8))
	t0, t1 := m.grid.Time(m.lo), m.grid.Time(m.hi)
	iv := tickInterval(t1.Sub(t0), w, 8)
	layout := timeLayout(iv, false)
	lw := len(layout)
	last := -lw - 2
	for t := t0.Truncate(iv); !t.After(t1); t = t.Add(iv) {
		if t.Before(t0) {
			continue
		}
		c := cols.of(m.grid.Index(t))
		if c < 0 || c >= w {
			continue
		}
		rule[c] = '┬'
		start := min(max(c-lw/2, 0), w+1-lw)
		if start <= last+1 || start < 0 {
			continue
		}
		copy(labels[start:], []rune(t.UTC().Format(layout)))
		last = start + lw
	}
	if curCol >= 0 && curCol < w {
		rule[curCol] = '▲'
	}
	m.paint.axis.write(b, strings.Repeat(" ", leftPad-1)+"└")
	if curCol >= 0 && curCol < w {
		m.paint.axis.write(b, string(rule[:curCol]))
		m.paint.cursor.write(b, "▲")
		m.paint.axis.write(b, string(rule[curCol+1:]))
	} else {
		m.paint.axis.write(b, string(rule))
	}
	b.WriteByte('\n')
	lab := strings.TrimRight(string(labels), " ")
	m.paint.axis.write(b, truncate(strings.Repeat(" ", leftPad)+lab, m.width))
}

// columns maps grid indices in [lo, hi] to w columns and back.
type columns struct{ lo, n, w int }

func newColumns(lo, hi, w int) columns { return columns{lo: lo, n: hi - lo + 1, w: max(w, 1)} }

// start is the first grid index of column c.
func (c columns) start(col int) int { return c.lo + col*c.n/c.w }

// end is one past the last grid index of column col.
func (c columns) end(col int) int { return max(c.lo+(col+1)*c.n/c.w, c.start(col)+1) }

// of returns the column holding grid index i (-1 when outside).
func (c columns) of(i int) int {
	if i < c.lo || i >= c.lo+c.n {
		return -1
	}
	return sort.Search(c.w, func(col int) bool { return c.lo+(col+1)*c.n/c.w > i })
}

// plot draws series s over the columns as h plain lines of leftPad+w runes
// at most (trailing spaces trimmed).
func plot(s Series, cols columns, w, h int) []string {
	pts := make([]float64, w+1)
	lo, hi := math.Inf(1), math.Inf(-1)
	// A column folding several points keeps the extreme farthest from the
	// visible range's typical level: a spike and the drop right after it
	// share a column, and the spike (or the drop) away from normal is what
	// the chart must show.
	ref := median(s.Values, cols.lo, cols.lo+cols.n)
	for c := range w {
		v := reduce(s.Kind, s.Values, cols.start(c), cols.end(c), ref)
		pts[c] = v
		if !math.IsNaN(v) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	// asciigraph draws the segment from point x to x+1 in column x: a copy
	// of the last point makes the last column drawn too.
	pts[w] = pts[w-1]
	integral := true
	for _, v := range pts {
		if !math.IsNaN(v) && v != math.Trunc(v) {
			integral = false
			break
		}
	}
	blank := make([]string, h)
	if math.IsInf(lo, 1) {
		blank[h/2] = strings.Repeat(" ", leftPad) + "no data in this range"
		return blank
	}
	opts := []asciigraph.Option{
		asciigraph.Height(max(h-1, 1)),
		asciigraph.Offset(offset),
		asciigraph.YAxisValueFormatter(func(v float64) string { return fmt.Sprintf("%*s", labelWidth, Humanize(snap(v, lo, hi))) }),
	}
	wholeLabels := asciigraph.YAxisValueFormatter(func(v float64) string {
		if r := math.Round(v); math.Abs(v-r) < 1e-6*max(1, math.Abs(v)) {
			return fmt.Sprintf("%*s", labelWidth, Humanize(r))
		}
		return strings.Repeat(" ", labelWidth)
	})
	if s.Kind == Events || s.Kind == State {
		// Counts and 0/1 states: the axis starts at 0 and labels only
		// whole numbers (a 0/1 state reads 0 and 1, not 0.25 steps).
		opts = append(opts, asciigraph.LowerBound(0), asciigraph.UpperBound(max(hi, 1)), wholeLabels)
	} else if integral && hi-lo <= float64(2*h) {
		// A count (pods, replicas) over a small range: no 1.91 pods.
		opts = append(opts, wholeLabels)
	}
	if s.Kind != Events && s.Kind != State && lo == hi {
		d := math.Max(math.Abs(lo)*0.1, 1)
		if lo >= 0 && lo-d < 0 {
			opts = append(opts, asciigraph.LowerBound(0), asciigraph.UpperBound(hi+d))
		} else {
			opts = append(opts, asciigraph.LowerBound(lo-d), asciigraph.UpperBound(hi+d))
		}
	}
	lines := strings.Split(asciigraph.Plot(pts, opts...), "\n")
	if h == 1 && len(lines) > 1 {
		// One row: keep the row holding the last point's level.
		return lines[len(lines)-1:]
	}
	switch {
	case len(lines) > h:
		lines = lines[:h]
	case len(lines) < h:
		copy(blank[h-len(lines):], lines)
		lines = blank
	}
	return lines
}

// snap reads a label value computed by the plot's arithmetic: a rounding
// residue next to zero (1e-14 on a 0..100 axis) is zero.
func snap(v, lo, hi float64) float64 {
	if math.Abs(v) < 1e-9*max(math.Abs(hi-lo), math.Abs(hi), math.Abs(lo)) {
		return 0
	}
	return v
}

// median is the median of the finite values of v[a:b] (NaN if none).
func median(v []float64, a, b int) float64 {
	a, b = max(a, 0), min(b, len(v))
	xs := make([]float64, 0, max(b-a, 0))
	for _, x := range v[a:max(a, b)] {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			xs = append(xs, x)
		}
	}
	if len(xs) == 0 {
		return math.NaN()
	}
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// reduce folds the points [a, b) of one column into one value: the
// maximum for events (a single event must stay visible), the last value for
// states, and for gauges the extreme (minimum or maximum) farther from ref
// (the typical level), so that neither a spike nor a drop is averaged away.
// Infinities count as absent.
func reduce(k Kind, v []float64, a, b int, prev float64) float64 {
	if a >= len(v) {
		return math.NaN()
	}
	b = min(b, len(v))
	sum, n, last := 0.0, 0, math.NaN()
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v[a:b] {
		x = value(k, x)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		sum += x
		n++
		last = x
		lo, hi = min(lo, x), max(hi, x)
	}
	switch {
	case n == 0:
		return math.NaN()
	case k == Events:
		return hi
	case k == State:
		return last
	}
	ref := prev
	if math.IsNaN(ref) {
		ref = sum / float64(n)
	}
	if math.Abs(lo-ref) > math.Abs(hi-ref) {
		return lo
	}
	return hi
}

// Humanize formats v in at most 6 characters with an SI suffix.
func Humanize(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 1e15:
		return fmt.Sprintf("%.1e", v)
	case a >= 1e12:
		return trimNum(v/1e12, "T")
	case a >= 1e9:
		return trimNum(v/1e9, "G")
	case a >= 1e6:
		return trimNum(v/1e6, "M")
	case a >= 1e4:
		return trimNum(v/1e3, "k")
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return trimZeros(fmt.Sprintf("%.1f", v))
	case a >= 0.01:
		return trimZeros(fmt.Sprintf("%.2f", v))
	case a >= 0.001:
		return trimZeros(fmt.Sprintf("%.3f", v))
	case a >= 0.0001 && v > 0:
		return trimZeros(fmt.Sprintf("%.4f", v))
	}
	return fmt.Sprintf("%.0e", v)
}

// trimZeros drops the trailing zeros of a decimal: 1.00 -> 1, 0.50 -> 0.5.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func trimNum(v float64, suffix string) string {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return fmt.Sprintf("%.0f%s", v, suffix)
	case a >= 10:
		return trimZeros(fmt.Sprintf("%.1f", v)) + suffix
	}
	return trimZeros(fmt.Sprintf("%.2f", v)) + suffix
}

// timeLayout picks a clock layout for a step: seconds only when they matter.
func timeLayout(step time.Duration, cursor bool) string {
	if step%time.Minute != 0 || cursor && step < time.Minute {
		return "15:04:05"
	}
	return "15:04"
}

// tickInterval picks a round tick interval that leaves gap columns per label.
func tickInterval(span time.Duration, w, gap int) time.Duration {
	steps := []time.Duration{
		10 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
		10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour,
		6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour,
	}
	maxTicks := max(w/gap, 1)
	for _, s := range steps {
		if int(span/s) <= maxTicks {
			return s
		}
	}
	return steps[len(steps)-1]
}

func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return min(max(v, lo), hi)
}
