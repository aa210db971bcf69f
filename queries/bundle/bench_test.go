package bundle

import (
	"bytes"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/queries"
)

// benchBundle is n series of points samples shaped like a real bank's
// output: a third flat gauges, a third counts per step (mostly zero), a
// third noisy gauges with three significant decimals, some with gaps.
func benchBundle(n, points int) *Bundle {
	w := queries.Window{From: t0, To: t0.Add(time.Duration(points/2-1) * 30 * time.Second), Step: 30 * time.Second,
		Baseline: time.Duration(points/2) * 30 * time.Second}
	b := &Bundle{Version: FormatVersion, ToolVersion: "bench", CreatedAt: t0, Window: w, SourceName: "bench",
		Bank: testBank()}
	b.Queries = []Query{{ID: "pod_memory", Expr: "x", Series: n}}
	seed := uint64(1)
	rnd := func() float64 { // xorshift: deterministic and cheap
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return float64(seed%1_000_000) / 1_000_000
	}
	for s := range n {
		vals := make([]float64, points)
		level := 100 + rnd()*1000
		for i := range vals {
			switch s % 3 {
			case 0:
				vals[i] = level
			case 1:
				if rnd() < 0.02 {
					vals[i] = 1
				}
			case 2:
				level += (rnd() - 0.5) * 10
				vals[i] = math.Round(level*1000) / 1000
			}
			if s%10 == 0 && i%50 < 5 {
				vals[i] = math.NaN()
			}
		}
		labels := map[string]string{"namespace": fmt.Sprintf("ns-%d", s%20), "pod": fmt.Sprintf("web-%d-abcde", s),
			"node": fmt.Sprintf("node-%d", s%50), "container": "app"}
		b.Series = append(b.Series, queries.Series{Query: "pod_memory", Family: "memory", Kind: queries.Gauge,
			Labels: labels, Entity: map[string]string{"namespace": labels["namespace"], "pod": labels["pod"]}, Values: vals})
	}
	return b
}

func BenchmarkBundle(b *testing.B) {
	for _, size := range []struct{ series, points int }{{1000, 720}, {10000, 720}} {
		bundle := benchBundle(size.series, size.points)
		raw := float64(8 * size.series * size.points)
		var file bytes.Buffer
		if err := Write(&file, bundle); err != nil {
			b.Fatal(err)
		}
		data := file.Bytes()
		name := fmt.Sprintf("%dx%d", size.series, size.points)
		b.Run("write/"+name, func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := Write(&buf, bundle); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data)), "bytes")
			b.ReportMetric(float64(len(data))/raw, "size/raw")
			b.ReportMetric(float64(len(data))*8/float64(size.series*size.points), "bits/sample")
		})
		b.Run("read/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Read(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data)), "bytes")
		})
	}
}
