package theme

import (
	"strings"
	"testing"
)

func TestNoColorHasNoColour(t *testing.T) {
	th := New(true, true)
	for name, s := range map[string]string{
		"selected": th.Selected.Render("x"), "error": th.Error.Render("x"), "cursor": th.Cursor.Render("x"),
		"series": th.SeriesStyle(3).Render("x"),
	} {
		if strings.Contains(s, "38;") || strings.Contains(s, "48;") {
			t.Errorf("%s has a colour with NO_COLOR: %q", name, s)
		}
	}
}

func TestLightAndDarkDiffer(t *testing.T) {
	dark, light := New(true, false), New(false, false)
	if dark.Header.Render("x") == light.Header.Render("x") {
		t.Error("light and dark backgrounds get the same header colour")
	}
	if len(dark.Series) < 5 {
		t.Errorf("%d series colours", len(dark.Series))
	}
}
