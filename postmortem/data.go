// Package postmortem turns an analysed incident (incident.Report) into the
// documents people keep: a markdown postmortem in the shape of the usual SRE
// template, the machine-readable JSON report, and user templates over the
// same data.
package postmortem

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
)

// Meta is what the documents need beyond the analysis itself.
type Meta struct {
	// Source describes where the data came from ("prometheus
	// http://host:9090", "scenario db-restart", "bundle incident.cwb").
	// When empty, the result's own source name is used.
	Source string
	// GeneratedAt is when the document was written (markdown only: the JSON
	// report leaves it out so that reruns compare equal).
	GeneratedAt time.Time
	// Version is the causeway version that wrote the document.
	Version string
	// Title overrides the postmortem's title.
	Title string
	// GraphURL is the base URL of a Prometheus-compatible UI whose /graph
	// page the appendix links to. When empty it is taken from Source if
	// Source holds an http(s) URL; when there is none, no links are written.
	GraphURL string
}

// Data is everything the markdown postmortem shows, and what a user's
// --template executes over. Times are UTC; slices are sorted as shown.
type Data struct {
	// Title is the document's title (without "Postmortem:").
	Title string
	// Summary is one sentence: the top chain in words, or "No incident
	// found ..." for a quiet window.
	Summary string
	// Quiet is true when the analysis found nothing that stands out.
	Quiet       bool
	Source      string
	GeneratedAt time.Time
	Version     string
	Window      Window
	// Impact holds the worst error-rate and availability points of the edge
	// and pods families, error rates first.
	Impact     []ImpactRow
	RootCauses []RootCauseRow
	Chains     []ChainData
	// Timeline is sorted by time.
	Timeline []TimelineRow
	// Charts are the top chain's signals drawn as text.
	Charts []Chart
	// Events are the Kubernetes events of the window, by time.
	Events []queries.Event
	// Queries are all queries as run, in bank order; Errors the failed ones.
	Queries  []QueryRow
	Errors   []QueryRow
	Warnings []string
}

// Window is the analysed time range. Start is From minus the baseline: the
// first fetched point.
type Window struct {
	From, To, Start time.Time
	Step, Baseline  time.Duration
}

// ImpactRow is the worst point of one user-facing signal.
type ImpactRow struct {
	// Kind is "error rate", "availability" or "edge".
	Kind   string
	Query  string
	Signal string // the query's title, or its id
	Entity string // "k=v, k=v"
	Unit   string
	// Normal is the baseline median (0 when the series had no baseline).
	Normal float64
	Worst  float64
	At     time.Time
	// NormalText and WorstText are the values formatted for their unit.
	NormalText, WorstText string
}

// RootCauseRow is one candidate root cause, best first.
type RootCauseRow struct {
	Query, Signal, Family, Entity string
	Onset                         time.Time
	Score                         float64
	Why                           string
}

// ChainData is one causal hypothesis, best first.
type ChainData struct {
	Score float64
	// Words is the chain as one sentence.
	Words string
	Steps []StepRow
}

// StepRow is one link of a chain; the first step has no Link.
type StepRow struct {
	Query, Signal, Family, Entity string
	Onset                         time.Time
	Lag                           time.Duration
	Evidence                      string
	Link                          *correlate.Link
}

// TimelineRow is one line of the timeline table.
type TimelineRow struct {
	Time     time.Time
	Source   string // "metric" | "kubernetes"
	Query    string
	Signal   string
	Family   string
	Entity   string
	Text     string
	Evidence string
}

// Chart is one signal drawn as text (asciigraph) over the fetched range.
type Chart struct {
	Query, Signal, Entity, Unit string
	Onset                       time.Time
	// Text is the plot, lines without trailing spaces; "" when the series
	// had no data.
	Text string
}

// QueryRow is one query as run.
type QueryRow struct {
	ID, Title, Family, Kind string
	// Expr is the PromQL as sent.
	Expr string
	// GraphURL opens the query on the source's /graph page for the same
	// range; "" when the source has no such page.
	GraphURL string
	Series   int
	Dropped  int
	Error    string
	Warnings []string
}

// NewData gathers the documents' data from a report.
func NewData(r *incident.Report, meta Meta) (*Data, error) {
	if r == nil || r.Result == nil {
		return nil, fmt.Errorf("postmortem: no report to write")
	}
	res := r.Result
	f := findings(r)
	w := res.Window
	d := &Data{
		Title:       meta.Title,
		Quiet:       f.Quiet,
		Source:      sourceName(meta, res),
		GeneratedAt: meta.GeneratedAt.UTC(),
		Version:     meta.Version,
		Window: Window{
			From: w.From.UTC(), To: w.To.UTC(), Start: w.Start().UTC(),
			Step: w.Step, Baseline: w.Baseline,
		},
		Warnings: nonNil(res.Warnings),
		Events:   sortedEvents(res.Events),
	}
	if d.Title == "" {
		d.Title = "incident of " + w.From.UTC().Format("2006-01-02 15:04") + " UTC"
	}
	titles := queryTitles(r)
	signal := func(id string) string {
		if t := titles[id]; t != "" {
			return t
		}
		return id
	}

	for _, rc := range f.RootCauses {
		d.RootCauses = append(d.RootCauses, RootCauseRow{
			Query: rc.Query, Signal: signal(rc.Query), Family: rc.Family,
			Entity: entityText(rc.Entity), Onset: rc.Onset.UTC(), Score: round(rc.Score), Why: rc.Why,
		})
	}
	for _, c := range f.Chains {
		cd := ChainData{Score: round(c.Score)}
		for _, s := range c.Steps {
			cd.Steps = append(cd.Steps, StepRow{
				Query: s.Query, Signal: signal(s.Query), Family: s.Family, Entity: entityText(s.Entity),
				Onset: s.Onset.UTC(), Lag: s.Lag, Evidence: s.Evidence, Link: s.Link,
			})
		}
		cd.Words = chainWords(cd)
		d.Chains = append(d.Chains, cd)
	}
	d.Summary = summary(d, f)
	d.Timeline = timeline(f, res, signal)
	d.Impact = impact(r, signal)
	if len(f.Chains) > 0 {
		d.Charts = charts(f.Chains[0], res, signal, titlesUnit(r))
	}
	graph := graphBase(meta)
	for _, q := range res.Queries {
		row := QueryRow{
			ID: q.Query.ID, Title: q.Query.Title, Family: q.Query.Family, Kind: string(q.Query.Kind),
			Expr: q.Expr, Series: q.Series, Dropped: q.Dropped, Error: errText(q.Err),
			Warnings: nonNil(q.Warnings),
		}
		if row.Expr == "" {
			row.Expr = q.Query.PromQL
		}
		if graph != "" && row.Expr != "" {
			row.GraphURL = GraphLink(graph, row.Expr, w)
		}
		d.Queries = append(d.Queries, row)
		if row.Error != "" {
			d.Errors = append(d.Errors, row)
		}
	}
	return d, nil
}

// sourceName is the source to show: meta's, else the result's, with the
// credentials, query and fragment of any URL in it removed.
func sourceName(meta Meta, res *queries.Result) string {
	s := meta.Source
	if s == "" {
		s = res.Source
	}
	fields := strings.Fields(s)
	for i, f := range fields {
		if u, err := url.Parse(f); err == nil && u.Scheme != "" && u.Host != "" {
			u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
			fields[i] = u.String()
		}
	}
	return strings.Join(fields, " ")
}

// queryTitles maps query ids to titles, from the bank and from the rows.
func queryTitles(r *incident.Report) map[string]string {
	t := map[string]string{}
	if r.Bank != nil {
		for _, q := range r.Bank.Queries {
			t[q.ID] = q.Title
		}
	}
	for _, q := range r.Result.Queries {
		if q.Query.Title != "" {
			t[q.Query.ID] = q.Query.Title
		}
	}
	return t
}

func titlesUnit(r *incident.Report) map[string]string {
	u := map[string]string{}
	if r.Bank != nil {
		for _, q := range r.Bank.Queries {
			u[q.ID] = q.Unit
		}
	}
	for _, q := range r.Result.Queries {
		if q.Query.Unit != "" {
			u[q.Query.ID] = q.Query.Unit
		}
	}
	return u
}

// entityText writes an entity as "k=v, k=v" in key order.
func entityText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ", ")
}

func sameEntity(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

func clock(t time.Time) string { return t.UTC().Format("15:04:05") }

// wordsSteps caps the steps a chain's sentence names; the list below it
// has them all.
const wordsSteps = 4

// chainWords writes a chain as one sentence.
func chainWords(c ChainData) string {
	var b strings.Builder
	steps := c.Steps
	if len(steps) > wordsSteps {
		steps = steps[:wordsSteps]
	}
	for i, s := range steps {
		switch i {
		case 0:
		case len(c.Steps) - 1:
			b.WriteString(", and then ")
		default:
			b.WriteString(", then ")
		}
		b.WriteString(s.Signal)
		if s.Entity != "" {
			b.WriteString(" on " + s.Entity)
		}
		if i == 0 {
			b.WriteString(" at " + clock(s.Onset) + " UTC")
		} else {
			b.WriteString(" " + lagText(s.Lag) + " later")
		}
	}
	if more := len(c.Steps) - len(steps); more > 0 {
		fmt.Fprintf(&b, ", and %d more steps", more)
	}
	return b.String()
}

func lagText(d time.Duration) string {
	if d < 0 {
		return "-" + lagText(-d)
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func summary(d *Data, f *correlate.Findings) string {
	if f.Quiet || (len(d.Chains) == 0 && len(d.RootCauses) == 0) {
		s := strings.TrimSpace(f.Summary)
		if s == "" {
			return "No incident found: nothing in the window stands out against its baseline."
		}
		if !strings.HasPrefix(strings.ToLower(s), "no incident") {
			s = "No incident found: " + s
		}
		return sentence(s)
	}
	if len(d.Chains) > 0 && len(d.Chains[0].Steps) > 1 {
		return sentence(fmt.Sprintf("Most likely chain (score %.2f): %s", d.Chains[0].Score, d.Chains[0].Words))
	}
	rc := d.RootCauses
	if len(rc) == 0 && len(d.Chains) > 0 {
		return sentence("Most likely cause: " + d.Chains[0].Words)
	}
	s := fmt.Sprintf("Most likely root cause (score %.2f): %s", rc[0].Score, rc[0].Signal)
	if rc[0].Entity != "" {
		s += " on " + rc[0].Entity
	}
	return sentence(s + " at " + clock(rc[0].Onset) + " UTC")
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}

// timeline merges the analysis' timeline with the evidence behind each line.
func timeline(f *correlate.Findings, res *queries.Result, signal func(string) string) []TimelineRow {
	rows := make([]TimelineRow, 0, len(f.Timeline))
	for _, t := range f.Timeline {
		row := TimelineRow{
			Time: t.Time.UTC(), Source: t.Source, Query: t.Query, Family: t.Family,
			Entity: entityText(t.Entity), Text: t.Text,
		}
		if t.Query != "" {
			row.Signal = signal(t.Query)
		} else if t.Family != "" {
			row.Signal = t.Family
		}
		row.Evidence = timelineEvidence(t, f, res)
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Time.Before(rows[j].Time) })
	return rows
}

func timelineEvidence(t correlate.TimelineEntry, f *correlate.Findings, res *queries.Result) string {
	if t.Source == "kubernetes" {
		for _, e := range res.Events {
			if e.Time.Equal(t.Time) && (sameEntity(e.Entity, t.Entity) || strings.Contains(t.Text, e.Reason)) {
				s := e.Type + " event " + e.Reason
				if e.Count > 1 {
					s += fmt.Sprintf(" (x%d)", e.Count)
				}
				if e.Source != "" {
					s += " from " + e.Source
				}
				return s
			}
		}
		return "Kubernetes event"
	}
	for _, c := range f.Chains {
		for _, s := range c.Steps {
			if s.Query == t.Query && sameEntity(s.Entity, t.Entity) && s.Onset.Equal(t.Time) && s.Evidence != "" {
				return s.Evidence
			}
		}
	}
	for _, a := range f.Anomalies {
		if a.Query == t.Query && sameEntity(a.Entity, t.Entity) {
			s := fmt.Sprintf("%s: %s -> %s, z=%.1f", a.Shape, num(a.Before), num(a.After), a.Z)
			return s
		}
	}
	return ""
}

// num formats a value compactly.
func num(x float64) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// value formats a value for its unit.
func value(x float64, unit string) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	switch unit {
	case "ratio":
		return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
	case "percent":
		return strconv.FormatFloat(x, 'f', 1, 64) + "%"
	case "seconds":
		return num(x) + "s"
	case "bytes":
		units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
		i := 0
		for math.Abs(x) >= 1024 && i < len(units)-1 {
			x /= 1024
			i++
		}
		return num(x) + " " + units[i]
	}
	return num(x)
}

// graphBase returns the base URL of the source's UI, or "".
func graphBase(meta Meta) string {
	if meta.GraphURL != "" {
		return strings.TrimRight(meta.GraphURL, "/")
	}
	for _, field := range strings.Fields(meta.Source) {
		u, err := url.Parse(field)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		u.User, u.RawQuery, u.Fragment = nil, "", ""
		return strings.TrimRight(u.String(), "/")
	}
	return ""
}

// GraphLink is the URL of expr on a Prometheus-compatible /graph page over
// the fetched range of w (baseline included), at w's step.
func GraphLink(base, expr string, w queries.Window) string {
	v := url.Values{}
	v.Set("g0.expr", expr)
	v.Set("g0.tab", "0")
	v.Set("g0.range_input", promDuration(w.To.Sub(w.Start())))
	v.Set("g0.end_input", w.To.UTC().Format("2006-01-02 15:04:05"))
	v.Set("g0.step_input", strconv.FormatFloat(w.Step.Seconds(), 'f', -1, 64))
	return strings.TrimRight(base, "/") + "/graph?" + v.Encode()
}

// promDuration writes d the way Prometheus reads durations: 1h30m, 45s.
func promDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	s := int64(d / time.Second)
	var b strings.Builder
	for _, u := range []struct {
		n    int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if s >= u.n {
			fmt.Fprintf(&b, "%d%s", s/u.n, u.name)
			s %= u.n
		}
	}
	return b.String()
}
