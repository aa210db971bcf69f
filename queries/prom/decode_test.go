package prom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/causeway-sre/causeway/queries"
)

// t0 is the grid start used by the decoder tests: 2026-11-21T10:00:00Z.
const t0 = 1795255200

func decodeString(t *testing.T, body string, g grid, maxSeries int) (*collector, error) {
	t.Helper()
	c := newCollector(g, maxSeries)
	// One byte per Read: every token crosses a buffer refill somewhere.
	err := newDecoder(iotest.OneByteReader(strings.NewReader(body)), c, 0, g.n).decode()
	c2 := newCollector(g, maxSeries)
	err2 := newDecoder(strings.NewReader(body), c2, 0, g.n).decode()
	if (err == nil) != (err2 == nil) {
		t.Fatalf("one-byte reads gave %v, whole reads gave %v", err, err2)
	}
	if err == nil {
		a, b := c.response(), c2.response()
		if fmt.Sprint(a.Matrix) != fmt.Sprint(b.Matrix) {
			t.Fatalf("one-byte reads and whole reads differ:\n%v\n%v", a.Matrix, b.Matrix)
		}
	}
	return c, err
}

func vals(xs ...float64) []float64 { return xs }

var nan = math.NaN()

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.IsNaN(a[i]) != math.IsNaN(b[i]) || (!math.IsNaN(a[i]) && a[i] != b[i]) {
			return false
		}
	}
	return true
}

func TestDecodeGolden(t *testing.T) {
	g := grid{start: t0 * 1000, step: 15000, n: 5}
	type series struct {
		labels string
		values []float64
	}
	tests := []struct {
		name     string
		body     string
		want     []series
		warnings []string
	}{
		{
			name: "prometheus matrix with missing points",
			body: `{"status":"success","data":{"resultType":"matrix","result":[
				{"metric":{"__name__":"up","job":"node","instance":"a:9100"},"values":[[1795255200,"1"],[1795255215,"0"],[1795255260,"1"]]},
				{"metric":{"job":"db"},"values":[[1795255230.000,"2.5e3"]]}]}}`,
			want: []series{
				{`instance=a:9100 job=node __name__=up`, vals(1, 0, nan, nan, 1)},
				{`job=db`, vals(nan, nan, 2500, nan, nan)},
			},
		},
		{
			name: "special values as strings",
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1795255200,"NaN"],[1795255215,"+Inf"],[1795255230,"-Inf"],[1795255245,"-0.5"],[1795255260,"1e-3"]]}]}}`,
			want: []series{{``, vals(nan, math.Inf(1), math.Inf(-1), -0.5, 0.001)}},
		},
		{
			name:     "warnings and infos, keys in any order, unknown keys",
			body:     `{"warnings":["PromQL warning: a","dup"],"data":{"result":[{"values":[[1795255215.5,"7"]],"histograms":[[1,{"count":"1"}]],"metric":{"a":"\u00e9\"\\\/\n"}}],"extra":{"x":[1,{"y":null}]},"resultType":"matrix"},"infos":["PromQL info: b","dup"],"status":"success","stats":{"timings":{}}}`,
			want:     []series{{"a=é\"\\/\n", vals(nan, 7, nan, nan, nan)}},
			warnings: []string{"PromQL warning: a", "dup", "PromQL info: b"},
		},
		{
			name:     "victoriametrics shape with isPartial and points outside the grid",
			body:     `{"status":"success","isPartial":true,"data":{"resultType":"matrix","result":[{"metric":{"__name__":"x"},"values":[[1795255185,"9"],[1795255200,"1"],[1795255275,"9"],[1795255261,"4"]]}]},"stats":{"seriesFetched":"1"}}`,
			want:     []series{{`__name__=x`, vals(1, nan, nan, nan, 4)}},
			warnings: []string{"the server returned a partial result (isPartial: true)"},
		},
		{
			name: "empty result and null warnings",
			body: `{"status":"success","data":{"resultType":"matrix","result":[]},"warnings":null}`,
		},
		{
			name: "surrogate pair escape",
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"e":"\ud83d\ude00"},"values":[]}]}}`,
			want: []series{{"e=😀", vals(nan, nan, nan, nan, nan)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := decodeString(t, tt.body, g, 0)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			r := c.response()
			got := map[string][]float64{}
			for _, s := range r.Matrix {
				got[labelString(s.Labels)] = s.Values
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d series %v, want %d", len(got), got, len(tt.want))
			}
			for _, w := range tt.want {
				v, ok := got[w.labels]
				if !ok {
					t.Fatalf("missing series {%s}; have %v", w.labels, got)
				}
				if !sameFloats(v, w.values) {
					t.Errorf("{%s} = %v, want %v", w.labels, v, w.values)
				}
			}
			if fmt.Sprint([]string(r.Warnings)) != fmt.Sprint(tt.warnings) && !(len(r.Warnings) == 0 && len(tt.warnings) == 0) {
				t.Errorf("warnings = %q, want %q", r.Warnings, tt.warnings)
			}
		})
	}
}

// labelString renders labels in the order the tests write them: sorted by
// name, with __name__ last (it sorts after lower-case names).
func labelString(m map[string]string) string {
	var b []string
	for _, k := range sortedKeys(m) {
		b = append(b, k+"="+m[k])
	}
	return strings.Join(b, " ")
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		if k != "__name__" {
			ks = append(ks, k)
		}
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	if _, ok := m["__name__"]; ok {
		ks = append(ks, "__name__")
	}
	return ks
}

func TestDecodeErrors(t *testing.T) {
	g := grid{start: t0 * 1000, step: 15000, n: 3}
	tests := []struct {
		name string
		body string
		want string // substring of the error
		is   func(error) bool
	}{
		{"api error", `{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}`,
			"bad_data: 1:5: parse error", func(err error) bool { var e *apiError; return errors.As(err, &e) }},
		{"vector", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}`,
			"vector result", func(err error) bool { var e *errNotMatrix; return errors.As(err, &e) }},
		{"vector without resultType first", `{"status":"success","data":{"result":[{"metric":{},"value":[1,"1"]}]}}`,
			"vector result", nil},
		{"scalar", `{"status":"success","data":{"result":[1795255200,"1"],"resultType":"scalar"}}`,
			"scalar result", nil},
		{"string", `{"status":"success","data":{"result":"x"}}`, "string result", nil},
		{"html", `<!doctype html><html><body>login</body></html>`, "found '<'",
			func(err error) bool { return errors.Is(err, errSyntax) }},
		{"truncated", `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1795255200,"1"`,
			"unexpected end of input", nil},
		{"no status", `{"data":{"resultType":"matrix","result":[]}}`, `no "status":"success"`, nil},
		{"no result", `{"status":"success","data":{"resultType":"matrix"}}`, "no data.result", nil},
		{"bad value", `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1795255200,"abc"]]}]}}`,
			"bad sample value", nil},
		{"bad timestamp", `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[-,"1"]]}]}}`,
			"bad timestamp", nil},
		{"trailing data", `{"status":"success","data":{"resultType":"matrix","result":[]}} {}`, "trailing data", nil},
		{"empty", ``, "unexpected end of input", nil},
		{"control char", "{\"status\":\"succ\x01ess\"}", "control character", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeString(t, tt.body, g, 0)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if tt.is != nil && !tt.is(err) {
				t.Errorf("error %v (%T) has the wrong type", err, err)
			}
		})
	}
}

func TestDecodeReadErrorIsNotSyntax(t *testing.T) {
	g := grid{start: t0 * 1000, step: 15000, n: 3}
	c := newCollector(g, 0)
	body := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1795255200,"1"]`
	r := io.MultiReader(strings.NewReader(body), iotest.ErrReader(errors.New("connection reset by peer")))
	err := newDecoder(r, c, 0, g.n).decode()
	var re *readError
	if !errors.As(err, &re) {
		t.Fatalf("got %v (%T), want a *readError", err, err)
	}
}

// matrixBody writes a query_range body of n series x points, point j of
// series i being i*1000+j, except every 7th point, missing.
func matrixBody(series, points int, start, step int64) []byte {
	var b bytes.Buffer
	b.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[`)
	for i := range series {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"metric":{"__name__":"container_memory_working_set_bytes","namespace":"web","pod":"pod-%05d","container":"app"},"values":[`, i)
		first := true
		for j := range points {
			if j%7 == 3 {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			ts := start + int64(j)*step
			fmt.Fprintf(&b, `[%d.%03d,"%d"]`, ts/1000, ts%1000, i*1000+j)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

func TestDecodeManySeriesAndMaxSeries(t *testing.T) {
	const series, points = 300, 50
	g := grid{start: t0*1000 + 500, step: 30000, n: points}
	body := matrixBody(series, points, g.start, g.step)
	for _, maxSeries := range []int{0, 1, 120, 300, 1000} {
		c := newCollector(g, maxSeries)
		if err := newDecoder(bytes.NewReader(body), c, 0, g.n).decode(); err != nil {
			t.Fatal(err)
		}
		r := c.response()
		kept := series
		if maxSeries > 0 {
			kept = min(series, maxSeries)
		}
		if len(r.Matrix) != kept || r.Dropped != series-kept {
			t.Fatalf("maxSeries %d: kept %d dropped %d, want %d and %d", maxSeries, len(r.Matrix), r.Dropped, kept, series-kept)
		}
		for _, s := range r.Matrix {
			var i int
			fmt.Sscanf(s.Labels["pod"], "pod-%d", &i)
			if maxSeries > 0 && i >= maxSeries {
				t.Fatalf("kept %s, which came after the first %d series", s.Labels["pod"], maxSeries)
			}
			for j, v := range s.Values {
				if j%7 == 3 {
					if !math.IsNaN(v) {
						t.Fatalf("%s[%d] = %v, want NaN", s.Labels["pod"], j, v)
					}
				} else if v != float64(i*1000+j) {
					t.Fatalf("%s[%d] = %v, want %d", s.Labels["pod"], j, v, i*1000+j)
				}
			}
		}
	}
}

func TestDecodeSliceBounds(t *testing.T) {
	// Two slices decoded into one collector keep only their own points, even
	// when each body overlaps the other's range.
	g := grid{start: t0 * 1000, step: 60000, n: 10}
	body := matrixBody(3, 10, g.start, g.step)
	c := newCollector(g, 0)
	if err := newDecoder(bytes.NewReader(body), c, 0, 4).decode(); err != nil {
		t.Fatal(err)
	}
	r := c.response()
	for _, s := range r.Matrix {
		for j, v := range s.Values {
			if j >= 4 && !math.IsNaN(v) {
				t.Fatalf("point %d outside [0,4) was written: %v", j, v)
			}
		}
	}
	if err := newDecoder(bytes.NewReader(body), c, 4, 10).decode(); err != nil {
		t.Fatal(err)
	}
	whole := newCollector(g, 0)
	if err := newDecoder(bytes.NewReader(body), whole, 0, 10).decode(); err != nil {
		t.Fatal(err)
	}
	a, b := c.response(), whole.response()
	if len(a.Matrix) != len(b.Matrix) {
		t.Fatalf("%d series stitched, %d whole", len(a.Matrix), len(b.Matrix))
	}
	for i := range a.Matrix {
		if !sameFloats(a.Matrix[i].Values, b.Matrix[i].Values) {
			t.Fatalf("stitched %v != whole %v", a.Matrix[i].Values, b.Matrix[i].Values)
		}
	}
}

func TestParseMillis(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"1795255200", 1795255200000, false},
		{"1795255200.5", 1795255200500, false},
		{"1795255200.123", 1795255200123, false},
		{"1795255200.1234", 1795255200123, false},
		{"1795255200.1235", 1795255200124, false},
		{"1795255200.9996", 1795255201000, false},
		{"-1.5", -1500, false},
		{"1.7952552e9", 1795255200000, false},
		{"0", 0, false},
		{"", 0, true},
		{"-", 0, true},
		{"1e400", 0, true},
	}
	for _, tt := range tests {
		got, err := parseMillis([]byte(tt.in))
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("parseMillis(%q) = %d, %v; want %d (bad %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestGridIndex(t *testing.T) {
	g := grid{start: 1000, step: 100, n: 5}
	tests := []struct {
		ms   int64
		want int
	}{
		{1000, 0}, {1100, 1}, {1400, 4}, {1500, -1}, {999, 0}, {949, -1}, {950, 0}, {1149, 1}, {1150, 2}, {1449, 4}, {1450, -1}, {0, -1},
	}
	for _, tt := range tests {
		if got := g.index(tt.ms); got != tt.want {
			t.Errorf("index(%d) = %d, want %d", tt.ms, got, tt.want)
		}
	}
}

func TestDecodeNoAllocsPerPoint(t *testing.T) {
	g := grid{start: t0 * 1000, step: 15000, n: 1440}
	small := matrixBody(20, 10, g.start, g.step)
	large := matrixBody(20, 1440, g.start, g.step)
	allocs := func(body []byte) float64 {
		return testing.AllocsPerRun(5, func() {
			c := newCollector(g, 0)
			if err := newDecoder(bytes.NewReader(body), c, 0, g.n).decode(); err != nil {
				t.Fatal(err)
			}
		})
	}
	a, b := allocs(small), allocs(large)
	// 144x the points must not mean more allocations (a small slack for
	// buffer growth and interning).
	if b > a+5 {
		t.Fatalf("%v allocs for 20x10 points, %v for 20x1440: allocation per point", a, b)
	}
}

func TestParseFloatMatchesStrconv(t *testing.T) {
	cases := []string{"0", "-0", "1", "1.5", "279178868", "0.0001", "123456789012345", "1234567890123456",
		"12345678901234567890", "0.1234567890123456789012", "3.14159", "-2.5", "1e3", "NaN", "+Inf", "-Inf",
		"", "-", ".", "1.", ".5", "1.2.3", "abc", "0x10", "007", "1_000", "99999999999999.9", "0.30000000000000004"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		digits := 1 + rng.IntN(18)
		var b []byte
		if rng.IntN(4) == 0 {
			b = append(b, '-')
		}
		dot := rng.IntN(digits + 1)
		for j := range digits {
			if j == dot && j > 0 {
				b = append(b, '.')
			}
			b = append(b, byte('0'+rng.IntN(10)))
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		got, gerr := parseFloat([]byte(c))
		want, werr := strconv.ParseFloat(c, 64)
		if (gerr != nil) != (werr != nil) {
			t.Fatalf("parseFloat(%q): error %v, strconv %v", c, gerr, werr)
		}
		if gerr == nil && math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("parseFloat(%q) = %v, strconv %v", c, got, want)
		}
	}
}

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// TestDecodeKeysAcrossRefills decodes the same body with tiny buffers and
// every read size, so that object keys end exactly at a refill: a key must
// survive the refill that reads its colon (it once came back as the next
// bytes of the body, making up label names and series).
func TestDecodeKeysAcrossRefills(t *testing.T) {
	g := grid{start: t0 * 1000, step: 15000, n: 12}
	body := matrixBody(7, g.n, g.start, g.step)
	decode := func(r io.Reader, size int) queries.Response {
		c := newCollector(g, 0)
		d := newDecoder(r, c, 0, g.n)
		d.s = newScanner(r, size)
		if err := d.decode(); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		return c.response()
	}
	want := decode(bytes.NewReader(body), 64<<10)
	for size := 1; size <= 48; size++ {
		for chunk := 1; chunk <= 48; chunk += 1 + chunk/8 {
			got := decode(chunkReader{bytes.NewReader(body), chunk}, size)
			if len(got.Matrix) != len(want.Matrix) {
				t.Fatalf("buffer %d, reads of %d: %d series, want %d", size, chunk, len(got.Matrix), len(want.Matrix))
			}
			for i := range want.Matrix {
				if labelString(got.Matrix[i].Labels) != labelString(want.Matrix[i].Labels) || !sameFloats(got.Matrix[i].Values, want.Matrix[i].Values) {
					t.Fatalf("buffer %d, reads of %d: series %d is {%s}, want {%s}", size, chunk, i,
						labelString(got.Matrix[i].Labels), labelString(want.Matrix[i].Labels))
				}
			}
		}
	}
}

// TestFastPointMatchesPoint checks the one-pass point reader against the
// general one on the forms servers write and on odd ones.
func TestFastPointMatchesPoint(t *testing.T) {
	stamps := []string{"1795255200", "1795255200.5", "1795255200.123", "1795255200.1234", "1795255200.1235",
		"1795255200.999999", "0", "1", "1795255200.", "-5", "1.7e9", "12345678901234"}
	vals := []string{"0", "-0", "1", "1.5", "279178868", "-2.25", "0.0001", "123456789012345", "1234567890123456",
		"NaN", "+Inf", "-Inf", "1e+21", "1.5e-7", ".5", "5.", "-", "", "0.1234567890123456789012", "1\\u0030"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		vals = append(vals, strconv.FormatFloat(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(30)-10)), 'f', -1, 64))
	}
	// The digits are read eight bytes at a time where eight bytes are left
	// in the buffer and one at a time near its end: both, with a point after.
	for _, ts := range stamps {
		for _, v := range vals {
			for _, after := range []string{`,`, `,[1795255215,"12345678"]]`} {
				// Without an expected timestamp, with the one the grid
				// expects (1795255200: compared, not parsed, when it is
				// written so) and with another.
				for _, want := range []*stamp{nil, &grid0[0], &grid0[1]} {
					fastPointMatchesPoint(t, `[`+ts+`,"`+v+`"]`+after, want)
				}
			}
		}
	}
}

// grid0 is the expected timestamps of a grid at 1795255200 every 15 s.
var grid0 = stamps(grid{start: 1795255200000, step: 15000, n: 2})

func fastPointMatchesPoint(t *testing.T, in string, want *stamp) {
	t.Helper()
	fast := newScanner(strings.NewReader(in), 64)
	fast.fill()
	wantMs := int64(1795255200000)
	if want == &grid0[1] {
		wantMs += 15000
	}
	ms, fv, haveV, vb, ok := fast.fastPoint(want, wantMs)
	slow := newScanner(strings.NewReader(in), 64)
	sms, sv, serr := slow.point()
	if !ok {
		return // the general reader takes it
	}
	if !haveV {
		var err error
		fv, err = parseFloat(vb)
		if (err != nil) != (serr != nil) {
			t.Fatalf("%s: fast error %v, slow %v", in, err, serr)
		}
		if err != nil {
			return
		}
	}
	if serr != nil {
		t.Fatalf("%s: fast read %d %v, slow failed: %v", in, ms, fv, serr)
	}
	if ms != sms || math.Float64bits(fv) != math.Float64bits(sv) && !(math.IsNaN(fv) && math.IsNaN(sv)) {
		t.Fatalf("%s: fast %d %v, slow %d %v", in, ms, fv, sms, sv)
	}
	if fast.i != slow.i {
		t.Fatalf("%s: fast consumed %d bytes, slow %d", in, fast.i, slow.i)
	}
}

// TestDigitRun checks the eight-at-a-time digit reader against a byte loop
// on every run length, every byte that may end a run, and every alignment.
func TestDigitRun(t *testing.T) {
	for n := range 21 {
		for end := range 256 {
			if end >= '0' && end <= '9' {
				continue
			}
			for pad := range 9 {
				b := []byte(strings.Repeat("x", pad))
				for i := range n {
					b = append(b, byte('1'+(i*7)%9))
				}
				b = append(b, byte(end))
				b = append(b, strings.Repeat("\xff", 9)...)
				v, got := digitRun(b, pad)
				if got != n {
					t.Fatalf("run of %d digits then %#x at %d: length %d", n, end, pad, got)
				}
				if n <= 19 {
					want, _ := strconv.ParseUint(string(b[pad:pad+n]), 10, 64)
					if n == 0 {
						want = 0
					}
					if v != want {
						t.Fatalf("run %q: %d, want %d", b[pad:pad+n], v, want)
					}
				}
			}
		}
	}
}

// TestStamps checks the expected-timestamp table: the text of whole-second
// grids between 8 and 16 bytes, none otherwise, and that a stamp matches its
// own text only.
func TestStamps(t *testing.T) {
	for _, g := range []grid{
		{start: 1795255200500, step: 15000, n: 4}, // not whole seconds
		{start: 0, step: 1000, n: 4},              // "0,\"": too short
		{start: 1795255200000, step: 1500, n: 4},  // a fractional step
	} {
		if st := stamps(g); st != nil {
			t.Errorf("%+v: %d stamps, want none", g, len(st))
		}
	}
	for _, start := range []int64{1e6, 1795255200, 1e13} {
		st := stamps(grid{start: start * 1000, step: 60000, n: 3})
		if len(st) != 3 {
			t.Fatalf("start %d: %d stamps", start, len(st))
		}
		for i := range st {
			text := strconv.FormatInt(start+60*int64(i), 10) + `,"`
			pad := []byte(text + strings.Repeat("\x00", 16))
			if !st[i].match(pad) || st[i].n != len(text) {
				t.Errorf("stamp %d of %d does not match %q", i, start, text)
			}
			for j := range st {
				if j != i && st[j].match(pad) {
					t.Errorf("stamp %d of %d matches %q", j, start, text)
				}
			}
			bad := []byte(strings.Replace(text, `,"`, `.0`, 1) + strings.Repeat("\x00", 16))
			if st[i].match(bad) {
				t.Errorf("stamp %d matches %q", i, bad)
			}
		}
	}
}

// TestFastPointStampAtBufferEnd reads a point whose expected 14-digit
// timestamp and its `,"` fill the buffer exactly: the value is not there
// yet, and the general reader must take over (this once read past the
// buffer).
func TestFastPointStampAtBufferEnd(t *testing.T) {
	st := stamps(grid{start: 1e16, step: 1000, n: 1})
	if len(st) != 1 || st[0].n != 16 {
		t.Fatalf("stamps %+v", st)
	}
	in := `[10000000000000,"5"],`
	s := newScanner(strings.NewReader(in), 64)
	s.n = copy(s.buf, in[:17])
	if _, _, _, _, ok := s.fastPoint(&st[0], 1e16); ok {
		t.Fatal("fastPoint read a value that is not in the buffer")
	}
}
