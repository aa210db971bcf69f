package prom

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/scenarios/bulk"
)

// TestIntegrationSampleLimitAtScale fetches 10,000 series from a Prometheus
// whose --query.max-samples refuses the whole range (HTTP 422 "too many
// samples"): the source must split the range in time, with or without a
// planned budget, and return exactly what an unlimited server returns; and
// when even one step exceeds the limit, fail with the server's message after
// a bounded number of requests.
func TestIntegrationSampleLimitAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	const series, points = 10000, 40
	opts := bulk.Options{Series: series, Points: points, Seed: 3}
	var om bytes.Buffer
	if err := bulk.Generate(&om, opts); err != nil {
		t.Fatal(err)
	}
	key, err := opts.Incident()
	if err != nil {
		t.Fatal(err)
	}
	full := testenv.Prometheus(t, om.Bytes())
	limited := testenv.PrometheusWith(t, om.Bytes(), testenv.PrometheusOptions{MaxSamples: 100000})
	tiny := testenv.PrometheusWith(t, om.Bytes(), testenv.PrometheusOptions{MaxSamples: 5000})
	w := queries.Window{From: key.Start, To: key.End, Step: key.Step}
	req := queries.Request{Expr: `container_memory_working_set_bytes{container!="",image!=""}`, Window: w}
	ctx := context.Background()

	a, err := New(Options{URL: full})
	if err != nil {
		t.Fatal(err)
	}
	want, err := a.QueryRange(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Matrix) != series {
		t.Fatalf("the unlimited server returned %d series, want %d", len(want.Matrix), series)
	}
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"split on 422", Options{URL: limited}},
		{"planned budget", Options{URL: limited, MaxSamples: 100000}},
		{"planned budget, parallel slices", Options{URL: limited, MaxSamples: 100000, Slices: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.QueryRange(ctx, req)
			if err != nil {
				t.Fatalf("a range past the sample limit failed instead of being split: %v", err)
			}
			if len(got.Matrix) != len(want.Matrix) {
				seen := map[string]bool{}
				for _, m := range want.Matrix {
					seen[labelString(m.Labels)] = true
				}
				for _, m := range got.Matrix {
					if !seen[labelString(m.Labels)] {
						t.Logf("extra: {%s} %v", labelString(m.Labels), m.Values)
					}
				}
				t.Fatalf("%d series split, %d whole", len(got.Matrix), len(want.Matrix))
			}
			for i := range want.Matrix {
				if labelString(got.Matrix[i].Labels) != labelString(want.Matrix[i].Labels) ||
					!sameFloats(got.Matrix[i].Values, want.Matrix[i].Values) {
					t.Fatalf("series %d {%s}: the split result differs from the whole", i, labelString(want.Matrix[i].Labels))
				}
			}
			if tc.opts.MaxSamples == 0 && s.splits.Load() == 0 {
				t.Error("no refused slice recorded: the test needs the server to refuse the whole range")
			}
			t.Logf("%d series x %d points; %d slices after refusals", len(got.Matrix), points, s.splits.Load())
		})
	}

	t.Run("one step past the limit", func(t *testing.T) {
		s, err := New(Options{URL: tiny})
		if err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		_, err = s.QueryRange(ctx, req)
		if err == nil || !tooManySamples(err) {
			t.Fatalf("got %v, want the server's too-many-samples refusal", err)
		}
		if !strings.Contains(err.Error(), "rejected the query") {
			t.Errorf("error %q does not say the server rejected the query", err)
		}
		// Halving 40 points down to 1 is at most 2 x 40 requests.
		if n := s.splits.Load(); n > 2*points {
			t.Errorf("%d split requests for %d points", n, points)
		}
		t.Logf("failed after %d split requests in %s: %v", s.splits.Load(), time.Since(began).Round(time.Millisecond), err)
	})
}
