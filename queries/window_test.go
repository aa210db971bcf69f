package queries

import (
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 21, 10, 7, 23, 0, time.UTC)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{in: "now", want: testNow},
		{in: " now ", want: testNow},
		{in: "now-2h", want: testNow.Add(-2 * time.Hour)},
		{in: "now-90m", want: testNow.Add(-90 * time.Minute)},
		{in: "now-1d", want: testNow.Add(-24 * time.Hour)},
		{in: "now-1h30m", want: testNow.Add(-90 * time.Minute)},
		{in: "now+5m", want: testNow.Add(5 * time.Minute)},
		{in: "2026-11-21T10:05:00Z", want: time.Date(2026, 11, 21, 10, 5, 0, 0, time.UTC)},
		{in: "2026-11-21T11:05:00+01:00", want: time.Date(2026, 11, 21, 10, 5, 0, 0, time.UTC)},
		{in: "2026-11-21T10:05:00.5Z", want: time.Date(2026, 11, 21, 10, 5, 0, 5e8, time.UTC)},
		{in: "1763719500", want: time.Unix(1763719500, 0).UTC()},
		{in: "1763719500.25", want: time.Unix(1763719500, 25e7).UTC()},
		{in: "0", want: time.Unix(0, 0).UTC()},
		{in: "now-2x", wantErr: `cannot parse "now-2x": use RFC 3339, Unix seconds or now-2h`},
		{in: "now-", wantErr: "cannot parse"},
		{in: "now2h", wantErr: "cannot parse"},
		{in: "now--2h", wantErr: "cannot parse"},
		{in: "yesterday", wantErr: "cannot parse"},
		{in: "2026-11-21", wantErr: "cannot parse"},
		{in: "2026-11-21 10:05:00", wantErr: "cannot parse"},
		{in: "1.2.3", wantErr: "cannot parse"},
		{in: "-5", wantErr: "cannot parse"},
		{in: "", wantErr: "empty time"},
		{in: "99999999999999999999", wantErr: "cannot parse"},
		{in: "now-200y", wantErr: "out of range"},
		{in: "now-300y", wantErr: "cannot parse"},
		{in: "9999-01-01T00:00:00Z", wantErr: "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in, testNow)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseTime(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTime(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("ParseTime(%q) = %v, want %v (UTC)", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseWindow(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		spec     WindowSpec
		from, to string
		step     time.Duration
		baseline time.Duration
	}{
		{
			// 2h + 2h baseline = 4h / 1099 = 13.1s -> 15s.
			name: "2h relative", spec: WindowSpec{From: "now-2h", To: "now"},
			from: "2026-11-21T08:07:15Z", to: "2026-11-21T10:07:30Z", step: 15 * time.Second, baseline: 2 * time.Hour,
		},
		{
			// 6h + 6h = 12h / 1099 = 39.3s -> 1m.
			name: "6h rounds up the ladder", spec: WindowSpec{From: "now-6h", To: "now"},
			from: "2026-11-21T04:07:00Z", to: "2026-11-21T10:08:00Z", step: time.Minute, baseline: 6 * time.Hour,
		},
		{
			// 1d + 1d = 48h / 1099 = 157s -> 5m.
			name: "1d", spec: WindowSpec{From: "now-1d", To: "now"},
			from: "2026-11-20T10:05:00Z", to: "2026-11-21T10:10:00Z", step: 5 * time.Minute, baseline: 24 * time.Hour,
		},
		{
			// 30d + 30d = 1440h / 1099 = 78.6m -> 2h.
			name: "30d", spec: WindowSpec{From: "now-30d", To: "now"},
			from: "2026-10-22T10:00:00Z", to: "2026-11-21T12:00:00Z", step: 2 * time.Hour, baseline: 30 * 24 * time.Hour,
		},
		{
			name: "rfc3339 aligned", spec: WindowSpec{From: "2026-11-21T10:05:00Z", To: "2026-11-21T11:05:00Z"},
			from: "2026-11-21T10:05:00Z", to: "2026-11-21T11:05:00Z", step: 15 * time.Second, baseline: time.Hour,
		},
		{
			name: "explicit baseline", spec: WindowSpec{From: "2026-11-21T10:00:00Z", To: "2026-11-21T11:00:00Z", Baseline: "6h"},
			from: "2026-11-21T10:00:00Z", to: "2026-11-21T11:00:00Z", step: 30 * time.Second, baseline: 6 * time.Hour,
		},
		{
			name: "baseline rounded up to the step", spec: WindowSpec{From: "2026-11-21T10:00:00Z", To: "2026-11-21T11:00:00Z", Step: "1m", Baseline: "90s"},
			from: "2026-11-21T10:00:00Z", to: "2026-11-21T11:00:00Z", step: time.Minute, baseline: 2 * time.Minute,
		},
		{
			name: "explicit step aligned", spec: WindowSpec{From: "2026-11-21T10:03:10Z", To: "2026-11-21T10:58:50Z", Step: "5m"},
			from: "2026-11-21T10:00:00Z", to: "2026-11-21T11:00:00Z", step: 5 * time.Minute, baseline: 60 * time.Minute,
		},
		{
			name: "at and span, centred", spec: WindowSpec{At: "2026-11-21T10:00:00Z", Span: "1h"},
			from: "2026-11-21T09:30:00Z", to: "2026-11-21T10:30:00Z", step: 15 * time.Second, baseline: time.Hour,
		},
		{
			name: "at alone defaults to a 1h span", spec: WindowSpec{At: "1795255200"},
			from: "2026-11-21T09:30:00Z", to: "2026-11-21T10:30:00Z", step: 15 * time.Second, baseline: time.Hour,
		},
		{
			name: "no flags: the last hour", spec: WindowSpec{},
			from: "2026-11-21T09:07:15Z", to: "2026-11-21T10:07:30Z", step: 15 * time.Second, baseline: time.Hour,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := ParseWindow(tt.spec, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !w.From.Equal(at(tt.from)) || !w.To.Equal(at(tt.to)) || w.Step != tt.step || w.Baseline != tt.baseline {
				t.Fatalf("got %s..%s step %s baseline %s, want %s..%s step %s baseline %s",
					w.From.Format(time.RFC3339), w.To.Format(time.RFC3339), w.Step, w.Baseline, tt.from, tt.to, tt.step, tt.baseline)
			}
			checkGrid(t, w)
		})
	}
}

// checkGrid asserts the invariants every window keeps.
func checkGrid(t *testing.T, w Window) {
	t.Helper()
	for name, ts := range map[string]time.Time{"from": w.From, "to": w.To, "start": w.Start()} {
		if ts.UnixNano()%int64(w.Step) != 0 {
			t.Errorf("%s %s is not a multiple of the step %s", name, ts, w.Step)
		}
	}
	if w.Step < time.Second {
		t.Errorf("step %s below 1s", w.Step)
	}
	if !w.From.Before(w.To) {
		t.Errorf("from %s not before to %s", w.From, w.To)
	}
	if w.Time(w.Points()-1) != w.To {
		t.Errorf("last grid point %s, want to %s", w.Time(w.Points()-1), w.To)
	}
}

func TestAutoStepLimits(t *testing.T) {
	// Over many window lengths and offsets the automatic step keeps at most
	// 1,100 points, never goes below 15s, and is the smallest ladder rung
	// that does.
	for _, span := range []time.Duration{time.Minute, 17 * time.Minute, time.Hour, 4*time.Hour + 35*time.Minute, 9 * time.Hour, 3 * 24 * time.Hour, 45 * 24 * time.Hour, 400 * 24 * time.Hour} {
		for _, offset := range []time.Duration{0, 7 * time.Second, 13*time.Minute + 1} {
			to := testNow.Add(-offset)
			w, err := ParseWindow(WindowSpec{From: to.Add(-span).Format(time.RFC3339Nano), To: to.Format(time.RFC3339Nano)}, testNow)
			if err != nil {
				t.Fatal(err)
			}
			checkGrid(t, w)
			if w.Points() > MaxAutoPoints {
				t.Errorf("span %s: %d points at step %s", span, w.Points(), w.Step)
			}
			if w.Step < MinAutoStep {
				t.Errorf("span %s: step %s below 15s", span, w.Step)
			}
			for _, smaller := range stepLadder {
				if smaller >= w.Step {
					break
				}
				if align(to.Add(-span), to, span, smaller).Points() <= MaxAutoPoints && smaller >= MinAutoStep {
					t.Errorf("span %s: step %s, but %s would do", span, w.Step, smaller)
				}
			}
		}
	}
}

func TestParseWindowRepeatable(t *testing.T) {
	// Runs a few seconds apart hit the same timestamps.
	a, err := ParseWindow(WindowSpec{From: "now-2h", To: "now"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseWindow(WindowSpec{From: "now-2h", To: "now"}, testNow.Add(-3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("windows differ: %+v vs %+v", a, b)
	}
}

func TestParseWindowErrors(t *testing.T) {
	tests := []struct {
		name string
		spec WindowSpec
		want string
	}{
		{"from after to", WindowSpec{From: "now", To: "now-1h"}, "--from 2026-11-21T10:07:23Z is after --to 2026-11-21T09:07:23Z"},
		{"empty window", WindowSpec{From: "now", To: "now"}, "the window is empty"},
		{"typo in from", WindowSpec{From: "now-2x", To: "now"}, `--from: cannot parse "now-2x": use RFC 3339, Unix seconds or now-2h`},
		{"typo in to", WindowSpec{From: "now-2h", To: "noww"}, `--to: cannot parse "noww"`},
		{"missing to", WindowSpec{From: "now-2h"}, "--from needs --to"},
		{"missing from", WindowSpec{To: "now"}, "--to needs --from"},
		{"at with from", WindowSpec{From: "now-2h", To: "now", At: "now"}, "--at cannot be combined with --from/--to"},
		{"span with from", WindowSpec{From: "now-2h", To: "now", Span: "1h"}, "--span cannot be combined with --from/--to"},
		{"span without at", WindowSpec{Span: "1h"}, "--span needs --at"},
		{"bad at", WindowSpec{At: "10am"}, `--at: cannot parse "10am"`},
		{"zero span", WindowSpec{At: "now", Span: "0s"}, "--span 0s: must be positive"},
		{"negative span", WindowSpec{At: "now", Span: "-1h"}, "--span -1h: must be positive"},
		{"bad span", WindowSpec{At: "now", Span: "1hour"}, `--span: cannot parse "1hour"`},
		{"zero step", WindowSpec{From: "now-1h", To: "now", Step: "0"}, "--step 0: must be positive"},
		{"negative step", WindowSpec{From: "now-1h", To: "now", Step: "-30s"}, "--step -30s: must be positive"},
		{"bad step", WindowSpec{From: "now-1h", To: "now", Step: "fast"}, `--step: cannot parse "fast"`},
		{"sub-second step", WindowSpec{From: "now-1h", To: "now", Step: "500ms"}, "below the smallest step of 1s"},
		{"zero baseline", WindowSpec{From: "now-1h", To: "now", Baseline: "0s"}, "--baseline 0s: must be positive"},
		{"bad baseline", WindowSpec{From: "now-1h", To: "now", Baseline: "x"}, `--baseline: cannot parse "x"`},
		{"90 days at 1s", WindowSpec{From: "now-90d", To: "now", Step: "1s"},
			"--step 1s gives 15552001 points per series, more than Prometheus allows (11000): use --step 30m or more"},
		{"too long", WindowSpec{From: "1000000", To: "now"}, "is longer than the limit of 10y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWindow(tt.spec, testNow)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is more than one line", err)
			}
		})
	}
}

func TestSuggestedStepWorks(t *testing.T) {
	// The step the error suggests is accepted.
	_, err := ParseWindow(WindowSpec{From: "now-90d", To: "now", Step: "1s"}, testNow)
	if err == nil {
		t.Fatal("want an error")
	}
	i := strings.Index(err.Error(), "use --step ")
	step := strings.Fields(err.Error()[i+len("use --step "):])[0]
	w, err := ParseWindow(WindowSpec{From: "now-90d", To: "now", Step: step}, testNow)
	if err != nil {
		t.Fatalf("suggested step %s: %v", step, err)
	}
	if w.Points() > MaxPoints {
		t.Fatalf("suggested step %s gives %d points", step, w.Points())
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"now", "now-2h", "now-1d", "2026-11-21T10:05:00Z", "1763719500", "1.5", "now+1w", "now-1y2w3d4h5m6s7ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s, testNow)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if got.Before(earliest) || got.After(latest) {
			t.Fatalf("ParseTime(%q) = %v out of range", s, got)
		}
	})
}

func FuzzParseWindow(f *testing.F) {
	f.Add("now-2h", "now", "", "", "", "")
	f.Add("", "", "now", "30m", "1m", "2h")
	f.Add("0", "1", "", "", "1s", "1s")
	f.Add("now-90d", "now", "", "", "1s", "")
	f.Fuzz(func(t *testing.T, from, to, at, span, step, baseline string) {
		w, err := ParseWindow(WindowSpec{From: from, To: to, At: at, Span: span, Step: step, Baseline: baseline}, testNow)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		checkGrid(t, w)
		limit := MaxAutoPoints
		if step != "" {
			limit = MaxPoints
		}
		if n := w.Points(); n > limit || n < 2 {
			t.Fatalf("%d points (limit %d) for %+v", n, limit, w)
		}
	})
}
