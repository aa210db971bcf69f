package queries

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

type fakeLister struct {
	names      []string
	err        error
	start, end time.Time
}

func (f *fakeLister) MetricNames(_ context.Context, start, end time.Time) ([]string, error) {
	f.start, f.end = start, end
	return f.names, f.err
}

func TestMetricNames(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`up`, "up"},
		{`sum(rate(b_total[5m])) / sum(rate(a_total[5m]))`, "a_total b_total"},
		{`x - x offset 1m or {__name__="y"}`, "x y"},
		{`{__name__=~"a|b", job="j"}`, ""},
		{`max_over_time(timestamp(kube_node_info)[1h:1m])`, "kube_node_info"},
		{`1 + 2`, ""},
	}
	for _, tt := range tests {
		got, err := MetricNames(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("MetricNames(%s) = %v, want %s", tt.expr, got, tt.want)
		}
	}
	if _, err := MetricNames("sum("); err == nil {
		t.Error("no parse error")
	}
}

func TestCheck(t *testing.T) {
	bank := &Bank{Queries: []Query{
		{ID: "a", Family: "pods", PromQL: "rate(a_total[$__rate_interval]) / on () b"},
		{ID: "broken", Family: "pods", PromQL: "sum("},
		{ID: "c", Family: "edge", PromQL: "c"},
	}}
	w := testWindow()

	rows := Check(context.Background(), bank, nil, w)
	if len(rows) != 3 || strings.Join(rows[0].Metrics, ",") != "a_total,b" || rows[0].Checked || rows[1].Err == nil {
		t.Fatalf("parse-only rows %+v", rows)
	}

	l := &fakeLister{names: []string{"a_total", "c"}}
	rows = Check(context.Background(), bank, l, w)
	if !l.start.Equal(w.Start()) || !l.end.Equal(w.To) {
		t.Errorf("listed %s..%s", l.start, l.end)
	}
	if !rows[0].Checked || strings.Join(rows[0].Missing, ",") != "b" {
		t.Errorf("row a %+v", rows[0])
	}
	if rows[1].Checked || rows[1].Err == nil {
		t.Errorf("row broken %+v", rows[1])
	}
	if !rows[2].Checked || len(rows[2].Missing) != 0 {
		t.Errorf("row c %+v", rows[2])
	}

	boom := errors.New("connection refused")
	rows = Check(context.Background(), bank, &fakeLister{err: boom}, w)
	if !errors.Is(rows[0].Err, boom) || rows[0].Checked {
		t.Errorf("lister failure: %+v", rows[0])
	}

	// The default bank parses as a whole, even with a zero window.
	for _, r := range Check(context.Background(), DefaultBank(), nil, Window{}) {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Query, r.Err)
		}
		if len(r.Metrics) == 0 {
			t.Errorf("%s: no metrics", r.Query)
		}
	}
}
