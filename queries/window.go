package queries

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Limits of the window grid.
const (
	// MaxAutoPoints is the most points per series the automatic step allows
	// (baseline and window together).
	MaxAutoPoints = 1100
	// MaxPoints is Prometheus's own limit of points per series in a range
	// query; an explicit --step beyond it is refused.
	MaxPoints = 11000
	// MinAutoStep is the smallest automatic step.
	MinAutoStep = 15 * time.Second
	// MaxSpan bounds the window and the baseline, so that nothing overflows.
	MaxSpan = 10 * 365 * 24 * time.Hour
	// DefaultSpan is the window used when no window flag is given, and the
	// span of --at when --span is not given.
	DefaultSpan = time.Hour
)

// stepLadder is the set of readable automatic steps; past its end the step
// grows in whole days.
var stepLadder = []time.Duration{
	15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// earliest and latest bound the times ParseTime accepts, so that every
// later computation on them stays inside time.Duration.
var (
	earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

const timeHint = "use RFC 3339, Unix seconds or now-2h"

// ParseTime reads a point in time: RFC 3339 ("2026-11-21T10:05:00Z"), Unix
// seconds ("1763719500", fractions allowed), "now", or now minus (or plus) a
// Prometheus duration ("now-2h", "now-90m", "now-1d", "now-1h30m"). The result
// is in UTC.
func ParseTime(s string, now time.Time) (time.Time, error) {
	t, err := parseTime(strings.TrimSpace(s), now)
	if err != nil {
		return time.Time{}, err
	}
	if t.Before(earliest) || t.After(latest) {
		return time.Time{}, fmt.Errorf("%q is out of range: times must be between 1970 and 2200", s)
	}
	return t.UTC(), nil
}

func parseTime(s string, now time.Time) (time.Time, error) {
	bad := fmt.Errorf("cannot parse %q: %s", s, timeHint)
	switch {
	case s == "":
		return time.Time{}, errors.New("empty time: " + timeHint)
	case s == "now":
		return now, nil
	case strings.HasPrefix(s, "now"):
		rest := strings.TrimSpace(s[3:])
		if rest == "" || (rest[0] != '-' && rest[0] != '+') {
			return time.Time{}, bad
		}
		d, err := model.ParseDuration(strings.TrimSpace(rest[1:]))
		if err != nil {
			return time.Time{}, bad
		}
		if rest[0] == '-' {
			return now.Add(-time.Duration(d)), nil
		}
		return now.Add(time.Duration(d)), nil
	case isUnixSeconds(s):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || f > float64(latest.Unix()) {
			return time.Time{}, bad
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e9))), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, bad
	}
	return t, nil
}

// isUnixSeconds reports whether s is digits with at most one decimal point.
func isUnixSeconds(s string) bool {
	digits, dots := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// WindowSpec is the window as the user typed it (the flags' text).
type WindowSpec struct {
	From, To string // --from, --to
	At, Span string // --at, --span (the window is centred on At)
	Step     string // --step; empty: automatic
	Baseline string // --baseline; empty: the window's own length
}

// ParseWindow turns the flags into an aligned Window. With no window flag at
// all the window is the last hour. Errors are one line naming the flag.
func ParseWindow(spec WindowSpec, now time.Time) (Window, error) {
	from, to, err := windowBounds(spec, now)
	if err != nil {
		return Window{}, err
	}
	if !from.Before(to) {
		if from.Equal(to) {
			return Window{}, fmt.Errorf("--from %s equals --to: the window is empty", from.Format(time.RFC3339))
		}
		return Window{}, fmt.Errorf("--from %s is after --to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	length := to.Sub(from)
	if length > MaxSpan {
		return Window{}, fmt.Errorf("window of %s is longer than the limit of %s", human(length), human(MaxSpan))
	}

	baseline := length
	if spec.Baseline != "" {
		baseline, err = parsePositiveDuration("--baseline", spec.Baseline)
		if err != nil {
			return Window{}, err
		}
		if baseline > MaxSpan {
			return Window{}, fmt.Errorf("--baseline %s is longer than the limit of %s", spec.Baseline, human(MaxSpan))
		}
	}

	if spec.Step != "" {
		step, err := parsePositiveDuration("--step", spec.Step)
		if err != nil {
			return Window{}, err
		}
		if step < time.Second {
			return Window{}, fmt.Errorf("--step %s is below the smallest step of 1s", spec.Step)
		}
		w := align(from, to, baseline, step)
		if n := w.Points(); n > MaxPoints {
			return Window{}, fmt.Errorf("--step %s gives %d points per series, more than Prometheus allows (%d): use --step %s or more",
				spec.Step, n, MaxPoints, human(stepFor(from, to, baseline, MaxPoints)))
		}
		return w, nil
	}
	return align(from, to, baseline, stepFor(from, to, baseline, MaxAutoPoints)), nil
}

// windowBounds reads --from/--to or --at/--span.
func windowBounds(spec WindowSpec, now time.Time) (from, to time.Time, err error) {
	hasFromTo := spec.From != "" || spec.To != ""
	hasAt := spec.At != "" || spec.Span != ""
	switch {
	case hasFromTo && hasAt:
		flag := "--at"
		if spec.At == "" {
			flag = "--span"
		}
		return from, to, fmt.Errorf("%s cannot be combined with --from/--to: give one or the other", flag)
	case hasAt:
		if spec.At == "" {
			return from, to, errors.New("--span needs --at (the window is centred on --at)")
		}
		at, err := ParseTime(spec.At, now)
		if err != nil {
			return from, to, fmt.Errorf("--at: %w", err)
		}
		span := DefaultSpan
		if spec.Span != "" {
			if span, err = parsePositiveDuration("--span", spec.Span); err != nil {
				return from, to, err
			}
		}
		if span > MaxSpan {
			return from, to, fmt.Errorf("--span %s is longer than the limit of %s", spec.Span, human(MaxSpan))
		}
		return at.Add(-span / 2), at.Add(span - span/2), nil
	case hasFromTo:
		if spec.From == "" {
			return from, to, errors.New("--to needs --from")
		}
		if spec.To == "" {
			return from, to, errors.New("--from needs --to (for example --to now)")
		}
		if from, err = ParseTime(spec.From, now); err != nil {
			return from, to, fmt.Errorf("--from: %w", err)
		}
		if to, err = ParseTime(spec.To, now); err != nil {
			return from, to, fmt.Errorf("--to: %w", err)
		}
		return from, to, nil
	default:
		return now.Add(-DefaultSpan).UTC(), now.UTC(), nil
	}
}

// parsePositiveDuration reads a Prometheus duration that must be > 0.
func parsePositiveDuration(flag, s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%s %s: must be positive", flag, s)
	}
	d, err := model.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: cannot parse %q: use a duration like 30s, 5m, 2h or 1d", flag, s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s %s: must be positive", flag, s)
	}
	return time.Duration(d), nil
}

// stepFor is the smallest ladder step whose aligned grid has at most limit
// points.
func stepFor(from, to time.Time, baseline time.Duration, limit int) time.Duration {
	total := to.Sub(from) + baseline
	minStep := time.Duration(math.Ceil(float64(total) / float64(limit-1)))
	step := ladderStep(minStep)
	for align(from, to, baseline, step).Points() > limit {
		step = ladderStep(step + 1)
	}
	return step
}

// ladderStep rounds d up to the step ladder (never below MinAutoStep).
func ladderStep(d time.Duration) time.Duration {
	for _, s := range stepLadder {
		if d <= s {
			return s
		}
	}
	const day = 24 * time.Hour
	return (d + day - 1) / day * day
}

// align floors from and ceils to to multiples of step since the Unix epoch,
// and rounds the baseline up to a multiple of step.
func align(from, to time.Time, baseline, step time.Duration) Window {
	return Window{
		From:     floorTime(from, step),
		To:       ceilTime(to, step),
		Step:     step,
		Baseline: (baseline + step - 1) / step * step,
	}
}

func floorTime(t time.Time, step time.Duration) time.Time {
	// Times are bounded to 1970..2200 by ParseTime, so UnixNano is safe; the
	// modulo is still taken the floor way for robustness.
	ns := t.UnixNano()
	m := ns % int64(step)
	if m < 0 {
		m += int64(step)
	}
	return time.Unix(0, ns-m).UTC()
}

func ceilTime(t time.Time, step time.Duration) time.Time {
	f := floorTime(t, step)
	if f.Equal(t) {
		return f
	}
	return f.Add(step)
}

// FormatDuration writes d the way Prometheus reads it: whole seconds as
// "7200s", anything finer in milliseconds ("1500ms").
func FormatDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
}

// human writes d for people: "2h", "15m", "1d".
func human(d time.Duration) string { return model.Duration(d).String() }
