package postmortem

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
)

// reader answers questions about the series of one report: what a signal
// did at a point, how long it lasted, which steps of which chains a change
// belongs to.
type reader struct {
	n      *namer
	w      queries.Window
	base   int
	series map[string][]*queries.Series // by query id
	index  map[string]*entityIndex      // by query id, built on first use
	f      *correlate.Findings
}

// entityIndex finds a query's series by entity without a scan: a report on
// 10,000 pods asks for dozens of entities (issue 9).
type entityIndex struct {
	exact   map[string]*queries.Series   // entityKey -> first series
	posting map[string][]*queries.Series // "label\xffvalue" -> series, in order
}

// entityKey is a canonical text of an entity (labels sorted).
func entityKey(e map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(e)) {
		b.WriteString(k)
		b.WriteByte(0xff)
		b.WriteString(e[k])
		b.WriteByte(0xfe)
	}
	return b.String()
}

func (rd *reader) indexOf(query string) *entityIndex {
	if ix, ok := rd.index[query]; ok {
		return ix
	}
	ix := &entityIndex{exact: map[string]*queries.Series{}, posting: map[string][]*queries.Series{}}
	for _, s := range rd.series[query] {
		if k := entityKey(s.Entity); ix.exact[k] == nil {
			ix.exact[k] = s
		}
		for k, v := range s.Entity {
			pk := k + "\xff" + v
			ix.posting[pk] = append(ix.posting[pk], s)
		}
	}
	if rd.index == nil {
		rd.index = map[string]*entityIndex{}
	}
	rd.index[query] = ix
	return ix
}

func newReader(r *incident.Report, n *namer) *reader {
	rd := &reader{n: n, w: r.Result.Window, base: r.Result.Window.BaselinePoints(),
		series: map[string][]*queries.Series{}, f: findings(r)}
	for i := range r.Result.Series {
		s := &r.Result.Series[i]
		rd.series[s.Query] = append(rd.series[s.Query], s)
	}
	return rd
}

// subset reports whether every label of sub is in full with the same value.
func subset(sub, full map[string]string) bool {
	for k, v := range sub {
		if full[k] != v {
			return false
		}
	}
	return true
}

// find returns the series of query with exactly entity e, else those whose
// entity holds e (the members of a group), in a stable order.
func (rd *reader) find(query string, e map[string]string) []*queries.Series {
	ix := rd.indexOf(query)
	if s := ix.exact[entityKey(e)]; s != nil {
		return []*queries.Series{s}
	}
	// The members hold every label of e: scan the shortest posting list.
	cands := rd.series[query]
	for k, v := range e {
		if p := ix.posting[k+"\xff"+v]; len(p) < len(cands) {
			cands = p
		}
	}
	var sub []*queries.Series
	for _, s := range cands {
		if subset(e, s.Entity) {
			sub = append(sub, s)
		}
	}
	return sub
}

func present(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v != 0 }

func at(vals []float64, i int) float64 {
	if i < 0 || i >= len(vals) {
		return math.NaN()
	}
	return vals[i]
}

// members are the anomalies of query at onset whose entity holds e: the
// signals that moved together under one timeline line.
func (rd *reader) members(query string, e map[string]string, onset time.Time) []correlate.Anomaly {
	var out []correlate.Anomaly
	for _, a := range rd.f.Anomalies {
		if a.Query == query && a.Onset.Equal(onset) && subset(e, a.Entity) {
			out = append(out, a)
		}
	}
	return out
}

// groupOf describes a group of several series: their count and, when they
// are pods of one workload, that workload.
func (rd *reader) groupOf(e map[string]string, ents []map[string]string) grp {
	if len(ents) < 2 {
		return grp{}
	}
	g := grp{n: len(ents), pods: e["pod"] == ""}
	for i, m := range ents {
		if m["pod"] == "" {
			g.pods = false
			break
		}
		w := rd.n.workload[m["namespace"]+"/"+m["pod"]]
		if i == 0 {
			g.wl = w
		} else if g.wl != w {
			g.wl = ""
		}
	}
	if !g.pods {
		g.wl = ""
	}
	return g
}

// describe says what signal query on entity e did at t; until is used by
// repeated events (the last one of the row), zero otherwise.
func (rd *reader) describe(query string, e map[string]string, t, until time.Time, count int) change {
	return rd.describeMembers(query, e, t, until, count, nil)
}

// describeMembers is describe for a change known to stand for the given
// anomalies (indices into Findings.Anomalies), as a chain step does.
func (rd *reader) describeMembers(query string, e map[string]string, t, until time.Time, count int, idx []int) change {
	i := rd.w.Index(t)
	ss := rd.find(query, e)
	var members []correlate.Anomaly
	for _, m := range idx {
		if m >= 0 && m < len(rd.f.Anomalies) && rd.f.Anomalies[m].Query == query {
			members = append(members, rd.f.Anomalies[m])
		}
	}
	if len(members) == 0 {
		members = rd.members(query, e, t)
	}
	ents := make([]map[string]string, 0, len(members))
	for _, m := range members {
		ents = append(ents, m.Entity)
	}
	if len(ents) == 0 && len(ss) > 1 {
		for _, s := range ss {
			ents = append(ents, s.Entity)
		}
	}
	group := rd.groupOf(e, ents)
	var c change
	switch rd.n.kind(query) {
	case queries.Events:
		total := 0.0
		inBase := 0
		for _, s := range ss {
			last := i
			if !until.IsZero() {
				last = rd.w.Index(until)
			}
			for j := i; j <= last; j++ {
				if v := at(s.Values, j); present(v) {
					total += v
				}
			}
			for j := 0; j < rd.base && j < len(s.Values); j++ {
				if present(s.Values[j]) {
					inBase++
				}
			}
		}
		if total == 0 {
			total = float64(max(count, 1))
		}
		c.Text = rd.n.describeEvents(query, e, total, group)
		if !until.IsZero() && until.After(t) {
			c.For = "until " + clock(until)
		}
		if inBase == 0 {
			c.Evidence = "none in the baseline"
		} else {
			c.Evidence = fmt.Sprintf("%d in the baseline", inBase)
		}
	case queries.State:
		c = rd.describeState(query, e, ss, i, group)
	default:
		c = rd.describeGauge(query, e, ss, members, i, group)
	}
	return c
}

func (rd *reader) describeState(query string, e map[string]string, ss []*queries.Series, i int, group grp) change {
	var c change
	if len(ss) == 0 {
		c.Text = rd.n.describeState(query, e, group)
		return c
	}
	vals := ss[0].Values
	startsHere := present(at(vals, i)) && !present(at(vals, i-1))
	endsHere := !present(at(vals, i)) && present(at(vals, i-1))
	inBase := 0
	for j := 1; j < rd.base && j < len(vals); j++ {
		if present(vals[j]) && !present(vals[j-1]) {
			inBase++
		}
	}
	switch {
	case endsHere:
		c.Text = rd.n.describeState(query, e, group) + " ended"
		if strings.HasSuffix(c.Text, " started ended") {
			c.Text = strings.TrimSuffix(c.Text, " started ended") + " ended"
		}
	default:
		c.Text = rd.n.describeState(query, e, group)
		if startsHere || present(at(vals, i)) {
			j := i + 1
			for j < len(vals) && present(vals[j]) {
				j++
			}
			if j < len(vals) {
				c.Until = rd.w.Time(j)
				c.For = "for " + lagText(rd.w.Time(j).Sub(rd.w.Time(i)))
			} else {
				c.For = "until the end of the window"
			}
		}
	}
	if inBase == 0 {
		c.Evidence = "not seen in the baseline"
	} else {
		c.Evidence = fmt.Sprintf("also %d× in the baseline", inBase)
	}
	return c
}

func (rd *reader) describeGauge(query string, e map[string]string, ss []*queries.Series, members []correlate.Anomaly, i int, group grp) change {
	var c change
	shape, before, after, z := "", math.NaN(), math.NaN(), 0.0
	if len(members) > 0 {
		a := members[0]
		shape, before, after, z = a.Shape, a.Before, a.After, a.Z
	} else if len(ss) > 0 {
		before = median(ss[0].Values[:min(rd.base, len(ss[0].Values))])
		after = at(ss[0].Values, i)
	}
	c.Text = rd.n.describeGauge(query, e, shape, before, after, group)
	c.Evidence = zText(z)
	// How long it stayed past half of its move.
	if len(ss) > 0 && !math.IsNaN(before) && !math.IsNaN(after) && after != before && shape != "vanished" && shape != "appeared" {
		vals := ss[0].Values
		mid := (before + after) / 2
		past := func(v float64) bool {
			if math.IsNaN(v) {
				return false
			}
			if after > before {
				return v >= mid
			}
			return v <= mid
		}
		if past(at(vals, i)) {
			j := i + 1
			for j < len(vals) && past(vals[j]) {
				j++
			}
			if j < len(vals) {
				c.Until = rd.w.Time(j)
				c.For = "for " + lagText(rd.w.Time(j).Sub(rd.w.Time(i)))
			}
		}
	}
	return c
}

// stepKey names a chain step: "1.2" is chain 1, step 2.
type stepRef struct{ chain, step int }

// stepsOf returns the chain steps a change of query on e at t (to until)
// belongs to.
func (rd *reader) stepsOf(query string, e map[string]string, t, until time.Time) []stepRef {
	var out []stepRef
	for ci, c := range rd.f.Chains {
		for si, s := range c.Steps {
			if s.Query != query || !(sameEntity(s.Entity, e) || subset(s.Entity, e) || subset(e, s.Entity)) {
				continue
			}
			on := s.Onset
			if on.Equal(t) || (!until.IsZero() && !on.Before(t) && !on.After(until)) {
				out = append(out, stepRef{ci + 1, si + 1})
			}
		}
	}
	return out
}

func stepsText(refs []stepRef) string {
	parts := make([]string, 0, len(refs))
	for _, r := range refs {
		parts = append(parts, fmt.Sprintf("%d.%d", r.chain, r.step))
	}
	return strings.Join(parts, ", ")
}

// rowKey identifies one signal of one entity.
func rowKey(query string, e map[string]string) string { return query + entityText(e) }

// buildTimeline turns the analysis' timeline into one row per change:
// repeated events of one signal become one row, a state's start and end one
// row with its duration.
func (rd *reader) buildTimeline(res *queries.Result) []TimelineRow {
	type pending struct {
		entry correlate.TimelineEntry
		last  time.Time
		count int
	}
	entries := append([]correlate.TimelineEntry(nil), rd.f.Timeline...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Time.Before(entries[j].Time) })

	var rows []TimelineRow
	openEvents := map[string]int{} // key -> index into rows of the row collecting repeats
	stateEnds := map[string]time.Time{}
	for _, t := range entries {
		if t.Source == "kubernetes" {
			rows = append(rows, rd.eventRow(t, res))
			continue
		}
		key := rowKey(t.Query, t.Entity)
		switch rd.n.kind(t.Query) {
		case queries.Events:
			if idx, ok := openEvents[key]; ok && t.Time.Sub(rows[idx].lastEvent) <= 15*time.Minute {
				rows[idx].lastEvent = t.Time
				rows[idx].events++
				continue
			}
			rows = append(rows, TimelineRow{Time: t.Time.UTC(), Source: t.Source, Query: t.Query, Family: t.Family,
				Entity: entityText(t.Entity), entity: t.Entity, lastEvent: t.Time, events: 1})
			openEvents[key] = len(rows) - 1
			continue
		case queries.State:
			if end, ok := stateEnds[key]; ok && end.Equal(t.Time) {
				delete(stateEnds, key)
				continue // the end of a change already on its start's row
			}
		}
		row := TimelineRow{Time: t.Time.UTC(), Source: t.Source, Query: t.Query, Family: t.Family,
			Entity: entityText(t.Entity), entity: t.Entity}
		c := rd.describe(t.Query, t.Entity, t.Time, time.Time{}, 0)
		if rd.n.kind(t.Query) == queries.State && !c.Until.IsZero() {
			stateEnds[key] = c.Until
		}
		row.fill(c)
		for _, a := range rd.members(t.Query, t.Entity, t.Time) {
			row.memberEntities = append(row.memberEntities, a.Entity)
		}
		rows = append(rows, row)
	}
	for i := range rows {
		r := &rows[i]
		if r.events == 0 {
			continue
		}
		until := time.Time{}
		if r.events > 1 {
			until = r.lastEvent
		}
		c := rd.describe(r.Query, r.entity, r.Time, until, r.events)
		r.fill(c)
	}
	for i := range rows {
		r := &rows[i]
		if r.Source == "kubernetes" {
			continue
		}
		until := r.Until
		if r.events > 1 {
			until = r.lastEvent
		}
		refs := rd.stepsOf(r.Query, r.entity, r.Time, until)
		r.Chain = stepsText(refs)
		for _, s := range refs {
			if s.chain == 1 {
				r.TopChain = true
			}
		}
		if len(refs) > 0 {
			// Name the change as its chain step does (a step may gather
			// members whose onsets differ by a step or two).
			if st := rd.f.Chains[refs[0].chain-1].Steps[refs[0].step-1]; len(st.Members) > 1 && r.events == 0 {
				c := rd.describeMembers(r.Query, r.entity, r.Time, time.Time{}, st.Count, st.Members)
				r.Text = c.full()
			}
			r.Evidence = rd.chainEvidence(refs[0], r.Evidence)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		// At one time: chain steps in chain order, then the rest.
		if (a.Chain == "") != (b.Chain == "") {
			return a.Chain != ""
		}
		return a.Chain < b.Chain
	})
	return rows
}

// chainEvidence adds the link to the previous step to a row's evidence.
func (rd *reader) chainEvidence(ref stepRef, own string) string {
	s := rd.f.Chains[ref.chain-1].Steps[ref.step-1]
	if ref.step == 1 || s.Link == nil {
		return own
	}
	ev := plusLag(s.Lag) + " after step " + fmt.Sprint(ref.step-1) + "; " + linkEvidence(s.Link)
	if own != "" {
		ev = own + "; " + ev
	}
	return ev
}

func (r *TimelineRow) fill(c change) {
	r.Text = c.full()
	r.Evidence = c.Evidence
	r.Until = c.Until
	if r.events > 1 {
		r.Until = r.lastEvent
	}
	if !r.Until.IsZero() {
		r.Duration = r.Until.Sub(r.Time)
	}
}

// eventRow is a Kubernetes event on the timeline.
func (rd *reader) eventRow(t correlate.TimelineEntry, res *queries.Result) TimelineRow {
	row := TimelineRow{Time: t.Time.UTC(), Source: "kubernetes", Query: t.Query, Family: t.Family,
		Entity: entityText(t.Entity), entity: t.Entity, Signal: "Kubernetes event"}
	reason := strings.TrimPrefix(t.Query, "event:")
	text := t.Text
	for _, e := range res.Events {
		if !e.Time.Equal(t.Time) || (reason != "" && e.Reason != reason) {
			continue
		}
		if !sameEntity(e.Entity, t.Entity) && len(t.Entity) > 0 {
			continue
		}
		obj := strings.ToLower(e.Kind) + " " + e.Name
		if e.Kind == "" {
			obj = e.Name
		}
		text = e.Reason + " on " + obj + ": " + clip(e.Message, 120)
		row.Evidence = strings.TrimSpace(e.Type + " event")
		if e.Count > 1 {
			row.Evidence += fmt.Sprintf(", %d times", e.Count)
		}
		if e.Source != "" {
			row.Evidence += ", from " + e.Source
		}
		break
	}
	row.Text = text
	return row
}

// clip shortens s to at most n runes, on a word boundary when it can.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
