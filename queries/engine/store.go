package engine

import (
	"context"
	"math"
	"slices"
	"sort"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// Sample is one raw float sample: T in Unix milliseconds.
type Sample struct {
	T int64
	V float64
}

// Series is one raw input series: Labels include __name__; Samples are in
// time order (they are sorted on load if they are not).
type Series struct {
	Labels  map[string]string
	Samples []Sample
}

// memSeries is a loaded series: sorted samples behind a Prometheus label set.
type memSeries struct {
	lset    labels.Labels
	samples []Sample
}

// store is an immutable in-memory set of series sorted by label set. It
// implements storage.Queryable.
type store struct {
	series []memSeries
	// names maps a metric name to the indexes of its series (in order).
	names map[string][]int
}

func newStore(in []Series, staleAfter int64) *store {
	st := &store{names: map[string][]int{}}
	var maxT int64 = math.MinInt64
	for _, s := range in {
		if len(s.Samples) > 0 && s.Samples[len(s.Samples)-1].T > maxT {
			maxT = s.Samples[len(s.Samples)-1].T
		}
	}
	for _, s := range in {
		if len(s.Samples) == 0 {
			continue
		}
		smp := slices.Clone(s.Samples)
		if !sort.SliceIsSorted(smp, func(i, j int) bool { return smp[i].T < smp[j].T }) {
			sort.SliceStable(smp, func(i, j int) bool { return smp[i].T < smp[j].T })
		}
		if staleAfter > 0 {
			// A series that stops before the end of the data went away: mark
			// it stale one scrape later, as a scraping Prometheus would.
			if last := smp[len(smp)-1].T; last+staleAfter <= maxT {
				smp = append(smp, Sample{T: last + staleAfter, V: math.Float64frombits(value.StaleNaN)})
			}
		}
		st.series = append(st.series, memSeries{lset: labels.FromMap(s.Labels), samples: smp})
	}
	sort.SliceStable(st.series, func(i, j int) bool { return labels.Compare(st.series[i].lset, st.series[j].lset) < 0 })
	// Duplicate label sets are merged: later samples win on equal timestamps.
	out := st.series[:0]
	for _, s := range st.series {
		if n := len(out); n > 0 && labels.Equal(out[n-1].lset, s.lset) {
			out[n-1].samples = mergeSamples(out[n-1].samples, s.samples)
			continue
		}
		out = append(out, s)
	}
	st.series = out
	for i, s := range st.series {
		n := s.lset.Get(labels.MetricName)
		st.names[n] = append(st.names[n], i)
	}
	return st
}

func mergeSamples(a, b []Sample) []Sample {
	m := make([]Sample, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && a[i].T < b[j].T):
			m = append(m, a[i])
			i++
		case i >= len(a) || b[j].T < a[i].T:
			m = append(m, b[j])
			j++
		default:
			m = append(m, b[j])
			i++
			j++
		}
	}
	return m
}

// Querier implements storage.Queryable.
func (st *store) Querier(mint, maxt int64) (storage.Querier, error) {
	return &querier{st: st, mint: mint, maxt: maxt}, nil
}

type querier struct {
	st         *store
	mint, maxt int64
}

// candidates narrows the series to scan with an equality matcher on the
// metric name when there is one.
func (q *querier) candidates(ms []*labels.Matcher) []int {
	for _, m := range ms {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return q.st.names[m.Value]
		}
	}
	idx := make([]int, len(q.st.series))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// window returns the samples of s within [mint, maxt].
func window(s []Sample, mint, maxt int64) []Sample {
	lo := sort.Search(len(s), func(i int) bool { return s[i].T >= mint })
	hi := sort.Search(len(s), func(i int) bool { return s[i].T > maxt })
	return s[lo:hi]
}

func matches(lset labels.Labels, ms []*labels.Matcher) bool {
	for _, m := range ms {
		if !m.Matches(lset.Get(m.Name)) {
			return false
		}
	}
	return true
}

func (q *querier) Select(_ context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	mint, maxt := q.mint, q.maxt
	if hints != nil {
		mint, maxt = max(mint, hints.Start), min(maxt, hints.End)
	}
	var out []storage.Series
	for _, i := range q.candidates(ms) {
		s := q.st.series[i]
		if !matches(s.lset, ms) {
			continue
		}
		w := window(s.samples, mint, maxt)
		if len(w) == 0 {
			continue
		}
		out = append(out, &listSeries{lset: s.lset, samples: w})
	}
	return &seriesSet{series: out, i: -1}
}

func (q *querier) LabelValues(_ context.Context, name string, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	seen := map[string]struct{}{}
	for _, i := range q.candidates(ms) {
		s := q.st.series[i]
		if !matches(s.lset, ms) || len(window(s.samples, q.mint, q.maxt)) == 0 {
			continue
		}
		if v := s.lset.Get(name); v != "" {
			seen[v] = struct{}{}
		}
	}
	return sortedKeys(seen), nil, nil
}

func (q *querier) LabelNames(_ context.Context, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	seen := map[string]struct{}{}
	for _, i := range q.candidates(ms) {
		s := q.st.series[i]
		if !matches(s.lset, ms) || len(window(s.samples, q.mint, q.maxt)) == 0 {
			continue
		}
		s.lset.Range(func(l labels.Label) { seen[l.Name] = struct{}{} })
	}
	return sortedKeys(seen), nil, nil
}

func (q *querier) Close() error { return nil }

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type seriesSet struct {
	series []storage.Series
	i      int
}

func (s *seriesSet) Next() bool                        { s.i++; return s.i < len(s.series) }
func (s *seriesSet) At() storage.Series                { return s.series[s.i] }
func (s *seriesSet) Err() error                        { return nil }
func (s *seriesSet) Warnings() annotations.Annotations { return nil }

type listSeries struct {
	lset    labels.Labels
	samples []Sample
}

func (s *listSeries) Labels() labels.Labels { return s.lset }

func (s *listSeries) Iterator(chunkenc.Iterator) chunkenc.Iterator {
	return storage.NewListSeriesIterator(sampleList(s.samples))
}

// sampleList adapts a sample slice to storage.Samples.
type sampleList []Sample

func (l sampleList) Get(i int) chunks.Sample { return point{t: l[i].T, f: l[i].V} }
func (l sampleList) Len() int                { return len(l) }

// point is one float sample as a chunks.Sample.
type point struct {
	t int64
	f float64
}

func (p point) T() int64                      { return p.t }
func (p point) ST() int64                     { return 0 }
func (p point) F() float64                    { return p.f }
func (p point) H() *histogram.Histogram       { return nil }
func (p point) FH() *histogram.FloatHistogram { return nil }
func (p point) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (p point) Copy() chunks.Sample           { return p }
