package prom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/causeway-sre/causeway/queries"
)

// grid is the aligned time axis of one request, in Unix milliseconds:
// point i is at start + i*step, for i in [0, n).
type grid struct {
	start, step int64
	n           int
}

// index maps a timestamp to its grid point. A timestamp between two points
// goes to the nearest one (servers that shift the start by less than a step,
// as VictoriaMetrics may, stay usable); -1 means outside the grid.
func (g grid) index(ms int64) int {
	d := ms - g.start
	if d < -g.step/2 {
		return -1
	}
	i := (d + g.step/2) / g.step
	if d%g.step == 0 {
		i = d / g.step
	}
	if i < 0 || i >= int64(g.n) {
		return -1
	}
	return int(i)
}

// collector gathers the series of one query, possibly from several time
// slices decoded in parallel, into per-series arrays aligned to the grid.
type collector struct {
	g         grid
	stamps    []stamp // the text of each grid point's timestamp, or nil
	maxSeries int

	mu       sync.Mutex
	index    map[string]int // series key -> position in series
	series   []queries.Sample
	keys     []string
	dropped  map[string]struct{}
	warnings []string
	seenWarn map[string]bool
}

func newCollector(g grid, maxSeries int) *collector {
	return &collector{
		g:         g,
		stamps:    stamps(g),
		maxSeries: maxSeries,
		index:     make(map[string]int),
		dropped:   make(map[string]struct{}),
		seenWarn:  make(map[string]bool),
	}
}

// slot returns the value array of the series with the given key and labels,
// creating it (NaN-filled) on first sight, or nil when the series is beyond
// the cap and must be skipped. labels is only read when a series is created.
func (c *collector) slot(key []byte, labels []labelPair) []float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[string(key)]; ok {
		return c.series[i].Values
	}
	if c.maxSeries > 0 && len(c.series) >= c.maxSeries {
		if _, ok := c.dropped[string(key)]; !ok {
			c.dropped[string(key)] = struct{}{}
		}
		return nil
	}
	vals := make([]float64, c.g.n)
	nan := math.NaN()
	for i := range vals {
		vals[i] = nan
	}
	m := make(map[string]string, len(labels))
	for _, l := range labels {
		m[l.name] = l.value
	}
	k := string(key)
	c.index[k] = len(c.series)
	c.series = append(c.series, queries.Sample{Labels: m, Values: vals})
	c.keys = append(c.keys, k)
	return vals
}

func (c *collector) warn(w string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.seenWarn[w] {
		c.seenWarn[w] = true
		c.warnings = append(c.warnings, w)
	}
}

// response returns the gathered series sorted by their labels, so that one
// query and the same query fetched in slices give the same order.
func (c *collector) response() queries.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	order := make([]int, len(c.series))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(c.keys[a], c.keys[b]) })
	m := make(queries.Matrix, len(order))
	for i, j := range order {
		m[i] = c.series[j]
	}
	return queries.Response{Matrix: m, Warnings: queries.Warnings(slices.Clone(c.warnings)), Dropped: len(c.dropped)}
}

type labelPair struct{ name, value string }

// apiError is a Prometheus error envelope met in a response body.
type apiError struct {
	Type, Msg string
}

func (e *apiError) Error() string { return e.Type + ": " + e.Msg }

// errNotMatrix is returned for a scalar, vector or string result.
type errNotMatrix struct{ resultType string }

func (e *errNotMatrix) Error() string {
	return fmt.Sprintf("the server returned a %s result, not a range (matrix) result", e.resultType)
}

// decoder reads one /api/v1/query_range response body into a collector,
// keeping only the grid points in [lo, hi).
type decoder struct {
	s      *scanner
	c      *collector
	lo, hi int

	labels  []labelPair
	key     []byte
	pending []pendingPoint
	intern  map[string]string
}

type pendingPoint struct {
	i int
	v float64
}

const maxIntern = 1 << 16

func newDecoder(r io.Reader, c *collector, lo, hi int) *decoder {
	return &decoder{s: newScanner(r, 64<<10), c: c, lo: lo, hi: hi, intern: make(map[string]string)}
}

func (d *decoder) str(b []byte) string {
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.intern) < maxIntern {
		d.intern[s] = s
	}
	return s
}

// decode reads the whole body. A body with status "error" yields *apiError.
func (d *decoder) decode() error {
	s := d.s
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != '{' {
		return s.syntax("expected a JSON object, found %q", c)
	}
	empty, err := s.open('{', '}')
	if err != nil || empty {
		if err == nil {
			err = errors.New("empty JSON object")
		}
		return err
	}
	var status, errType, errMsg string
	var resultType string
	sawResult := false
	for {
		k, err := s.key()
		if err != nil {
			return err
		}
		switch string(k) {
		case "status":
			if status, err = s.text(); err != nil {
				return err
			}
		case "errorType":
			if errType, err = s.text(); err != nil {
				return err
			}
		case "error":
			if errMsg, err = s.text(); err != nil {
				return err
			}
		case "data":
			rt, saw, err := d.data()
			if err != nil {
				return err
			}
			resultType, sawResult = rt, saw
		case "warnings", "infos":
			if err := d.notes(); err != nil {
				return err
			}
		case "isPartial":
			v, err := s.literal()
			if err != nil {
				return err
			}
			if v == 't' {
				d.c.warn("the server returned a partial result (isPartial: true)")
			}
		default:
			if err := s.skip(); err != nil {
				return err
			}
		}
		more, err := s.more('}')
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if end, err := s.atEnd(); err != nil {
		return err
	} else if !end {
		return s.syntax("trailing data after the JSON object")
	}
	switch {
	case status == "error":
		if errType == "" {
			errType = "error"
		}
		return &apiError{Type: errType, Msg: errMsg}
	case status != "success":
		return fmt.Errorf("%w: no \"status\":\"success\" in the response", errSyntax)
	case !sawResult:
		return fmt.Errorf("%w: no data.result in the response", errSyntax)
	case resultType != "" && resultType != "matrix":
		return &errNotMatrix{resultType}
	}
	return nil
}

// notes reads "warnings" or "infos": an array of strings (or null).
func (d *decoder) notes() error {
	s := d.s
	if ok, err := s.openNullable('[', ']'); err != nil || !ok {
		return err
	}
	for {
		b, err := s.str()
		if err != nil {
			return err
		}
		d.c.warn(string(b))
		more, err := s.more(']')
		if err != nil || !more {
			return err
		}
	}
}

func (d *decoder) data() (resultType string, sawResult bool, err error) {
	s := d.s
	if ok, err := s.openNullable('{', '}'); err != nil || !ok {
		return "", false, err
	}
	for {
		k, err := s.key()
		if err != nil {
			return "", false, err
		}
		switch string(k) {
		case "resultType":
			if resultType, err = s.text(); err != nil {
				return "", false, err
			}
			if resultType != "matrix" {
				return "", false, &errNotMatrix{resultType}
			}
		case "result":
			if err := d.result(); err != nil {
				return "", false, err
			}
			sawResult = true
		default:
			if err := s.skip(); err != nil {
				return "", false, err
			}
		}
		more, err := s.more('}')
		if err != nil {
			return "", false, err
		}
		if !more {
			return resultType, sawResult, nil
		}
	}
}

func (d *decoder) result() error {
	s := d.s
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case '[':
	case '"':
		return &errNotMatrix{"string"}
	case 'n':
		_, err := s.literal()
		return err
	default:
		return s.syntax("expected the result array, found %q", c)
	}
	empty, err := s.open('[', ']')
	if err != nil || empty {
		return err
	}
	for {
		c, err := s.peek()
		if err != nil {
			return err
		}
		if c != '{' {
			// [time, "value"]: a scalar result.
			return &errNotMatrix{"scalar"}
		}
		if err := d.series(); err != nil {
			return err
		}
		more, err := s.more(']')
		if err != nil || !more {
			return err
		}
	}
}

// series reads {"metric": {...}, "values": [[t, "v"], ...]}. Values go
// straight into the series' array when the labels came first (they always do
// in Prometheus and VictoriaMetrics); otherwise they wait in a reused buffer.
func (d *decoder) series() error {
	s := d.s
	if err := s.expect('{'); err != nil {
		return err
	}
	d.labels = d.labels[:0]
	d.pending = d.pending[:0]
	haveMetric := false
	var target []float64
	if c, err := s.peek(); err != nil {
		return err
	} else if c == '}' {
		s.i++
		return nil
	}
	for {
		k, err := s.key()
		if err != nil {
			return err
		}
		switch string(k) {
		case "metric":
			if err := d.metric(); err != nil {
				return err
			}
			haveMetric = true
			target = d.resolve()
		case "values":
			if err := d.values(haveMetric, target); err != nil {
				return err
			}
		case "value":
			return &errNotMatrix{"vector"}
		default: // "histograms" (native histograms) and anything new
			if err := s.skip(); err != nil {
				return err
			}
		}
		more, err := s.more('}')
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if !haveMetric {
		target = d.resolve()
	}
	if target != nil {
		for _, p := range d.pending {
			target[p.i] = p.v
		}
	}
	return nil
}

// resolve builds the series key from d.labels and finds its array.
func (d *decoder) resolve() []float64 {
	slices.SortFunc(d.labels, func(a, b labelPair) int { return strings.Compare(a.name, b.name) })
	d.key = d.key[:0]
	for _, l := range d.labels {
		d.key = append(d.key, l.name...)
		d.key = append(d.key, 0xff)
		d.key = append(d.key, l.value...)
		d.key = append(d.key, 0xff)
	}
	return d.c.slot(d.key, d.labels)
}

func (d *decoder) metric() error {
	s := d.s
	if ok, err := s.openNullable('{', '}'); err != nil || !ok {
		return err
	}
	for {
		k, err := s.key()
		if err != nil {
			return err
		}
		name := d.str(k)
		v, err := s.str()
		if err != nil {
			return err
		}
		d.labels = append(d.labels, labelPair{name: name, value: d.str(v)})
		more, err := s.more('}')
		if err != nil || !more {
			return err
		}
	}
}

// values reads [[t, "v"], ...]. When direct is set, points go to target (nil
// for a dropped series: parsed and discarded); otherwise to d.pending.
func (d *decoder) values(direct bool, target []float64) error {
	s := d.s
	if ok, err := s.openNullable('[', ']'); err != nil || !ok {
		return err
	}
	g, stamps := d.c.g, d.c.stamps
	nextMs, nextI := g.start, 0 // the grid point expected next
	for {
		var want *stamp
		if nextI < len(stamps) {
			want = &stamps[nextI]
		}
		ms, v, haveV, vb, fast := s.fastPoint(want, nextMs)
		if !fast {
			var err error
			if ms, v, err = s.point(); err != nil {
				return err
			}
		}
		i := nextI
		if ms != nextMs {
			i = g.index(ms)
		}
		if i >= 0 {
			nextMs, nextI = g.start+int64(i+1)*g.step, i+1
		}
		if i >= d.lo && i < d.hi && (target != nil || !direct) {
			if fast && !haveV {
				var err error
				if v, err = parseFloat(vb); err != nil {
					return s.syntax("bad sample value %q", bytes.Clone(vb))
				}
			}
			if direct {
				target[i] = v
			} else {
				d.pending = append(d.pending, pendingPoint{i, v})
			}
		}
		if s.i < s.n && s.buf[s.i] == ',' { // the usual separator, without a call
			s.i++
			continue
		}
		more, err := s.more(']')
		if err != nil || !more {
			return err
		}
	}
}

// point reads one [t, "v"] pair, white space and bare numbers allowed, and
// parses the value before the closing bracket may refill the buffer.
func (s *scanner) point() (ms int64, v float64, err error) {
	if err := s.expect('['); err != nil {
		return 0, 0, err
	}
	tb, err := s.number()
	if err != nil {
		return 0, 0, err
	}
	if ms, err = parseMillis(tb); err != nil {
		return 0, 0, s.syntax("%v", err)
	}
	if err := s.expect(','); err != nil {
		return 0, 0, err
	}
	c, err := s.peek()
	if err != nil {
		return 0, 0, err
	}
	var vb []byte
	if c == '"' {
		vb, err = s.str()
	} else {
		vb, err = s.number()
	}
	if err != nil {
		return 0, 0, err
	}
	if v, err = parseFloat(vb); err != nil {
		return 0, 0, s.syntax("bad sample value %q", bytes.Clone(vb))
	}
	if err := s.expect(']'); err != nil {
		return 0, 0, err
	}
	return ms, v, nil
}

// fastPoint reads a compact [1795255200.123,"1.5"] straight from the buffer
// when it is all there (the usual case); ok false means use point. It reads
// each byte once: the timestamp's digits become milliseconds as they are
// scanned (parseMillis' rounding), and a plain decimal value becomes its
// float64 on the way (parseFloat's fast path; haveV false leaves vb for
// parseFloat: NaN, +Inf, exponents, long mantissas).
//
// want is the text of the timestamp expected next (nil: none), at wantMs:
// when the point starts with it, the timestamp is compared, not parsed.
func (s *scanner) fastPoint(want *stamp, wantMs int64) (ms int64, v float64, haveV bool, vb []byte, ok bool) {
	b := s.buf[s.i:s.n]
	if len(b) < 8 || b[0] != '[' {
		return 0, 0, false, nil, false
	}
	if want != nil && len(b) > 17 && want.match(b[1:]) { // 1+n <= 17 < len(b)
		return s.fastValue(b, 1+want.n, wantMs)
	}
	sec, n := digitRun(b, 1)
	j := 1 + n
	if n == 0 || n > 12 || j >= len(b) {
		return 0, 0, false, nil, false
	}
	var frac int64
	if b[j] == '.' {
		j++
		k := 0
		for ; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
			switch d := int64(b[j] - '0'); {
			case k < 3:
				frac = frac*10 + d
			case k == 3 && d >= 5:
				frac++
			}
			k++
		}
		if k == 0 {
			return 0, 0, false, nil, false
		}
		for ; k < 3; k++ {
			frac *= 10
		}
	}
	if j+2 >= len(b) || b[j] != ',' || b[j+1] != '"' {
		return 0, 0, false, nil, false
	}
	return s.fastValue(b, j+2, int64(sec)*1000+frac)
}

// fastValue is the rest of fastPoint: the value that starts at b[j], after
// the opening quote, of the point at ms.
func (s *scanner) fastValue(b []byte, j int, ms int64) (int64, float64, bool, []byte, bool) {
	v0 := j
	// The value: [-]digits[.digits]. Parsed here when its digits make an
	// integer m <= 2^53 and it has at most 22 decimals: then m / 10^decimals
	// is one correctly rounded division of exact operands (Clinger's fast
	// path), the same float64 as strconv.ParseFloat.
	neg := b[j] == '-'
	if neg {
		j++
	}
	m, ni := digitRun(b, j)
	j += ni
	nf, plain := 0, ni > 0 && ni <= 19
	if j < len(b) && b[j] == '.' {
		var f uint64
		f, nf = digitRun(b, j+1)
		j += 1 + nf
		if plain = plain && nf > 0 && ni+nf <= 19; plain {
			m = m*pow10u[nf] + f
		}
	}
	if j >= len(b) || b[j] != '"' {
		// Something else (NaN, 1e+21, an escape): find the closing quote.
		plain = false
		for j < len(b) && b[j] != '"' && b[j] != '\\' && b[j] >= 0x20 {
			j++
		}
		if j >= len(b) || b[j] != '"' {
			return 0, 0, false, nil, false
		}
	}
	if j+1 >= len(b) || b[j+1] != ']' {
		return 0, 0, false, nil, false
	}
	vb := b[v0:j]
	s.i += j + 2
	if !plain || m > 1<<53 {
		return ms, 0, false, vb, true
	}
	v := float64(m)
	if nf > 0 {
		v /= pow10[nf]
	}
	if neg {
		v = -v
	}
	return ms, v, true, vb, true
}
