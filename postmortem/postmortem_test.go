package postmortem

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

func testMeta() Meta {
	return Meta{
		Source:      "prometheus http://admin:secret@prom.example:9090/?x=1",
		GeneratedAt: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC),
		Version:     "v0.1.0-test",
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testenv.Golden(t, name, got, *update)
}

func TestJSONGolden(t *testing.T) {
	for name, r := range map[string]func() Meta{"incident": testMeta, "quiet": func() Meta { return Meta{} }} {
		t.Run(name, func(t *testing.T) {
			rep := fixtureReport()
			if name == "quiet" {
				rep = quietReport()
			}
			var a, b bytes.Buffer
			if err := JSON(&a, rep, r()); err != nil {
				t.Fatal(err)
			}
			if err := JSON(&b, rep, r()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two renderings of the same report differ")
			}
			golden(t, name+".json.golden", a.Bytes())
		})
	}
}

// TestJSONShape checks the promises of INTERFACES.md on the decoded document.
func TestJSONShape(t *testing.T) {
	for _, rep := range []string{"incident", "quiet"} {
		r := fixtureReport()
		if rep == "quiet" {
			r = quietReport()
			r.Findings = nil // a report without analysis still renders
		}
		var buf bytes.Buffer
		if err := JSON(&buf, r, Meta{}); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"queries", "root_causes", "chains", "timeline", "events", "warnings"} {
			if _, ok := doc[k].([]any); !ok {
				t.Errorf("%s: %q is %T, want an array", rep, k, doc[k])
			}
		}
		win := doc["window"].(map[string]any)
		for _, k := range []string{"from", "to"} {
			if _, err := time.Parse(time.RFC3339, win[k].(string)); err != nil || !strings.HasSuffix(win[k].(string), "Z") {
				t.Errorf("%s: window.%s = %v, want RFC 3339 UTC", rep, k, win[k])
			}
		}
		if win["step_seconds"].(float64) != 30 {
			t.Errorf("step_seconds = %v", win["step_seconds"])
		}
		check := func(where string, m any) {
			if _, ok := m.(map[string]any)["entity"].(map[string]any); !ok {
				t.Errorf("%s: %s.entity is not an object", rep, where)
			}
		}
		for _, rc := range doc["root_causes"].([]any) {
			check("root_causes[]", rc)
		}
		for _, c := range doc["chains"].([]any) {
			for _, s := range c.(map[string]any)["steps"].([]any) {
				check("steps[]", s)
			}
		}
		for _, e := range doc["timeline"].([]any) {
			check("timeline[]", e)
		}
		for _, q := range doc["queries"].([]any) {
			qm := q.(map[string]any)
			for _, k := range []string{"id", "family", "series", "error"} {
				if _, ok := qm[k]; !ok {
					t.Errorf("%s: query lacks %q", rep, k)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := JSON(&buf, nil, Meta{}); err == nil {
		t.Error("JSON of a nil report: want an error")
	}
}

// TestJSONSourceOnly: the source is the only field that depends on meta.
func TestJSONSourceOnly(t *testing.T) {
	var a, b bytes.Buffer
	if err := JSON(&a, fixtureReport(), testMeta()); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&b, fixtureReport(), Meta{Source: "bundle x.cwb", GeneratedAt: time.Now(), Version: "other"}); err != nil {
		t.Fatal(err)
	}
	var da, db map[string]any
	_ = json.Unmarshal(a.Bytes(), &da)
	_ = json.Unmarshal(b.Bytes(), &db)
	delete(da, "source")
	delete(db, "source")
	ja, _ := json.Marshal(da)
	jb, _ := json.Marshal(db)
	if !bytes.Equal(ja, jb) {
		t.Errorf("reports differ beyond source:\n%s\n%s", ja, jb)
	}
}

func renderMarkdown(t *testing.T, name string) []byte {
	t.Helper()
	rep, meta := fixtureReport(), testMeta()
	if name == "quiet" {
		rep, meta = quietReport(), Meta{Source: "scenario quiet"}
	}
	var buf bytes.Buffer
	if err := Markdown(&buf, rep, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMarkdownGolden(t *testing.T) {
	for _, name := range []string{"incident", "quiet"} {
		t.Run(name, func(t *testing.T) {
			got := renderMarkdown(t, name)
			if !bytes.Equal(got, renderMarkdown(t, name)) {
				t.Fatal("two renderings of the same report differ")
			}
			golden(t, name+".md.golden", got)
		})
	}
}

func TestMarkdownContent(t *testing.T) {
	md := string(renderMarkdown(t, "incident"))
	for _, want := range []string{
		"# Postmortem: Database restarts on instance mysql-0:9104: 1 event, 2026-11-21 10:05 UTC\n",
		"\nDatabase restarts on instance mysql-0:9104: 1 event at 10:05:00 UTC; then DB connections / max of instance mysql-0:9104" +
			" rose to 97.0%, its limit (normal 20.0%) (+1m); then Ingress 5xx ratio of ingress shop in web rose from 0.1% to 12.5%" +
			" for 8m30s (+30s).\n",
		"| error rate: Ingress 5xx ratio | ingress shop in web | 0.1% | 12.5% | 10:06:30 | 8m30s (10:06:30 to 10:15:00) |",
		"| availability: Running pods | namespace web | 6 | 3 | 10:07:00 | 3m (10:07:00 to 10:10:00) |",
		"## Warnings and failed queries",
		"- Query `node_not_ready` failed: bad\\_data: 1:5: parse error: unexpected \\<op:==\\>",
		"- Run warning: kubernetes: events of namespace kube-system are forbidden",
		"- `ingress_5xx_ratio`: PromQL info: metric might not be a counter",
		"## Kubernetes events",
		"| 10:05:10 | BackOff | `pod/web-1` | web | Back-off restarting failed container \\| app in pod web-1\\_web(\\*) | Warning | 3 |",
		"| **10:06:00** | 1.2 | **DB connections / max of instance mysql-0:9104 rose to 97.0%, its limit (normal 20.0%)** |",
		"| **10:05:00** | 1.1, 2.1 | **Database restarts on instance mysql-0:9104: 1 event** | none in the baseline |",
		"### Minor changes",
		"### Chain 1: Database restarts → DB connections / max → Ingress 5xx ratio (score 0.88)",
		"Link: r=0.91, p\\<0.01; tied by topology; known cause in the bank.",
		"```text\n",
		"## Action items",
		"### What went wrong",
		"### Trigger",
		"```promql\nsum by (namespace, ingress) (rate(x{status=~\"5..\"}[2m]))\n```",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// No raw selector syntax or long bank titles in the prose.
	for _, bad := range []string{"db_restarts{", "instance=mysql-0", "Running pods \\| per namespace |"} {
		if i := strings.Index(md, "## Appendix"); strings.Contains(md[:i], bad) {
			t.Errorf("markdown prose holds %q", bad)
		}
	}
	if strings.Count(md, "\n# ")+strings.Count(md[:2], "# ") != 1 {
		t.Error("want exactly one H1")
	}
	for i, line := range strings.Split(md, "\n") {
		if strings.TrimRight(line, " \t") != line {
			t.Errorf("line %d has trailing spaces: %q", i+1, line)
		}
	}
	if strings.Contains(md, "secret") || strings.Contains(md, "admin") {
		t.Error("the source's credentials leaked into the markdown")
	}
	// Timeline rows are in time order.
	var last string
	rows := 0
	inTimeline := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case line == "## Timeline":
			inTimeline = true
		case strings.HasPrefix(line, "## "):
			inTimeline = false
		case inTimeline && strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| Time") && !strings.HasPrefix(line, "| ---"):
			ts := strings.Trim(strings.Split(line, "|")[1], " *")
			if len(ts) != 8 {
				t.Errorf("timeline row without a time: %q", line)
				continue
			}
			rows++
			if ts < last && !strings.Contains(line, "Kubernetes") {
				t.Errorf("timeline out of order: %s after %s", ts, last)
			}
			last = ts
		}
	}
	if rows != 4 {
		t.Errorf("timeline has %d rows, want 4 (3 chain steps, 1 event)", rows)
	}
}

func TestMarkdownQuiet(t *testing.T) {
	md := string(renderMarkdown(t, "quiet"))
	for _, want := range []string{
		"# No incident found, 2026-11-21 10:00 to 10:30 UTC\n",
		"No incident found: of the 1 series of 1 query in 1 family, none moved in a way that forms a chain of changes or hurts users.",
		"## What was looked at",
		"1 query in 1 family returned 1 series",
		"| database | 1 | 1 | Database restarts |",
		"## Minor changes",
		"## Appendix: queries",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("quiet markdown lacks %q", want)
		}
	}
	for _, bad := range []string{"## Action items", "## Root causes", "To fill", "## Causal chains"} {
		if strings.Contains(md, bad) {
			t.Errorf("quiet markdown holds the empty template's %q", bad)
		}
	}
}

func TestGraphLink(t *testing.T) {
	w := fixtureWindow()
	link := GraphLink("http://prom.example:9090/", `rate(x{a="b c"}[5m])`, w)
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/graph" || u.Host != "prom.example:9090" {
		t.Errorf("link %s", link)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"g0.expr": `rate(x{a="b c"}[5m])`, "g0.tab": "0", "g0.range_input": "1h",
		"g0.end_input": "2026-11-21 10:30:00", "g0.step_input": "30",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if got := graphBase(testMeta()); got != "http://prom.example:9090" {
		t.Errorf("graphBase = %q: credentials and query must be stripped", got)
	}
	if got := graphBase(Meta{Source: "scenario db-restart"}); got != "" {
		t.Errorf("graphBase of a scenario = %q, want none", got)
	}
	if got := promDuration(90*time.Minute + 5*time.Second); got != "1h30m5s" {
		t.Errorf("promDuration = %q", got)
	}
}

func TestTemplate(t *testing.T) {
	tmpl := `{{.Title}}|{{.Summary}}|{{range .Timeline}}{{clock .Time}} {{.Signal}}{{if .TopChain}}*{{end}};{{end}}|{{len .Queries}}|{{(index .Impact 0).WorstText}}`
	var buf bytes.Buffer
	if err := Template(&buf, fixtureReport(), testMeta(), tmpl); err != nil {
		t.Fatal(err)
	}
	want := "Database restarts on instance mysql-0:9104: 1 event, 2026-11-21 10:05 UTC|" +
		"Database restarts on instance mysql-0:9104: 1 event at 10:05:00 UTC; then DB connections / max of instance mysql-0:9104 rose to 97.0%, its limit (normal 20.0%) (+1m);" +
		" then Ingress 5xx ratio of ingress shop in web rose from 0.1% to 12.5% for 8m30s (+30s).|" +
		"10:05:00 Database restarts*;10:05:10 Kubernetes event;10:06:00 DB connections / max*;10:06:30 Ingress 5xx ratio*;|6|12.5%"
	if buf.String() != want {
		t.Errorf("template output\n got %q\nwant %q", buf.String(), want)
	}
	for _, bad := range []string{"{{.Nope}}", "{{if}}", "{{range .Queries}}", "{{(index .Chains 5).Score}}"} {
		if err := Template(&bytes.Buffer{}, fixtureReport(), testMeta(), bad); err == nil {
			t.Errorf("template %q: want an error", bad)
		}
	}
}

// TestTemplateExample runs the example template shipped in testdata (the one
// the --template documentation points to) on an incident and a quiet window.
func TestTemplateExample(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("testdata", "example.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	for name, rep := range map[string]func() *incident.Report{"incident": fixtureReport, "quiet": quietReport} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Template(&buf, rep(), testMeta(), string(text)); err != nil {
				t.Fatal(err)
			}
			golden(t, "example-"+name+".txt.golden", buf.Bytes())
		})
	}
}

// markdownlint runs markdownlint-cli2 (through npx) on files with the
// repository's configuration; it skips when npx is absent.
func markdownlint(t *testing.T, files ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("markdownlint: skipped in -short mode")
	}
	npx, err := exec.LookPath("npx")
	if err != nil {
		t.Skip("markdownlint: npx is not installed")
	}
	root := testenv.RepoRoot(t) // where the markdownlint configuration lives
	args := append([]string{"--yes", "markdownlint-cli2", "--config", filepath.Join(root, ".markdownlint-cli2.yaml")}, files...)
	cmd := exec.Command(npx, args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("markdownlint-cli2 failed: %v\n%s", err, out)
	}
}

func TestMarkdownLint(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"incident", "quiet"} {
		p := filepath.Join(dir, name+".md")
		if err := os.WriteFile(p, renderMarkdown(t, name), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	markdownlint(t, files...)
}
