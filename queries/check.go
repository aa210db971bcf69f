package queries

import (
	"context"
	"fmt"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// CheckRow is what `causeway bank --check` says about one query.
type CheckRow struct {
	Query  string
	Family string
	// Metrics are the metric names the query reads, sorted.
	Metrics []string
	// Missing are the metrics the source does not hold over the window
	// (only when Checked).
	Missing []string
	// Checked is true when the source's metric names were compared.
	Checked bool
	// Err is a parse error, or the failure to list the source's metrics.
	Err error
}

// Check parses every query of bank and lists the metric names each one
// reads. With a lister, it also lists which of them the source lacks over
// w (Start..To); with lister nil it only parse-checks.
func Check(ctx context.Context, bank *Bank, lister MetricLister, w Window) []CheckRow {
	if bank == nil {
		return nil
	}
	ew := w
	if ew.Step <= 0 {
		ew = checkWindow // placeholders need a step; names do not depend on it
	}
	rows := make([]CheckRow, len(bank.Queries))
	for i, q := range bank.Queries {
		rows[i] = CheckRow{Query: q.ID, Family: q.Family}
		names, err := MetricNames(Expand(q.PromQL, ew))
		if err != nil {
			rows[i].Err = err
			continue
		}
		rows[i].Metrics = names
	}
	if lister == nil {
		return rows
	}
	have, err := lister.MetricNames(ctx, w.Start(), w.To)
	if err != nil {
		err = fmt.Errorf("list metric names: %w", err)
		for i := range rows {
			if rows[i].Err == nil {
				rows[i].Err = err
			}
		}
		return rows
	}
	set := make(map[string]bool, len(have))
	for _, n := range have {
		set[n] = true
	}
	for i := range rows {
		if rows[i].Err != nil {
			continue
		}
		rows[i].Checked = true
		for _, n := range rows[i].Metrics {
			if !set[n] {
				rows[i].Missing = append(rows[i].Missing, n)
			}
		}
	}
	return rows
}

// MetricNames parses expr and returns the metric names its selectors match
// by equality (metric{...} or {__name__="metric"}), sorted and unique.
func MetricNames(expr string) ([]string, error) {
	if u := unknownPlaceholders(expr); len(u) > 0 {
		return nil, fmt.Errorf("unknown placeholder %s", u[0])
	}
	node, err := newParser().ParseExpr(expr)
	if err != nil {
		return nil, fmt.Errorf("promql does not parse: %s", oneLine(err))
	}
	var names []string
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName && m.Type == labels.MatchEqual && m.Value != "" {
				names = append(names, m.Value)
			}
		}
		return nil
	})
	slices.Sort(names)
	return slices.Compact(names), nil
}
