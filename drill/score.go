package drill

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Config tunes the scoring. The zero Config is usable: DefaultConfig's
// values fill whatever is left zero.
type Config struct {
	// Difficulty ("easy", "medium", "hard") sets the par time.
	Difficulty string
	// Par overrides the par time of the difficulty.
	Par time.Duration
	// Step is the grid step of the window: the timing tolerance and falloff
	// are scaled by it.
	Step time.Duration
	// Tolerance is the smallest distance from the true onset that still
	// counts as exact (the key's own tolerance and 2 steps are used when
	// larger).
	Tolerance time.Duration
	// Weights of the parts, in points; they should add up to 100.
	RootWeight, ChainWeight, TimingWeight, SpeedWeight float64
	// HintCosts are the points each hint costs, in order; hints beyond the
	// list cost its last value.
	HintCosts []float64
}

// DefaultConfig returns the default weights: root cause 40, chain 25,
// timing 20, time taken 15; hints cost 5, 5 and 10 points.
func DefaultConfig() Config {
	return Config{
		Difficulty:   "medium",
		Step:         15 * time.Second,
		Tolerance:    time.Minute,
		RootWeight:   40,
		ChainWeight:  25,
		TimingWeight: 20,
		SpeedWeight:  15,
		HintCosts:    []float64{5, 5, 10},
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Difficulty == "" {
		c.Difficulty = d.Difficulty
	}
	if c.Step <= 0 {
		c.Step = d.Step
	}
	if c.Tolerance <= 0 {
		c.Tolerance = d.Tolerance
	}
	if c.RootWeight+c.ChainWeight+c.TimingWeight+c.SpeedWeight <= 0 {
		c.RootWeight, c.ChainWeight, c.TimingWeight, c.SpeedWeight = d.RootWeight, d.ChainWeight, d.TimingWeight, d.SpeedWeight
	}
	if c.HintCosts == nil {
		c.HintCosts = d.HintCosts
	}
	if c.Par <= 0 {
		c.Par = ParTime(c.Difficulty)
	}
	return c
}

// ParTime is the time under which a drill of that difficulty earns full
// marks for time taken.
func ParTime(difficulty string) time.Duration {
	switch strings.ToLower(difficulty) {
	case "easy":
		return 5 * time.Minute
	case "hard":
		return 15 * time.Minute
	}
	return 10 * time.Minute
}

// HintCost is what hint n (1-based) costs under cfg.
func (c Config) HintCost(n int) float64 {
	c = c.withDefaults()
	if n < 1 || len(c.HintCosts) == 0 {
		return 0
	}
	return c.HintCosts[min(n, len(c.HintCosts))-1]
}

// Part names, in the order of Scorecard.Parts.
const (
	PartRoot   = "root cause"
	PartChain  = "chain order"
	PartTiming = "timing"
	PartSpeed  = "time taken"
	PartHints  = "hints"
)

// Part is one line of the scorecard.
type Part struct {
	Name string
	// Points earned; Max the most that could be earned. The hints part is a
	// penalty: Max 0, Points <= 0.
	Points, Max float64
	// Applicable is false when the key cannot score this part (a saved
	// answer without times cannot score timing); the other parts are then
	// scaled up to 100.
	Applicable bool
	// Fraction is Points/Max (1 for a penalty of 0).
	Fraction float64
	// Detail says why, in one sentence.
	Detail string
}

// Scorecard is the score of one attempt.
type Scorecard struct {
	Key     Key
	Attempt Attempt
	Parts   []Part
	// Total is 0..100; Grade is A, B, C, D or F.
	Total int
	Grade string
	// Elapsed is the time the trainee took; Par the par time.
	Elapsed, Par time.Duration
}

// Part returns the part of that name (zero Part when absent).
func (s Scorecard) Part(name string) Part {
	for _, p := range s.Parts {
		if p.Name == name {
			return p
		}
	}
	return Part{}
}

// Grade maps a total to a letter: A >= 90, B >= 75, C >= 60, D >= 40, F.
func Grade(total int) string {
	switch {
	case total >= 90:
		return "A"
	case total >= 75:
		return "B"
	case total >= 60:
		return "C"
	case total >= 40:
		return "D"
	}
	return "F"
}

// Score scores an attempt against the key. It is a pure function of its
// arguments.
//
//   - root cause: full marks for the right family on the right entity (or
//     any entity when the key names none); half for the right family on
//     another entity; 30% for a signal of the true chain that is not its
//     first (a consequence taken for the cause). For a quiet key, full
//     marks for marking nothing.
//   - chain order: the longest common subsequence of the picked families
//     and the key's, as 2·LCS/(picked+key) (extra and missing links both
//     cost).
//   - timing: full marks within the tolerance (the largest of the key's,
//     cfg.Tolerance and 2 steps) of the true onset, falling linearly to 0
//     over max(10 steps, 2 tolerances) beyond it.
//   - time taken: full marks under the par time, falling linearly to 0 at
//     3x par, scaled by the root cause credit (a fast wrong answer earns
//     nothing for speed).
//   - hints: each hint taken costs cfg.HintCosts points.
//
// Parts that the key cannot score are left out and the rest scaled to 100.
func Score(key Key, a Attempt, cfg Config) Scorecard {
	cfg = cfg.withDefaults()
	sc := Scorecard{Key: key, Attempt: a, Elapsed: a.Elapsed(), Par: cfg.Par}

	rootFrac, rootDetail := scoreRoot(key, a)
	chainFrac, chainDetail := scoreChain(key, a, cfg.tolerance(key))
	timing, timingOK, timingDetail := scoreTiming(key, a, cfg)
	speed, speedDetail := scoreSpeed(sc.Elapsed, cfg.Par)
	speed *= rootFrac
	if rootFrac < 1 && sc.Elapsed > 0 {
		speedDetail += fmt.Sprintf(", scaled by the root cause credit (%.0f%%)", rootFrac*100)
	}

	sc.Parts = []Part{
		part(PartRoot, rootFrac, cfg.RootWeight, true, rootDetail),
		part(PartChain, chainFrac, cfg.ChainWeight, true, chainDetail),
		part(PartTiming, timing, cfg.TimingWeight, timingOK, timingDetail),
		part(PartSpeed, speed, cfg.SpeedWeight, sc.Elapsed > 0, speedDetail),
	}
	penalty := 0.0
	for i := 1; i <= a.Hints; i++ {
		penalty += cfg.HintCost(i)
	}
	hintDetail := "no hints taken"
	if a.Hints > 0 {
		hintDetail = fmt.Sprintf("%d %s taken", a.Hints, plural(a.Hints, "hint", "hints"))
	}
	sc.Parts = append(sc.Parts, Part{Name: PartHints, Points: -penalty, Applicable: true, Fraction: 1 - math.Min(penalty/100, 1), Detail: hintDetail})

	earned, possible := 0.0, 0.0
	for _, p := range sc.Parts {
		if p.Applicable && p.Max > 0 {
			earned += p.Points
			possible += p.Max
		}
	}
	total := 0.0
	if possible > 0 {
		total = earned / possible * 100
	}
	total -= penalty
	sc.Total = int(math.Round(math.Max(0, math.Min(100, total)) + 1e-9))
	sc.Grade = Grade(sc.Total)
	return sc
}

func part(name string, frac, weight float64, ok bool, detail string) Part {
	frac = math.Max(0, math.Min(1, frac))
	p := Part{Name: name, Max: weight, Applicable: ok, Fraction: frac, Detail: detail}
	if ok {
		p.Points = math.Round(frac*weight*10) / 10
	}
	return p
}

func scoreRoot(key Key, a Attempt) (float64, string) {
	if key.Quiet {
		if a.Root == nil {
			return 1, "right: nothing stands out in this window"
		}
		return 0, fmt.Sprintf("nothing happened in this window, but you marked %s", describe(a.Root.Family, a.Root.Entity))
	}
	if a.Root == nil {
		return 0, "no root cause marked"
	}
	r := *a.Root
	if r.Family == key.Root.Family {
		if entityMatch(key.Root.Entity, r.labels()) {
			return 1, fmt.Sprintf("right: %s", describe(r.Family, r.Entity))
		}
		return 0.5, fmt.Sprintf("right family (%s), wrong entity: the cause was on %s", r.Family, entityString(key.Root.Entity))
	}
	for i, s := range key.Chain {
		if i > 0 && s.Family == r.Family {
			return 0.3, fmt.Sprintf("%s is link %d of the chain, a consequence; the cause was %s", r.Family, i+1, key.Root.Family)
		}
	}
	return 0, fmt.Sprintf("wrong: %s is not part of this incident; the cause was %s", r.Family, key.Root.Family)
}

// collapse drops consecutive repeats: two pods signals in a row are one
// link.
func collapse(fams []string) []string {
	var out []string
	for _, f := range fams {
		if f == "" || (len(out) > 0 && out[len(out)-1] == f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func scoreChain(key Key, a Attempt, tol time.Duration) (float64, string) {
	var got []string
	for _, p := range a.Picks() {
		got = append(got, p.Family)
	}
	got = collapse(got)
	var steps []KeyStep
	if !key.Quiet {
		steps = key.Chain
		if len(steps) == 0 && key.Root.Family != "" {
			steps = []KeyStep{key.Root}
		}
	}
	steps = collapseSteps(steps)
	want := make([]string, len(steps))
	for i, s := range steps {
		want[i] = s.Family
	}
	if len(want) == 0 {
		if len(got) == 0 {
			return 1, "right: no chain"
		}
		return 0, fmt.Sprintf("there was no chain; you built %s", strings.Join(got, " → "))
	}
	if len(got) == 0 {
		return 0, "no chain built; the chain was " + strings.Join(want, " → ")
	}
	l := 0
	for _, order := range orders(steps, tol) {
		l = max(l, LCS(got, order))
	}
	frac := 2 * float64(l) / float64(len(got)+len(want))
	return frac, fmt.Sprintf("%d of %d links in order (yours: %s; key: %s)", l, len(want),
		strings.Join(got, " → "), strings.Join(want, " → "))
}

// collapseSteps drops steps repeating the family of the one before.
func collapseSteps(steps []KeyStep) []KeyStep {
	var out []KeyStep
	for _, s := range steps {
		if s.Family == "" || (len(out) > 0 && out[len(out)-1].Family == s.Family) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// maxOrders caps the orders of the key's chain that are tried.
const maxOrders = 720

// orders returns the family sequences the key accepts: links after the
// root whose onsets lie within tol of each other happened together, and
// either order is right.
func orders(steps []KeyStep, tol time.Duration) [][]string {
	var groups [][]string
	var start time.Time // onset of the group's first link
	for i, s := range steps {
		// The root stands alone: it comes first whatever followed it.
		if i > 1 && !s.At.IsZero() && !start.IsZero() {
			if d := s.At.Sub(start); d <= tol && d >= -tol {
				groups[len(groups)-1] = append(groups[len(groups)-1], s.Family)
				continue
			}
		}
		groups = append(groups, []string{s.Family})
		start = s.At
	}
	out := [][]string{nil}
	for _, g := range groups {
		perms := [][]string{g}
		if len(g) <= 5 {
			perms = permutations(g)
		}
		if len(out)*len(perms) > maxOrders {
			perms = perms[:1]
		}
		var next [][]string
		for _, prefix := range out {
			for _, p := range perms {
				next = append(next, append(append([]string(nil), prefix...), p...))
			}
		}
		out = next
	}
	return out
}

func permutations(xs []string) [][]string {
	if len(xs) <= 1 {
		return [][]string{append([]string(nil), xs...)}
	}
	var out [][]string
	for i := range xs {
		rest := append(append([]string(nil), xs[:i]...), xs[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]string{xs[i]}, p...))
		}
	}
	return out
}

// LCS is the length of the longest common subsequence of a and b.
func LCS(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Tolerance is the distance from the true onset that still counts as exact.
func (c Config) tolerance(key Key) time.Duration {
	return max(key.Tolerance, c.Tolerance, 2*c.Step)
}

func scoreTiming(key Key, a Attempt, cfg Config) (float64, bool, string) {
	if key.Quiet {
		return 0, false, "no onset to find"
	}
	if key.Root.At.IsZero() {
		return 0, false, "the key has no onset time"
	}
	if a.Root == nil || a.Root.Time.IsZero() {
		return 0, true, "no time marked; the onset was " + clock(key.Root.At)
	}
	d := a.Root.Time.Sub(key.Root.At)
	abs := max(d, -d)
	tol := cfg.tolerance(key)
	side := "late"
	if d < 0 {
		side = "early"
	}
	if abs <= tol {
		return 1, true, fmt.Sprintf("within %s of the onset (%s)", roundDur(tol), clock(key.Root.At))
	}
	fall := max(10*cfg.Step, 2*tol)
	frac := 1 - float64(abs-tol)/float64(fall)
	return math.Max(frac, 0), true, fmt.Sprintf("%s %s; the onset was %s", roundDur(abs), side, clock(key.Root.At))
}

func scoreSpeed(elapsed, par time.Duration) (float64, string) {
	if elapsed <= 0 {
		return 0, "no time recorded"
	}
	if elapsed <= par {
		return 1, fmt.Sprintf("%s, under par (%s)", roundDur(elapsed), roundDur(par))
	}
	frac := 1 - float64(elapsed-par)/float64(2*par)
	return math.Max(frac, 0), fmt.Sprintf("%s, %s over par (%s)", roundDur(elapsed), roundDur(elapsed-par), roundDur(par))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
