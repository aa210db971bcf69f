package prom

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/queries"
)

// BenchmarkQueryRangeE2E loads N gauge series x 1,440 points (6 h at 15 s)
// into a real Prometheus and fetches the whole range three ways: the body
// read and discarded (the floor, like curl), this package's Source, and
// client_golang's typed v1 API.
func BenchmarkQueryRangeE2E(b *testing.B) {
	const series, points = 1000, 1440
	var om bytes.Buffer
	w := bufio.NewWriter(&om)
	fmt.Fprint(w, "# TYPE container_memory_working_set_bytes gauge\n")
	for i := range series {
		for j := range points {
			fmt.Fprintf(w, "container_memory_working_set_bytes{namespace=\"web\",pod=\"p%05d\"} %d %d\n", i, 1e8+i*1000+j, dataStart+15*j)
		}
	}
	fmt.Fprint(w, "# EOF\n")
	w.Flush()
	base := testenv.Prometheus(b, om.Bytes())
	start := time.Unix(dataStart, 0).UTC()
	win := queries.Window{From: start, To: start.Add(time.Duration(points-1) * 15 * time.Second), Step: 15 * time.Second}
	const expr = `container_memory_working_set_bytes{namespace="web"}`
	ctx := context.Background()

	b.Run("floor=discard-body", func(b *testing.B) {
		form := url.Values{"query": {expr}, "start": {formatMillis(win.Start().UnixMilli())}, "end": {formatMillis(win.To.UnixMilli())}, "step": {"15"}}
		tr := &http.Transport{DisableCompression: true}
		c := &http.Client{Transport: tr}
		for b.Loop() {
			resp, err := c.PostForm(base+"/api/v1/query_range", form)
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			b.SetBytes(n)
		}
	})
	for _, slices := range []int{1, 2} {
		b.Run(fmt.Sprintf("source/slices=%d", slices), func(b *testing.B) {
			s, err := New(Options{URL: base, Slices: slices})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				r, err := s.QueryRange(ctx, queries.Request{Expr: expr, Window: win})
				if err != nil || len(r.Matrix) != series {
					b.Fatalf("%d series, %v", len(r.Matrix), err)
				}
			}
		})
	}
	b.Run("client_golang-v1", func(b *testing.B) {
		c, err := promapi.NewClient(promapi.Config{Address: base})
		if err != nil {
			b.Fatal(err)
		}
		api := v1.NewAPI(c)
		b.ReportAllocs()
		for b.Loop() {
			if _, _, _, err := api.QueryRange(ctx, expr, v1.Range{Start: win.Start(), End: win.To, Step: win.Step}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkQueryRangeURL fetches the memory series of hack/bench-e2e.sh's
// data from a running server (CAUSEWAY_BENCH_URL, e.g. the Prometheus the
// script starts) with 1 to 4 slices; skipped without it.
func BenchmarkQueryRangeURL(b *testing.B) {
	base := os.Getenv("CAUSEWAY_BENCH_URL")
	if base == "" {
		b.Skip("CAUSEWAY_BENCH_URL not set")
	}
	start := time.Unix(1773122400, 0).UTC() // scenarios/bulk.DefaultStart
	win := queries.Window{From: start, To: start.Add(1439 * 15 * time.Second), Step: 15 * time.Second}
	expr := `container_memory_working_set_bytes{container!="",image!=""}`
	if e := os.Getenv("CAUSEWAY_BENCH_EXPR"); e != "" {
		expr = e
	}
	small := []string{
		`label_replace(1 - min by (job, instance) (min_over_time(mysql_up[60s])), "exporter", "mysql", "", "")`,
		`max by (job, instance) (mysql_global_status_uptime) < bool max by (job, instance) (mysql_global_status_uptime offset 15s)`,
		`kube_pod_container_status_restarts_total`,
	}
	b.Run("raw-discard", func(b *testing.B) {
		form := url.Values{"query": {expr}, "start": {formatMillis(win.Start().UnixMilli())}, "end": {formatMillis(win.To.UnixMilli())}, "step": {"15"}}
		c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		for b.Loop() {
			began := time.Now()
			resp, err := c.PostForm(base+"/api/v1/query_range", form)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(began).Seconds(), "first-byte-s")
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			b.SetBytes(n)
		}
	})
	b.Run("auto+3-small-queries", func(b *testing.B) {
		s, err := New(Options{URL: base})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			var wg sync.WaitGroup
			for _, e := range append([]string{expr}, small...) {
				wg.Go(func() {
					began := time.Now()
					r, err := s.QueryRange(context.Background(), queries.Request{Expr: e, Window: win})
					if err != nil || len(r.Matrix) == 0 {
						b.Errorf("%s: %d series, %v", e, len(r.Matrix), err)
					}
					if e == expr {
						b.ReportMetric(time.Since(began).Seconds(), "big-s")
					} else {
						b.ReportMetric(time.Since(began).Seconds(), "small-s")
					}
				})
			}
			wg.Wait()
		}
	})
	for _, slices := range []int{1, 2, 3, 4, 6} {
		b.Run(fmt.Sprintf("slices=%d", slices), func(b *testing.B) {
			s, err := New(Options{URL: base, Slices: slices})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				r, err := s.QueryRange(context.Background(), queries.Request{Expr: expr, Window: win})
				if err != nil || len(r.Matrix) == 0 {
					b.Fatalf("%d series, %v", len(r.Matrix), err)
				}
			}
		})
	}
}
