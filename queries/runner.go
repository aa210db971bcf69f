package queries

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of RunOptions.
const (
	DefaultMaxParallel = 8
	DefaultMaxSeries   = 30000
)

// ErrNoSource is the error of every row when Run is given no source.
var ErrNoSource = errors.New("no source")

// Run evaluates every query of bank over w against src, at most
// opts.MaxParallel at a time, and returns the aligned result. A query that
// fails is a row with its error; the others go on. When ctx ends, queries
// not yet finished get ctx's error and Run returns promptly.
// Result.Queries follow the bank's order, and Result.Series the bank's order
// then a stable order of label sets, so the output is deterministic.
func Run(ctx context.Context, src Source, bank *Bank, w Window, opts RunOptions) *Result {
	began := time.Now()
	if opts.MaxParallel <= 0 {
		opts.MaxParallel = DefaultMaxParallel
	}
	if opts.MaxSeries <= 0 {
		opts.MaxSeries = DefaultMaxSeries
	}
	res := &Result{Window: w}
	if src != nil {
		res.Source = src.Name()
	}
	if bank == nil || len(bank.Queries) == 0 {
		res.Duration = time.Since(began)
		return res
	}

	total := len(bank.Queries)
	rows := make([]QueryResult, total)
	series := make([][]Series, total)
	var done atomic.Int64
	progress := func(p Progress) {
		if opts.OnProgress != nil {
			p.RunID, p.Total = opts.RunID, total
			opts.OnProgress(p)
		}
	}

	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(opts.MaxParallel, total) {
		wg.Go(func() {
			for i := range jobs {
				q := bank.Queries[i]
				if err := ctx.Err(); err != nil {
					rows[i] = QueryResult{Query: q, Err: fmt.Errorf("not run: %w", err)}
				} else {
					progress(Progress{Query: q.ID, State: Started, Done: int(done.Load())})
					rows[i], series[i] = runOne(ctx, src, q, w, opts)
				}
				row := rows[i]
				progress(Progress{Query: q.ID, State: Finished, Done: int(done.Add(1)), Result: &row})
			}
		})
	}
	for i := range bank.Queries {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	res.Queries = rows
	for _, s := range series {
		res.Series = append(res.Series, s...)
	}
	res.Duration = time.Since(began)
	return res
}

// runOne prepares and evaluates one query.
func runOne(ctx context.Context, src Source, q Query, w Window, opts RunOptions) (QueryResult, []Series) {
	began := time.Now()
	row := QueryResult{Query: q}
	if src == nil {
		row.Err = ErrNoSource
		row.Duration = time.Since(began)
		return row, nil
	}
	expr, err := Prepare(q, w, opts.Selector)
	if err != nil {
		row.Err = err
		row.Duration = time.Since(began)
		return row, nil
	}
	row.Expr = expr

	resp, err := queryRange(ctx, src, Request{ID: q.ID, Expr: expr, Window: w, MaxSeries: opts.MaxSeries})
	row.Warnings = append(row.Warnings, resp.Warnings...)
	if err != nil {
		row.Err = err
		row.Duration = time.Since(began)
		return row, nil
	}

	matrix := resp.Matrix
	want := w.Points()
	for _, s := range matrix {
		if len(s.Values) != want {
			row.Err = fmt.Errorf("source returned %d points for %s, want %d", len(s.Values), labelKey(s.Labels), want)
			row.Duration = time.Since(began)
			return row, nil
		}
	}
	sortMatrix(matrix)
	row.Dropped = resp.Dropped
	if len(matrix) > opts.MaxSeries {
		row.Dropped += len(matrix) - opts.MaxSeries
		matrix = matrix[:opts.MaxSeries]
	}
	if row.Dropped > 0 {
		row.Warnings = append(row.Warnings, droppedWarning(len(matrix), len(matrix)+row.Dropped))
	}

	out := make([]Series, 0, len(matrix))
	for _, s := range matrix {
		out = append(out, Series{
			Query:  q.ID,
			Family: q.Family,
			Kind:   q.Kind,
			Labels: s.Labels,
			Entity: EntityOf(q, s.Labels),
			Values: s.Values,
		})
	}
	if len(q.Entity) > 0 {
		out = foldEntities(out)
	}
	row.Series = len(out)
	row.Duration = time.Since(began)
	return row, out
}

// foldEntities makes the series of one query that name the same entity one
// series, the largest value at each step (absent points ignored): the
// client-side `max by (entity)`. Duplicates are what HA pairs of
// kube-state-metrics and kubelets scraped twice produce; folding them here
// spares the server an aggregation that costs Prometheus 2.42 ~7x the bare
// selector on 10,000 series (issue 9). The first series in label order
// keeps its labels. out is in label order and stays so.
func foldEntities(out []Series) []Series {
	first := make(map[string]int, len(out))
	kept := out[:0]
	cloned := map[int]bool{}
	for _, s := range out {
		k := labelKey(s.Entity)
		i, seen := first[k]
		if !seen {
			first[k] = len(kept)
			kept = append(kept, s)
			continue
		}
		dst := &kept[i]
		if !cloned[i] {
			// The source may still hold the first series' array (a bundle
			// replayed again, an engine's cache): fold into a copy.
			dst.Values = slices.Clone(dst.Values)
			cloned[i] = true
		}
		for t, v := range s.Values {
			if d := dst.Values[t]; d != d || v > d { // d is NaN, or v is larger
				dst.Values[t] = v
			}
		}
	}
	clear(out[len(kept):])
	return kept
}

// queryRange calls src but returns as soon as ctx ends, even if the source
// does not watch ctx itself.
func queryRange(ctx context.Context, src Source, req Request) (Response, error) {
	type answer struct {
		resp Response
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		resp, err := src.QueryRange(ctx, req)
		ch <- answer{resp, err}
	}()
	select {
	case a := <-ch:
		if a.err == nil && ctx.Err() != nil {
			return a.resp, ctx.Err()
		}
		return a.resp, a.err
	case <-ctx.Done():
		return Response{}, ctx.Err()
	}
}

// sortMatrix orders series by their label sets.
func sortMatrix(m Matrix) {
	keys := make([]string, len(m))
	for i, s := range m {
		keys[i] = labelKey(s.Labels)
	}
	sort.Sort(byKey{m, keys})
}

type byKey struct {
	m    Matrix
	keys []string
}

func (b byKey) Len() int           { return len(b.m) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.m[i], b.m[j] = b.m[j], b.m[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}

// EntityOf returns the labels of ls that name q's entity: the ones listed in
// q.Entity that ls has, or all labels but __name__ when q lists none.
func EntityOf(q Query, ls map[string]string) map[string]string {
	out := make(map[string]string, max(len(q.Entity), 1))
	if len(q.Entity) == 0 {
		for k, v := range ls {
			if k != "__name__" {
				out[k] = v
			}
		}
		return out
	}
	for _, k := range q.Entity {
		if v, ok := ls[k]; ok {
			out[k] = v
		}
	}
	return out
}

// labelKey is a stable text form of a label set: {a="1", b="2"} sorted by
// name.
func labelKey(ls map[string]string) string {
	keys := slices.Sorted(maps.Keys(ls))
	b := make([]byte, 0, 64)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, k...)
		b = append(b, '=')
		b = strconv.AppendQuote(b, ls[k]) // as fmt's %q, without its cost per label
	}
	return string(append(b, '}'))
}

// droppedWarning is the note Run adds to a row whose series were cut.
func droppedWarning(kept, total int) string {
	return fmt.Sprintf("kept %d of %d series: narrow with --selector", kept, total)
}

// SourceWarnings returns a row's warnings without the note Run itself adds
// when it cuts series, i.e. what the source said. A replay hands these back
// to Run, which adds its own note again.
func SourceWarnings(row QueryResult) Warnings {
	ws := row.Warnings
	if n := len(ws); row.Dropped > 0 && n > 0 && ws[n-1] == droppedWarning(row.Series, row.Series+row.Dropped) {
		ws = ws[:n-1]
	}
	return slices.Clone(ws)
}
