package cmdline

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Command
		wantErr string
	}{
		{in: "window now-2h now", want: Command{Verb: Window, From: "now-2h", To: "now"}},
		{in: ":window now-30m", want: Command{Verb: Window, From: "now-30m"}},
		{in: "w 2026-11-21T10:00:00Z 2026-11-21T11:00:00Z", want: Command{Verb: Window, From: "2026-11-21T10:00:00Z", To: "2026-11-21T11:00:00Z"}},
		{in: "window", wantErr: "usage: :window"},
		{in: "window a b c", wantErr: "usage: :window"},
		{in: "step 30s", want: Command{Verb: Step, Value: "30s"}},
		{in: "step", wantErr: "usage: :step"},
		{in: `selector namespace="web", pod=~"web-.*"`, want: Command{Verb: Selector, Value: `namespace="web", pod=~"web-.*"`}},
		{in: "selector", want: Command{Verb: Selector}},
		{in: "export", want: Command{Verb: Export}},
		{in: "export now", wantErr: "takes no arguments"},
		{in: "q", want: Command{Verb: Quit}},
		{in: "quit", want: Command{Verb: Quit}},
		{in: "rerun", want: Command{Verb: Rerun}},
		{in: "  ", wantErr: "empty"},
		{in: "frob", wantErr: `unknown command "frob"`},
	} {
		got, err := Parse(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse(%q) error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"window now-1h now", "step 1m", `selector a="b"`, "q", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err == nil && c.Verb == "" {
			t.Errorf("Parse(%q) gave no verb and no error", s)
		}
	})
}

func TestPrompt(t *testing.T) {
	m := New()
	if m.View() != "" {
		t.Error("closed prompt draws something")
	}
	m.Open(":", "")
	for _, r := range "step 1m" {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	if !strings.Contains(ansi.Strip(m.View()), ":step 1m") {
		t.Errorf("view %q", m.View())
	}
	m, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if m.IsOpen() || cmd == nil {
		t.Fatal("enter did not close and submit")
	}
	if got, ok := cmd().(SubmitMsg); !ok || got.Value != "step 1m" || got.Prompt != ":" {
		t.Errorf("submit = %#v", got)
	}
	m.Open("/", "x")
	m, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if _, ok := cmd().(CancelMsg); !ok || m.IsOpen() {
		t.Error("esc did not cancel")
	}
}
