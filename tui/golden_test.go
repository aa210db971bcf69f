package tui

import (
	"fmt"
	"testing"
)

// TestGoldenScreens pins the ANSI-stripped screens at 80x24 and 160x48.
func TestGoldenScreens(t *testing.T) {
	cases := []struct {
		name string
		keys []string
	}{
		{"main", nil},
		{"cursor", []string{"right", "right", "+", "left"}},
		{"evidence", []string{"enter"}},
		{"help", []string{"?"}},
		{"fullscreen", []string{"tab", "j", "f"}},
		{"rootcause", []string{"j", "j"}},
	}
	for _, sz := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		for _, c := range cases {
			name := fmt.Sprintf("%s_%dx%d", c.name, sz.w, sz.h)
			t.Run(name, func(t *testing.T) {
				m := mainModel(t, sz.w, sz.h)
				m = keys(t, m, c.keys...)
				got := screenText(m)
				checkFits(t, name, got, sz.w, sz.h)
				golden(t, name, got)
			})
		}
	}
}
