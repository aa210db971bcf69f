package postmortem

import (
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	"github.com/causeway-sre/causeway/incident"
)

// Template executes a user's Go text/template (causeway report --template
// FILE) over the postmortem's Data. Besides the built-in functions it has:
//
//	utc TIME            "2006-01-02 15:04:05" in UTC
//	clock TIME          "15:04:05" in UTC
//	rfc3339 TIME        RFC 3339 in UTC
//	duration DURATION   "1m30s"
//	md STRING           STRING escaped for a markdown paragraph or table cell
//	code STRING         STRING as a markdown code span
//	join LIST SEP       strings.Join
//	pct FLOAT           "12.5%" for a ratio
//	printf ...          as usual
//
// testdata/example.tmpl is a worked example (a short channel update) that
// the tests run on an incident and on a quiet window.
func Template(w io.Writer, r *incident.Report, meta Meta, tmplText string) error {
	t, err := template.New("postmortem").Funcs(Funcs()).Option("missingkey=error").Parse(tmplText)
	if err != nil {
		return fmt.Errorf("parse template: %w", err)
	}
	d, err := NewData(r, meta)
	if err != nil {
		return err
	}
	if err := t.Execute(w, d); err != nil {
		return fmt.Errorf("execute template: %w", err)
	}
	return nil
}

// Funcs are the functions a --template can call, beside text/template's own.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"utc":      stampHuman,
		"clock":    clock,
		"rfc3339":  stamp,
		"duration": func(d time.Duration) string { return lagText(d) },
		"md":       inline,
		"code":     code,
		"join":     strings.Join,
		"pct":      func(x float64) string { return value(x, "ratio") },
	}
}
