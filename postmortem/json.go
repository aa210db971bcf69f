package postmortem

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
)

// The JSON report. Field order is the struct order (encoding/json keeps it),
// maps are written with sorted keys, slices are never null: the same report
// always gives the same bytes. Everything that depends on how the data was
// obtained (the source, the time of writing) stays out of the analysis fields,
// so a bundle replay gives the same document as the live run but for "source".

type jsonReport struct {
	Source     string          `json:"source"`
	Window     jsonWindow      `json:"window"`
	Summary    string          `json:"summary"`
	Quiet      bool            `json:"quiet"`
	Queries    []jsonQuery     `json:"queries"`
	RootCauses []jsonRootCause `json:"root_causes"`
	Chains     []jsonChain     `json:"chains"`
	Timeline   []jsonTimeline  `json:"timeline"`
	Events     []jsonEvent     `json:"events"`
	Warnings   []string        `json:"warnings"`
	// Headline is the summary sentence of the markdown postmortem; Impact
	// its impact table.
	Headline string       `json:"headline"`
	Impact   []jsonImpact `json:"impact"`
}

type jsonImpact struct {
	Kind            string            `json:"kind"`
	Query           string            `json:"query"`
	Entity          map[string]string `json:"entity"`
	Normal          float64           `json:"normal"`
	Worst           float64           `json:"worst"`
	At              string            `json:"at"`
	From            string            `json:"from"`
	To              string            `json:"to"`
	DurationSeconds float64           `json:"duration_seconds"`
}

type jsonWindow struct {
	From            string  `json:"from"`
	To              string  `json:"to"`
	StepSeconds     float64 `json:"step_seconds"`
	BaselineSeconds float64 `json:"baseline_seconds"`
}

type jsonQuery struct {
	ID       string   `json:"id"`
	Family   string   `json:"family"`
	Series   int      `json:"series"`
	Error    string   `json:"error"`
	Warnings []string `json:"warnings"`
	Dropped  int      `json:"dropped"`
}

type jsonRootCause struct {
	Query  string            `json:"query"`
	Family string            `json:"family"`
	Entity map[string]string `json:"entity"`
	Onset  string            `json:"onset"`
	Score  float64           `json:"score"`
	Why    string            `json:"why"`
}

type jsonChain struct {
	Score float64    `json:"score"`
	Steps []jsonStep `json:"steps"`
}

type jsonStep struct {
	Query      string            `json:"query"`
	Family     string            `json:"family"`
	Entity     map[string]string `json:"entity"`
	Onset      string            `json:"onset"`
	LagSeconds float64           `json:"lag_seconds"`
	Evidence   string            `json:"evidence"`
	Link       *jsonLink         `json:"link,omitempty"`
}

type jsonLink struct {
	LagSeconds float64 `json:"lag_seconds"`
	R          float64 `json:"r"`
	P          float64 `json:"p"`
	Topology   bool    `json:"topology"`
	Prior      bool    `json:"prior"`
	Method     string  `json:"method"`
}

type jsonTimeline struct {
	Time   string            `json:"time"`
	Source string            `json:"source"`
	Query  string            `json:"query"`
	Family string            `json:"family"`
	Entity map[string]string `json:"entity"`
	Text   string            `json:"text"`
}

type jsonEvent struct {
	Time      string            `json:"time"`
	Type      string            `json:"type"`
	Reason    string            `json:"reason"`
	Kind      string            `json:"kind"`
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Message   string            `json:"message"`
	Count     int               `json:"count"`
	Source    string            `json:"source"`
	Entity    map[string]string `json:"entity"`
}

// JSON writes the machine-readable report (the shape promised in
// INTERFACES.md, plus extra fields) as indented JSON.
func JSON(w io.Writer, r *incident.Report, meta Meta) error {
	if r == nil || r.Result == nil {
		return fmt.Errorf("postmortem: no report to write")
	}
	doc, err := buildJSON(r, meta)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

func buildJSON(r *incident.Report, meta Meta) (jsonReport, error) {
	res := r.Result
	f := findings(r)
	d, err := NewData(r, meta)
	if err != nil {
		return jsonReport{}, err
	}
	doc := jsonReport{
		Source: sourceName(meta, res),
		Window: jsonWindow{
			From:            stamp(res.Window.From),
			To:              stamp(res.Window.To),
			StepSeconds:     res.Window.Step.Seconds(),
			BaselineSeconds: res.Window.Baseline.Seconds(),
		},
		Summary:    f.Summary,
		Quiet:      f.Quiet,
		Queries:    make([]jsonQuery, 0, len(res.Queries)),
		RootCauses: make([]jsonRootCause, 0, len(f.RootCauses)),
		Chains:     make([]jsonChain, 0, len(f.Chains)),
		Timeline:   make([]jsonTimeline, 0, len(f.Timeline)),
		Events:     make([]jsonEvent, 0, len(res.Events)),
		Warnings:   nonNil(res.Warnings),
		Headline:   d.Summary,
		Impact:     make([]jsonImpact, 0, len(d.Impact)),
	}
	ents := map[string]map[string]string{}
	for _, s := range res.Series {
		ents[s.Query+"|"+entityText(s.Entity)] = s.Entity
	}
	for _, im := range d.Impact {
		doc.Impact = append(doc.Impact, jsonImpact{
			Kind: im.Kind, Query: im.Query, Entity: entity(ents[im.Query+"|"+im.Entity]),
			Normal: round(im.Normal), Worst: round(im.Worst), At: stamp(im.At), From: stamp(im.From), To: stamp(im.To),
			DurationSeconds: im.Duration.Seconds(),
		})
	}
	for _, q := range res.Queries {
		doc.Queries = append(doc.Queries, jsonQuery{
			ID:       q.Query.ID,
			Family:   q.Query.Family,
			Series:   q.Series,
			Error:    errText(q.Err),
			Warnings: nonNil(q.Warnings),
			Dropped:  q.Dropped,
		})
	}
	for _, rc := range f.RootCauses {
		doc.RootCauses = append(doc.RootCauses, jsonRootCause{
			Query:  rc.Query,
			Family: rc.Family,
			Entity: entity(rc.Entity),
			Onset:  stamp(rc.Onset),
			Score:  round(rc.Score),
			Why:    rc.Why,
		})
	}
	for _, c := range f.Chains {
		jc := jsonChain{Score: round(c.Score), Steps: make([]jsonStep, 0, len(c.Steps))}
		for _, s := range c.Steps {
			js := jsonStep{
				Query:      s.Query,
				Family:     s.Family,
				Entity:     entity(s.Entity),
				Onset:      stamp(s.Onset),
				LagSeconds: s.Lag.Seconds(),
				Evidence:   s.Evidence,
			}
			if l := s.Link; l != nil {
				js.Link = &jsonLink{
					LagSeconds: l.Lag.Seconds(),
					R:          round(l.R),
					P:          round(l.P),
					Topology:   l.Topology,
					Prior:      l.Prior,
					Method:     l.Method,
				}
			}
			jc.Steps = append(jc.Steps, js)
		}
		doc.Chains = append(doc.Chains, jc)
	}
	for _, t := range f.Timeline {
		doc.Timeline = append(doc.Timeline, jsonTimeline{
			Time:   stamp(t.Time),
			Source: t.Source,
			Query:  t.Query,
			Family: t.Family,
			Entity: entity(t.Entity),
			Text:   t.Text,
		})
	}
	for _, e := range sortedEvents(res.Events) {
		doc.Events = append(doc.Events, jsonEvent{
			Time:      stamp(e.Time),
			Type:      e.Type,
			Reason:    e.Reason,
			Kind:      e.Kind,
			Namespace: e.Namespace,
			Name:      e.Name,
			Message:   e.Message,
			Count:     e.Count,
			Source:    e.Source,
			Entity:    entity(e.Entity),
		})
	}
	return doc, nil
}

// findings never returns nil, so a report whose analysis is missing still
// renders (as a quiet one).
func findings(r *incident.Report) *correlate.Findings {
	if r.Findings != nil {
		return r.Findings
	}
	return &correlate.Findings{Quiet: true, Summary: "No analysis was run."}
}

// stamp formats t as RFC 3339 in UTC; the zero time is "".
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// round keeps four decimals and turns NaN and infinities (which JSON cannot
// hold) into 0.
func round(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1e4) / 1e4
}

func entity(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// sortedEvents returns the events by time, then reason, kind, namespace and
// name, without touching the caller's slice.
func sortedEvents(evs []queries.Event) []queries.Event {
	out := append([]queries.Event(nil), evs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Reason != b.Reason {
			return a.Reason < b.Reason
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return out
}
