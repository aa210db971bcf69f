// Package scenarios simulates Kubernetes clusters through incidents and emits
// the raw series their exporters would have exposed (kube-state-metrics v2,
// cAdvisor via the kubelet, node_exporter, mysqld/postgres/redis exporters,
// Karpenter, aws-node-termination-handler, ingress-nginx, HikariCP, go_sql,
// Rails pool metrics), scraped every 15s. The catalog holds incidents with an
// answer key each; nothing in the series names the answer.
//
// The analysis (package correlate) must never import this package: the
// answer keys live here. A test enforces it.
package scenarios

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/causeway-sre/causeway/queries"
)

// MetricType is the type the real exporter declares for a series.
type MetricType string

const (
	Counter   MetricType = "counter"
	Gauge     MetricType = "gauge"
	Histogram MetricType = "histogram"
	// Untyped is for exporters that expose untyped samples
	// (mysqld_exporter's SHOW GLOBAL STATUS values, node_exporter vmstat).
	Untyped MetricType = "untyped"
)

// Sample is one scraped value; T is Unix milliseconds.
type Sample struct {
	T int64
	V float64
}

// Series is one raw series. Labels include __name__ (the name Prometheus
// stores, e.g. foo_total or foo_bucket).
type Series struct {
	Labels  map[string]string
	Type    MetricType
	Samples []Sample
}

// Name is the stored metric name.
func (s *Series) Name() string { return s.Labels["__name__"] }

// key is the canonical label string used to sort series.
func (s *Series) key() string { return labelKey(s.Labels) }

func labelKey(l map[string]string) string {
	names := make([]string, 0, len(l))
	for k := range l {
		if k != "__name__" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(l["__name__"])
	for _, n := range names {
		b.WriteByte(0xff)
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(l[n])
	}
	return b.String()
}

// Difficulty grades a scenario for drills.
type Difficulty string

const (
	Easy   Difficulty = "easy"
	Medium Difficulty = "medium"
	Hard   Difficulty = "hard"
)

// Info describes one scenario of the catalog.
type Info struct {
	Name       string
	Story      string // one line: what really happened
	Difficulty Difficulty
	Skill      string // what the scenario trains
	Briefing   string // what paged: all a trainee is told up front
}

// Change is the shape of a change in a raw signal.
type Change string

const (
	// Reset: the value falls below the previous sample (a counter reset,
	// an uptime that restarts).
	Reset Change = "reset"
	// Increase: the value rises above the previous sample (a counter
	// increment, a gauge going up), or the series is born with a value > 0.
	Increase Change = "increase"
	// Appear: a series begins (its first sample).
	Appear Change = "appear"
	// Vanish: a series ends (its last sample) before the data ends.
	Vanish Change = "vanish"
	// Zero: a value that was > 0 becomes 0.
	Zero Change = "zero"
	// Rise: a gauge goes 20% and three standard deviations above its mean
	// of the previous 30 minutes and stays there for three scrapes (noise
	// is not a rise).
	Rise Change = "rise"
	// Surge: a counter grows 2.5 times faster than over the previous 30
	// minutes, by at least 5 in one scrape. A counter born inside the data
	// counted nothing before its first sample.
	Surge Change = "surge"
)

// Signal locates a change in the raw series: any series of Metric whose
// labels contain Match shows Change.
type Signal struct {
	Metric string
	Match  map[string]string
	Change Change
}

// Step is one link of an answer chain.
type Step struct {
	Family string            // well-known bank family: database, connections, memory, oom, pods, nodes, edge
	Entity map[string]string // the entity that shows it
	Signal Signal            // where it shows in the raw data
	At     time.Time         // approximate onset
	Note   string
}

// AnswerKey is the truth of one generated incident.
type AnswerKey struct {
	// Quiet is true when nothing happened: the right answer is "nothing
	// stands out".
	Quiet bool
	// Root is the root cause (zero when Quiet).
	Root Step
	// Chain is the ordered chain of consequences, Root first.
	Chain []Step
	// Distractors are notable changes that are not part of the incident.
	Distractors []Step
	// Tolerance is how far from At a step may be found.
	Tolerance time.Duration
}

// Data is one generated scenario.
type Data struct {
	Info
	Seed int64
	// Start and End bound the raw data; Interval is the scrape interval.
	Start, End time.Time
	Interval   time.Duration
	// Window is the default analysis window (incident + baseline).
	Window queries.Window
	Series []Series
	Key    AnswerKey
}

// Find returns the earliest time in [from, to] at which sig shows in the
// data, and false when it does not.
func (d *Data) Find(sig Signal, from, to time.Time) (time.Time, bool) {
	lo, hi := from.UnixMilli(), to.UnixMilli()
	best := int64(0)
	found := false
	endMs := d.End.UnixMilli()
	// A series whose first sample comes after the first scrapes was born
	// inside the data: before it, nothing was counted.
	bornAfter := d.Start.UnixMilli() + 2*d.Interval.Milliseconds()
	for i := range d.Series {
		s := &d.Series[i]
		if s.Name() != sig.Metric || !contains(s.Labels, sig.Match) || len(s.Samples) == 0 {
			continue
		}
		t, ok := firstChange(s.Samples, sig.Change, lo, hi, endMs-d.Interval.Milliseconds(), s.Samples[0].T > bornAfter)
		if ok && (!found || t < best) {
			best, found = t, true
		}
	}
	return time.UnixMilli(best).UTC(), found
}

func contains(l, m map[string]string) bool {
	for k, v := range m {
		if l[k] != v {
			return false
		}
	}
	return true
}

func firstChange(s []Sample, c Change, lo, hi, lastScrape int64, born bool) (int64, bool) {
	in := func(t int64) bool { return t >= lo && t <= hi }
	switch c {
	case Appear:
		return s[0].T, in(s[0].T)
	case Vanish:
		t := s[len(s)-1].T
		return t, t < lastScrape && in(t)
	}
	if c == Increase && s[0].V > 0 && in(s[0].T) {
		return s[0].T, true
	}
	if c == Rise || c == Surge {
		return firstRise(s, c, in, born)
	}
	for i := 1; i < len(s); i++ {
		if !in(s[i].T) {
			continue
		}
		p, v := s[i-1].V, s[i].V
		switch {
		case c == Reset && v < p,
			c == Increase && v > p,
			c == Zero && p > 0 && v == 0:
			return s[i].T, true
		}
	}
	return 0, false
}

// firstRise finds a Rise (level) or Surge (rate) against the previous 30
// minutes of the same series. born says the series began inside the data:
// its missing history counts as zeros (a Surge only).
func firstRise(s []Sample, c Change, in func(int64) bool, born bool) (int64, bool) {
	const lookback = 30 * 60 * 1000
	const sustain = 3 // scrapes a Rise must hold
	born = born && c == Surge
	lo := 0
	var sum, sq float64
	for i := range s {
		for lo < i && s[lo].T < s[i].T-lookback {
			x := val(s, lo, c, born)
			sum -= x
			sq -= x * x
			lo++
		}
		v := val(s, i, c, born)
		if n := i - lo; in(s[i].T) && (n >= 20 || born) {
			mean := sum / float64(max(n, 1))
			sd := math.Sqrt(math.Max(0, sq/float64(max(n, 1))-mean*mean))
			level := math.Max(mean*1.2, mean+3*sd)
			if c == Rise && v > level && v > mean && held(s[i:], level, sustain) {
				return s[i].T, true
			}
			if c == Surge && v > 2.5*mean && v >= 5 {
				return s[i].T, true
			}
		}
		sum += v
		sq += v * v
	}
	return 0, false
}

// held reports whether the first n samples of s (all of them if fewer) are
// above level.
func held(s []Sample, level float64, n int) bool {
	for i := 0; i < n && i < len(s); i++ {
		if s[i].V <= level {
			return false
		}
	}
	return true
}

// val is the sample value (Rise) or its increase over the previous sample
// (Surge, counter resets count from 0; a counter born inside the data
// counted its first value from 0).
func val(s []Sample, i int, c Change, born bool) float64 {
	if c == Rise {
		return s[i].V
	}
	if i == 0 {
		if born {
			return s[0].V
		}
		return 0
	}
	if d := s[i].V - s[i-1].V; d >= 0 {
		return d
	}
	return s[i].V
}
