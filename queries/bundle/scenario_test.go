package bundle

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/postmortem"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/scenarios/source"
)

// TestScenarioReplay records a scenario run on the embedded engine, and
// checks that the replayed bundle gives the same JSON report but for source.
func TestScenarioReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("scenario replay: skipped in -short mode")
	}
	ctx := context.Background()
	src, w, _, err := source.New("db-restart", source.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	bank := queries.DefaultBank()
	live := queries.Run(ctx, src, bank, w, queries.RunOptions{})
	var file bytes.Buffer
	if err := Write(&file, New(live, bank, "test", time.Now())); err != nil {
		t.Fatal(err)
	}
	b, err := Read(&file)
	if err != nil {
		t.Fatal(err)
	}
	replayed := queries.Run(ctx, b.Source(), b.Bank, b.Window, queries.RunOptions{})
	replayed.Events = b.Events
	report := func(res *queries.Result, source string) map[string]any {
		var buf bytes.Buffer
		if err := postmortem.JSON(&buf, incident.Analyze(bank, res), postmortem.Meta{Source: source}); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "source")
		return m
	}
	a, _ := json.Marshal(report(live, src.Name()))
	r, _ := json.Marshal(report(replayed, b.Source().Name()))
	if !bytes.Equal(a, r) {
		t.Errorf("replayed report differs from the live one:\nlive:   %.2000s\nreplay: %.2000s", a, r)
	}
	if len(live.Series) == 0 {
		t.Error("the scenario run returned no series")
	}
}
