package engine

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/queries"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// ramp is a series scraped every 15s from minute a to minute b (exclusive)
// whose value is f(i) at sample i.
func ramp(lbls map[string]string, a, b int, f func(i int) float64) Series {
	s := Series{Labels: lbls}
	for i := 0; i < (b-a)*4; i++ {
		s.Samples = append(s.Samples, Sample{T: t0.Add(time.Duration(a)*time.Minute + time.Duration(i)*15*time.Second).UnixMilli(), V: f(i)})
	}
	return s
}

func testSource(opts ...Option) *Source {
	return New("test", []Series{
		ramp(map[string]string{"__name__": "up", "job": "a", "instance": "x"}, 0, 60, func(int) float64 { return 1 }),
		ramp(map[string]string{"__name__": "up", "job": "b", "instance": "y"}, 0, 20, func(int) float64 { return 0 }),
		ramp(map[string]string{"__name__": "reqs_total", "job": "a"}, 0, 60, func(i int) float64 { return float64(i * 30) }),
	}, opts...)
}

func win(from, to time.Duration, step time.Duration) queries.Window {
	return queries.Window{From: t0.Add(from), To: t0.Add(to), Step: step}
}

func TestQueryRangeAligned(t *testing.T) {
	src := testSource()
	w := win(10*time.Minute, 40*time.Minute, time.Minute)
	resp, err := src.QueryRange(context.Background(), queries.Request{ID: "q", Expr: `rate(reqs_total[2m])`, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Matrix) != 1 {
		t.Fatalf("got %d series, want 1", len(resp.Matrix))
	}
	m := resp.Matrix[0]
	if len(m.Values) != w.Points() {
		t.Fatalf("got %d points, want %d", len(m.Values), w.Points())
	}
	for i, v := range m.Values {
		if math.Abs(v-2) > 1e-9 {
			t.Fatalf("point %d: rate %v, want 2/s", i, v)
		}
	}
	if _, ok := m.Labels["__name__"]; ok {
		t.Errorf("rate kept __name__: %v", m.Labels)
	}
}

func TestMatchersAndLookback(t *testing.T) {
	src := testSource()
	w := win(0, 40*time.Minute, time.Minute)
	resp, err := src.QueryRange(context.Background(), queries.Request{Expr: `up{job=~"b|c"}`, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Matrix) != 1 || resp.Matrix[0].Labels["instance"] != "y" {
		t.Fatalf("got %v, want only instance y", resp.Matrix)
	}
	v := resp.Matrix[0].Values
	// Last sample at 19m45s; without staleness markers it lingers for the
	// 5m lookback: present at 24m, absent at 25m.
	if math.IsNaN(v[24]) || !math.IsNaN(v[25]) {
		t.Errorf("lookback: v[24]=%v v[25]=%v, want value then NaN", v[24], v[25])
	}
	stale := testSource(WithStaleMarkers(15 * time.Second))
	resp, err = stale.QueryRange(context.Background(), queries.Request{Expr: `up{job="b"}`, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	v = resp.Matrix[0].Values
	if math.IsNaN(v[19]) || !math.IsNaN(v[21]) {
		t.Errorf("stale markers: v[19]=%v v[21]=%v, want value then NaN", v[19], v[21])
	}
}

func TestMaxSeriesAndSum(t *testing.T) {
	src := testSource()
	w := win(0, 10*time.Minute, time.Minute)
	resp, err := src.QueryRange(context.Background(), queries.Request{Expr: `up`, Window: w, MaxSeries: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Matrix) != 1 || resp.Dropped != 1 {
		t.Fatalf("got %d series, %d dropped; want 1 and 1", len(resp.Matrix), resp.Dropped)
	}
	resp, err = src.QueryRange(context.Background(), queries.Request{Expr: `sum(up) + 1`, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Matrix[0].Values[3]; got != 2 {
		t.Errorf("sum(up)+1 = %v, want 2", got)
	}
}

func TestErrors(t *testing.T) {
	src := testSource()
	w := win(0, 10*time.Minute, time.Minute)
	for _, expr := range []string{`sum(`, `up{`, `rate(up)`, `1 + on(x) group_left up`} {
		if _, err := src.QueryRange(context.Background(), queries.Request{ID: "bad", Expr: expr, Window: w}); err == nil || !strings.Contains(err.Error(), `"bad"`) {
			t.Errorf("%s: err = %v, want an error naming the query", expr, err)
		}
	}
	if _, err := src.QueryRange(context.Background(), queries.Request{Expr: `up`, Window: queries.Window{From: t0, To: t0}}); err == nil {
		t.Error("zero step: want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := src.QueryRange(ctx, queries.Request{Expr: `up`, Window: w}); err == nil {
		t.Error("cancelled context: want an error")
	}
	// A duplicate label set after dropping the name is an evaluation error.
	if _, err := src.QueryRange(context.Background(), queries.Request{Expr: `up * on() reqs_total`, Window: w}); err == nil {
		t.Error("many-to-one mismatch: want an error")
	}
}

func TestMetricNames(t *testing.T) {
	src := testSource()
	got, err := src.MetricNames(context.Background(), t0.Add(30*time.Minute), t0.Add(40*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "reqs_total,up" {
		t.Errorf("names = %v", got)
	}
	if _, err := src.MetricNames(context.Background(), t0.Add(time.Hour), t0); err == nil {
		t.Error("end before start: want an error")
	}
}

func TestUnsortedAndDuplicateInput(t *testing.T) {
	l := map[string]string{"__name__": "g"}
	src := New("t", []Series{
		{Labels: l, Samples: []Sample{{T: t0.Add(time.Minute).UnixMilli(), V: 2}, {T: t0.UnixMilli(), V: 1}}},
		{Labels: l, Samples: []Sample{{T: t0.Add(2 * time.Minute).UnixMilli(), V: 3}}},
	})
	resp, err := src.QueryRange(context.Background(), queries.Request{Expr: `g`, Window: win(0, 2*time.Minute, time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Matrix) != 1 {
		t.Fatalf("got %d series, want the duplicates merged into 1", len(resp.Matrix))
	}
	if v := resp.Matrix[0].Values; v[0] != 1 || v[1] != 2 || v[2] != 3 {
		t.Errorf("values = %v, want [1 2 3]", v)
	}
}
