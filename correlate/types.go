// Package correlate is the analysis: from aligned series and point events to
// ranked root causes and causal chains, each link with its evidence. It does
// no I/O and imports no other package of this module.
package correlate

import "time"

// Kind mirrors the bank's kinds: "gauge", "events", "state".
type Kind string

const (
	Gauge  Kind = "gauge"
	Events Kind = "events"
	State  Kind = "state"
)

// Signal is one aligned series to analyse.
type Signal struct {
	// Query is the bank query id; Family its family (pods, nodes, oom, ...).
	Query  string
	Family string
	Kind   Kind
	Unit   string
	// Entity is the identifying labels (namespace, pod, node, instance...).
	Entity map[string]string
	// Labels are all labels of the series (used for topology).
	Labels map[string]string
	// Values[i] is the value at Input.Time(i); NaN where missing.
	Values []float64
}

// Event is a point event from outside the metrics (e.g. a Kubernetes event).
type Event struct {
	Time    time.Time
	Reason  string
	Message string
	Type    string // Normal | Warning
	// Family is the family the event speaks of (oom, nodes, pods...), if known.
	Family string
	// Entity ties the event to the entities it concerns (pod, node, namespace).
	Entity map[string]string
	Source string
}

// Edge is a topology fact: entity A (e.g. {pod: web-1}) belongs to / runs on
// entity B (e.g. {node: n1}).
type Edge struct {
	From map[string]string
	To   map[string]string
}

// Input is everything one analysis needs.
type Input struct {
	Start time.Time
	Step  time.Duration
	// N is the number of grid points; Baseline the number of them before the
	// incident window (the "normal" reference).
	N        int
	Baseline int
	Signals  []Signal
	Events   []Event
	// Topology holds label sets that tie entities together (from queries
	// with role topology): any set holding two entity labels links them.
	Topology []map[string]string
	// Causes holds the bank's priors: query id or family -> families or
	// query ids it is known to lead to. May be empty.
	Causes map[string][]string
	// Seed makes surrogate tests reproducible.
	Seed int64
}

// Time returns the timestamp of grid point i.
func (in *Input) Time(i int) time.Time { return in.Start.Add(time.Duration(i) * in.Step) }

// Findings is the result of Analyze. Slices are best first.
type Findings struct {
	RootCauses []RootCause
	Chains     []Chain
	Timeline   []TimelineEntry
	// Anomalies lists every signal found to change, strongest first.
	Anomalies []Anomaly
	// Quiet is true when nothing stands out; Summary says so in words.
	Quiet   bool
	Summary string
}

// Anomaly is one signal that changed in the window.
type Anomaly struct {
	Signal int // index into Input.Signals
	Query  string
	Family string
	Entity map[string]string
	Onset  time.Time
	// OnsetIndex is the grid index of Onset.
	OnsetIndex int
	// Shape: "step-up", "step-down", "spike", "drop-to-zero", "rise-to-limit", "events", "flap".
	Shape string
	// Score is comparable across units (0..1, higher is more anomalous).
	Score float64
	// Z is the robust z-score of the change against the baseline.
	Z float64
	// Before and After summarise the level before and after onset.
	Before, After float64
	// BaselineMedian and BaselineMAD describe the baseline used.
	BaselineMedian, BaselineMAD float64
	// Source is "metric" for bank signals and "kubernetes" for streams of
	// Kubernetes events (whose Signal is -1).
	Source string
}

// RootCause is a candidate cause.
type RootCause struct {
	Query  string
	Family string
	Entity map[string]string
	Onset  time.Time
	Score  float64
	// Why is a one-sentence reason a person can check.
	Why string
	// Explains counts the later changes this cause leads to in the graph.
	Explains int
	// Anomaly is the index into Findings.Anomalies of its strongest signal.
	Anomaly int
}

// Chain is a causal hypothesis: Steps[0] caused Steps[1], which caused ...
type Chain struct {
	Score float64
	Steps []Step
}

// Step is one link of a chain. The first step has Lag 0 and no Link.
type Step struct {
	Query  string
	Family string
	Entity map[string]string
	Onset  time.Time
	// Lag from the previous step's onset.
	Lag      time.Duration
	Evidence string
	Link     *Link
	Anomaly  int // index into Findings.Anomalies
	// Count is how many signals moved together in this step (e.g. 3 pods
	// of one workload); Members are their indices into Findings.Anomalies.
	Count   int
	Members []int
	// Shape is the shape of the change (see Anomaly.Shape).
	Shape string
}

// Link is the statistical evidence tying a step to the previous one.
type Link struct {
	Lag time.Duration
	// R is the lagged correlation at Lag; P its significance (surrogates,
	// corrected for the number of pairs tested).
	R, P float64
	// Topology is true when the two entities are tied (same pod, pod on node...).
	Topology bool
	// Prior is true when the bank's causes list the pair.
	Prior bool
	// Method names how the link was measured: "xcorr", "event-response", "onset-order".
	Method string
	// Weight is the strength of the link (0..1) used to rank chains.
	Weight float64
	// XLag is the lag at which the correlation peaked (Lag is the
	// difference of the onsets).
	XLag time.Duration
}

// TimelineEntry is one line of the incident timeline.
type TimelineEntry struct {
	Time   time.Time
	Source string // "metric" | "kubernetes"
	Query  string
	Family string
	Entity map[string]string
	Text   string
}
