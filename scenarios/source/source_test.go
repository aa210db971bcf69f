package source

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/engine"
	"github.com/causeway-sre/causeway/queries/prom"
	"github.com/causeway-sre/causeway/scenarios"
)

func TestNew(t *testing.T) {
	src, w, d, err := New("quiet", 3)
	if err != nil {
		t.Fatal(err)
	}
	if w != d.Window || w.Points() == 0 {
		t.Fatalf("window %+v", w)
	}
	if !strings.Contains(src.Name(), "quiet") {
		t.Errorf("name %q", src.Name())
	}
	resp, err := src.QueryRange(context.Background(), queries.Request{Expr: `count(max by (node) (kube_node_info))`, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Matrix) != 1 || resp.Matrix[0].Values[w.Points()-1] < 5 {
		t.Fatalf("node count: %+v", resp.Matrix)
	}
	if _, _, _, err := New("nope", 1); err == nil || !strings.Contains(err.Error(), "db-restart") {
		t.Errorf("unknown scenario error %v should list names", err)
	}
}

func openMetrics(t *testing.T, d *scenarios.Data) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := scenarios.WriteOpenMetrics(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBackfillEveryScenario loads each scenario's OpenMetrics into Debian's
// Prometheus with promtool and asks it what the embedded engine answers.
func TestBackfillEveryScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("backfills 8 scenarios into a real Prometheus")
	}
	for _, in := range scenarios.List() {
		t.Run(in.Name, func(t *testing.T) {
			sc, _ := scenarios.Get(in.Name)
			d := sc.Generate(1)
			url := testenv.Prometheus(t, openMetrics(t, d))
			real, err := prom.New(prom.Options{URL: url})
			if err != nil {
				t.Fatal(err)
			}
			emb := engine.New("embedded", Series(d))
			for _, expr := range []string{`count(max by (node) (kube_node_info))`, `sum(nginx_ingress_controller_requests)`,
				`sum by (namespace) (kube_pod_container_status_restarts_total)`} {
				req := queries.Request{Expr: expr, Window: d.Window}
				a, err := real.QueryRange(context.Background(), req)
				if err != nil {
					t.Fatalf("%s on prometheus: %v", expr, err)
				}
				b, err := emb.QueryRange(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				if len(a.Matrix) == 0 || len(a.Matrix) != len(b.Matrix) {
					t.Fatalf("%s: prometheus %d series, engine %d", expr, len(a.Matrix), len(b.Matrix))
				}
				mid := d.Window.Points() / 2
				if x, y := a.Matrix[0].Values[mid], b.Matrix[0].Values[mid]; math.Abs(x-y) > 1e-6*math.Max(1, math.Abs(x)) {
					t.Errorf("%s at %s: prometheus %v, engine %v", expr, d.Window.Time(mid), x, y)
				}
			}
		})
	}
}

func seriesKey(s queries.Series) string {
	ks := make([]string, 0, len(s.Labels))
	for k, v := range s.Labels {
		ks = append(ks, k+"="+v)
	}
	sort.Strings(ks)
	return s.Query + "{" + strings.Join(ks, ",") + "}"
}

// TestCrossCheckDefaultBank runs the default bank over the real Prometheus
// (2.42, backfilled) and over the embedded engine (3.x) and compares the
// aligned values. Both see the same samples without staleness markers.
// Prometheus 3 range selectors are left-open, 2.42's closed: a sample
// exactly on a range's left edge counts only in 2.42. Scrape offsets keep
// samples off the grid, so this rarely matters; the first and last points of
// each series are skipped and values compared with a tolerance.
func TestCrossCheckDefaultBank(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a real Prometheus")
	}
	for _, name := range []string{scenarios.DefaultScenario, "spot-interruption"} {
		t.Run(name, func(t *testing.T) {
			sc, _ := scenarios.Get(name)
			d := sc.Generate(1)
			url := testenv.Prometheus(t, openMetrics(t, d))
			real, err := prom.New(prom.Options{URL: url})
			if err != nil {
				t.Fatal(err)
			}
			emb := engine.New("embedded", Series(d))
			bank := queries.DefaultBank()
			ctx := context.Background()
			ra := queries.Run(ctx, real, bank, d.Window, queries.RunOptions{MaxParallel: 2})
			rb := queries.Run(ctx, emb, bank, d.Window, queries.RunOptions{MaxParallel: 2})
			errs := map[string]string{}
			for i, q := range ra.Queries {
				ea, eb := fmt.Sprint(q.Err), fmt.Sprint(rb.Queries[i].Err)
				if (q.Err == nil) != (rb.Queries[i].Err == nil) {
					errs[q.Query.ID] = ea + " | " + eb
				}
			}
			nerr := 0
			for _, q := range ra.Queries {
				if q.Err != nil {
					nerr++
					t.Logf("query %s fails on both: %v", q.Query.ID, q.Err)
				}
			}
			if nerr > len(ra.Queries)/4 {
				t.Errorf("%d of %d queries failed", nerr, len(ra.Queries))
			}
			for id, e := range errs {
				t.Errorf("query %s errors differ: prometheus | engine: %s", id, e)
			}
			byKey := map[string]queries.Series{}
			for _, s := range rb.Series {
				byKey[seriesKey(s)] = s
			}
			const edge = 3
			compared, bad := 0, 0
			for _, a := range ra.Series {
				b, ok := byKey[seriesKey(a)]
				if !ok {
					if present(a.Values, edge) {
						t.Errorf("series only in prometheus: %s", seriesKey(a))
					}
					continue
				}
				delete(byKey, seriesKey(a))
				for i := edge; i < len(a.Values)-edge; i++ {
					x, y := a.Values[i], b.Values[i]
					compared++
					if math.IsNaN(x) != math.IsNaN(y) || (!math.IsNaN(x) && math.Abs(x-y) > 1e-6*math.Max(1, math.Abs(x))+1e-9) {
						bad++
						if bad <= 10 {
							t.Errorf("%s at %s: prometheus %v, engine %v", seriesKey(a), d.Window.Time(i).Format(time.TimeOnly), x, y)
						}
					}
				}
			}
			for k, b := range byKey {
				if present(b.Values, edge) {
					t.Errorf("series only in the engine: %s", k)
				}
			}
			t.Logf("%d queries, %d series, %d points compared, %d differ", len(ra.Queries), len(ra.Series), compared, bad)
		})
	}
}

// present reports whether a series has a value away from the edges.
func present(v []float64, edge int) bool {
	for i := edge; i < len(v)-edge; i++ {
		if !math.IsNaN(v[i]) {
			return true
		}
	}
	return false
}
