package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// collect runs the commands of a batch concurrently and returns the first
// message of type T (or fails after a while).
func collect[T tea.Msg](t *testing.T, cmd tea.Cmd) T {
	t.Helper()
	ch := make(chan tea.Msg, 16)
	for _, c := range batch(cmd) {
		go func() { ch <- c() }()
	}
	timeout := time.After(5 * time.Second)
	for {
		select {
		case msg := <-ch:
			if v, ok := msg.(T); ok {
				return v
			}
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					if c != nil {
						go func() { ch <- c() }()
					}
				}
			}
		case <-timeout:
			var zero T
			t.Fatalf("no %T arrived", zero)
			return zero
		}
	}
}

// Follow mode fetches only the points after the window's end and slides
// the window forward, keeping its length.
func TestFollowSlides(t *testing.T) {
	r := testReport()
	src := &fakeSource{report: r}
	opts := testOptions(src)
	opts.Live = true
	w := testWindow()
	opts.Now = func() time.Time { return w.To.Add(95 * time.Second) }
	m := New(opts, nil)
	m = send(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = send(t, m, analyzedMsg{id: m.runID, report: r})
	if s := m.header(); !contains(s, "paused") {
		t.Errorf("live source not following should say paused: %q", s)
	}
	mm, cmd := m.Update(press("F"))
	m = mm.(Model)
	if !m.followOn || !m.running || m.screen != screenMain {
		t.Fatalf("F: follow %v running %v screen %v", m.followOn, m.running, m.screen)
	}
	done := collect[runDoneMsg](t, cmd)
	if done.base == nil || done.res.Window.Points() != 3 {
		t.Fatalf("follow run fetched %d points (base %v), want the 3 new ones", done.res.Window.Points(), done.base != nil)
	}
	src.mu.Lock()
	for _, c := range src.calls {
		if !c.From.After(w.To) {
			t.Errorf("follow asked again for old data: %v", c)
		}
	}
	src.mu.Unlock()
	mm, cmd = m.Update(done)
	m = send(t, mm.(Model), cmd())
	if got := m.window; !got.To.Equal(w.To.Add(90*time.Second)) || got.Points() != w.Points() {
		t.Errorf("window after follow %v..%v (%d points), want it slid by 3 steps", got.From, got.To, got.Points())
	}
	if m.charts.Cursor() != w.Points()-1 {
		t.Errorf("cursor %d, want at now (the end)", m.charts.Cursor())
	}
	if s := m.header(); !contains(s, "live") {
		t.Errorf("header while following: %q", s)
	}
	// A tick of an earlier follow session is ignored; F again pauses.
	m = keys(t, m, "F")
	if _, c := m.Update(followTickMsg{gen: m.gen - 1}); c != nil {
		t.Error("stale follow tick started a run")
	}
	if m.followOn {
		t.Error("F did not pause")
	}
}

func contains(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
