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
// of a postmortem needs; the rest are in the JSON report.
const impactRowsPerKind = 5

// impact finds the worst points of the user-facing families: error rates
// (edge ratios) by their peak, availability (pods) by the largest departure
// from the baseline median.
func impact(r *incident.Report, signal func(string) string) []ImpactRow {
	res := r.Result
	w := res.Window
	base := w.BaselinePoints()
	meta := map[string]queries.Query{}
	if r.Bank != nil {
		for _, q := range r.Bank.Queries {
			meta[q.ID] = q
		}
	}
	for _, q := range res.Queries {
		meta[q.Query.ID] = q.Query
	}
	type scored struct {
		row   ImpactRow
		score float64
	}
	var rows []scored
	for _, s := range res.Series {
		if s.Family != "edge" && s.Family != "pods" {
			continue
		}
		q := meta[s.Query]
		if q.Role == queries.RoleTopology || len(s.Values) <= base {
			continue
		}
		normal := median(s.Values[:min(base, len(s.Values))])
		if math.IsNaN(normal) {
			normal = 0 // a series absent before the window: the condition did not hold
		}
		worst, at := math.NaN(), -1
		for i := base; i < len(s.Values); i++ {
			v := s.Values[i]
			if math.IsNaN(v) {
				continue
			}
			if at < 0 || departure(s.Family, v, normal) > departure(s.Family, worst, normal) {
				worst, at = v, i
			}
		}
		if at < 0 || !material(q.Unit, worst, normal) {
			continue
		}
		kind := "availability"
		if s.Family == "edge" {
			kind = "edge"
			if q.Unit == "ratio" || strings.Contains(s.Query, "5xx") || strings.Contains(s.Query, "error") {
				kind = "error rate"
			}
		}
		rows = append(rows, scored{
			row: ImpactRow{
				Kind: kind, Query: s.Query, Signal: signal(s.Query), Entity: entityText(s.Entity), Unit: q.Unit,
				Normal: normal, Worst: worst, At: w.Time(at).UTC(),
				NormalText: value(normal, q.Unit), WorstText: value(worst, q.Unit),
			},
			score: impactScore(s.Family, q.Unit, worst, normal),
		})
	}
	order := map[string]int{"error rate": 0, "availability": 1, "edge": 2}
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

// material says whether a move is worth a line of the impact table: a
// ratio must move by a percentage point, anything else by a tenth.
func material(unit string, worst, normal float64) bool {
	d := math.Abs(worst - normal)
	if unit == "ratio" {
		return d >= 0.01
	}
	return d > 0 && d >= 0.1*math.Abs(normal)
}

// impactScore orders the rows of one kind: ratios by how far they moved,
// other units by how far relative to their size.
func impactScore(family, unit string, worst, normal float64) float64 {
	d := departure(family, worst, normal)
	if unit == "ratio" {
		return d
	}
	return d / math.Max(math.Abs(normal), 1e-9+math.Abs(worst))
}

// departure is how bad v is against normal: edge signals are bad when high,
// pods signals in either direction (running pods drop, unavailable rise).
func departure(family string, v, normal float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(-1)
	}
	if family == "edge" {
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

// charts draws each step of a chain from the series it was found in.
func charts(c correlate.Chain, res *queries.Result, signal func(string) string, units map[string]string) []Chart {
	out := make([]Chart, 0, len(c.Steps))
	for _, st := range c.Steps {
		ch := Chart{
			Query: st.Query, Signal: signal(st.Query), Entity: entityText(st.Entity),
			Unit: units[st.Query], Onset: st.Onset.UTC(),
		}
		for _, s := range res.Series {
			if s.Query == st.Query && sameEntity(s.Entity, st.Entity) {
				ch.Text = plot(s.Values, res.Window, ch.Unit)
				break
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
