// Package engine serves range queries over series held in memory with
// Prometheus' own PromQL engine, behind the same queries.Source interface as
// the HTTP source: the analysis cannot tell them apart.
//
// The engine knows nothing of scenarios: callers hand it neutral Series
// (labels with __name__ and millisecond samples). See scenarios/source for the
// ready-made wiring of an embedded scenario.
package engine

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/causeway-sre/causeway/queries"
)

// LookbackDelta is how far back an instant selector looks for a sample,
// the same as Prometheus' default.
const LookbackDelta = 5 * time.Minute

// Source answers PromQL range queries over an in-memory set of series.
type Source struct {
	name string
	st   *store
	ng   *promql.Engine
}

var (
	_ queries.Source       = (*Source)(nil)
	_ queries.MetricLister = (*Source)(nil)
)

// Option tunes a Source.
type Option func(*options)

type options struct {
	staleAfter time.Duration
	timeout    time.Duration
	maxSamples int
}

// WithStaleMarkers makes series that end before the end of the data go stale
// one scrape interval after their last sample, as they would in a Prometheus
// that scraped them live. Without it (the default) an ended series lingers
// for the 5m lookback, exactly as it does in a Prometheus whose data was
// backfilled with promtool (OpenMetrics text cannot carry staleness markers).
func WithStaleMarkers(scrapeInterval time.Duration) Option {
	return func(o *options) { o.staleAfter = scrapeInterval }
}

// WithTimeout bounds one query's evaluation (default 2m).
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// WithMaxSamples bounds the samples one query may load (default 50 million).
func WithMaxSamples(n int) Option {
	return func(o *options) { o.maxSamples = n }
}

// New loads series into memory and returns a Source named name (shown to
// people, e.g. "scenario db-restart"). The input is copied.
func New(name string, series []Series, opts ...Option) *Source {
	o := options{timeout: 2 * time.Minute, maxSamples: 50_000_000}
	for _, f := range opts {
		f(&o)
	}
	ng := promql.NewEngine(promql.EngineOpts{
		MaxSamples:           o.maxSamples,
		Timeout:              o.timeout,
		LookbackDelta:        LookbackDelta,
		EnableAtModifier:     true,
		EnableNegativeOffset: true,
		Parser:               parser.NewParser(parser.Options{}),
	})
	return &Source{name: name, st: newStore(series, o.staleAfter.Milliseconds()), ng: ng}
}

// Name implements queries.Source.
func (s *Source) Name() string { return s.name }

// QueryRange implements queries.Source: req.Expr is evaluated at every point
// of req.Window's grid and the result is aligned to that grid.
func (s *Source) QueryRange(ctx context.Context, req queries.Request) (queries.Response, error) {
	w := req.Window
	if w.Step <= 0 {
		return queries.Response{}, fmt.Errorf("query %q: window step must be positive, got %s", req.ID, w.Step)
	}
	n := w.Points()
	if n == 0 {
		return queries.Response{}, fmt.Errorf("query %q: empty window %s..%s", req.ID, w.Start().Format(time.RFC3339), w.To.Format(time.RFC3339))
	}
	start := w.Start()
	end := w.Time(n - 1)
	q, err := s.ng.NewRangeQuery(ctx, s.st, promql.NewPrometheusQueryOpts(false, LookbackDelta), req.Expr, start, end, w.Step)
	if err != nil {
		return queries.Response{}, fmt.Errorf("query %q: %w", req.ID, err)
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return queries.Response{}, fmt.Errorf("query %q: %w", req.ID, res.Err)
	}
	var resp queries.Response
	warns, infos := res.Warnings.AsStrings(req.Expr, 0, 0)
	resp.Warnings = append(append(resp.Warnings, warns...), infos...)

	var mat promql.Matrix
	switch v := res.Value.(type) {
	case promql.Matrix:
		mat = v
	case promql.Vector:
		for _, smp := range v {
			mat = append(mat, promql.Series{Metric: smp.Metric, Floats: []promql.FPoint{{T: smp.T, F: smp.F}}})
		}
	case promql.Scalar:
		mat = promql.Matrix{{Floats: []promql.FPoint{{T: v.T, F: v.V}}}}
	default:
		return queries.Response{}, fmt.Errorf("query %q: unsupported result type %s", req.ID, res.Value.Type())
	}
	sort.Slice(mat, func(i, j int) bool { return labels.Compare(mat[i].Metric, mat[j].Metric) < 0 })
	startMs, stepMs := start.UnixMilli(), w.Step.Milliseconds()
	hist := 0
	for _, ser := range mat {
		if req.MaxSeries > 0 && len(resp.Matrix) >= req.MaxSeries {
			resp.Dropped++
			continue
		}
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = math.NaN()
		}
		for _, p := range ser.Floats {
			off := p.T - startMs
			if off < 0 || off%stepMs != 0 || off/stepMs >= int64(n) {
				continue
			}
			vals[off/stepMs] = p.F
		}
		if len(ser.Floats) == 0 && len(ser.Histograms) > 0 {
			hist++
			continue
		}
		resp.Matrix = append(resp.Matrix, queries.Sample{Labels: ser.Metric.Map(), Values: vals})
	}
	if hist > 0 {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("%d native-histogram series skipped", hist))
	}
	return resp, nil
}

// MetricNames implements queries.MetricLister: the metric names with at
// least one sample in [start, end], sorted.
func (s *Source) MetricNames(ctx context.Context, start, end time.Time) ([]string, error) {
	if end.Before(start) {
		return nil, fmt.Errorf("metric names: end %s before start %s", end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("metric names: %w", err)
	}
	q, _ := s.st.Querier(start.UnixMilli(), end.UnixMilli())
	names, _, err := q.LabelValues(ctx, labels.MetricName, nil)
	if err != nil {
		return nil, fmt.Errorf("metric names: %w", err)
	}
	return names, nil
}
