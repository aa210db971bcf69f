// Package bundle records everything one analysis needs into a single
// versioned, compressed, checksummed file, and replays it: a bundle is a
// queries.Source that answers with the recorded series, so an incident can be
// analysed again after Prometheus retention and the Kubernetes event TTL have
// erased it.
package bundle

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/causeway-sre/causeway/queries"
)

// FormatVersion is the version of the file format this package writes; Read
// accepts every version up to it.
const FormatVersion = 1

// Bundle is one recorded analysis.
type Bundle struct {
	// Version is the file format version (FormatVersion for new bundles).
	Version     int
	ToolVersion string
	CreatedAt   time.Time
	Window      queries.Window
	// SourceName describes where the data came from, without secrets: URLs lose
	// their userinfo, query and fragment; headers and tokens are never kept.
	SourceName string
	// Bank is the query bank as run.
	Bank *queries.Bank
	// Queries are the rows of the run, in run order.
	Queries []Query
	// Series are the aligned series of every query (Series.Query names it),
	// in the order the run returned them.
	Series []queries.Series
	// Events are the Kubernetes events read for the window.
	Events []queries.Event
	// Warnings are the run-level warnings.
	Warnings []string
	// Answer is the known answer, for drills; nil when there is none.
	Answer *Answer
}

// Query is the essentials of one queries.QueryResult.
type Query struct {
	ID string
	// Expr is the PromQL as sent.
	Expr     string
	Series   int
	Warnings []string
	// Error is the query's error text; "" when it succeeded.
	Error   string
	Dropped int
}

// Answer is the saved answer of a drill: the root cause and the chain of
// families that followed it, cause first.
type Answer struct {
	Query  string
	Family string
	Entity map[string]string
	Chain  []string
}

// New records a run. The bank is the one the run used (nil: rebuilt from the
// rows); the source name is cleaned of secrets.
func New(res *queries.Result, bank *queries.Bank, toolVersion string, createdAt time.Time) *Bundle {
	b := &Bundle{
		Version:     FormatVersion,
		ToolVersion: toolVersion,
		CreatedAt:   createdAt.UTC(),
		Window:      res.Window,
		SourceName:  CleanSource(res.Source),
		Series:      res.Series,
		Events:      res.Events,
		Warnings:    res.Warnings,
	}
	if bank != nil {
		b.Bank = bank
	} else {
		b.Bank = &queries.Bank{Origin: "recorded"}
		for _, q := range res.Queries {
			b.Bank.Queries = append(b.Bank.Queries, q.Query)
		}
	}
	for _, q := range res.Queries {
		row := Query{ID: q.Query.ID, Expr: q.Expr, Series: q.Series, Warnings: q.Warnings, Dropped: q.Dropped}
		if q.Err != nil {
			row.Error = q.Err.Error()
		}
		b.Queries = append(b.Queries, row)
	}
	return b
}

// CleanSource removes secrets from a source description: every URL in it
// loses its userinfo, query and fragment.
func CleanSource(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		u, err := url.Parse(f)
		if err != nil || u.Scheme == "" || u.Host == "" {
			if at := strings.LastIndex(f, "@"); at >= 0 && strings.Contains(f[:at], ":") {
				fields[i] = f[at+1:] // user:password@host without a scheme
			}
			continue
		}
		u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
		fields[i] = u.String()
	}
	return strings.Join(fields, " ")
}

// RecordedError is the error a query had when it was recorded; a replay
// returns it so that the row fails the same way.
type RecordedError struct{ Msg string }

func (e *RecordedError) Error() string { return e.Msg }

// Result rebuilds the recorded run as a queries.Result, without running
// anything.
func (b *Bundle) Result() *queries.Result {
	res := &queries.Result{
		Window:   b.Window,
		Source:   b.sourceName(),
		Series:   b.Series,
		Events:   b.Events,
		Warnings: b.Warnings,
	}
	byID := b.bankByID()
	for _, q := range b.Queries {
		qr := queries.QueryResult{Query: byID[q.ID], Expr: q.Expr, Series: q.Series, Warnings: q.Warnings, Dropped: q.Dropped}
		if qr.Query.ID == "" {
			qr.Query.ID = q.ID
		}
		if q.Error != "" {
			qr.Err = &RecordedError{Msg: q.Error}
		}
		res.Queries = append(res.Queries, qr)
	}
	return res
}

func (b *Bundle) bankByID() map[string]queries.Query {
	m := map[string]queries.Query{}
	if b.Bank != nil {
		for _, q := range b.Bank.Queries {
			m[q.ID] = q
		}
	}
	return m
}

func (b *Bundle) sourceName() string {
	if b.SourceName == "" {
		return "bundle"
	}
	return "bundle of " + b.SourceName
}

// Source returns a queries.Source that answers with the recorded series:
// queries.Run over it reproduces the recorded run.
func (b *Bundle) Source() queries.Source {
	r := &replay{b: b, rows: map[string]int{}, series: map[string][]int{}}
	for i, q := range b.Queries {
		r.rows[q.ID] = i
	}
	for i, s := range b.Series {
		r.series[s.Query] = append(r.series[s.Query], i)
	}
	return r
}

type replay struct {
	b      *Bundle
	rows   map[string]int
	series map[string][]int
}

func (r *replay) Name() string { return r.b.sourceName() }

// Events returns the recorded Kubernetes events (a replay has no cluster to
// ask).
func (r *replay) Events() []queries.Event { return r.b.Events }

func (r *replay) QueryRange(ctx context.Context, req queries.Request) (queries.Response, error) {
	if err := ctx.Err(); err != nil {
		return queries.Response{}, err
	}
	i, ok := r.rows[req.ID]
	if !ok {
		return queries.Response{}, fmt.Errorf("query %q was not recorded in this bundle", req.ID)
	}
	row := r.b.Queries[i]
	resp := queries.Response{Warnings: serverWarnings(row), Dropped: row.Dropped}
	if row.Error != "" {
		return resp, &RecordedError{Msg: row.Error}
	}
	off, n, err := subGrid(r.b.Window, req.Window)
	if err != nil {
		return queries.Response{}, err
	}
	idx := r.series[req.ID]
	if req.MaxSeries > 0 && len(idx) > req.MaxSeries {
		resp.Dropped += len(idx) - req.MaxSeries
		idx = idx[:req.MaxSeries]
	}
	resp.Matrix = make(queries.Matrix, 0, len(idx))
	for _, si := range idx {
		s := r.b.Series[si]
		labels := make(map[string]string, len(s.Labels))
		for k, v := range s.Labels {
			labels[k] = v
		}
		vals := make([]float64, n)
		copy(vals, s.Values[min(off, len(s.Values)):min(off+n, len(s.Values))])
		resp.Matrix = append(resp.Matrix, queries.Sample{Labels: labels, Values: vals})
	}
	return resp, nil
}

// serverWarnings are a row's warnings as the source gave them.
func serverWarnings(row Query) queries.Warnings {
	return queries.SourceWarnings(queries.QueryResult{Series: row.Series, Warnings: row.Warnings, Dropped: row.Dropped})
}

// subGrid locates the grid of want inside the recorded grid: its first
// index and length. The step must match and the points must fall on the
// recorded grid.
func subGrid(have, want queries.Window) (off, n int, err error) {
	n = want.Points()
	mismatch := func() (int, int, error) {
		return 0, 0, fmt.Errorf("the bundle holds %s to %s every %s; the request asks for %s to %s every %s",
			stamp(have.Start()), stamp(have.To), have.Step, stamp(want.Start()), stamp(want.To), want.Step)
	}
	if want.Step != have.Step || have.Step <= 0 || n == 0 {
		return mismatch()
	}
	d := want.Start().Sub(have.Start())
	if d < 0 || d%have.Step != 0 {
		return mismatch()
	}
	off = int(d / have.Step)
	if off+n > have.Points() {
		return mismatch()
	}
	return off, n, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
