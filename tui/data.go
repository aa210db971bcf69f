package tui

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/tui/chart"
	"github.com/causeway-sre/causeway/tui/progress"
	"github.com/causeway-sre/causeway/tui/ranking"
)

// runDoneMsg is the end of a run of the bank.
type runDoneMsg struct {
	id  uint64
	res *queries.Result
	err error // the run's context error (cancelled)
	// base is set for a follow run: res holds only the new points and is
	// merged into base before the analysis.
	base *queries.Result
}

// analyzedMsg carries the analysis of a run.
type analyzedMsg struct {
	id     uint64
	report *incident.Report
}

// exportedMsg is the outcome of an export.
type exportedMsg struct {
	path string
	err  error
}

// followTickMsg asks for a follow refresh; gen drops ticks of an earlier
// follow session.
type followTickMsg struct{ gen int }

// ctxFunc makes the context of one run; the TUI's own context is its parent.
type ctxFunc func() (context.Context, context.CancelFunc)

// runCmd runs the bank in a command and streams progress into ch, which it
// closes when the run is over. The progress callback never blocks: the
// channel holds every report of the run.
//
// enrich (optional) adds what other sources know about the run's window
// (the cluster's events, a bundle's recorded ones) in the same command,
// after the queries and before the analysis: nothing of it runs in Update.
func runCmd(ctx context.Context, id uint64, src queries.Source, bank *queries.Bank, w queries.Window,
	opts queries.RunOptions, ch chan tea.Msg, base *queries.Result, enrich EnrichFunc) tea.Cmd {
	opts.RunID = id
	opts.OnProgress = func(p queries.Progress) {
		select {
		case ch <- progress.ReportMsg{Progress: p}:
		default: // never block the runner; the final result has every row
		}
	}
	return func() tea.Msg {
		res := queries.Run(ctx, src, bank, w, opts)
		close(ch)
		if enrich != nil && ctx.Err() == nil && !allFailed(res) {
			enrich(ctx, res)
			sort.SliceStable(res.Events, func(i, j int) bool { return res.Events[i].Time.Before(res.Events[j].Time) })
		}
		return runDoneMsg{id: id, res: res, err: ctx.Err(), base: base}
	}
}

// waitCmd waits for the next progress report of a run; it is re-armed after
// each report, and returns nil once the run's channel is closed.
func waitCmd(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// analyzeCmd correlates a result in a command; a follow result is merged
// into its base first.
func analyzeCmd(id uint64, bank *queries.Bank, res, base *queries.Result) tea.Cmd {
	return func() tea.Msg {
		if base != nil {
			res = slide(base, res)
		}
		return analyzedMsg{id: id, report: incident.Analyze(bank, res)}
	}
}

// exportCmd writes the postmortem in a command.
func exportCmd(export func(*incident.Report) (string, error), r *incident.Report) tea.Cmd {
	return func() tea.Msg {
		p, err := export(r)
		return exportedMsg{path: p, err: err}
	}
}

func followTick(d time.Duration, gen int) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return followTickMsg{gen: gen} })
}

// seriesKey identifies a series across runs.
func seriesKey(s queries.Series) string {
	var b strings.Builder
	b.WriteString(s.Query)
	for _, k := range slices.Sorted(maps.Keys(s.Labels)) {
		fmt.Fprintf(&b, "\x00%s=%s", k, s.Labels[k])
	}
	return b.String()
}

// followWindow is the window of the points after base's end up to now, or
// ok=false when there is nothing new or too much (a full run is better).
func followWindow(base queries.Window, now time.Time) (delta queries.Window, ok bool) {
	if base.Step <= 0 {
		return queries.Window{}, false
	}
	to := now.Truncate(base.Step)
	if !to.After(base.To) {
		return queries.Window{}, false
	}
	from := base.To.Add(base.Step)
	if to.Sub(from) >= base.To.Sub(base.Start()) {
		return queries.Window{}, false
	}
	return queries.Window{From: from, To: to, Step: base.Step}, true
}

// slide merges a follow run into base: the window moves forward by the new
// points, old points fall off the start, series new to the window get NaN
// before, series absent from the new run get NaN after. Base is not changed.
func slide(base, delta *queries.Result) *queries.Result {
	bw, dw := base.Window, delta.Window
	k := dw.Points()
	w := queries.Window{From: bw.From.Add(time.Duration(k) * bw.Step), To: dw.To, Step: bw.Step, Baseline: bw.Baseline}
	n := w.Points()
	out := &queries.Result{Window: w, Source: base.Source, Queries: delta.Queries, Warnings: delta.Warnings}
	fresh := make(map[string]queries.Series, len(delta.Series))
	for _, s := range delta.Series {
		fresh[seriesKey(s)] = s
	}
	seen := map[string]bool{}
	add := func(old []float64, s queries.Series, newVals []float64) {
		v := make([]float64, n)
		for i := range v {
			v[i] = math.NaN()
		}
		// Old points shifted left by k, new points at the end.
		if old != nil {
			copy(v, old[min(k, len(old)):])
		}
		if newVals != nil {
			copy(v[max(n-len(newVals), 0):], newVals)
		}
		s.Values = v
		out.Series = append(out.Series, s)
	}
	for _, s := range base.Series {
		key := seriesKey(s)
		seen[key] = true
		d, ok := fresh[key]
		var nv []float64
		if ok {
			nv = d.Values
		}
		add(s.Values, s, nv)
	}
	for _, s := range delta.Series {
		if !seen[seriesKey(s)] {
			add(nil, s, s.Values)
		}
	}
	start := w.Start()
	for _, e := range base.Events {
		if !e.Time.Before(start) {
			out.Events = append(out.Events, e)
		}
	}
	out.Events = append(out.Events, delta.Events...)
	return out
}

// grid is the time axis of a result.
func grid(w queries.Window) chart.Grid {
	return chart.Grid{Start: w.Start(), Step: w.Step, N: w.Points()}
}

// chartSeries finds the series of the refs (in order) in a report. A ref
// whose entity is not found exactly takes the first series of its query
// holding every label of the entity.
func chartSeries(r *incident.Report, refs []ranking.Ref) []chart.Series {
	if r == nil || r.Result == nil {
		return nil
	}
	g := grid(r.Result.Window)
	units := map[string]string{}
	if r.Bank != nil {
		for _, q := range r.Bank.Queries {
			units[q.ID] = q.Unit
		}
	}
	var out []chart.Series
	for _, ref := range refs {
		s, n, ok := findSeries(r.Result.Series, ref)
		if !ok {
			continue
		}
		onset := -1
		if !ref.Onset.IsZero() {
			onset = g.Index(ref.Onset)
		}
		title := ranking.Short(ref.Query, ref.Entity)
		if n > 1 {
			how := "max"
			if s.Kind == queries.Events {
				how = "sum"
			}
			title += fmt.Sprintf(" (%s of %d)", how, n)
		}
		out = append(out, chart.Series{
			Title:  title,
			Name:   ranking.Label(ref.Query, ref.Entity),
			Unit:   units[ref.Query],
			Kind:   chart.Kind(s.Kind),
			Values: s.Values,
			Onset:  onset,
		})
	}
	return out
}

// findSeries finds the series of a ref: the one whose entity is the ref's,
// or else (a group of signals, e.g. "for 9 pods of api") every series of
// the query holding the ref's labels, folded point by point: the sum for
// events, the maximum (the worst member) otherwise. n is how many series
// were folded.
func findSeries(all []queries.Series, ref ranking.Ref) (s queries.Series, n int, ok bool) {
	var group []queries.Series
	for _, x := range all {
		if x.Query != ref.Query {
			continue
		}
		if maps.Equal(x.Entity, ref.Entity) {
			return x, 1, true
		}
		if holds(x.Labels, ref.Entity) {
			group = append(group, x)
		}
	}
	switch len(group) {
	case 0:
		return queries.Series{}, 0, false
	case 1:
		return group[0], 1, true
	}
	s = group[0]
	s.Entity, s.Labels = ref.Entity, ref.Entity
	s.Values = make([]float64, len(group[0].Values))
	for i := range s.Values {
		v, seen := 0.0, false
		for _, x := range group {
			if i >= len(x.Values) || math.IsNaN(x.Values[i]) || math.IsInf(x.Values[i], 0) {
				continue
			}
			switch {
			case !seen:
				v = x.Values[i]
			case s.Kind == queries.Events:
				v += x.Values[i]
			default:
				v = math.Max(v, x.Values[i])
			}
			seen = true
		}
		if !seen {
			v = math.NaN()
		}
		s.Values[i] = v
	}
	return s, len(group), true
}

func holds(labels, sub map[string]string) bool {
	for k, v := range sub {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// fallbackRefs charts the strongest anomalies when nothing is ranked, or
// else the first signals of the bank, so a quiet window still shows data.
func fallbackRefs(r *incident.Report, n int) []ranking.Ref {
	var out []ranking.Ref
	if r == nil {
		return nil
	}
	if r.Findings != nil {
		for _, a := range r.Findings.Anomalies {
			if len(out) == n {
				return out
			}
			out = append(out, ranking.Ref{Query: a.Query, Entity: a.Entity, Onset: a.Onset})
		}
	}
	if len(out) > 0 || r.Result == nil {
		return out
	}
	topology := map[string]bool{}
	if r.Bank != nil {
		for _, q := range r.Bank.Queries {
			topology[q.ID] = q.Role == queries.RoleTopology
		}
	}
	for _, s := range r.Result.Series {
		if len(out) == n {
			break
		}
		if !topology[s.Query] {
			out = append(out, ranking.Ref{Query: s.Query, Entity: s.Entity})
		}
	}
	return out
}

// allFailed reports whether a run had queries and every one of them failed.
func allFailed(res *queries.Result) bool {
	if res == nil || len(res.Queries) == 0 {
		return false
	}
	for _, q := range res.Queries {
		if q.Err == nil {
			return false
		}
	}
	return true
}

// commonError is the most frequent error of a run's failed queries, how
// many queries share it, and how many failed in all.
func commonError(res *queries.Result) (msg string, n, failed int) {
	if res == nil {
		return "", 0, 0
	}
	counts := map[string]int{}
	for _, q := range res.Queries {
		if q.Err != nil {
			failed++
			counts[q.Err.Error()]++
		}
	}
	for m, c := range counts {
		if c > n || (c == n && m < msg) {
			msg, n = m, c
		}
	}
	return msg, n, failed
}

// warnings lists a run's warnings for people: the run-level ones (e.g.
// the Kubernetes API was forbidden) first, then each query's, prefixed
// with the query's id. The server's informational annotations ("PromQL
// info: metric might not be a counter") are notes, not warnings.
func warnings(res *queries.Result) (warn, notes []string) {
	if res == nil {
		return nil, nil
	}
	warn = slices.Clone(res.Warnings)
	for _, q := range res.Queries {
		for _, w := range q.Warnings {
			if strings.HasPrefix(w, "PromQL info") {
				notes = append(notes, q.Query.ID+": "+w)
			} else {
				warn = append(warn, q.Query.ID+": "+w)
			}
		}
	}
	return warn, notes
}

// timelineEntries makes the timeline's texts short enough for a terminal
// line: the signal's full label set becomes its compact name
// (ranking.Short), and a Kubernetes event reads "Reason object: message".
// Texts in another shape are kept as they are.
func timelineEntries(in []correlate.TimelineEntry) []correlate.TimelineEntry {
	out := make([]correlate.TimelineEntry, len(in))
	for i, e := range in {
		out[i] = e
		if e.Source == "kubernetes" {
			out[i].Text = kubeText(e)
			continue
		}
		full := ranking.Query(e.Query, e.Entity)
		if e.Query != "" && strings.HasPrefix(e.Text, full) {
			out[i].Text = ranking.Short(e.Query, e.Entity) + e.Text[len(full):]
		}
	}
	return out
}

// kubeText rewrites "Reason: message {k=v,...}" (correlate's shape) as
// "Reason ns/pod: message".
func kubeText(e correlate.TimelineEntry) string {
	reason, ok := strings.CutPrefix(e.Query, "event:")
	if !ok || !strings.HasPrefix(e.Text, reason) {
		return e.Text
	}
	rest := e.Text[len(reason):]
	if len(e.Entity) > 0 {
		labels := ranking.Query("", e.Entity)
		rest = strings.TrimSuffix(rest, " "+labels)
	}
	msg := strings.TrimSpace(strings.TrimPrefix(rest, ":"))
	who := strings.TrimSpace(ranking.Short("", e.Entity))
	text := reason
	if who != "" {
		text += " " + who
	}
	if msg != "" {
		text += ": " + msg
	}
	return text
}
