package prom

import (
	"bytes"
	"testing"
	"testing/iotest"
)

// FuzzDecode feeds arbitrary bytes to the range decoder: it must return an
// error or a result, never panic, and never write outside the grid.
func FuzzDecode(f *testing.F) {
	g := grid{start: t0 * 1000, step: 15000, n: 8}
	f.Add(matrixBody(3, 8, g.start, g.step))
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"\ud83d\ude00"},"values":[[1795255200.5,"NaN"],[1795255215,"+Inf"]]}]},"warnings":["w"],"infos":["i"]}`))
	f.Add([]byte(`{"status":"error","errorType":"bad_data","error":"x"}`))
	f.Add([]byte(`{"status":"success","data":{"result":[{"values":[[1795255200,"1"]],"metric":{}}]},"isPartial":true}`))
	f.Add([]byte(`<html>`))
	f.Add([]byte(`[[[[{{{"`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, maxSeries := range []int{0, 2} {
			c := newCollector(g, maxSeries)
			err := newDecoder(bytes.NewReader(body), c, 0, g.n).decode()
			r := c.response()
			if maxSeries > 0 && len(r.Matrix) > maxSeries {
				t.Fatalf("%d series kept over a cap of %d", len(r.Matrix), maxSeries)
			}
			for _, s := range r.Matrix {
				if len(s.Values) != g.n {
					t.Fatalf("series of %d points, want %d", len(s.Values), g.n)
				}
			}
			if err != nil && err.Error() == "" {
				t.Fatal("an error without a message")
			}
			// Byte-at-a-time reads take the slow paths of the scanner
			// (refills inside every token): same outcome required.
			c2 := newCollector(g, maxSeries)
			err2 := newDecoder(iotest.OneByteReader(bytes.NewReader(body)), c2, 0, g.n).decode()
			if (err == nil) != (err2 == nil) {
				t.Fatalf("whole reads: %v; one-byte reads: %v", err, err2)
			}
			if err == nil {
				r2 := c2.response()
				if len(r.Matrix) != len(r2.Matrix) || r.Dropped != r2.Dropped {
					t.Fatalf("whole reads: %d series, one-byte reads: %d", len(r.Matrix), len(r2.Matrix))
				}
				for i := range r.Matrix {
					if !sameFloats(r.Matrix[i].Values, r2.Matrix[i].Values) {
						t.Fatalf("series %d: %v vs %v", i, r.Matrix[i].Values, r2.Matrix[i].Values)
					}
				}
			}
		}
	})
}
