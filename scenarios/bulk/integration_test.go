package bulk_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/prom"
	"github.com/causeway-sre/causeway/scenarios/bulk"
)

// TestIntegrationPlantedCause loads a small bulk data set into a real
// Prometheus and runs the benchmark bank through the real source and the
// analysis: the top root cause must be the planted MySQL restart, as
// hack/bench-e2e.sh checks at 10,000 series.
func TestIntegrationPlantedCause(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	o := bulk.Options{Series: 600, Seed: 2}
	var om bytes.Buffer
	if err := bulk.Generate(&om, o); err != nil {
		t.Fatal(err)
	}
	key, err := o.Incident()
	if err != nil {
		t.Fatal(err)
	}
	base := testenv.Prometheus(t, om.Bytes())
	bank, err := queries.LoadBank("bank.yaml", bulk.Bank)
	if err != nil {
		t.Fatal(err)
	}
	src, err := prom.New(prom.Options{URL: base})
	if err != nil {
		t.Fatal(err)
	}
	half := key.End.Sub(key.Start) / 2
	w := queries.Window{From: key.End.Add(-half), To: key.End, Step: key.Step, Baseline: half}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := incident.Investigate(ctx, src, bank, w, queries.RunOptions{})
	for _, q := range r.Result.Queries {
		if q.Err != nil {
			t.Fatalf("query %s: %v", q.Query.ID, q.Err)
		}
		if q.Series == 0 {
			t.Errorf("query %s returned no series", q.Query.ID)
		}
	}
	if len(r.Findings.RootCauses) == 0 {
		t.Fatalf("no root cause: %s", r.Findings.Summary)
	}
	rc := r.Findings.RootCauses[0]
	onset := rc.Onset.Sub(key.RestartAt)
	if rc.Family != "database" || (rc.Entity["instance"] != key.Instance && rc.Entity["pod"] != key.Pod) || onset < -time.Minute || onset > time.Minute {
		t.Fatalf("top root cause %s %v at %s, want the restart of %s at %s (summary: %s)",
			rc.Query, rc.Entity, rc.Onset.Format(time.RFC3339), key.Instance, key.RestartAt.Format(time.RFC3339), r.Findings.Summary)
	}
}
