package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/scenarios"
)

// run runs the command line in-process and returns its exit code and
// streams.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := newApp(strings.NewReader(""), &stdout, &stderr)
	a.now = func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }
	a.getenv = func(string) string { return "" }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	code := a.run(ctx, args)
	return code, stdout.String(), stderr.String()
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.cwb")
	if err := os.WriteFile(corrupt, []byte("CAUSEWAY-BUNDLE\nversion 1\ngarbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	badBank := filepath.Join(dir, "bank.yaml")
	if err := os.WriteFile(badBank, []byte("queries:\n  - id: ok\n    family: pods\n    kind: gauge\n    promql: up\n  - id: broken\n    family: pods\n    kind: gauge\n    promql: sum(rate(x[5m])\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"bad time", []string{"report", "--prometheus", "http://127.0.0.1:1", "--from", "now-2x"}, 2, "--from"},
		{"from after to", []string{"report", "--prometheus", "http://127.0.0.1:1", "--from", "now", "--to", "now-1h"}, 2, "--from"},
		{"no window", []string{"report", "--prometheus", "http://127.0.0.1:1"}, 2, "no window"},
		{"no source", []string{"report", "--from", "now-1h"}, 2, "no source"},
		{"two sources", []string{"report", "--scenario", "db-restart", "--bundle", corrupt}, 2, "choose one source"},
		{"unknown scenario", []string{"report", "--scenario", "nope"}, 2, "unknown scenario"},
		{"bad format", []string{"report", "--scenario", "db-restart", "--format", "xml"}, 2, "--format"},
		{"bad flag", []string{"report", "--frm", "now-1h"}, 2, "unknown flag"},
		{"corrupt bundle", []string{"report", "--bundle", corrupt}, 2, corrupt},
		{"missing bundle", []string{"report", "--bundle", filepath.Join(dir, "none.cwb")}, 2, "no such file"},
		{"broken bank", []string{"bank", "--bank", badBank}, 2, "broken"},
		{"bad selector", []string{"report", "--scenario", "db-restart", "--selector", "namespace=="}, 2, "selector"},
		{"record without -o", []string{"record", "--scenario", "db-restart"}, 2, "-o FILE"},
		{"tui without terminal", []string{"demo"}, 2, "needs a terminal"},
		{"huge window at 1s", []string{"report", "--prometheus", "http://127.0.0.1:1", "--from", "now-90d", "--step", "1s"}, 2, "step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not mention %q", stderr, tc.want)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stderr has a panic trace:\n%s", stderr)
			}
		})
	}
}

func TestUnreachableServer(t *testing.T) {
	code, stdout, stderr := run(t, "report", "--prometheus", "http://127.0.0.1:1", "--from", "now-1h", "--timeout", "2s")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	if lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1; lines != 1 {
		t.Errorf("want one line, got %d:\n%s", lines, stderr)
	}
	if !strings.Contains(stderr, "127.0.0.1:1") {
		t.Errorf("stderr does not name the URL: %q", stderr)
	}
	if stdout != "" {
		t.Errorf("stdout should be empty when nothing could be read, got %q", stdout)
	}
}

// report is the JSON shape of INTERFACES.md that these tests read.
type report struct {
	Source string `json:"source"`
	Window struct {
		From        time.Time `json:"from"`
		To          time.Time `json:"to"`
		StepSeconds float64   `json:"step_seconds"`
	} `json:"window"`
	Queries []struct {
		ID     string `json:"id"`
		Family string `json:"family"`
		Series int    `json:"series"`
		Error  string `json:"error"`
	} `json:"queries"`
	RootCauses []struct {
		Query  string            `json:"query"`
		Family string            `json:"family"`
		Entity map[string]string `json:"entity"`
		Score  float64           `json:"score"`
	} `json:"root_causes"`
	Chains []struct {
		Score float64 `json:"score"`
		Steps []struct {
			Query    string  `json:"query"`
			Family   string  `json:"family"`
			Lag      float64 `json:"lag_seconds"`
			Evidence string  `json:"evidence"`
		} `json:"steps"`
	} `json:"chains"`
	Timeline []struct {
		Time   time.Time `json:"time"`
		Source string    `json:"source"`
		Text   string    `json:"text"`
	} `json:"timeline"`
}

func decodeReport(t *testing.T, s string) report {
	t.Helper()
	var r report
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%.400s", err, s)
	}
	return r
}

func TestReportScenarioJSON(t *testing.T) {
	code, stdout, stderr := run(t, "report", "--scenario", "spot-interruption", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	r := decodeReport(t, stdout)
	if r.Window.StepSeconds <= 0 || !r.Window.From.Before(r.Window.To) {
		t.Errorf("bad window %+v", r.Window)
	}
	if len(r.Queries) == 0 || len(r.Timeline) == 0 {
		t.Fatalf("empty report: %d queries, %d timeline entries", len(r.Queries), len(r.Timeline))
	}
	for _, q := range r.Queries {
		if q.Error != "" {
			t.Errorf("query %s failed on the embedded engine: %s", q.ID, q.Error)
		}
	}
}

// TestRecordReplayRealPrometheus records an incident from a real Prometheus,
// stops it, and replays the bundle: the JSON report must be the same but for
// its source. It also checks that the default bank runs cleanly there and
// that every family of the scenario returns series.
func TestRecordReplayRealPrometheus(t *testing.T) {
	d, om := scenarioData(t, "db-restart")
	dir := t.TempDir()
	bundlePath := filepath.Join(dir, "incident.cwb")
	window := []string{"--from", d.Window.From.Format(time.RFC3339), "--to", d.Window.To.Format(time.RFC3339), "--no-kube"}
	var live string
	t.Run("live", func(t *testing.T) {
		url := testenv.Prometheus(t, om)
		code, stdout, stderr := run(t, append([]string{"report", "--prometheus", url, "--format", "json"}, window...)...)
		if code != 0 {
			t.Fatalf("report: exit %d\n%s", code, stderr)
		}
		live = stdout
		r := decodeReport(t, live)
		families := map[string]int{}
		for _, q := range r.Queries {
			if q.Error != "" {
				t.Errorf("query %s errored on Prometheus: %s", q.ID, q.Error)
			}
			families[q.Family] += q.Series
		}
		for _, f := range []string{"pods", "oom", "memory", "database", "connections", "edge", "nodes"} {
			if families[f] == 0 {
				t.Errorf("family %s returned no series from Prometheus", f)
			}
		}
		code, _, stderr = run(t, append([]string{"record", "--prometheus", url, "-o", bundlePath}, window...)...)
		if code != 0 {
			t.Fatalf("record: exit %d\n%s", code, stderr)
		}
	})
	if live == "" {
		t.Fatal("no live report")
	}
	// The Prometheus of the subtest is stopped now.
	code, replay, stderr := run(t, "report", "--bundle", bundlePath, "--format", "json")
	if code != 0 {
		t.Fatalf("replay: exit %d\n%s", code, stderr)
	}
	strip := func(s string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "source")
		return m
	}
	a, b := strip(live), strip(replay)
	ja, _ := json.MarshalIndent(a, "", " ")
	jb, _ := json.MarshalIndent(b, "", " ")
	if !bytes.Equal(ja, jb) {
		t.Errorf("replayed report differs from the live one:\nlive:   %.600s\nreplay: %.600s", ja, jb)
	}
}

// scenarioData generates a scenario (seed 1) and its OpenMetrics export for
// an integration test, which it skips under -short.
func scenarioData(t *testing.T, name string) (*scenarios.Data, []byte) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test")
	}
	sc, err := scenarios.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	d := sc.Generate(1)
	var om bytes.Buffer
	if err := scenarios.WriteOpenMetrics(&om, d); err != nil {
		t.Fatal(err)
	}
	return d, om.Bytes()
}

func TestHelpOnce(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"report", "--help"}, {"drill", "-h"}} {
		code, stdout, stderr := run(t, args...)
		if code != 0 || stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
		if n := strings.Count(stdout, "Usage: causeway"); n != 1 {
			t.Errorf("%v: the usage is printed %d times:\n%s", args, n, stdout)
		}
	}
}
