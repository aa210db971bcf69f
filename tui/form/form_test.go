package form

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

func TestForm(t *testing.T) {
	var seen map[string]string
	m := New([]Field{{Key: "from", Label: "From", Placeholder: "now-1h"}, {Key: "to", Label: "To", Value: "now"}},
		WithTitle("Window?"),
		WithValidate(func(v map[string]string) error {
			seen = v
			if v["from"] == "" {
				return errors.New("from is required")
			}
			return nil
		}))
	m.SetWidth(60)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "now-1h") || !strings.Contains(v, "Window?") {
		t.Errorf("view:\n%s", v)
	}
	m, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd != nil || m.Err() == nil || !strings.Contains(ansi.Strip(m.View()), "from is required") {
		t.Fatalf("empty from accepted")
	}
	m = typeText(m, "now-2h")
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	m = typeText(m, "-5m")
	m, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatalf("valid form not submitted: %v", m.Err())
	}
	sub, ok := cmd().(SubmitMsg)
	if !ok || sub.Values["from"] != "now-2h" || sub.Values["to"] != "now-5m" || seen["to"] != "now-5m" {
		t.Errorf("submitted %#v", sub)
	}
	_, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if _, ok := cmd().(CancelMsg); !ok {
		t.Error("esc did not cancel")
	}
}
