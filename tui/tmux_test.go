package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/internal/testenv"
)

// TestTmuxDemo drives the real binary as a person would: `causeway demo` in
// a tmux of 80x24 and 160x48, keys sent one by one, the screen read back
// with capture-pane. It needs tmux and a build of ./cmd/causeway (or
// CAUSEWAY_BIN); it is skipped with -short.
func TestTmuxDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("tmux smoke test skipped in -short mode")
	}
	tmux := testenv.TmuxBinary(t)
	bin, err := testenv.CausewayBinary(t)
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			// The shell line shows the exit status once the program ends.
			s := testenv.NewTmux(t, tmux, sz.w, sz.h, fmt.Sprintf(`%s demo; echo "[exit $?]"; sleep 60`, bin))
			s.Exited = "[exit "
			// 30 s at most: the demo's first run evaluates the whole bank.
			waitFor := func(what string, cond func(string) bool) string {
				t.Helper()
				return s.WaitFor(what, 30*time.Second, cond)
			}
			screen := waitFor("the main view", func(sc string) bool {
				return strings.Contains(sc, "Root causes") && strings.Contains(sc, "cursor ")
			})
			t.Logf("demo at %dx%d:\n%s", sz.w, sz.h, screen)
			checkScreen(t, screen, sz.h)
			if !strings.Contains(screen, "▸") {
				t.Errorf("no selected chain or root cause:\n%s", screen)
			}

			// j selects the next item: the selected line changes.
			sel := selectedLine(screen)
			s.Send("j")
			screen = waitFor("j to move the selection", func(sc string) bool { return selectedLine(sc) != sel })

			// right moves the one cursor: its time changes, and every chart's value line is redrawn.
			cur := cursorTime(screen)
			s.Send("Right")
			screen = waitFor("the cursor to move", func(sc string) bool { return cursorTime(sc) != cur && cursorTime(sc) != "" })

			s.Send("?")
			waitFor("the help screen", func(sc string) bool { return strings.Contains(sc, "Commands") && strings.Contains(sc, "zoom") })
			s.Send("Escape")
			waitFor("the help to close", func(sc string) bool { return !strings.Contains(sc, "Commands") && strings.Contains(sc, "Root causes") })

			// Zoom in, back to the whole window, full screen and back.
			s.Send("+")
			waitFor("the zoom", func(sc string) bool { return strings.Contains(sc, "zoom 2.0x") })
			s.Send("0")
			waitFor("0 to reset the zoom", func(sc string) bool { return !strings.Contains(sc, "zoom 2.0x") })
			s.Send("f")
			waitFor("the full-screen chart", func(sc string) bool { return !strings.Contains(sc, "Root causes") && strings.Contains(sc, "cursor ") })
			s.Send("Escape")
			waitFor("full screen to close", func(sc string) bool { return strings.Contains(sc, "Root causes") })

			// Too small a terminal says so; back to the size, the layout returns.
			s.Resize(59, 19)
			waitFor("the too-small message", func(sc string) bool { return strings.Contains(sc, "at least 60x20") })
			s.Resize(sz.w, sz.h)
			waitFor("the layout after a resize", func(sc string) bool { return strings.Contains(sc, "Root causes") })

			s.Send("q")
			screen = waitFor("q to quit", func(sc string) bool { return strings.Contains(sc, "[exit ") })
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
