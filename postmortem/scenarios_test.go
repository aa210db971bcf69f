package postmortem

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/scenarios"
	"github.com/causeway-sre/causeway/scenarios/source"
)

// TestScenarioMarkdown builds the report of every embedded scenario (the
// default bank over the embedded engine, then the analysis) and lints its
// markdown. With -update it also rewrites testdata/example-db-restart.md, the
// example postmortem shown to people (not compared: it follows the analysis).
func TestScenarioMarkdown(t *testing.T) {
	if testing.Short() {
		t.Skip("scenario reports: skipped in -short mode")
	}
	dir := t.TempDir()
	var files []string
	for _, name := range scenarios.Names() {
		src, w, _, err := source.New(name, source.DefaultSeed)
		if err != nil {
			t.Fatal(err)
		}
		bank := queries.DefaultBank()
		res := queries.Run(context.Background(), src, bank, w, queries.RunOptions{})
		rep := incident.Analyze(bank, res)
		meta := Meta{Source: src.Name(), GeneratedAt: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), Version: "test"}
		var md, js bytes.Buffer
		if err := Markdown(&md, rep, meta); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := JSON(&js, rep, meta); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		head := "# Postmortem: "
		if rep.Findings.Quiet {
			head = "# No incident found"
		}
		if !strings.HasPrefix(md.String(), head) || strings.Count(md.String(), "\n# ") != 0 {
			t.Errorf("%s: want exactly one H1 at the top, %q", name, head)
		}
		p := filepath.Join(dir, name+".md")
		if err := os.WriteFile(p, md.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
		if name == "db-restart" && *update {
			if err := os.WriteFile(filepath.Join("testdata", "example-db-restart.md"), md.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	markdownlint(t, files...)
}
