package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TmuxBinary returns the path of tmux, skipping the test when it is absent.
func TmuxBinary(t testing.TB) string {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (apt-get install tmux)")
	}
	return tmux
}

// Tmux is one shell command running in a private tmux server of a fixed
// size, driven with send-keys and read back with capture-pane.
type Tmux struct {
	// Exited, when set, is text the command prints once the program under
	// test has ended: WaitFor then fails at once instead of at its limit.
	Exited string

	t      testing.TB
	tmux   string
	socket string
}

// NewTmux starts command in a w x h tmux session; the server is killed in
// t.Cleanup.
func NewTmux(t testing.TB, tmux string, w, h int, command string) *Tmux {
	t.Helper()
	s := &Tmux{t: t, tmux: tmux, socket: fmt.Sprintf("causeway-%d-%d", os.Getpid(), time.Now().UnixNano())}
	cmd := exec.Command(tmux, "-L", s.socket, "-f", "/dev/null", "new-session", "-d", "-s", "s",
		"-x", fmt.Sprint(w), "-y", fmt.Sprint(h), command)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *Tmux) run(args ...string) (string, error) {
	out, err := exec.Command(s.tmux, append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("tmux %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Send types keys (tmux key names: "j", "Escape", "Right", ...).
func (s *Tmux) Send(keys ...string) {
	s.t.Helper()
	if _, err := s.run(append([]string{"send-keys", "-t", "s"}, keys...)...); err != nil {
		s.t.Fatal(err)
	}
}

// Resize changes the window size.
func (s *Tmux) Resize(w, h int) {
	s.t.Helper()
	if _, err := s.run("resize-window", "-t", "s", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)); err != nil {
		s.t.Fatal(err)
	}
}

// Screen returns the visible pane as text.
func (s *Tmux) Screen() string {
	s.t.Helper()
	out, err := s.run("capture-pane", "-p", "-t", "s")
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// WaitFor polls the screen until cond holds and returns it; it fails the test
// after limit, or as soon as s.Exited shows. what names the awaited state in
// the failure message.
func (s *Tmux) WaitFor(what string, limit time.Duration, cond func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	var screen string
	for time.Now().Before(deadline) {
		screen, _ = s.run("capture-pane", "-p", "-t", "s")
		if cond(screen) {
			return screen
		}
		if s.Exited != "" && strings.Contains(screen, s.Exited) {
			s.t.Fatalf("the program exited while waiting for %s; last screen:\n%s", what, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("timed out after %s waiting for %s; screen:\n%s", limit, what, screen)
	return ""
}

// WaitForText is WaitFor until the screen contains text.
func (s *Tmux) WaitForText(text string, limit time.Duration) string {
	s.t.Helper()
	return s.WaitFor(fmt.Sprintf("%q", text), limit, func(screen string) bool { return strings.Contains(screen, text) })
}
