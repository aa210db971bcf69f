// Package drill is the training logic of `causeway drill`: the hidden
// answer (Key), what the trainee answered (Attempt), the score
// (Score -> Scorecard), the escalating hints, the briefing that says what
// paged without naming the cause, and the debrief that shows the true chain
// with its evidence. It does no I/O beyond writing to an io.Writer and
// imports no UI package; tui/drill is its view.
//
// A drill is played on a Session: the analysed incident window (bank,
// result, findings) with its key. Sessions come from a scenario of the
// catalog (NewScenarioSession: the scenario's answer key) or from a
// recorded bundle (NewBundleSession: the answer saved with
// `causeway record --answer`, or else Causeway's own top chain).
package drill

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Key is the answer of one drill. The trainee never sees it before
// committing.
type Key struct {
	// Quiet is true when nothing happened: the right answer is to mark no
	// root cause ("nothing stands out").
	Quiet bool
	// Root is the root cause: its family always, its query and entity when
	// known, its onset when known (zero At: timing is not scored).
	Root KeyStep
	// Chain is the ordered chain of consequences, Root first.
	Chain []KeyStep
	// Distractors are notable changes that are not part of the incident.
	Distractors []KeyStep
	// Tolerance is how far from Root.At a marked time still counts as
	// exact (0: Config decides).
	Tolerance time.Duration
	// Source says where the key comes from: SourceScenario, SourceSaved or
	// SourceAnalysis.
	Source string
}

// Where a key comes from.
const (
	SourceScenario = "scenario answer key"
	SourceSaved    = "answer saved with the bundle"
	SourceAnalysis = "Causeway's analysis (top chain)"
)

// KeyStep is one link of the answer chain.
type KeyStep struct {
	Family string
	// Query is the bank query id that shows the step; "" when the key
	// names only the family.
	Query string
	// Entity holds the labels naming the entity that shows the step; empty
	// when any entity will do.
	Entity map[string]string
	// At is the approximate onset; zero when unknown.
	At   time.Time
	Note string
}

// Families returns the families of the chain in order (Root first when the
// chain is empty).
func (k Key) Families() []string {
	steps := k.Chain
	if len(steps) == 0 && k.Root.Family != "" {
		steps = []KeyStep{k.Root}
	}
	out := make([]string, 0, len(steps))
	for _, s := range steps {
		out = append(out, s.Family)
	}
	return out
}

// Pick is one signal the trainee picked: the signal (bank query id and
// family), the entity of the series, and the time of the cursor when it was
// picked.
type Pick struct {
	Query  string
	Title  string
	Family string
	Entity map[string]string
	// Labels are all the labels of the picked series (Entity is a subset);
	// the entity is checked against them. Empty: Entity is used.
	Labels map[string]string
	Time   time.Time
}

// labels returns what the pick's entity is checked against.
func (p Pick) labels() map[string]string {
	if len(p.Labels) > 0 {
		return p.Labels
	}
	return p.Entity
}

// Attempt is what the trainee answered.
type Attempt struct {
	// Root is the suspected root cause; nil means "nothing stands out".
	Root *Pick
	// Chain is the ordered list of signals picked after (or including) the
	// root. When it does not start with the root, the root is taken as its
	// first link.
	Chain []Pick
	// Hints is how many hints were taken.
	Hints int
	// Started and Committed bound the time the trainee took.
	Started, Committed time.Time
}

// Elapsed is the time the trainee took (0 when either bound is missing).
func (a Attempt) Elapsed() time.Duration {
	if a.Started.IsZero() || a.Committed.IsZero() || a.Committed.Before(a.Started) {
		return 0
	}
	return a.Committed.Sub(a.Started)
}

// Picks returns the trainee's chain as scored: the root first (when one is
// marked), then the picks that follow it.
func (a Attempt) Picks() []Pick {
	var out []Pick
	if a.Root != nil {
		out = append(out, *a.Root)
	}
	for i, p := range a.Chain {
		if i == 0 && a.Root != nil && samePick(p, *a.Root) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func samePick(a, b Pick) bool {
	return a.Query == b.Query && a.Family == b.Family && entityString(a.Entity) == entityString(b.Entity)
}

// entityMatch reports whether got (the labels of a picked series) names
// the entity want names. A label both hold must agree (got's exported_X
// stands for X, as exporters scraped with honor_labels off rename the
// target's labels): one conflict is enough to differ. When
// they share no label name, the signal cannot tell which entity it speaks
// of (a counter by message type) and is given the benefit of the doubt. An
// empty want matches anything.
func entityMatch(want, got map[string]string) bool {
	for k, v := range want {
		g, ok := got["exported_"+k]
		if !ok {
			g, ok = got[k]
		}
		if ok && g != v {
			return false
		}
	}
	return true
}

// entityString renders labels as k=v pairs in name order: "namespace=web pod=web-1".
func entityString(e map[string]string) string {
	if len(e) == 0 {
		return ""
	}
	names := make([]string, 0, len(e))
	for k := range e {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, k := range names {
		parts = append(parts, k+"="+e[k])
	}
	return strings.Join(parts, " ")
}

// EntityString renders entity labels as "k=v k=v" in name order ("" when
// there are none).
func EntityString(e map[string]string) string { return entityString(e) }

// describe renders a family with its entity: "nodes (node=ip-1)".
func describe(family string, entity map[string]string) string {
	if family == "" {
		family = "?"
	}
	if e := entityString(entity); e != "" {
		return fmt.Sprintf("%s (%s)", family, e)
	}
	return family
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.UTC().Format("15:04:05") + " UTC"
}

// roundDur formats a duration for people, rounded to the second: "45s",
// "4m12s", "14m", "1h5m".
func roundDur(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	h, m, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0 && m == 0:
		return fmt.Sprintf("%dh", h)
	case h > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case m > 0 && sec == 0:
		return fmt.Sprintf("%dm", m)
	case m > 0:
		return fmt.Sprintf("%dm%ds", m, sec)
	}
	return fmt.Sprintf("%ds", sec)
}

// FormatDuration formats a duration as the scorecard does: "45s", "4m12s", "14m".
func FormatDuration(d time.Duration) string { return roundDur(d) }
