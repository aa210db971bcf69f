package prom

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkDecode decodes a query_range body of N series x 1,440 points
// (a 6 h range at 15 s) into the aligned arrays.
func BenchmarkDecode(b *testing.B) {
	for _, series := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("series=%d", series), func(b *testing.B) {
			g := grid{start: t0 * 1000, step: 15000, n: 1440}
			body := matrixBody(series, g.n, g.start, g.step)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
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
