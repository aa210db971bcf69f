package prom

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/queries"
)

// The integration data: two hours of 15 s samples from dataStart, with the
// real exporter names. Every value is a closed formula of the sample index
// j (time dataStart + 15j s) so the tests know the exact answers.
const (
	dataStart   = 1795248000 // 2026-11-21T08:00:00Z
	dataSamples = 481        // 2 h at 15 s, both ends included
	gapFrom     = 120        // web-2's memory has no samples for j in [gapFrom, gapTo)
	gapTo       = 160        // 08:30:00 to 08:39:45
	failedAt    = 240        // web-1 turns Failed at 09:00
)

var pods = []string{"web-0", "web-1", "web-2"}

func memory(pod, j int) float64 { return float64(100_000_000*(pod+1) + 1000*j) }

// restarts counts up by pod+1 every sample.
func restarts(pod, j int) float64 { return float64((pod + 1) * j) }

// requests counts up by 10 (2xx) or 1 (5xx) per sample.
func requests(status string, j int) float64 {
	if status == "500" {
		return float64(j)
	}
	return float64(10 * j)
}

func openMetrics() []byte {
	var b bytes.Buffer
	ts := func(j int) int { return dataStart + 15*j }

	b.WriteString("# HELP kube_pod_status_phase The pods current phase.\n# TYPE kube_pod_status_phase gauge\n")
	for p, pod := range pods {
		for _, phase := range []string{"Running", "Failed"} {
			for j := range dataSamples {
				failed := p == 1 && j >= failedAt
				v := 0
				if (phase == "Failed") == failed {
					v = 1
				}
				fmt.Fprintf(&b, "kube_pod_status_phase{namespace=\"web\",pod=%q,phase=%q} %d %d\n", pod, phase, v, ts(j))
			}
		}
	}

	b.WriteString("# HELP container_memory_working_set_bytes Current working set of the container in bytes\n# TYPE container_memory_working_set_bytes gauge\n")
	for p, pod := range pods {
		for j := range dataSamples {
			if p == 2 && j >= gapFrom && j < gapTo {
				continue
			}
			fmt.Fprintf(&b, "container_memory_working_set_bytes{namespace=\"web\",pod=%q,container=\"app\"} %.0f %d\n", pod, memory(p, j), ts(j))
		}
	}

	b.WriteString("# HELP kube_pod_container_status_restarts The number of container restarts per container.\n# TYPE kube_pod_container_status_restarts counter\n")
	for p, pod := range pods {
		for j := range dataSamples {
			fmt.Fprintf(&b, "kube_pod_container_status_restarts_total{namespace=\"web\",pod=%q,container=\"app\"} %.0f %d\n", pod, restarts(p, j), ts(j))
		}
	}

	// ingress-nginx names this counter without the _total suffix, which an
	// OpenMetrics counter requires: declare it as unknown.
	b.WriteString("# HELP nginx_ingress_controller_requests The total number of client requests\n# TYPE nginx_ingress_controller_requests unknown\n")
	for _, status := range []string{"200", "500"} {
		for j := range dataSamples {
			fmt.Fprintf(&b, "nginx_ingress_controller_requests{exported_namespace=\"web\",ingress=\"shop\",status=%q} %.0f %d\n", status, requests(status, j), ts(j))
		}
	}
	b.WriteString("# EOF\n")
	return b.Bytes()
}

// window: the second hour, with the first hour as baseline, at 60 s.
func integrationWindow() queries.Window {
	start := time.Unix(dataStart, 0).UTC()
	return queries.Window{From: start.Add(time.Hour), To: start.Add(2 * time.Hour), Step: time.Minute, Baseline: time.Hour}
}

type backend struct {
	name string
	src  *Source
}

func startBackends(t *testing.T) []backend {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	om := openMetrics()
	var out []backend
	for _, b := range []struct {
		name  string
		start func(testing.TB, []byte) string
	}{{"prometheus", testenv.Prometheus}, {"victoriametrics", testenv.VictoriaMetrics}} {
		u := b.start(t, om)
		s, err := New(Options{URL: u, Timeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, backend{b.name, s})
	}
	return out
}

func byLabel(t *testing.T, m queries.Matrix, label string) map[string][]float64 {
	t.Helper()
	out := map[string][]float64{}
	for _, s := range m {
		out[s.Labels[label]] = s.Values
	}
	return out
}

func TestIntegrationBackends(t *testing.T) {
	backends := startBackends(t)
	w := integrationWindow()
	ctx := context.Background()
	n := w.Points()
	if n != 121 {
		t.Fatalf("window has %d points", n)
	}
	results := map[string]map[string]queries.Response{}
	exprs := map[string]string{
		"memory":   `container_memory_working_set_bytes{namespace="web"}`,
		"failed":   `kube_pod_status_phase{phase="Failed"} == 1`,
		"restarts": `sum by (pod) (rate(kube_pod_container_status_restarts_total[5m]))`,
		"requests": `sum by (status) (rate(nginx_ingress_controller_requests{ingress="shop"}[5m]))`,
	}
	for _, b := range backends {
		results[b.name] = map[string]queries.Response{}
		for id, expr := range exprs {
			resp, err := b.src.QueryRange(ctx, queries.Request{ID: id, Expr: expr, Window: w})
			if err != nil {
				t.Fatalf("%s %s: %v", b.name, id, err)
			}
			for _, s := range resp.Matrix {
				if len(s.Values) != n {
					t.Fatalf("%s %s: %d values, want %d", b.name, id, len(s.Values), n)
				}
			}
			results[b.name][id] = resp
		}

		t.Run(b.name+"/exact", func(t *testing.T) {
			r := results[b.name]
			mem := byLabel(t, r["memory"].Matrix, "pod")
			if len(mem) != 3 {
				t.Fatalf("memory: %d series, want 3", len(mem))
			}
			for p, pod := range pods {
				for k, v := range mem[pod] {
					j := 4 * k // grid point k is sample j
					if p == 2 && j >= gapFrom && j < gapTo+4 {
						continue // the gap: checked below for Prometheus
					}
					if want := memory(p, j); v != want {
						t.Fatalf("memory %s at %s = %v, want %v", pod, w.Time(k).Format(time.TimeOnly), v, want)
					}
				}
			}
			failed := byLabel(t, r["failed"].Matrix, "pod")
			if len(failed) != 1 || failed["web-1"] == nil {
				t.Fatalf("failed: %v, want only web-1", failed)
			}
			for k, v := range failed["web-1"] {
				if j := 4 * k; j >= failedAt && v != 1 {
					t.Fatalf("web-1 Failed at %s = %v, want 1", w.Time(k).Format(time.TimeOnly), v)
				} else if j < failedAt-20 && !math.IsNaN(v) {
					t.Fatalf("web-1 Failed at %s = %v, want no sample", w.Time(k).Format(time.TimeOnly), v)
				}
			}
			rates := byLabel(t, r["restarts"].Matrix, "pod")
			for p, pod := range pods {
				for k := 6; k < n; k++ { // 5m of data behind the point
					if want := float64(p+1) / 15; math.Abs(rates[pod][k]-want) > 1e-9 {
						t.Fatalf("rate of %s restarts at %s = %v, want %v", pod, w.Time(k).Format(time.TimeOnly), rates[pod][k], want)
					}
				}
			}
		})
	}

	t.Run("prometheus/gap", func(t *testing.T) {
		// The last sample before the gap is at 08:29:45 and stays visible for
		// the 5 m lookback: 08:35 to 08:39 have no value, 08:40 has one.
		mem := byLabel(t, results["prometheus"]["memory"].Matrix, "pod")["web-2"]
		for k := 35; k < 40; k++ {
			if !math.IsNaN(mem[k]) {
				t.Errorf("web-2 memory at %s = %v, want NaN (no sample)", w.Time(k).Format(time.TimeOnly), mem[k])
			}
		}
		if mem[34] != memory(2, gapFrom-1) || mem[40] != memory(2, gapTo) {
			t.Errorf("around the gap: %v at 08:34, %v at 08:40", mem[34], mem[40])
		}
	})

	t.Run("compare", func(t *testing.T) {
		// Away from the range edges (and the gap, where the backends'
		// staleness rules differ), both backends agree within a tolerance.
		for id := range exprs {
			p, v := results["prometheus"][id].Matrix, results["victoriametrics"][id].Matrix
			if len(p) != len(v) {
				t.Errorf("%s: prometheus %d series, victoriametrics %d", id, len(p), len(v))
				continue
			}
			for i := range p {
				pl, vl := labelString(p[i].Labels), labelString(v[i].Labels)
				if pl != vl {
					t.Errorf("%s: series %d is {%s} on prometheus, {%s} on victoriametrics", id, i, pl, vl)
					continue
				}
				for k := 6; k < n-1; k++ {
					if id == "memory" && p[i].Labels["pod"] == "web-2" && k >= 29 && k <= 41 {
						continue
					}
					if id == "failed" && k < failedAt/4+6 {
						continue
					}
					a, b := p[i].Values[k], v[i].Values[k]
					if math.IsNaN(a) != math.IsNaN(b) || math.Abs(a-b) > 1e-6*math.Max(1, math.Abs(a)) {
						t.Errorf("%s {%s} at %s: prometheus %v, victoriametrics %v", id, pl, w.Time(k).Format(time.TimeOnly), a, b)
						break
					}
				}
			}
		}
	})

	t.Run("metric names", func(t *testing.T) {
		for _, b := range backends {
			names, err := b.src.MetricNames(ctx, w.Start(), w.To)
			if err != nil {
				t.Fatalf("%s: %v", b.name, err)
			}
			for _, want := range []string{"container_memory_working_set_bytes", "kube_pod_container_status_restarts_total", "kube_pod_status_phase", "nginx_ingress_controller_requests"} {
				if !slices.Contains(names, want) {
					t.Errorf("%s: %s missing from %v", b.name, want, names)
				}
			}
		}
	})

	t.Run("max series", func(t *testing.T) {
		for _, b := range backends {
			resp, err := b.src.QueryRange(ctx, queries.Request{Expr: `kube_pod_status_phase`, Window: w, MaxSeries: 2})
			if err != nil {
				t.Fatalf("%s: %v", b.name, err)
			}
			if len(resp.Matrix) != 2 || resp.Dropped != 4 {
				t.Errorf("%s: kept %d dropped %d, want 2 and 4", b.name, len(resp.Matrix), resp.Dropped)
			}
		}
	})

	t.Run("bad query", func(t *testing.T) {
		_, err := backends[0].src.QueryRange(ctx, queries.Request{Expr: `sum(rate(up[5m]`, Window: w})
		if err == nil || !strings.Contains(err.Error(), "rejected the query (bad_data)") || !strings.Contains(err.Error(), "parse error") {
			t.Errorf("got %v, want the server's bad_data parse error", err)
		}
	})
}

// TestIntegrationSplitOnMaxSamples runs queries whose result exceeds a
// Prometheus started with a tiny --query.max-samples: the source must split
// them into grid-aligned slices and return exactly what an unlimited server
// returns for the whole range.
func TestIntegrationSplitOnMaxSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	om := openMetrics()
	full := testenv.Prometheus(t, om)
	limited := testenv.PrometheusWith(t, om, testenv.PrometheusOptions{MaxSamples: 100})
	w := integrationWindow()
	ctx := context.Background()

	for _, expr := range []string{
		`container_memory_working_set_bytes{namespace="web"}`,
		`rate(kube_pod_container_status_restarts_total[5m])`,
		`kube_pod_status_phase`,
	} {
		// The limited server refuses the whole range.
		form := url.Values{"query": {expr}, "start": {formatMillis(w.Start().UnixMilli())}, "end": {formatMillis(w.To.UnixMilli())}, "step": {"60"}}
		resp, err := http.PostForm(limited+"/api/v1/query_range", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: the limited server answered %s, want 422 (the test needs a refused range)", expr, resp.Status)
		}

		a, err := New(Options{URL: full})
		if err != nil {
			t.Fatal(err)
		}
		b, err := New(Options{URL: limited})
		if err != nil {
			t.Fatal(err)
		}
		want, err := a.QueryRange(ctx, queries.Request{Expr: expr, Window: w})
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.QueryRange(ctx, queries.Request{Expr: expr, Window: w})
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if b.splits.Load() == 0 {
			t.Errorf("%s: no split recorded", expr)
		}
		if len(got.Matrix) != len(want.Matrix) || len(want.Matrix) == 0 {
			t.Fatalf("%s: %d series split, %d whole", expr, len(got.Matrix), len(want.Matrix))
		}
		for i := range want.Matrix {
			if labelString(got.Matrix[i].Labels) != labelString(want.Matrix[i].Labels) {
				t.Fatalf("%s: series %d is {%s}, want {%s}", expr, i, labelString(got.Matrix[i].Labels), labelString(want.Matrix[i].Labels))
			}
			if !sameFloats(got.Matrix[i].Values, want.Matrix[i].Values) {
				t.Fatalf("%s {%s}: split result differs:\n got %v\nwant %v", expr, labelString(want.Matrix[i].Labels), got.Matrix[i].Values, want.Matrix[i].Values)
			}
		}
		t.Logf("%s: %d series x %d points from %d refused slices", expr, len(got.Matrix), w.Points(), b.splits.Load())
	}
}
