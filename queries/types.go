// Package queries turns an incident window and a query bank into one aligned
// set of labelled series: what to ask (the bank), when (the window), and the
// asking itself (the runner and its sources).
package queries

import (
	"context"
	"time"
)

// Kind says how the analysis reads a query's values.
type Kind string

const (
	// Gauge series are levels: memory, ratios, counts of pods.
	Gauge Kind = "gauge"
	// Events series are point events per step bucket (restarts, OOMKills,
	// interruption messages): a value > 0 means "this happened here".
	Events Kind = "events"
	// State series are conditions that switch (up/down, NotReady, a start
	// time that jumps): the analysis reads their transitions.
	State Kind = "state"
)

// Role separates signals from helper queries.
const (
	// RoleSignal (the default, empty) is analysed for change.
	RoleSignal = ""
	// RoleTopology queries are not analysed; their label sets tie entities
	// together (pod -> node, pod -> workload).
	RoleTopology = "topology"
)

// Query is one entry of the bank.
type Query struct {
	ID     string   `yaml:"id" json:"id"`
	Title  string   `yaml:"title" json:"title"`
	Family string   `yaml:"family" json:"family"`
	Kind   Kind     `yaml:"kind" json:"kind"`
	Unit   string   `yaml:"unit,omitempty" json:"unit,omitempty"`
	Entity []string `yaml:"entity,omitempty" json:"entity,omitempty"`
	PromQL string   `yaml:"promql" json:"promql"`
	// Causes lists families (or query ids) this signal is known to lead to.
	Causes []string `yaml:"causes,omitempty" json:"causes,omitempty"`
	// Role is RoleSignal or RoleTopology.
	Role string `yaml:"role,omitempty" json:"role,omitempty"`
	// Line is the line of the entry in its bank file (1-based), for errors.
	Line int `yaml:"-" json:"-"`
}

// Bank is an ordered list of queries.
type Bank struct {
	Queries []Query `yaml:"queries" json:"queries"`
	// Origin names where the bank came from: "default" or a file path.
	Origin string `yaml:"-" json:"-"`
}

// Window is the analysed time range, aligned to Step. The analysis compares
// [From, To] with the baseline [From-Baseline, From).
type Window struct {
	From     time.Time
	To       time.Time
	Step     time.Duration
	Baseline time.Duration
}

// Start is the first fetched timestamp: From minus the baseline.
func (w Window) Start() time.Time { return w.From.Add(-w.Baseline) }

// Points is the number of grid points from Start to To inclusive.
func (w Window) Points() int {
	if w.Step <= 0 || w.To.Before(w.Start()) {
		return 0
	}
	return int(w.To.Sub(w.Start())/w.Step) + 1
}

// BaselinePoints is the number of grid points before From.
func (w Window) BaselinePoints() int {
	if w.Step <= 0 {
		return 0
	}
	return int(w.Baseline / w.Step)
}

// Time returns the timestamp of grid point i.
func (w Window) Time(i int) time.Time { return w.Start().Add(time.Duration(i) * w.Step) }

// Index returns the grid point at or before t, clamped to the grid.
func (w Window) Index(t time.Time) int {
	if w.Step <= 0 {
		return 0
	}
	i := int(t.Sub(w.Start()) / w.Step)
	if i < 0 {
		return 0
	}
	if n := w.Points(); i >= n {
		return n - 1
	}
	return i
}

// Series is one aligned series: Values[i] is the value at w.Time(i), NaN
// where the series had no sample.
type Series struct {
	Query  string            `json:"query"`
	Family string            `json:"family"`
	Kind   Kind              `json:"kind"`
	Labels map[string]string `json:"labels"`
	// Entity holds the labels of Labels named by the query's entity list
	// (all labels when the query names none).
	Entity map[string]string `json:"entity"`
	Values []float64         `json:"-"`
}

// QueryResult is one row of a run: a query with its outcome. A failed query is
// a row with Err set; the rest of the run goes on.
type QueryResult struct {
	Query Query
	// Expr is the PromQL as sent: placeholders expanded, selector injected.
	Expr     string
	Series   int
	Warnings []string
	Err      error
	// Dropped counts series cut by the runner's series cap.
	Dropped  int
	Duration time.Duration
}

// Event is a point event from outside the metrics (Kubernetes events, pod
// terminations, node changes).
type Event struct {
	Time      time.Time         `json:"time"`
	Type      string            `json:"type"` // Normal | Warning
	Reason    string            `json:"reason"`
	Message   string            `json:"message"`
	Kind      string            `json:"kind"` // involved object kind: Pod, Node, ...
	Namespace string            `json:"namespace,omitempty"`
	Name      string            `json:"name"`
	Source    string            `json:"source,omitempty"` // reporting component
	Count     int               `json:"count,omitempty"`
	Entity    map[string]string `json:"entity,omitempty"`
}

// Result is the aligned outcome of running a bank over a window.
type Result struct {
	Window  Window
	Source  string
	Queries []QueryResult
	Series  []Series
	Events  []Event
	// Warnings are run-level notes (e.g. the Kubernetes API was forbidden).
	Warnings []string
	// Duration is how long the run took (wall clock).
	Duration time.Duration
}

// Source answers range queries on an aligned grid. Every backend (a
// Prometheus-compatible API, the embedded engine, a bundle) implements it.
type Source interface {
	// Name is shown to people: "prometheus http://host:9090", "scenario db-restart".
	Name() string
	// QueryRange evaluates req.Expr at every point of req.Window's grid
	// (Start..To by Step) and returns series aligned to that grid.
	QueryRange(ctx context.Context, req Request) (Response, error)
}

// MetricLister is implemented by sources that can list the metric names they
// hold in a time range (for `causeway bank --check`).
type MetricLister interface {
	MetricNames(ctx context.Context, start, end time.Time) ([]string, error)
}

// Request is one range query.
type Request struct {
	// ID is the bank query id (sources may use it, e.g. a bundle replay).
	ID     string
	Expr   string
	Window Window
	// MaxSeries > 0 caps the series kept; the rest are counted in
	// Response.Dropped without holding their samples in memory.
	MaxSeries int
}

// Response is a range result aligned to the request's grid.
type Response struct {
	Matrix   Matrix
	Warnings Warnings
	Dropped  int
}

// Matrix is a range result aligned to the window grid.
type Matrix []Sample

// Sample is one series of a Matrix.
type Sample struct {
	Labels map[string]string
	Values []float64 // len == Window.Points(), NaN where absent
}

// Warnings are the server's warnings and infos for one query.
type Warnings []string

// Progress reports one query's state during a run, tagged with the run id so
// that a consumer can drop reports from a cancelled run.
type Progress struct {
	RunID  uint64
	Query  string
	State  ProgressState
	Done   int
	Total  int
	Result *QueryResult // set when State is Finished
}

// ProgressState is the life of one query in a run.
type ProgressState int

const (
	Started ProgressState = iota
	Finished
)

// RunOptions tune one run of the bank.
type RunOptions struct {
	// MaxParallel caps concurrent queries (default 8).
	MaxParallel int
	// MaxSeries caps the series kept per query (default 30000); the rest
	// are dropped with a warning on that query's row.
	MaxSeries int
	// Selector is label matchers (`namespace="web"`) added to every
	// selector of every query, on the parsed PromQL.
	Selector string
	// RunID tags progress reports.
	RunID uint64
	// OnProgress, if set, is called (from the runner's goroutines) as each
	// query starts and finishes. It must not block for long.
	OnProgress func(Progress)
}
