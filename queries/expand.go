package queries

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ScrapeInterval is the scrape interval the placeholders assume (the
// Prometheus default is 1m; 15s-30s is common in Kubernetes).
const ScrapeInterval = 15 * time.Second

// Placeholders are the variables a bank query may use, with what they mean.
// Durations are written the way PromQL reads them ("7200s"); the *_s forms
// are plain numbers of seconds.
var Placeholders = map[string]string{
	"$__range":         "the fetched span, To minus Start (baseline included), e.g. 7200s",
	"$__range_s":       "$__range in seconds, as a number",
	"$__step":          "the step of the grid, e.g. 30s",
	"$__step_s":        "$__step in seconds, as a number",
	"$__interval":      "the same as $__step",
	"$__rate_interval": "the range for rate(): max(4 x 15s, step + 15s)",
}

// Expand substitutes the placeholders of promql for window w. Unknown
// placeholders are left as they are (the bank loader reports them).
func Expand(promql string, w Window) string {
	if !strings.Contains(promql, "$__") {
		return promql
	}
	var b strings.Builder
	b.Grow(len(promql) + 16)
	rest := promql
	for {
		i := strings.Index(rest, "$__")
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		name := placeholderAt(rest[i:])
		if v, ok := placeholderValue(name, w); ok {
			b.WriteString(v)
		} else {
			b.WriteString(name)
		}
		rest = rest[i+len(name):]
	}
}

// placeholderAt returns the placeholder at the start of s ("$__" followed
// by identifier characters).
func placeholderAt(s string) string {
	n := len("$__")
	for n < len(s) {
		c := s[n]
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			n++
			continue
		}
		break
	}
	return s[:n]
}

func placeholderValue(name string, w Window) (string, bool) {
	step := w.Step
	switch name {
	case "$__range":
		return FormatDuration(w.To.Sub(w.Start())), true
	case "$__range_s":
		return strconv.FormatFloat(w.To.Sub(w.Start()).Seconds(), 'f', -1, 64), true
	case "$__step", "$__interval":
		return FormatDuration(step), true
	case "$__step_s":
		return strconv.FormatFloat(step.Seconds(), 'f', -1, 64), true
	case "$__rate_interval":
		return FormatDuration(RateInterval(step)), true
	}
	return "", false
}

// RateInterval is the range used for rate() at this step: at least four
// scrape intervals, and always more than one step so that every step has
// samples.
func RateInterval(step time.Duration) time.Duration {
	return max(4*ScrapeInterval, step+ScrapeInterval)
}

// unknownPlaceholders lists the "$__name" tokens of promql that Expand does
// not know.
func unknownPlaceholders(promql string) []string {
	var out []string
	rest := promql
	for {
		i := strings.Index(rest, "$__")
		if i < 0 {
			return out
		}
		name := placeholderAt(rest[i:])
		if _, ok := Placeholders[name]; !ok {
			out = append(out, name)
		}
		rest = rest[i+len(name):]
	}
}

// Prepare makes q ready to send over w: placeholders expanded, then the
// selector's matchers added to every selector of the parsed query.
func Prepare(q Query, w Window, selector string) (string, error) {
	expr := strings.TrimSpace(Expand(q.PromQL, w))
	if u := unknownPlaceholders(expr); len(u) > 0 {
		return "", fmt.Errorf("unknown placeholder %s", u[0])
	}
	if strings.TrimSpace(selector) == "" {
		return expr, nil
	}
	return InjectSelector(expr, selector)
}
