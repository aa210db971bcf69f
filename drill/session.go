package drill

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/bundle"
	"github.com/causeway-sre/causeway/scenarios"
)

// Session is one drill ready to play: the analysed window the trainee looks
// at, what paged, and the hidden key. Build it with NewScenarioSession or
// NewBundleSession.
type Session struct {
	// Name is the scenario's name or the bundle's file name.
	Name string
	// Difficulty is easy, medium or hard; Skill what the drill trains.
	Difficulty string
	Skill      string
	// Briefing says what paged, never what caused it.
	Briefing string
	// Bank, Result and Findings are the analysed window. The trainee sees
	// the series and the timeline; the ranking and the chains stay hidden
	// until the debrief.
	Bank     *queries.Bank
	Result   *queries.Result
	Findings *correlate.Findings
	// Key is the answer.
	Key Key
}

// NewScenarioSession builds a drill from a generated scenario and the
// analysis of its window (the bank run over the scenario's data).
func NewScenarioSession(d *scenarios.Data, bank *queries.Bank, res *queries.Result, f *correlate.Findings) (*Session, error) {
	if d == nil {
		return nil, errors.New("drill: no scenario data")
	}
	if res == nil {
		return nil, fmt.Errorf("drill: scenario %s: no result to show", d.Name)
	}
	s := &Session{
		Name:       d.Name,
		Difficulty: string(d.Difficulty),
		Skill:      d.Skill,
		Briefing:   d.Briefing,
		Bank:       bank,
		Result:     res,
		Findings:   f,
		Key:        KeyFromScenario(d.Key),
	}
	if s.Briefing == "" {
		s.Briefing = Briefing(bank, f, s.Key, res.Window)
	}
	return s, nil
}

// NewBundleSession builds a drill from a recorded bundle and the analysis
// of its replay. The key is the answer saved with the bundle or, when there
// is none, Causeway's own top chain. name is shown to the trainee (the
// bundle's file name); difficulty "" means medium.
func NewBundleSession(name string, b *bundle.Bundle, res *queries.Result, f *correlate.Findings, difficulty string) (*Session, error) {
	if b == nil {
		return nil, errors.New("drill: no bundle")
	}
	if res == nil {
		res = b.Result()
	}
	if difficulty == "" {
		difficulty = string(scenarios.Medium)
	}
	if _, err := ParseDifficulty(difficulty); err != nil {
		return nil, err
	}
	var key Key
	var err error
	if b.Answer != nil {
		key, err = KeyFromSaved(b.Answer, f)
	} else {
		key, err = KeyFromFindings(f)
	}
	if err != nil {
		return nil, fmt.Errorf("drill: bundle %s: %w", name, err)
	}
	bank := b.Bank
	return &Session{
		Name:       name,
		Difficulty: difficulty,
		Skill:      "a recorded incident",
		Briefing:   Briefing(bank, f, key, res.Window),
		Bank:       bank,
		Result:     res,
		Findings:   f,
		Key:        key,
	}, nil
}

// Config is the scoring configuration of the session: its difficulty's par
// and its window's step.
func (s *Session) Config() Config {
	c := DefaultConfig()
	c.Difficulty = s.Difficulty
	c.Par = ParTime(s.Difficulty)
	if s.Result != nil && s.Result.Window.Step > 0 {
		c.Step = s.Result.Window.Step
	}
	return c
}

// Score scores an attempt with the session's configuration.
func (s *Session) Score(a Attempt) Scorecard { return Score(s.Key, a, s.Config()) }

// Debrief explains a scorecard with the session's analysis.
func (s *Session) Debrief(sc Scorecard) Debrief { return NewDebrief(sc, s.Findings) }

// Hint returns hint n of the session's key.
func (s *Session) Hint(n int) string { return Hint(s.Key, n) }

// Signal is one series the trainee can pick.
type Signal struct {
	Query  string
	Title  string
	Family string
	Kind   queries.Kind
	Unit   string
	Entity map[string]string
	// Labels are all the series' labels.
	Labels map[string]string
	// Values are aligned to the window's grid (shared, not copied).
	Values []float64
	// Changed is true when the analysis found the series to change in the
	// window (nothing else of the analysis is exposed).
	Changed bool
}

// Label is how the signal is listed: "Title entity".
func (s Signal) Label() string {
	if e := entityValues(s.Entity); e != "" {
		return s.Title + " " + e
	}
	return s.Title
}

// Pick returns the signal picked at time t.
func (s Signal) Pick(t time.Time) Pick {
	return Pick{Query: s.Query, Title: s.Title, Family: s.Family, Entity: maps.Clone(s.Entity), Labels: maps.Clone(s.Labels), Time: t}
}

// MaxSignals caps the list when no series changed.
const MaxSignals = 200

// Signals lists what the trainee picks from: every series the analysis
// found to change (in name order, not in the analysis's ranking), or, when
// none changed, every signal series up to MaxSignals.
func (s *Session) Signals() []Signal {
	if s.Result == nil {
		return nil
	}
	byID := map[string]queries.Query{}
	if s.Bank != nil {
		for _, q := range s.Bank.Queries {
			byID[q.ID] = q
		}
	}
	// The analysis numbers signals as incident.Input does: the series of
	// the result, topology queries left out.
	var sig []int
	for i, se := range s.Result.Series {
		if byID[se.Query].Role == queries.RoleTopology {
			continue
		}
		sig = append(sig, i)
	}
	mk := func(i int, changed bool) Signal {
		se := s.Result.Series[i]
		q := byID[se.Query]
		title := q.Title
		if title == "" {
			title = se.Query
		}
		fam := se.Family
		if fam == "" {
			fam = q.Family
		}
		return Signal{Query: se.Query, Title: title, Family: fam, Kind: se.Kind, Unit: q.Unit,
			Entity: se.Entity, Labels: se.Labels, Values: se.Values, Changed: changed}
	}
	var out []Signal
	seen := map[int]bool{}
	if s.Findings != nil {
		for _, an := range s.Findings.Anomalies {
			if an.Signal < 0 || an.Signal >= len(sig) || seen[an.Signal] {
				continue
			}
			seen[an.Signal] = true
			out = append(out, mk(sig[an.Signal], true))
		}
	}
	if len(out) == 0 {
		for _, i := range sig {
			if len(out) >= MaxSignals {
				break
			}
			out = append(out, mk(i, false))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return entityString(a.Entity) < entityString(b.Entity)
	})
	return out
}

// entityValues renders the values of entity labels in name order, joined
// by "/": "web/web-7d9f-x2".
func entityValues(e map[string]string) string {
	names := make([]string, 0, len(e))
	for k := range e {
		names = append(names, k)
	}
	sort.Strings(names)
	vals := make([]string, 0, len(names))
	for _, k := range names {
		if v := e[k]; v != "" {
			vals = append(vals, v)
		}
	}
	return strings.Join(vals, "/")
}

// symptomFamilies are what pages people: the edge first, then pods.
var symptomFamilies = []string{"edge", "pods"}

// Briefing derives what paged from the analysis: the latest-onset change of
// an edge (else pods) signal, as "5xx ratio rose on web/web, 10:05 UTC". It
// never names the key's root cause: a change of the root's family on the
// root's entity is never used. With nothing usable it says only when.
func Briefing(bank *queries.Bank, f *correlate.Findings, key Key, w queries.Window) string {
	titles := map[string]string{}
	if bank != nil {
		for _, q := range bank.Queries {
			titles[q.ID] = q.Title
		}
	}
	reveals := func(an correlate.Anomaly) bool {
		return !key.Quiet && an.Family == key.Root.Family
	}
	pickFrom := func(ok func(correlate.Anomaly) bool) (correlate.Anomaly, bool) {
		var best correlate.Anomaly
		found := false
		for _, an := range f.Anomalies {
			if !ok(an) || reveals(an) {
				continue
			}
			if !found || an.Onset.After(best.Onset) {
				best, found = an, true
			}
		}
		return best, found
	}
	if f != nil {
		for _, fam := range symptomFamilies {
			if an, ok := pickFrom(func(a correlate.Anomaly) bool { return a.Family == fam }); ok {
				return briefLine(an, titles[an.Query])
			}
		}
		if an, ok := pickFrom(func(correlate.Anomaly) bool { return true }); ok {
			return briefLine(an, titles[an.Query])
		}
	}
	if w.From.IsZero() {
		return "Something paged; nothing more is known."
	}
	return fmt.Sprintf("Something paged between %s and %s UTC; nothing more is known.",
		w.From.UTC().Format("15:04"), w.To.UTC().Format("15:04"))
}

func briefLine(an correlate.Anomaly, title string) string {
	if title == "" {
		title = an.Query
	}
	verb := "changed"
	switch an.Shape {
	case "step-up", "spike", "rise-to-limit":
		verb = "rose"
	case "step-down", "drop-to-zero":
		verb = "fell"
	case "events":
		verb = "fired"
	case "flap":
		verb = "flapped"
	}
	where := ""
	if e := entityValues(an.Entity); e != "" {
		where = " on " + e
	}
	return fmt.Sprintf("%s %s%s, %s UTC", title, verb, where, an.Onset.UTC().Format("15:04"))
}
