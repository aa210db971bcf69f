package queries

import (
	"strings"
	"testing"
	"time"
)

func TestExpand(t *testing.T) {
	w := Window{
		From:     time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
		To:       time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC),
		Step:     30 * time.Second,
		Baseline: time.Hour,
	}
	wide := w
	wide.Step = 5 * time.Minute
	tests := []struct {
		name string
		w    Window
		in   string
		want string
	}{
		{"range is To minus Start", w, "max_over_time(x[$__range])", "max_over_time(x[7200s])"},
		{"range in seconds", w, "x > $__range_s", "x > 7200"},
		{"step", w, "x offset $__step", "x offset 30s"},
		{"step seconds", w, "x < $__step_s + 300", "x < 30 + 300"},
		{"interval is the step", w, "rate(x[$__interval])", "rate(x[30s])"},
		{"rate interval floor is 4 scrapes", w, "rate(x[$__rate_interval])", "rate(x[60s])"},
		{"rate interval above the step", wide, "rate(x[$__rate_interval])", "rate(x[315s])"},
		{"several", wide, "(x - x offset $__step) or x[$__range:$__step]", "(x - x offset 300s) or x[7200s:300s]"},
		{"unknown left alone", w, "x[$__foo]", "x[$__foo]"},
		{"no placeholder", w, `x{a="$b"}`, `x{a="$b"}`},
		{"prefix is not a match", w, "x[$__rangex]", "x[$__rangex]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Expand(tt.in, tt.w); got != tt.want {
				t.Fatalf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRateInterval(t *testing.T) {
	for step, want := range map[time.Duration]time.Duration{
		15 * time.Second: time.Minute,
		30 * time.Second: time.Minute,
		time.Minute:      75 * time.Second,
		5 * time.Minute:  315 * time.Second,
	} {
		if got := RateInterval(step); got != want {
			t.Errorf("RateInterval(%s) = %s, want %s", step, got, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		7200 * time.Second:      "7200s",
		15 * time.Second:        "15s",
		1500 * time.Millisecond: "1500ms",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestPrepare(t *testing.T) {
	w := Window{From: time.Unix(3600, 0), To: time.Unix(7200, 0), Step: time.Minute, Baseline: time.Hour}
	q := Query{ID: "q", PromQL: "sum by (pod) (rate(http_requests_total[$__rate_interval]))\n"}
	got, err := Prepare(q, w, `namespace="web"`)
	if err != nil {
		t.Fatal(err)
	}
	want := `sum by (pod) (rate(http_requests_total{namespace="web"}[1m15s]))`
	if got != want {
		t.Fatalf("Prepare = %q, want %q", got, want)
	}
	if got, _ := Prepare(q, w, ""); got != "sum by (pod) (rate(http_requests_total[75s]))" {
		t.Fatalf("Prepare without selector = %q", got)
	}
	if _, err := Prepare(Query{PromQL: "x[$__nope]"}, w, ""); err == nil || !strings.Contains(err.Error(), "unknown placeholder $__nope") {
		t.Fatalf("unknown placeholder: err = %v", err)
	}
	if _, err := Prepare(q, w, `namespace=`); err == nil || !strings.Contains(err.Error(), "bad selector") {
		t.Fatalf("bad selector: err = %v", err)
	}
}
