package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// BenchmarkReportScale runs `causeway report` in-process against the server
// hack/bench-e2e.sh (or a person) started, for profiling the whole command:
//
//	CAUSEWAY_BENCH_ARGS='--prometheus http://127.0.0.1:9090 --no-kube --from 1773133200
//	  --to 1773143985 --baseline 3h --step 15s --bank bank.yaml --format json' \
//	go test -run '^$' -bench ReportScale -benchtime 1x -cpuprofile cpu.out ./cmd/causeway
//
// It is skipped when CAUSEWAY_BENCH_ARGS is not set.
func BenchmarkReportScale(b *testing.B) {
	args := strings.Fields(os.Getenv("CAUSEWAY_BENCH_ARGS"))
	if len(args) == 0 {
		b.Skip("CAUSEWAY_BENCH_ARGS not set (see hack/bench-e2e.sh)")
	}
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
