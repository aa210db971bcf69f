package prom

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

// promBody is a query_range body as Prometheus writes it for container
// memory: integer-second timestamps, 9-digit byte counts, one series per pod.
func promBody(series, points int, start, step int64) []byte {
	b := make([]byte, 0, series*(points*26+160))
	b = append(b, `{"status":"success","data":{"resultType":"matrix","result":[`...)
	rng := rand.New(rand.NewPCG(uint64(series), 1))
	for i := range series {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"metric":{"__name__":"container_memory_working_set_bytes","container":"app","image":"app:1","namespace":"ns-%d","pod":"svc-%d-%d"},"values":[`, i/200, i/10, i%10)
		base := 64e6 + rng.Float64()*900e6
		for j := range points {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = strconv.AppendInt(b, (start+int64(j)*step)/1000, 10)
			b = append(b, ',', '"')
			b = strconv.AppendInt(b, int64(base)+int64(rng.IntN(1<<20)), 10)
			b = append(b, '"', ']')
		}
		b = append(b, ']', '}')
	}
	return append(b, `]}}`...)
}

// BenchmarkDecode decodes a query_range body of N series x 1,440 points
// (a 6 h range at 15 s) into the aligned arrays: 1k, 10k (~360 MB, the body
// of issue 9) and 30k series.
func BenchmarkDecode(b *testing.B) {
	for _, series := range []int{1000, 10000, 30000} {
		b.Run(fmt.Sprintf("series=%d", series), func(b *testing.B) {
			if testing.Short() && series > 1000 {
				b.Skip("-short")
			}
			g := grid{start: t0 * 1000, step: 15000, n: 1440}
			body := promBody(series, g.n, g.start, g.step)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				c := newCollector(g, 0)
				if err := newDecoder(bytes.NewReader(body), c, 0, g.n).decode(); err != nil {
					b.Fatal(err)
				}
				if r := c.response(); len(r.Matrix) != series {
					b.Fatalf("%d series", len(r.Matrix))
				}
			}
		})
	}
}
