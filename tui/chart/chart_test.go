package chart

import (
	"github.com/causeway-sre/causeway/internal/testenv"

	"flag"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// testSeries builds n charts of points values: a flat baseline with a
// step (or a burst of events) starting at a different onset in each.
func testSeries(n, points int) (Grid, []Series) {
	g := Grid{Start: t0, Step: 30 * time.Second, N: points}
	var out []Series
	for k := range n {
		onset := points/2 + k*points/40
		v := make([]float64, points)
		kind := Gauge
		if k%3 == 1 {
			kind = Events
		}
		for i := range v {
			base := 100 + 10*math.Sin(float64(i+k)/7)
			switch {
			case kind == Events && i >= onset && (i-onset)%9 == 0:
				v[i] = 1
			case kind == Events:
				v[i] = 0
			case i >= onset:
				v[i] = base * float64(2+k)
			default:
				v[i] = base
			}
		}
		out = append(out, Series{Title: fmt.Sprintf("signal_%d{pod=\"web-%d\"}", k, k), Unit: "MiB", Kind: kind, Values: v, Onset: onset})
	}
	return g, out
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	testenv.Golden(t, name+".golden", []byte(got), *update)
}

func TestGolden(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 16}, {120, 30}} {
		g, s := testSeries(3, 240)
		m := New(WithSize(sz.w, sz.h))
		m.SetData(g, s)
		m.SetCursor(150)
		got := ansi.Strip(m.View())
		for i, l := range strings.Split(got, "\n") {
			if w := ansi.StringWidth(l); w > sz.w {
				t.Errorf("%dx%d line %d is %d wide: %q", sz.w, sz.h, i, w, l)
			}
		}
		if n := strings.Count(got, "\n") + 1; n > sz.h {
			t.Errorf("%dx%d: %d lines", sz.w, sz.h, n)
		}
		golden(t, fmt.Sprintf("stack_%dx%d", sz.w, sz.h), got)
	}
}

// BenchmarkRender measures the drawing of 8 charts at 160x48: "cold" is a
// new data version (every plot drawn by asciigraph), "cursor" a cursor move
// (plots from the cache, overlay and composition redone), "view" what View
// costs per frame.
func BenchmarkRender(b *testing.B) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		g, s := testSeries(8, 480)
		m := New(WithSize(sz.w, sz.h))
		m.SetData(g, s)
		b.Run(fmt.Sprintf("cold/8x%dx%d", sz.w, sz.h), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.SetData(g, s)
			}
		})
		b.Run(fmt.Sprintf("cursor/8x%dx%d", sz.w, sz.h), func(b *testing.B) {
			b.ReportAllocs()
			right := press("right")
			for b.Loop() {
				m, _ = m.Update(right)
				if m.Cursor() == g.N-1 {
					m.SetCursor(0)
				}
			}
		})
		b.Run(fmt.Sprintf("view/8x%dx%d", sz.w, sz.h), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

func TestColumns(t *testing.T) {
	for _, tc := range []struct{ lo, hi, w int }{{0, 180, 70}, {0, 9, 70}, {5, 500, 131}, {0, 69, 70}, {3, 3, 10}} {
		c := newColumns(tc.lo, tc.hi, tc.w)
		prev := -1
		for i := tc.lo; i <= tc.hi; i++ {
			col := c.of(i)
			if col < 0 || col >= tc.w {
				t.Fatalf("%+v: index %d -> column %d out of range", tc, i, col)
			}
			if col < prev {
				t.Fatalf("%+v: columns not monotonic at %d", tc, i)
			}
			if i < c.start(col) || i >= c.end(col) {
				t.Fatalf("%+v: index %d in column %d [%d,%d)", tc, i, col, c.start(col), c.end(col))
			}
			prev = col
		}
		if c.of(tc.lo-1) != -1 || c.of(tc.hi+1) != -1 {
			t.Errorf("%+v: outside indices should map to -1", tc)
		}
	}
}

func TestUpdateKeys(t *testing.T) {
	g, s := testSeries(3, 240)
	m := New(WithSize(100, 30))
	m.SetData(g, s)
	if m.Cursor() != 239 {
		t.Fatalf("cursor starts at %d, want the end", m.Cursor())
	}
	m.SetCursor(120)
	m, _ = m.Update(press("right"))
	if m.Cursor() <= 120 {
		t.Errorf("right: cursor %d", m.Cursor())
	}
	m, _ = m.Update(press("+"))
	lo, hi := m.Range()
	if hi-lo+1 != 120 || m.Cursor() < lo || m.Cursor() > hi {
		t.Errorf("zoom in: range %d-%d, cursor %d", lo, hi, m.Cursor())
	}
	for range 10 {
		m, _ = m.Update(press("+"))
	}
	if lo, hi = m.Range(); hi-lo+1 != minPoints {
		t.Errorf("zoom stops at %d points, got %d", minPoints, hi-lo+1)
	}
	// Moving the cursor past the visible range pans.
	for range 20 {
		m, _ = m.Update(press("right"))
	}
	if lo2, hi2 := m.Range(); lo2 <= lo || m.Cursor() != hi2 {
		t.Errorf("cursor past the edge: range %d-%d cursor %d", lo2, hi2, m.Cursor())
	}
	m, _ = m.Update(press("0"))
	if lo, hi = m.Range(); lo != 0 || hi != 239 || m.Cursor() != 239 {
		t.Errorf("0: range %d-%d cursor %d", lo, hi, m.Cursor())
	}
	m, _ = m.Update(press("]"))
	if lo2, _ := m.Range(); lo2 != 0 {
		t.Errorf("pan past the end moved the range to %d", lo2)
	}
	m, _ = m.Update(press("3"))
	if !m.Hidden(2) || strings.Contains(m.View(), "signal_2") {
		t.Error("3 did not hide chart 3")
	}
	m, _ = m.Update(press("9")) // no chart 9: nothing happens
	m, _ = m.Update(press("f"))
	if !m.Fullscreen() || strings.Contains(m.View(), "signal_1") {
		t.Error("f did not show one chart")
	}
}

func TestEdgeData(t *testing.T) {
	g := Grid{Start: t0, Step: time.Minute, N: 60}
	nan := make([]float64, 60)
	flat := make([]float64, 60)
	for i := range nan {
		nan[i] = math.NaN()
		flat[i] = 5
	}
	flat[10] = math.Inf(1)
	m := New(WithSize(80, 20))
	m.SetData(g, []Series{{Title: "empty", Values: nan, Onset: -1}, {Title: "flat", Values: flat, Onset: 99}, {Title: "short", Values: flat[:3], Onset: -1}})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "no data in this range") {
		t.Errorf("all-NaN series not explained:\n%s", v)
	}
	if strings.Count(v, "\n")+1 > 20 {
		t.Errorf("view taller than 20:\n%s", v)
	}
	m.SetSize(5, 2) // too small: empty, no panic
	if m.View() != "" {
		t.Errorf("tiny view = %q", m.View())
	}
	empty := New(WithSize(80, 20))
	if !strings.Contains(empty.View(), "no signals") {
		t.Errorf("empty stack view = %q", empty.View())
	}
}

func TestHumanize(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 1: "1", 12.34: "12.3", 512: "512", 12345: "12.3k",
		2.5e6: "2.5M", 3e9: "3G", -0.5: "-0.5", 79: "79", 0.32: "0.32", 1.13e9: "1.13G", 0.004: "0.004", 1e-5: "1e-05", 123e12: "123T"} {
		if got := Humanize(v); got != want || len(got) > labelWidth {
			t.Errorf("Humanize(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestReduceKeepsSpikesAndDrops(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		kind Kind
		v    []float64
		prev float64
		want float64
	}{
		{Gauge, []float64{1, 9, 1}, 1, 9},
		{Gauge, []float64{5, 0, 5}, 5, 0},
		{Gauge, []float64{2, 4}, nan, 4},
		{Events, []float64{0, 1, 0}, 0, 1},
		{State, []float64{1, 0, nan}, 1, 0},
		{Gauge, []float64{nan, math.Inf(1)}, 1, nan},
		// A spike and the drop after it in one column: the spike is
		// farther from the typical level 0.65.
		{Gauge, []float64{1.0, 0.4, 0.62}, 0.65, 1.0},
	} {
		got := reduce(tc.kind, tc.v, 0, len(tc.v), tc.prev)
		if got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("reduce(%s, %v, prev %v) = %v, want %v", tc.kind, tc.v, tc.prev, got, tc.want)
		}
	}
}

// A 0/1 state or an events count with absent points (the bank's "absent
// means 0") is drawn on a 0..max axis with whole-number labels, and its
// value at an absent point is 0, not "–".
func TestStateAxisAndAbsentZero(t *testing.T) {
	nan := math.NaN()
	g := Grid{Start: time.Unix(0, 0), Step: time.Minute, N: 40}
	v := make([]float64, 40)
	for i := range v {
		v[i] = nan
	}
	for i := 20; i < 25; i++ {
		v[i] = 1
	}
	m := New(WithSize(60, 12))
	m.SetData(g, []Series{{Title: "node_gone", Unit: "bool", Kind: State, Values: v, Onset: 20}})
	m.SetCursor(5)
	if got := m.ValueAt(0); got != 0 {
		t.Fatalf("value at an absent state point = %v, want 0", got)
	}
	view := ansi.Strip(m.View())
	if strings.Contains(view, "2 ┤") || strings.Contains(view, "0.5") || strings.Contains(view, "bool") {
		t.Errorf("state chart axis should read 0 and 1 only, no unit bool:\n%s", view)
	}
	if !strings.Contains(view, "1 ┤") || !strings.Contains(view, "0 ┼") {
		t.Errorf("state chart should label 1 and 0:\n%s", view)
	}
	if !strings.Contains(view, "= 0") {
		t.Errorf("value at cursor should read 0:\n%s", view)
	}
}

// Where the cursor crosses the drawn line the cell is reversed, so the
// cursor column is visible in every row of every chart.
func TestCursorVisibleOnLine(t *testing.T) {
	g := Grid{Start: time.Unix(0, 0), Step: time.Minute, N: 40}
	v := make([]float64, 40)
	m := New(WithSize(60, 8), WithStyles(Styles{Cursor: lipgloss.NewStyle().Bold(true)}))
	m.SetData(g, []Series{{Title: "flat", Kind: Gauge, Values: v, Onset: -1}})
	m.SetCursor(10)
	if !strings.Contains(m.View(), "\x1b[1;7m") && !strings.Contains(m.View(), "\x1b[7;1m") {
		t.Errorf("no reversed cursor cell on the line:\n%q", m.View())
	}
}

func TestSnapResidue(t *testing.T) {
	if got := snap(1e-14, 0, 97.8); got != 0 {
		t.Errorf("snap(1e-14) = %v", got)
	}
	if got := snap(0.004, 0, 0.01); got != 0.004 {
		t.Errorf("snap(0.004) = %v", got)
	}
}
