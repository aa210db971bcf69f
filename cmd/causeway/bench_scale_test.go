package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/postmortem"
	"github.com/causeway-sre/causeway/queries"
)

// benchArgs are the report flags of CAUSEWAY_BENCH_ARGS, e.g.
//
//	CAUSEWAY_BENCH_ARGS='--prometheus http://127.0.0.1:9090 --no-kube --from 1773133200
//	  --to 1773143985 --baseline 3h --step 15s --bank bank.yaml --format json' \
//	go test -run '^$' -bench ReportScale -benchtime 1x -cpuprofile cpu.out ./cmd/causeway
//
// against the server and bank hack/bench-e2e.sh uses; without it the
// benchmarks skip.
func benchArgs(b *testing.B) []string {
	args := strings.Fields(os.Getenv("CAUSEWAY_BENCH_ARGS"))
	if len(args) == 0 {
		b.Skip("CAUSEWAY_BENCH_ARGS not set (see hack/bench-e2e.sh)")
	}
	return args
}

// BenchmarkReportScale runs `causeway report` in-process, for profiling the
// whole command.
func BenchmarkReportScale(b *testing.B) {
	args := benchArgs(b)
	for b.Loop() {
		var stderr strings.Builder
		a := newApp(strings.NewReader(""), io.Discard, &stderr)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		code := a.run(ctx, append([]string{"report"}, args...))
		cancel()
		if code != exitOK {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
}

// BenchmarkReportPhases times the phases of the same report: fetch (the
// runner and the source), analyse (incident.Analyze) and render (JSON), as
// custom metrics in seconds.
func BenchmarkReportPhases(b *testing.B) {
	args := benchArgs(b)
	var fetch, analyse, render time.Duration
	for b.Loop() {
		a := newApp(strings.NewReader(""), io.Discard, io.Discard)
		var sf sourceFlags
		var wf windowFlags
		var format string
		fs := a.newFlagSet("report", "")
		sf.register(fs)
		wf.register(fs)
		fs.StringVar(&format, "format", "json", "")
		if err := a.parse(fs, args); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		t, err := a.open(ctx, &sf, &wf)
		if err != nil {
			cancel()
			b.Fatal(err)
		}
		t0 := time.Now()
		res := queries.Run(ctx, t.src, t.bank, t.window, t.opts)
		t1 := time.Now()
		r := incident.Analyze(t.bank, res)
		t2 := time.Now()
		if err := postmortem.JSON(io.Discard, r, a.meta(t)); err != nil {
			b.Fatal(err)
		}
		render += time.Since(t2)
		fetch += t1.Sub(t0)
		analyse += t2.Sub(t1)
		cancel()
	}
	n := float64(b.N)
	b.ReportMetric(fetch.Seconds()/n, "fetch-s/op")
	b.ReportMetric(analyse.Seconds()/n, "analyse-s/op")
	b.ReportMetric(render.Seconds()/n, "render-s/op")
}
