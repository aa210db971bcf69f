package tuidrill

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTmuxDrill plays `causeway drill spot-interruption` through the real
// binary in tmux, as a trainee would: a hint, a nodes signal marked as the
// root cause, a link, commit, the debrief, the export, quit.
func TestTmuxDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("tmux: skipped in -short mode")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed")
	}
	root := moduleRoot(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "causeway")
	build := exec.Command("go", "build", "-o", bin, "./cmd/causeway")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cmd/causeway does not build yet: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "drill", "--help").CombinedOutput(); err != nil {
		t.Skipf("causeway drill is not there yet (drill --help: %v)\n%s", err, out)
	}

	sock := fmt.Sprintf("causeway-drill-%d-%d", os.Getpid(), time.Now().UnixNano())
	card := filepath.Join(dir, "card.md")
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	shell := fmt.Sprintf("cd %s && %s drill spot-interruption --export %s; echo EXITED $?; sleep 30", dir, bin, card)
	run("new-session", "-d", "-s", "drill", "-x", "100", "-y", "30", shell)
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", sock, "kill-server").Run() })

	screen := func() string { return run("capture-pane", "-p", "-t", "drill") }
	send := func(keys ...string) { run(append([]string{"send-keys", "-t", "drill"}, keys...)...) }
	waitFor := func(what string, d time.Duration) string {
		t.Helper()
		deadline := time.Now().Add(d)
		for {
			s := screen()
			if strings.Contains(s, what) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q on the screen after %s:\n%s", what, d, s)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

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

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}
