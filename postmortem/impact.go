package postmortem

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/guptarohit/asciigraph"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
)

// impactRowsPerKind caps the impact table: the worst few are what a reader
// of a postmortem needs.
const impactRowsPerKind = 5

// impact finds the user-facing impact: the error-rate and latency peaks of
// the edge family, and the availability drops (pods-family gauges) of the
// workloads the incident touched (toks), each with how long it lasted.
func impact(r *incident.Report, rd *reader, toks map[string]bool) []ImpactRow {
	res := r.Result
	w := res.Window
	base := w.BaselinePoints()
	type scored struct {
		row   ImpactRow
		score float64
	}
	var rows []scored
	for _, s := range res.Series {
		q := rd.n.queries[s.Query]
		if q.Role == queries.RoleTopology || len(s.Values) <= base || s.Kind != queries.Gauge {
			continue
		}
		kind := ""
		switch {
		case s.Family == "edge" && q.Unit == "ratio":
			kind = "error rate"
		case s.Family == "edge" && q.Unit == "seconds":
			kind = "latency"
		case s.Family == "pods":
			related := false
			for _, t := range rd.n.tokens(s.Entity) {
				related = related || toks[t]
			}
			if s.Entity["namespace"] != "" && len(s.Entity) == 1 {
				// A namespace total counts when a chain step is that total.
				related = related || len(rd.stepsOf(s.Query, s.Entity, time.Time{}, w.To)) > 0
			}
			if related {
				kind = "availability"
			}
		}
		if kind == "" {
			continue
		}
		normal := median(s.Values[:min(base, len(s.Values))])
		if math.IsNaN(normal) {
			normal = 0 // a series absent before the window: the condition did not hold
		}
		worst, wi := math.NaN(), -1
		for i := base; i < len(s.Values); i++ {
			v := s.Values[i]
			if math.IsNaN(v) {
				continue
			}
			if wi < 0 || departure(kind, v, normal) > departure(kind, worst, normal) {
				worst, wi = v, i
			}
		}
		if wi < 0 {
			continue
		}
		from, to := excursion(s.Values, base, wi, normal, worst)
		steps := to - from + 1
		if !material(kind, worst, normal, steps) {
			continue
		}
		row := ImpactRow{
			Kind: kind, Query: s.Query, Signal: rd.n.short(s.Query), Entity: entityText(s.Entity),
			Where: rd.n.ref(s.Entity, nil), Unit: q.Unit,
			Normal: normal, Worst: worst, At: w.Time(wi).UTC(),
			From: w.Time(from).UTC(), To: w.Time(to + 1).UTC(),
			NormalText: value(normal, q.Unit), WorstText: value(worst, q.Unit),
		}
		if to+1 >= len(s.Values) {
			row.To = w.To.UTC()
		}
		row.Duration = row.To.Sub(row.From)
		rows = append(rows, scored{row: row, score: impactScore(q.Unit, worst, normal)})
	}
	order := map[string]int{"error rate": 0, "latency": 1, "availability": 2}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if order[a.row.Kind] != order[b.row.Kind] {
			return order[a.row.Kind] < order[b.row.Kind]
		}
		if a.score != b.score {
			return a.score > b.score
		}
		if !a.row.At.Equal(b.row.At) {
			return a.row.At.Before(b.row.At)
		}
		return a.row.Query+a.row.Entity < b.row.Query+b.row.Entity
	})
	out := make([]ImpactRow, 0, len(rows))
	per := map[string]int{}
	for _, s := range rows {
		if per[s.row.Kind] >= impactRowsPerKind {
			continue
		}
		per[s.row.Kind]++
		out = append(out, s.row)
	}
	return out
}

// excursion returns the first and last point around wi (within the window)
// where the series stayed at least a quarter of the way from normal to
// worst.
func excursion(vals []float64, base, wi int, normal, worst float64) (int, int) {
	thr := normal + (worst-normal)/4
	away := func(v float64) bool {
		if math.IsNaN(v) {
			return false
		}
		if worst >= normal {
			return v >= thr && v > normal
		}
		return v <= thr && v < normal
	}
	from, to := wi, wi
	for from-1 >= base && away(vals[from-1]) {
		from--
	}
	for to+1 < len(vals) && away(vals[to+1]) {
		to++
	}
	return from, to
}

// material says whether a move is user-facing impact worth a line: an
// error ratio up by a percentage point for two steps (or by five points),
// a latency doubled and up by 250ms for two steps (or tripled), an
// availability signal moved by one.
func material(kind string, worst, normal float64, steps int) bool {
	d := worst - normal
	switch kind {
	case "error rate":
		return d >= 0.01 && (steps >= 2 || d >= 0.05)
	case "latency":
		return d >= 0.25 && worst >= 2*normal && (steps >= 2 || worst >= 3*normal)
	}
	return math.Abs(d) >= 1 || (math.Abs(d) > 0 && math.Abs(d) >= 0.1*math.Abs(normal))
}

// impactScore orders the rows of one kind: ratios by how far they moved,
// other units by how far relative to their size.
func impactScore(unit string, worst, normal float64) float64 {
	d := math.Abs(worst - normal)
	if unit == "ratio" {
		return d
	}
	return d / math.Max(math.Abs(normal), 1e-9+math.Abs(worst))
}

// departure is how bad v is against normal: error rates and latency are
// bad when high, availability signals in either direction (running pods
// drop, unavailable replicas rise).
func departure(kind string, v, normal float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(-1)
	}
	if kind != "availability" {
		return v - normal
	}
	return math.Abs(v - normal)
}

func median(xs []float64) float64 {
	vals := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			vals = append(vals, x)
		}
	}
	if len(vals) == 0 {
		return math.NaN()
	}
	sort.Float64s(vals)
	n := len(vals)
	if n%2 == 1 {
		return vals[n/2]
	}
	return (vals[n/2-1] + vals[n/2]) / 2
}

// Chart geometry: wide enough to read, narrow enough for a doc's code block.
const (
	chartWidth  = 60
	chartHeight = 8
)

// charts draws each step of a chain from the series it was found in (for
// a group of series, its strongest member).
func charts(c correlate.Chain, f *correlate.Findings, res *queries.Result, n *namer) []Chart {
	out := make([]Chart, 0, len(c.Steps))
	for _, st := range c.Steps {
		ch := Chart{
			Query: st.Query, Signal: n.short(st.Query), Entity: entityText(st.Entity),
			Where: n.ref(st.Entity, nil), Unit: n.unit(st.Query), Onset: st.Onset.UTC(),
		}
		want := st.Entity
		if st.Anomaly >= 0 && st.Anomaly < len(f.Anomalies) && f.Anomalies[st.Anomaly].Query == st.Query {
			want = f.Anomalies[st.Anomaly].Entity
		}
		var match *queries.Series
		for i := range res.Series {
			s := &res.Series[i]
			if s.Query != st.Query {
				continue
			}
			if sameEntity(s.Entity, want) {
				match = s
				break
			}
			if match == nil && subset(st.Entity, s.Entity) {
				match = s
			}
		}
		if match != nil {
			ch.Text = plot(match.Values, res.Window, ch.Unit)
			if !sameEntity(match.Entity, st.Entity) {
				ch.Where = n.ref(match.Entity, nil)
			}
		}
		out = append(out, ch)
	}
	return out
}

// plot draws values over the window's grid with a UTC time axis; "" when
// there is nothing to draw.
func plot(values []float64, w queries.Window, unit string) string {
	n, finite := len(values), 0
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite++
		}
	}
	if n < 2 || finite == 0 {
		return ""
	}
	data := downsample(values, chartWidth)
	start := w.Start()
	g := asciigraph.Plot(data,
		asciigraph.Height(chartHeight),
		asciigraph.XAxisRange(0, float64(n-1)),
		asciigraph.XAxisTickCount(4),
		asciigraph.XAxisValueFormatter(func(x float64) string {
			return start.Add(time.Duration(math.Round(x)) * w.Step).UTC().Format("15:04")
		}),
		asciigraph.YAxisValueFormatter(func(y float64) string { return value(y, unit) }),
	)
	lines := strings.Split(g, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// downsample reduces values to at most width points. Each bucket keeps its
// value farthest from the series' median, so spikes, dips and single events
// survive (asciigraph's own resampling interpolates them away). Infinities
// become gaps.
func downsample(values []float64, width int) []float64 {
	clean := make([]float64, len(values))
	for i, v := range values {
		if math.IsInf(v, 0) {
			v = math.NaN()
		}
		clean[i] = v
	}
	if len(clean) <= width {
		return clean
	}
	mid := median(clean)
	out := make([]float64, width)
	for b := range out {
		lo, hi := b*len(clean)/width, (b+1)*len(clean)/width
		best := math.NaN()
		for _, v := range clean[lo:hi] {
			if !math.IsNaN(v) && (math.IsNaN(best) || math.Abs(v-mid) > math.Abs(best-mid)) {
				best = v
			}
		}
		out[b] = best
	}
	return out
}
