package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTmuxDemo drives the real binary as a person would: `causeway demo` in
// a tmux of 80x24 and 160x48, keys sent one by one, the screen read back
// with capture-pane. It needs tmux and a build of ./cmd/causeway (or
// CAUSEWAY_BIN); it is skipped with -short.
func TestTmuxDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("tmux smoke test skipped in -short mode")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (apt-get install tmux)")
	}
	// CAUSEWAY_BIN names an already built binary (e.g. from `make build`).
	bin := os.Getenv("CAUSEWAY_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "causeway")
		build := exec.Command("go", "build", "-o", bin, "./cmd/causeway")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building ./cmd/causeway: %v\n%s", err, out)
		}
	}
	for _, sz := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			// The shell line shows the exit status once the program ends.
			s := newTmux(t, tmux, sz.w, sz.h, fmt.Sprintf(`%s demo; echo "[exit $?]"; sleep 60`, bin))
			screen := s.waitFor("the main view", func(sc string) bool {
				return strings.Contains(sc, "Root causes") && strings.Contains(sc, "cursor ")
			})
			t.Logf("demo at %dx%d:\n%s", sz.w, sz.h, screen)
			checkScreen(t, screen, sz.h)
			if !strings.Contains(screen, "▸") {
				t.Errorf("no selected chain or root cause:\n%s", screen)
			}

			// j selects the next item: the selected line changes.
			sel := selectedLine(screen)
			s.send("j")
			screen = s.waitFor("j to move the selection", func(sc string) bool { return selectedLine(sc) != sel })

			// right moves the one cursor: its time changes, and every chart's value line is redrawn.
			cur := cursorTime(screen)
			s.send("Right")
			screen = s.waitFor("the cursor to move", func(sc string) bool { return cursorTime(sc) != cur && cursorTime(sc) != "" })

			s.send("?")
			s.waitFor("the help screen", func(sc string) bool { return strings.Contains(sc, "Commands") && strings.Contains(sc, "zoom") })
			s.send("Escape")
			s.waitFor("the help to close", func(sc string) bool { return !strings.Contains(sc, "Commands") && strings.Contains(sc, "Root causes") })

			// Zoom in, back to the whole window, full screen and back.
			s.send("+")
			s.waitFor("the zoom", func(sc string) bool { return strings.Contains(sc, "zoom 2.0x") })
			s.send("0")
			s.waitFor("0 to reset the zoom", func(sc string) bool { return !strings.Contains(sc, "zoom 2.0x") })
			s.send("f")
			s.waitFor("the full-screen chart", func(sc string) bool { return !strings.Contains(sc, "Root causes") && strings.Contains(sc, "cursor ") })
			s.send("Escape")
			s.waitFor("full screen to close", func(sc string) bool { return strings.Contains(sc, "Root causes") })

			// Too small a terminal says so; back to the size, the layout returns.
			s.resize(59, 19)
			s.waitFor("the too-small message", func(sc string) bool { return strings.Contains(sc, "at least 60x20") })
			s.resize(sz.w, sz.h)
			s.waitFor("the layout after a resize", func(sc string) bool { return strings.Contains(sc, "Root causes") })

			s.send("q")
			screen = s.waitFor("q to quit", func(sc string) bool { return strings.Contains(sc, "[exit ") })
			if !strings.Contains(screen, "[exit 0]") {
				t.Errorf("causeway demo did not exit with 0:\n%s", screen)
			}
		})
	}
}

var cursorRE = regexp.MustCompile(`cursor (\d\d:\d\d(:\d\d)?)`)

func cursorTime(screen string) string {
	m := cursorRE.FindStringSubmatch(screen)
	if m == nil {
		return ""
	}
	return m[1]
}

func selectedLine(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if i := strings.Index(l, "▸"); i >= 0 {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func checkScreen(t *testing.T, screen string, h int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) > h {
		t.Errorf("%d lines on a %d-line terminal", len(lines), h)
	}
	if strings.Contains(screen, "panic") || strings.Contains(screen, "goroutine ") {
		t.Errorf("the binary crashed:\n%s", screen)
	}
}

// tmuxSession is one program in a private tmux server.
type tmuxSession struct {
	t      *testing.T
	tmux   string
	socket string
}

func newTmux(t *testing.T, tmux string, w, h int, command string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{t: t, tmux: tmux, socket: fmt.Sprintf("causeway-%d-%d", os.Getpid(), time.Now().UnixNano())}
	cmd := exec.Command(tmux, "-L", s.socket, "-f", "/dev/null", "new-session", "-d", "-s", "s",
		"-x", fmt.Sprint(w), "-y", fmt.Sprint(h), command)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	args := append([]string{"-L", s.socket, "send-keys", "-t", "s"}, keys...)
	if out, err := exec.Command(s.tmux, args...).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys %v: %v\n%s", keys, err, out)
	}
}

func (s *tmuxSession) resize(w, h int) {
	s.t.Helper()
	if out, err := exec.Command(s.tmux, "-L", s.socket, "resize-window", "-t", "s", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux resize-window: %v\n%s", err, out)
	}
}

func (s *tmuxSession) capture() string {
	out, err := exec.Command(s.tmux, "-L", s.socket, "capture-pane", "-p", "-t", "s").CombinedOutput()
	if err != nil {
		return ""
	}
	return string(out)
}

// waitFor polls the screen until cond holds (30 s at most: the demo's first
// run evaluates the whole bank).
func (s *tmuxSession) waitFor(what string, cond func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.capture()
		if cond(screen) {
			return screen
		}
		if strings.Contains(screen, "[exit ") {
			s.t.Fatalf("the program exited while waiting for %s; last screen:\n%s", what, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, screen)
	return ""
}
