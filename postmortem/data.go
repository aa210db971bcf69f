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
	// Impact holds the user-facing impact: edge error-rate and latency
	// peaks, and availability drops of the workloads the incident touched,
	// error rates first.
	Impact     []ImpactRow
	RootCauses []RootCauseRow
	Chains     []ChainData
	// Timeline is sorted by time: one row per change.
	Timeline []TimelineRow
	// Incident and Minor split Timeline: the rows of the chains, of what
	// they touched and of the impact, and the rest.
	Incident []TimelineRow
	Minor    []TimelineRow
	// Charts are the top chain's signals drawn as text.
	Charts []Chart
	// Events are the Kubernetes events of the window, by time.
	Events []queries.Event
	// Queries are all queries as run, in bank order; Errors the failed ones.
	Queries  []QueryRow
	Errors   []QueryRow
	Warnings []string
	// Coverage is what was looked at, per family, in bank order.
	Coverage []FamilyRow
	// SeriesCount is the number of series fetched (topology included).
	SeriesCount int
}

// FamilyRow is what one family of signals covered.
type FamilyRow struct {
	Family  string
	Queries int
	Series  int
	// Signals are the short names of its queries.
	Signals []string
}

// Window is the analysed time range. Start is From minus the baseline: the
// first fetched point.
type Window struct {
	From, To, Start time.Time
	Step, Baseline  time.Duration
}

// ImpactRow is the worst point of one user-facing signal.
type ImpactRow struct {
	// Kind is "error rate", "latency" or "availability".
	Kind   string
	Query  string
	Signal string // the signal's short name
	Entity string // "k=v, k=v"
	// Where names the entity for people: "ingress qa-api in staging".
	Where string
	Unit  string
	// Normal is the baseline median (0 when the series had no baseline).
	Normal float64
	Worst  float64
	At     time.Time
	// From and To bound the time the signal stayed away from normal
	// around its worst point; Duration is To - From.
	From, To time.Time
	Duration time.Duration
	// NormalText and WorstText are the values formatted for their unit.
	NormalText, WorstText string
}

// RootCauseRow is one candidate root cause, best first.
type RootCauseRow struct {
	Query, Signal, Family, Entity string
	Onset                         time.Time
	Score                         float64
	// Why is the analysis' reason; What says the change in words.
	Why  string
	What string
	// Explains counts the later changes linked to it.
	Explains int
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
	// Evidence is the analysis' sentence; What the change in words, For
	// how long it lasted ("for 2m" or ""), LinkText the short evidence of
	// the link to the previous step.
	Evidence string
	What     string
	For      string
	LinkText string
	Link     *correlate.Link
}

// TimelineRow is one line of the timeline table: one change.
type TimelineRow struct {
	Time     time.Time
	Source   string // "metric" | "kubernetes"
	Query    string
	Signal   string
	Family   string
	Entity   string
	Text     string
	Evidence string
	// Chain lists the chain steps the change is ("1.2" is chain 1, step 2,
	// "" when none); TopChain is true for steps of the first chain.
	Chain    string
	TopChain bool
	// Minor is true for changes outside the chains and their entities.
	Minor bool
	// Until is when the change ended (zero when it did not within the
	// window); Duration is Until - Time.
	Until    time.Time
	Duration time.Duration

	entity         map[string]string
	memberEntities []map[string]string
	lastEvent      time.Time
	events         int
}

// Chart is one signal drawn as text (asciigraph) over the fetched range.
type Chart struct {
	Query, Signal, Entity, Unit string
	// Where names the entity for people.
	Where string
	Onset time.Time
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
		Warnings:    nonNil(res.Warnings),
		Events:      sortedEvents(res.Events),
		SeriesCount: len(res.Series),
	}
	n := newNamer(r)
	rd := newReader(r, n)

	for _, rc := range f.RootCauses {
		c := rd.describe(rc.Query, rc.Entity, rc.Onset, time.Time{}, 0)
		d.RootCauses = append(d.RootCauses, RootCauseRow{
			Query: rc.Query, Signal: n.short(rc.Query), Family: rc.Family,
			Entity: entityText(rc.Entity), Onset: rc.Onset.UTC(), Score: round(rc.Score), Why: rc.Why,
			What: c.full(), Explains: rc.Explains,
		})
	}
	for _, c := range f.Chains {
		cd := ChainData{Score: round(c.Score)}
		for _, s := range c.Steps {
			ch := rd.describeMembers(s.Query, s.Entity, s.Onset, time.Time{}, s.Count, s.Members)
			cd.Steps = append(cd.Steps, StepRow{
				Query: s.Query, Signal: n.short(s.Query), Family: s.Family, Entity: entityText(s.Entity),
				Onset: s.Onset.UTC(), Lag: s.Lag, Evidence: s.Evidence, Link: s.Link,
				What: ch.Text, For: ch.For, LinkText: linkEvidence(s.Link),
			})
		}
		cd.Words = chainWords(cd)
		d.Chains = append(d.Chains, cd)
	}
	d.Coverage = coverage(res, n)
	d.Timeline = rd.buildTimeline(res)
	for i := range d.Timeline {
		t := &d.Timeline[i]
		if t.Signal == "" {
			t.Signal = n.short(t.Query)
			if t.Query == "" {
				t.Signal = t.Family
			}
		}
	}
	d.Impact = impact(r, rd, incidentTokens(rd, f))
	d.Incident, d.Minor = splitTimeline(d, rd, f)
	d.Summary = summary(d, f)
	if d.Title == "" {
		d.Title = capitalise(title(d))
	}
	if len(f.Chains) > 0 {
		d.Charts = charts(f.Chains[0], f, res, n)
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

// title is the default title: the incident's first change and its date,
// or "No incident found" and the window.
func title(d *Data) string {
	day := d.Window.From.Format("2006-01-02")
	if d.Quiet || (len(d.Chains) == 0 && len(d.RootCauses) == 0) {
		return "no incident found, " + day + " " + d.Window.From.Format("15:04") + " to " +
			d.Window.To.Format("15:04") + " UTC"
	}
	if len(d.Chains) > 0 && len(d.Chains[0].Steps) > 0 {
		st := d.Chains[0].Steps[0]
		return st.What + ", " + day + " " + st.Onset.Format("15:04") + " UTC"
	}
	rc := d.RootCauses[0]
	return rc.What + ", " + day + " " + rc.Onset.Format("15:04") + " UTC"
}

// coverage counts queries and series per family, in bank order.
func coverage(res *queries.Result, n *namer) []FamilyRow {
	var out []FamilyRow
	idx := map[string]int{}
	for _, q := range res.Queries {
		if q.Query.Role == queries.RoleTopology {
			continue
		}
		fam := q.Query.Family
		i, ok := idx[fam]
		if !ok {
			i = len(out)
			idx[fam] = i
			out = append(out, FamilyRow{Family: fam})
		}
		out[i].Queries++
		out[i].Series += q.Series
		out[i].Signals = append(out[i].Signals, n.short(q.Query.ID))
	}
	return out
}

// incidentTokens are the names (pods, workloads, nodes, ingresses, jobs)
// the chains touch; without chains, those of the best root cause.
func incidentTokens(rd *reader, f *correlate.Findings) map[string]bool {
	toks := map[string]bool{}
	if f.Quiet {
		return toks
	}
	add := func(e map[string]string) {
		for _, t := range rd.n.tokens(e) {
			toks[t] = true
		}
	}
	for _, c := range f.Chains {
		for _, s := range c.Steps {
			add(s.Entity)
			for _, m := range s.Members {
				if m >= 0 && m < len(f.Anomalies) {
					add(f.Anomalies[m].Entity)
				}
			}
		}
	}
	if len(f.Chains) == 0 && len(f.RootCauses) > 0 {
		add(f.RootCauses[0].Entity)
	}
	return toks
}

// splitTimeline sorts the timeline into the incident's rows (chain steps,
// changes of the entities the chains touch, impact) and minor changes.
func splitTimeline(d *Data, rd *reader, f *correlate.Findings) (main, minor []TimelineRow) {
	toks := incidentTokens(rd, f)
	impact := map[string]bool{}
	for _, r := range d.Impact {
		impact[r.Query+"|"+r.Entity] = true
	}
	for i := range d.Timeline {
		t := &d.Timeline[i]
		related := t.Chain != "" || impact[t.Query+"|"+t.Entity]
		for _, e := range append([]map[string]string{t.entity}, t.memberEntities...) {
			for _, tok := range rd.n.tokens(e) {
				related = related || toks[tok]
			}
		}
		t.Minor = d.Quiet || !related
		if t.Minor {
			minor = append(minor, *t)
		} else {
			main = append(main, *t)
		}
	}
	return main, minor
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

// chainWords writes a chain as one sentence: the first change with its
// time, then each next one with its lag: "1 Karpenter disruption on
// nodepool staging-spot at 09:45:30 UTC; then running pods in namespace
// staging dropped from 2 to 0 (+0s)".
func chainWords(c ChainData) string {
	var b strings.Builder
	steps := c.Steps
	if len(steps) > wordsSteps {
		steps = steps[:wordsSteps]
	}
	for i, s := range steps {
		what := s.What
		if what == "" {
			what = s.Signal
			if s.Entity != "" {
				what += " on " + s.Entity
			}
		}
		if i == 0 {
			b.WriteString(capitalise(what) + " at " + clock(s.Onset) + " UTC")
			if s.For != "" {
				b.WriteString(" " + s.For)
			}
			continue
		}
		b.WriteString("; then " + what)
		if s.For != "" {
			b.WriteString(" " + s.For)
		}
		b.WriteString(" (" + plusLag(s.Lag) + ")")
	}
	if more := len(c.Steps) - len(steps); more > 0 {
		fmt.Fprintf(&b, "; and %d more step%s", more, map[bool]string{true: "s"}[more > 1])
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
		queries, families := 0, len(d.Coverage)
		for _, c := range d.Coverage {
			queries += c.Queries
		}
		if queries == 0 {
			return "No incident found: no query was run."
		}
		s := fmt.Sprintf("No incident found: of the %d series of %d quer%s in %d famil%s, none moved in a way that forms a chain of changes or hurts users",
			d.SeriesCount, queries, map[bool]string{true: "y", false: "ies"}[queries == 1],
			families, map[bool]string{true: "y", false: "ies"}[families == 1])
		switch len(d.Minor) {
		case 0:
		case 1:
			s += "; 1 minor change is listed below"
		default:
			s += fmt.Sprintf("; %d minor changes are listed below", len(d.Minor))
		}
		return sentence(s)
	}
	if len(d.Chains) > 0 && len(d.Chains[0].Steps) > 1 {
		return sentence(d.Chains[0].Words)
	}
	if len(d.Chains) > 0 {
		return sentence("Most likely cause: " + d.Chains[0].Words)
	}
	rc := d.RootCauses[0]
	return sentence(fmt.Sprintf("Most likely cause: %s at %s UTC; no chain of changes follows it", rc.What, clock(rc.Onset)))
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
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
		return percent(x * 100)
	case "percent":
		return percent(x)
	case "seconds":
		if x != 0 && math.Abs(x) < 1 {
			return strconv.FormatFloat(x*1000, 'f', 0, 64) + "ms"
		}
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

// percent writes p (already in percent) with the precision its size needs:
// 0%, 0.04%, 1.3%, 97.6%, 100%.
func percent(p float64) string {
	a := math.Abs(p)
	switch {
	case a == 0:
		return "0%"
	case a < 1:
		return strconv.FormatFloat(p, 'g', 1, 64) + "%"
	case a >= 99.95 && a <= 100.05:
		return "100%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
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
