package queries

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeSource answers from a function of the request, and records the
// requests and the peak concurrency.
type fakeSource struct {
	answer  func(ctx context.Context, req Request) (Response, error)
	mu      sync.Mutex
	reqs    []Request
	running atomic.Int32
	peak    atomic.Int32
}

func (f *fakeSource) Name() string { return "fake" }

// sent is the number of requests received so far.
func (f *fakeSource) sent() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func (f *fakeSource) QueryRange(ctx context.Context, req Request) (Response, error) {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	return f.answer(ctx, req)
}

func testWindow() Window {
	return Window{From: time.Unix(3600, 0), To: time.Unix(7200, 0), Step: time.Minute, Baseline: time.Hour}
}

func values(w Window, v float64) []float64 {
	out := make([]float64, w.Points())
	for i := range out {
		out[i] = v
	}
	return out
}

func testBank(n int) *Bank {
	b := &Bank{}
	for i := range n {
		b.Queries = append(b.Queries, Query{
			ID: fmt.Sprintf("q%02d", i), Family: "pods", Kind: Gauge,
			Entity: []string{"pod"}, PromQL: fmt.Sprintf("sum by (pod) (rate(metric_%d[$__rate_interval]))", i),
		})
	}
	return b
}

func TestRunPartialFailureAndOrder(t *testing.T) {
	w := testWindow()
	src := &fakeSource{answer: func(_ context.Context, req Request) (Response, error) {
		if req.ID == "q01" {
			return Response{Warnings: Warnings{"slow"}}, errors.New("bad_data: boom")
		}
		// Out of order on purpose, and with a delay that reverses completion.
		if req.ID == "q00" {
			time.Sleep(20 * time.Millisecond)
		}
		return Response{
			Matrix: Matrix{
				{Labels: map[string]string{"__name__": "x", "pod": "b", "node": "n1"}, Values: values(w, 2)},
				{Labels: map[string]string{"__name__": "x", "pod": "a", "node": "n2"}, Values: values(w, 1)},
			},
			Warnings: Warnings{"w-" + req.ID},
		}, nil
	}}
	bank := testBank(3)
	res := Run(context.Background(), src, bank, w, RunOptions{Selector: `namespace="web"`})

	if res.Source != "fake" || res.Window != w || res.Duration <= 0 {
		t.Fatalf("result header: %q %+v %s", res.Source, res.Window, res.Duration)
	}
	if len(res.Queries) != 3 {
		t.Fatalf("%d rows", len(res.Queries))
	}
	for i, row := range res.Queries {
		if row.Query.ID != bank.Queries[i].ID {
			t.Errorf("row %d is %s", i, row.Query.ID)
		}
		if row.Duration <= 0 {
			t.Errorf("%s: no duration", row.Query.ID)
		}
		if !strings.Contains(row.Expr, `namespace="web"`) || !strings.Contains(row.Expr, "[1m15s]") {
			t.Errorf("%s: expr as sent %q", row.Query.ID, row.Expr)
		}
	}
	if err := res.Queries[1].Err; err == nil || err.Error() != "bad_data: boom" {
		t.Errorf("q01 error %v", err)
	}
	if w := res.Queries[1].Warnings; len(w) != 1 || w[0] != "slow" {
		t.Errorf("q01 warnings %v (kept even on failure)", w)
	}
	if res.Queries[0].Series != 2 || res.Queries[2].Series != 2 || res.Queries[0].Warnings[0] != "w-q00" {
		t.Errorf("rows %+v", res.Queries)
	}

	var got []string
	for _, s := range res.Series {
		got = append(got, s.Query+"/"+s.Labels["pod"])
		if s.Family != "pods" || s.Kind != Gauge {
			t.Errorf("series %+v", s)
		}
		if len(s.Entity) != 1 || s.Entity["pod"] != s.Labels["pod"] {
			t.Errorf("entity %v of %v", s.Entity, s.Labels)
		}
	}
	// Sorted by the whole label set: node="n1" comes before node="n2".
	if strings.Join(got, " ") != "q00/b q00/a q02/b q02/a" {
		t.Errorf("series order %v", got)
	}
}

func TestRunEntityDefaultsToAllLabels(t *testing.T) {
	w := testWindow()
	src := &fakeSource{answer: func(context.Context, Request) (Response, error) {
		return Response{Matrix: Matrix{{Labels: map[string]string{"__name__": "up", "job": "a", "instance": "i"}, Values: values(w, 1)}}}, nil
	}}
	bank := &Bank{Queries: []Query{
		{ID: "none", Family: "f", Kind: State, PromQL: "up"},
		{ID: "some", Family: "f", Kind: State, PromQL: "up", Entity: []string{"job", "missing"}},
	}}
	res := Run(context.Background(), src, bank, w, RunOptions{})
	if e := res.Series[0].Entity; len(e) != 2 || e["job"] != "a" || e["instance"] != "i" {
		t.Errorf("no entity list: %v", e)
	}
	if e := res.Series[1].Entity; len(e) != 1 || e["job"] != "a" {
		t.Errorf("entity list: %v", e)
	}
}

// TestRunFoldsDuplicateEntities: series of one query naming the same entity
// (an HA pair of exporters) become one, the larger value at each step,
// absent points ignored; the source's arrays are left alone; a query with
// no entity list folds nothing.
func TestRunFoldsDuplicateEntities(t *testing.T) {
	w := testWindow()
	n := w.Points()
	nan := math.NaN()
	a, b, c := values(w, 1), values(w, 2), values(w, 5)
	a[0], b[0] = 7, nan // the first replica is larger at 0, the second absent
	b[1], a[1] = nan, nan
	src := &fakeSource{answer: func(context.Context, Request) (Response, error) {
		return Response{Matrix: Matrix{
			{Labels: map[string]string{"pod": "web-1", "instance": "ksm-b"}, Values: b},
			{Labels: map[string]string{"pod": "web-2", "instance": "ksm-a"}, Values: c},
			{Labels: map[string]string{"pod": "web-1", "instance": "ksm-a"}, Values: a},
		}}, nil
	}}
	bank := &Bank{Queries: []Query{
		{ID: "ready", Family: "pods", Kind: Gauge, PromQL: "up", Entity: []string{"pod"}},
		{ID: "raw", Family: "pods", Kind: Gauge, PromQL: "up"},
	}}
	res := Run(context.Background(), src, bank, w, RunOptions{})
	var got []Series
	for _, s := range res.Series {
		if s.Query == "ready" {
			got = append(got, s)
		}
	}
	if len(got) != 2 || res.Queries[0].Series != 2 {
		t.Fatalf("want 2 folded series (row says %d), got %d", res.Queries[0].Series, len(got))
	}
	web1 := got[0]
	if web1.Entity["pod"] != "web-1" || web1.Labels["instance"] != "ksm-a" {
		t.Fatalf("first series %v: want web-1 with the first labels in order (ksm-a)", web1.Labels)
	}
	if web1.Values[0] != 7 || !math.IsNaN(web1.Values[1]) || web1.Values[2] != 2 || web1.Values[n-1] != 2 {
		t.Errorf("folded values %v...: want 7, NaN, 2, ..., 2", web1.Values[:3])
	}
	if a[0] != 7 || a[2] != 1 || b[2] != 2 {
		t.Errorf("the source's arrays were changed: %v %v", a[:3], b[:3])
	}
	if got[1].Entity["pod"] != "web-2" || got[1].Values[0] != 5 {
		t.Errorf("second series %v %v", got[1].Entity, got[1].Values[:1])
	}
	if res.Queries[1].Series != 3 {
		t.Errorf("query without an entity list: %d series, want all 3", res.Queries[1].Series)
	}
}

func TestRunSeriesCap(t *testing.T) {
	w := testWindow()
	src := &fakeSource{answer: func(_ context.Context, req Request) (Response, error) {
		if req.MaxSeries != 5 {
			return Response{}, fmt.Errorf("MaxSeries %d not passed on", req.MaxSeries)
		}
		var m Matrix
		for i := range 8 { // a source that ignores the cap, and said it dropped 2 more
			m = append(m, Sample{Labels: map[string]string{"pod": fmt.Sprintf("p%d", 7-i)}, Values: values(w, 1)})
		}
		return Response{Matrix: m, Dropped: 2}, nil
	}}
	res := Run(context.Background(), src, testBank(1), w, RunOptions{MaxSeries: 5})
	row := res.Queries[0]
	if row.Err != nil || row.Series != 5 || row.Dropped != 5 || len(res.Series) != 5 {
		t.Fatalf("row %+v, %d series", row, len(res.Series))
	}
	if len(row.Warnings) != 1 || row.Warnings[0] != "kept 5 of 10 series: narrow with --selector" {
		t.Errorf("warnings %q", row.Warnings)
	}
	if res.Series[0].Labels["pod"] != "p0" || res.Series[4].Labels["pod"] != "p4" {
		t.Errorf("the cap does not keep a stable first part: %v .. %v", res.Series[0].Labels, res.Series[4].Labels)
	}

	// Default cap.
	src.answer = func(_ context.Context, req Request) (Response, error) {
		if req.MaxSeries != DefaultMaxSeries {
			return Response{}, fmt.Errorf("MaxSeries %d", req.MaxSeries)
		}
		return Response{}, nil
	}
	if res := Run(context.Background(), src, testBank(1), w, RunOptions{}); res.Queries[0].Err != nil {
		t.Error(res.Queries[0].Err)
	}
}

func TestRunBadPointCount(t *testing.T) {
	w := testWindow()
	src := &fakeSource{answer: func(context.Context, Request) (Response, error) {
		return Response{Matrix: Matrix{{Labels: map[string]string{"pod": "a"}, Values: []float64{1, 2}}}}, nil
	}}
	res := Run(context.Background(), src, testBank(1), w, RunOptions{})
	if err := res.Queries[0].Err; err == nil || !strings.Contains(err.Error(), "2 points") {
		t.Fatalf("err %v", err)
	}
	if len(res.Series) != 0 {
		t.Fatal("series kept from a bad answer")
	}
}

func TestRunBadQueryIsARow(t *testing.T) {
	w := testWindow()
	src := &fakeSource{answer: func(context.Context, Request) (Response, error) { return Response{}, nil }}
	bank := &Bank{Queries: []Query{{ID: "a", Family: "f", PromQL: "up"}, {ID: "b", Family: "f", PromQL: "up"}}}
	res := Run(context.Background(), src, bank, w, RunOptions{Selector: `namespace=`})
	for _, row := range res.Queries {
		if row.Err == nil || !strings.Contains(row.Err.Error(), "bad selector") {
			t.Errorf("%s: %v", row.Query.ID, row.Err)
		}
	}
	if src.sent() != 0 {
		t.Error("a query with a bad selector was sent")
	}
}

func TestRunConcurrencyAndProgress(t *testing.T) {
	w := testWindow()
	src := &fakeSource{answer: func(context.Context, Request) (Response, error) {
		time.Sleep(5 * time.Millisecond)
		return Response{Matrix: Matrix{{Labels: map[string]string{"pod": "a"}, Values: values(w, math.NaN())}}}, nil
	}}
	var mu sync.Mutex
	var events []Progress
	res := Run(context.Background(), src, testBank(12), w, RunOptions{
		MaxParallel: 3, RunID: 42,
		OnProgress: func(p Progress) { mu.Lock(); events = append(events, p); mu.Unlock() },
	})
	if p := src.peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrency %d, want 2..3", p)
	}
	started, finished, lastDone := 0, 0, 0
	for _, p := range events {
		if p.RunID != 42 || p.Total != 12 {
			t.Fatalf("progress %+v", p)
		}
		switch p.State {
		case Started:
			started++
			if p.Result != nil {
				t.Error("Started with a result")
			}
		case Finished:
			finished++
			if p.Result == nil || p.Result.Query.ID != p.Query || p.Done < 1 {
				t.Errorf("Finished %+v", p)
			}
			lastDone = max(lastDone, p.Done)
		}
	}
	if started != 12 || finished != 12 || lastDone != 12 {
		t.Errorf("started %d finished %d last done %d", started, finished, lastDone)
	}
	if len(res.Series) != 12 {
		t.Errorf("%d series", len(res.Series))
	}
}

func TestRunDefaultParallelism(t *testing.T) {
	w := testWindow()
	release := make(chan struct{})
	src := &fakeSource{answer: func(context.Context, Request) (Response, error) {
		<-release
		return Response{}, nil
	}}
	done := make(chan *Result)
	go func() { done <- Run(context.Background(), src, testBank(20), w, RunOptions{}) }()
	deadline := time.Now().Add(5 * time.Second)
	for src.running.Load() < DefaultMaxParallel && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if n := src.running.Load(); n != DefaultMaxParallel {
		t.Errorf("%d running, want %d", n, DefaultMaxParallel)
	}
	close(release)
	<-done
}

func TestRunCancellation(t *testing.T) {
	w := testWindow()
	// A source that ignores ctx and hangs: Run must still return promptly.
	hang := make(chan struct{})
	defer close(hang)
	src := &fakeSource{answer: func(ctx context.Context, req Request) (Response, error) {
		if req.ID == "q00" {
			return Response{}, nil
		}
		<-hang
		return Response{}, nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	opts := RunOptions{MaxParallel: 2, OnProgress: func(p Progress) {
		if p.State == Finished && p.Query == "q00" {
			once.Do(func() { time.AfterFunc(10*time.Millisecond, cancel) })
		}
	}}
	began := time.Now()
	res := Run(ctx, src, testBank(10), w, opts)
	if d := time.Since(began); d > 2*time.Second {
		t.Fatalf("Run took %s after cancel", d)
	}
	if res.Queries[0].Err != nil {
		t.Errorf("q00 finished before the cancel: %v", res.Queries[0].Err)
	}
	for _, row := range res.Queries[1:] {
		if !errors.Is(row.Err, context.Canceled) {
			t.Errorf("%s: err %v, want context.Canceled", row.Query.ID, row.Err)
		}
	}
	if n := src.sent(); n > 3 {
		t.Errorf("%d queries sent after cancel", n)
	}
}

func TestRunEdgeCases(t *testing.T) {
	w := testWindow()
	if res := Run(context.Background(), &fakeSource{}, nil, w, RunOptions{}); len(res.Queries) != 0 || res.Source != "fake" {
		t.Errorf("nil bank: %+v", res)
	}
	res := Run(context.Background(), nil, testBank(2), w, RunOptions{})
	for _, row := range res.Queries {
		if !errors.Is(row.Err, ErrNoSource) {
			t.Errorf("nil source: %v", row.Err)
		}
	}
}
