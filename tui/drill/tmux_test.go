package tuidrill

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/internal/testenv"
)

// TestTmuxDrill plays `causeway drill spot-interruption` through the real
// binary in tmux, as a trainee would: a hint, a nodes signal marked as the
// root cause, a link, commit, the debrief, the export, quit.
func TestTmuxDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("tmux: skipped in -short mode")
	}
	tmux := testenv.TmuxBinary(t)
	bin, err := testenv.CausewayBinary(t)
	if err != nil {
		t.Skipf("cmd/causeway does not build yet: %v", err)
	}
	if out, err := exec.Command(bin, "drill", "--help").CombinedOutput(); err != nil {
		t.Skipf("causeway drill is not there yet (drill --help: %v)\n%s", err, out)
	}

	dir := t.TempDir()
	card := filepath.Join(dir, "card.md")
	shell := fmt.Sprintf("cd %s && %s drill spot-interruption --export %s; echo EXITED $?; sleep 30", dir, bin, card)
	tm := testenv.NewTmux(t, tmux, 100, 30, shell)
	screen, send, waitFor := tm.Screen, tm.Send, tm.WaitForText

	waitFor("Paged:", 90*time.Second)
	waitFor("⏱", 5*time.Second)
	send("h")
	waitFor("Take hint 1", 5*time.Second)
	send("y")
	waitFor("Hint 1: Look at the nodes signals.", 5*time.Second)

	// Walk the signal list to a nodes signal, the way the hint says.
	send("g")
	found := false
	for range 60 {
		time.Sleep(150 * time.Millisecond)
		if sel := selectedRow(screen()); strings.Contains(sel, " nodes ") {
			found = true
			break
		}
		send("j")
	}
	if !found {
		t.Fatalf("no nodes signal in the list:\n%s", screen())
	}
	send("m")
	waitFor("Root cause nodes", 5*time.Second)
	send("j", "a")
	send("c")
	waitFor("Commit nodes as the root cause", 5*time.Second)
	send("y")
	s := waitFor("grade", 10*time.Second)
	for _, want := range []string{"/100", "root cause", "The answer", "took"} {
		if !strings.Contains(s, want) {
			t.Errorf("debrief lacks %q:\n%s", want, s)
		}
	}
	waitFor("scorecard written to", 10*time.Second)
	md, err := os.ReadFile(card)
	if err != nil {
		t.Fatalf("--export: %v", err)
	}
	if !strings.Contains(string(md), "# Drill scorecard: spot-interruption") || !strings.Contains(string(md), "Hints taken: 1.") {
		t.Errorf("scorecard:\n%s", md)
	}
	send("q")
	waitFor("EXITED 0", 10*time.Second)
	t.Logf("debrief at 100x30:\n%s", s)
}

// selectedRow returns the row of the signal list marked ▸ ("" if none).
func selectedRow(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		left, _, ok := strings.Cut(l, "│")
		if ok && strings.HasPrefix(left, "▸") {
			return left
		}
	}
	return ""
}
