package bundle

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/causeway-sre/causeway/queries"
)

// The file:
//
//	CAUSEWAY-BUNDLE\n          magic line
//	version 1\n                format version
//	sha256 <64 hex digits>\n   checksum of the body bytes
//	size <n>\n                 body length in bytes
//	<n bytes>                  the body, gzip-compressed
//
// The header is text so that `head -4 FILE` says what a file is. The body,
// once decompressed, is a length-prefixed JSON document (everything but the
// samples) followed by a string table and the series; each series' values
// are Gorilla XOR chunks (tsdb/chunkenc) over the window's grid, which keep
// every float's bits, NaN gaps included.
const (
	magic = "CAUSEWAY-BUNDLE"
	// maxBody caps the compressed body a header may announce (a sanity
	// bound, far above 10,000 series of a week at 15s).
	maxBody = 16 << 30
	// maxRaw caps the decompressed body.
	maxRaw = 64 << 30
	// chunkSamples stays under the XOR chunk's 16-bit sample count.
	chunkSamples = 60000
)

// ErrorKind says what is wrong with a file that is not a readable bundle.
type ErrorKind int

const (
	// NotBundle: the file is empty or something else (JSON, gzip, text).
	NotBundle ErrorKind = iota
	// Truncated: the file ends before its body does.
	Truncated
	// Corrupt: the checksum or the body's structure is wrong.
	Corrupt
	// Newer: the file was written by a newer causeway.
	Newer
)

// FormatError is the error of a file that cannot be read as a bundle. Its
// message is one line that says what to do.
type FormatError struct {
	Kind ErrorKind
	Msg  string
	Err  error
}

func (e *FormatError) Error() string {
	if e.Err != nil {
		return "bundle: " + e.Msg + ": " + e.Err.Error()
	}
	return "bundle: " + e.Msg
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(kind ErrorKind, err error, format string, args ...any) *FormatError {
	return &FormatError{Kind: kind, Msg: fmt.Sprintf(format, args...), Err: err}
}

// Write writes b as a bundle file.
func Write(w io.Writer, b *Bundle) error {
	if b == nil {
		return errors.New("bundle: nothing to write")
	}
	raw, err := encodeBody(b)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	zw, err := gzip.NewWriterLevel(&body, gzip.BestSpeed)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	if _, err := zw.Write(raw); err != nil {
		return fmt.Errorf("bundle: compress: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("bundle: compress: %w", err)
	}
	sum := sha256.Sum256(body.Bytes())
	header := fmt.Sprintf("%s\nversion %d\nsha256 %s\nsize %d\n", magic, FormatVersion, hex.EncodeToString(sum[:]), body.Len())
	if _, err := io.WriteString(w, header); err != nil {
		return fmt.Errorf("bundle: write: %w", err)
	}
	if _, err := w.Write(body.Bytes()); err != nil {
		return fmt.Errorf("bundle: write: %w", err)
	}
	return nil
}

// Read reads a bundle file. A file that is not a whole, intact bundle of a
// version this package knows gives a *FormatError.
func Read(r io.Reader) (*Bundle, error) {
	br := bufio.NewReader(r)
	first, err := headerLine(br)
	if err != nil || first != magic {
		return nil, notBundle(first, err)
	}
	line, err := headerLine(br)
	if err != nil {
		return nil, formatErr(Truncated, nil, "the file ends inside its header")
	}
	vs, ok := strings.CutPrefix(line, "version ")
	version, verr := strconv.Atoi(vs)
	if !ok || verr != nil || version < 1 {
		return nil, formatErr(Corrupt, nil, "bad version line %q", clip(line))
	}
	if version > FormatVersion {
		return nil, formatErr(Newer, nil, "the file is format version %d; this causeway reads up to version %d: upgrade causeway", version, FormatVersion)
	}
	line, err = headerLine(br)
	if err != nil {
		return nil, formatErr(Truncated, nil, "the file ends inside its header")
	}
	hexSum, ok := strings.CutPrefix(line, "sha256 ")
	want, herr := hex.DecodeString(hexSum)
	if !ok || herr != nil || len(want) != sha256.Size {
		return nil, formatErr(Corrupt, nil, "bad checksum line %q", clip(line))
	}
	line, err = headerLine(br)
	if err != nil {
		return nil, formatErr(Truncated, nil, "the file ends inside its header")
	}
	ss, ok := strings.CutPrefix(line, "size ")
	size, serr := strconv.ParseInt(ss, 10, 64)
	if !ok || serr != nil || size < 0 || size > maxBody {
		return nil, formatErr(Corrupt, nil, "bad size line %q", clip(line))
	}
	var body bytes.Buffer
	n, err := io.Copy(&body, io.LimitReader(br, size))
	if err != nil {
		return nil, formatErr(Truncated, err, "reading the body")
	}
	if n < size {
		return nil, formatErr(Truncated, nil, "the file is truncated: the body has %d of its %d bytes", n, size)
	}
	if extra, _ := br.Peek(1); len(extra) > 0 {
		return nil, formatErr(Corrupt, nil, "unexpected data after the body")
	}
	got := sha256.Sum256(body.Bytes())
	if !bytes.Equal(got[:], want) {
		return nil, formatErr(Corrupt, nil, "the file is corrupted: its checksum does not match")
	}
	zr, err := gzip.NewReader(&body)
	if err != nil {
		return nil, formatErr(Corrupt, err, "the body does not decompress")
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxRaw))
	if err != nil {
		return nil, formatErr(Corrupt, err, "the body does not decompress")
	}
	b, err := decodeBody(raw)
	if err != nil {
		return nil, err
	}
	b.Version = version
	return b, nil
}

// headerLine reads one short header line, without its newline.
func headerLine(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for b.Len() <= 100 {
		c, err := br.ReadByte()
		if err != nil {
			return b.String(), err
		}
		if c == '\n' {
			return b.String(), nil
		}
		b.WriteByte(c)
	}
	return b.String(), errors.New("header line too long")
}

// notBundle explains what a file that does not start with the magic line is.
func notBundle(first string, err error) error {
	t := strings.TrimLeft(first, " \t\r\ufeff")
	switch {
	case first == "" && errors.Is(err, io.EOF):
		return formatErr(NotBundle, nil, "the file is empty, not a causeway bundle")
	case strings.HasPrefix(magic, first) && errors.Is(err, io.EOF):
		return formatErr(Truncated, nil, "the file is truncated inside its header")
	case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["):
		return formatErr(NotBundle, nil, "the file is JSON (a report?), not a causeway bundle; record one with `causeway record -o FILE`")
	case strings.HasPrefix(first, "\x1f\x8b"):
		return formatErr(NotBundle, nil, "the file is gzip data, not a causeway bundle")
	}
	return formatErr(NotBundle, nil, "the file is not a causeway bundle (it does not start with %q)", magic)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// meta is the JSON part of the body: everything but the samples.
type meta struct {
	ToolVersion string      `json:"tool_version"`
	CreatedAt   time.Time   `json:"created_at"`
	Window      metaWindow  `json:"window"`
	Source      string      `json:"source"`
	Bank        *metaBank   `json:"bank,omitempty"`
	Queries     []metaQuery `json:"queries"`
	Events      []metaEvent `json:"events"`
	EventsNil   bool        `json:"events_nil,omitempty"`
	Warnings    []string    `json:"warnings"`
	Answer      *metaAnswer `json:"answer,omitempty"`
	Series      int         `json:"series"`
}

type metaWindow struct {
	From     time.Time     `json:"from"`
	To       time.Time     `json:"to"`
	Step     time.Duration `json:"step_ns"`
	Baseline time.Duration `json:"baseline_ns"`
}

type metaBank struct {
	Origin  string      `json:"origin"`
	Queries []metaBankQ `json:"queries"`
}

// metaBankQ is queries.Query with every field, Line included.
type metaBankQ struct {
	queries.Query
	Line int `json:"line,omitempty"`
}

type metaQuery struct {
	ID       string   `json:"id"`
	Expr     string   `json:"expr"`
	Series   int      `json:"series"`
	Warnings []string `json:"warnings,omitempty"`
	Error    string   `json:"error,omitempty"`
	Dropped  int      `json:"dropped,omitempty"`
}

// metaEvent keeps the event's time zone out (times are stored in UTC) and
// every field in.
type metaEvent struct {
	queries.Event
	EntityNil bool `json:"entity_nil,omitempty"`
}

type metaAnswer struct {
	Query  string            `json:"query"`
	Family string            `json:"family"`
	Entity map[string]string `json:"entity,omitempty"`
	Chain  []string          `json:"chain,omitempty"`
}

func encodeBody(b *Bundle) ([]byte, error) {
	m := meta{
		ToolVersion: b.ToolVersion,
		CreatedAt:   b.CreatedAt.UTC(),
		Window:      metaWindow{From: b.Window.From.UTC(), To: b.Window.To.UTC(), Step: b.Window.Step, Baseline: b.Window.Baseline},
		Source:      b.SourceName,
		Warnings:    b.Warnings,
		Series:      len(b.Series),
		EventsNil:   b.Events == nil,
	}
	if b.Bank != nil {
		m.Bank = &metaBank{Origin: b.Bank.Origin}
		for _, q := range b.Bank.Queries {
			m.Bank.Queries = append(m.Bank.Queries, metaBankQ{Query: q, Line: q.Line})
		}
	}
	for _, q := range b.Queries {
		m.Queries = append(m.Queries, metaQuery(q))
	}
	for _, e := range b.Events {
		e.Time = e.Time.UTC()
		m.Events = append(m.Events, metaEvent{Event: e, EntityNil: e.Entity == nil})
	}
	if a := b.Answer; a != nil {
		m.Answer = &metaAnswer{Query: a.Query, Family: a.Family, Entity: a.Entity, Chain: a.Chain}
	}
	js, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("bundle: encode: %w", err)
	}
	e := &encoder{ids: map[string]uint64{}}
	e.buf = binary.AppendUvarint(e.buf, uint64(len(js)))
	e.buf = append(e.buf, js...)

	// The string table holds every label name and value, query id, family
	// and kind once; series refer to it by index.
	for _, s := range b.Series {
		e.intern(s.Query)
		e.intern(s.Family)
		e.intern(string(s.Kind))
		e.internLabels(s.Labels)
		e.internLabels(s.Entity)
	}
	e.buf = binary.AppendUvarint(e.buf, uint64(len(e.strs)))
	for _, s := range e.strs {
		e.buf = binary.AppendUvarint(e.buf, uint64(len(s)))
		e.buf = append(e.buf, s...)
	}
	e.buf = binary.AppendUvarint(e.buf, uint64(len(b.Series)))
	for _, s := range b.Series {
		e.ref(s.Query)
		e.ref(s.Family)
		e.ref(string(s.Kind))
		e.labels(s.Labels)
		e.labels(s.Entity)
		if err := e.values(s.Values); err != nil {
			return nil, err
		}
	}
	return e.buf, nil
}

type encoder struct {
	buf  []byte
	ids  map[string]uint64
	strs []string
	keys []string
}

func (e *encoder) intern(s string) {
	if _, ok := e.ids[s]; !ok {
		e.ids[s] = uint64(len(e.strs))
		e.strs = append(e.strs, s)
	}
}

// internLabels interns in key order, so that the table (and the file) does
// not depend on map iteration order.
func (e *encoder) internLabels(m map[string]string) {
	e.keys = e.keys[:0]
	for k := range m {
		e.keys = append(e.keys, k)
	}
	slices.Sort(e.keys)
	for _, k := range e.keys {
		e.intern(k)
		e.intern(m[k])
	}
}

func (e *encoder) ref(s string) { e.buf = binary.AppendUvarint(e.buf, e.ids[s]) }

// labels writes n+1 pairs (0 for a nil map), in key order.
func (e *encoder) labels(m map[string]string) {
	if m == nil {
		e.buf = append(e.buf, 0)
		return
	}
	e.keys = e.keys[:0]
	for k := range m {
		e.keys = append(e.keys, k)
	}
	slices.Sort(e.keys)
	e.buf = binary.AppendUvarint(e.buf, uint64(len(m))+1)
	for _, k := range e.keys {
		e.ref(k)
		e.ref(m[k])
	}
}

// values writes n+1 (0 for nil), then the XOR chunks of the values with
// timestamps 0..n-1 (the grid is the window's).
func (e *encoder) values(vs []float64) error {
	if vs == nil {
		e.buf = append(e.buf, 0)
		return nil
	}
	e.buf = binary.AppendUvarint(e.buf, uint64(len(vs))+1)
	for start := 0; start < len(vs); start += chunkSamples {
		c := chunkenc.NewXORChunk()
		app, err := c.Appender()
		if err != nil {
			return fmt.Errorf("bundle: encode values: %w", err)
		}
		end := min(start+chunkSamples, len(vs))
		for i := start; i < end; i++ {
			app.Append(0, int64(i-start), vs[i])
		}
		data := c.Bytes()
		e.buf = binary.AppendUvarint(e.buf, uint64(len(data)))
		e.buf = append(e.buf, data...)
	}
	return nil
}

func decodeBody(raw []byte) (*Bundle, error) {
	d := &decoder{buf: raw}
	n := d.count(1)
	js := d.bytes(n)
	if d.err != nil {
		return nil, d.err
	}
	var m meta
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, formatErr(Corrupt, err, "the body's metadata is not valid")
	}
	b := &Bundle{
		ToolVersion: m.ToolVersion,
		CreatedAt:   m.CreatedAt,
		Window:      queries.Window{From: m.Window.From, To: m.Window.To, Step: m.Window.Step, Baseline: m.Window.Baseline},
		SourceName:  m.Source,
		Warnings:    m.Warnings,
	}
	if m.Bank != nil {
		b.Bank = &queries.Bank{Origin: m.Bank.Origin}
		for _, q := range m.Bank.Queries {
			q.Query.Line = q.Line
			b.Bank.Queries = append(b.Bank.Queries, q.Query)
		}
	}
	for _, q := range m.Queries {
		b.Queries = append(b.Queries, Query(q))
	}
	if !m.EventsNil {
		b.Events = make([]queries.Event, 0, len(m.Events))
	}
	for _, e := range m.Events {
		ev := e.Event
		if ev.Entity == nil && !e.EntityNil {
			ev.Entity = map[string]string{}
		}
		b.Events = append(b.Events, ev)
	}
	if a := m.Answer; a != nil {
		b.Answer = &Answer{Query: a.Query, Family: a.Family, Entity: a.Entity, Chain: a.Chain}
	}

	nstr := d.count(1)
	strs := make([]string, 0, nstr)
	for i := 0; i < nstr && d.err == nil; i++ {
		strs = append(strs, string(d.bytes(d.count(1))))
	}
	d.strs = strs
	nser := d.count(4)
	if d.err == nil && nser != m.Series {
		return nil, formatErr(Corrupt, nil, "the body holds %d series, its metadata says %d", nser, m.Series)
	}
	b.Series = make([]queries.Series, 0, nser)
	for i := 0; i < nser && d.err == nil; i++ {
		s := queries.Series{Query: d.str(), Family: d.str(), Kind: queries.Kind(d.str())}
		s.Labels = d.labels()
		s.Entity = d.labels()
		s.Values = d.values()
		b.Series = append(b.Series, s)
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.pos != len(d.buf) {
		return nil, formatErr(Corrupt, nil, "%d unexpected bytes at the end of the body", len(d.buf)-d.pos)
	}
	if len(b.Series) == 0 {
		b.Series = nil
	}
	return b, nil
}

// decoder reads the binary body; the first error sticks and every later read
// returns zero values, so a bad file never panics or over-allocates.
type decoder struct {
	buf  []byte
	pos  int
	err  error
	strs []string
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = formatErr(Corrupt, nil, "the body is damaged: "+format, args...)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.pos:])
	if n <= 0 {
		d.fail("bad number at byte %d", d.pos)
		return 0
	}
	d.pos += n
	return v
}

// count reads a count of items that each take at least minBytes bytes, so
// that a damaged count cannot ask for more than the body holds.
func (d *decoder) count(minBytes int) int {
	v := d.uvarint()
	if d.err == nil && v > uint64((len(d.buf)-d.pos)/minBytes) {
		d.fail("count %d at byte %d exceeds the data", v, d.pos)
		return 0
	}
	return int(v)
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf)-d.pos {
		d.fail("length %d at byte %d exceeds the data", n, d.pos)
		return nil
	}
	b := d.buf[d.pos : d.pos+n]
	d.pos += n
	return b
}

func (d *decoder) str() string {
	i := d.uvarint()
	if d.err != nil {
		return ""
	}
	if i >= uint64(len(d.strs)) {
		d.fail("string %d out of the table of %d", i, len(d.strs))
		return ""
	}
	return d.strs[i]
}

func (d *decoder) labels() map[string]string {
	n := d.count(1)
	if d.err != nil || n == 0 {
		return nil
	}
	n--
	if n > len(d.buf)-d.pos {
		d.fail("label count %d exceeds the data", n)
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.str()
		m[k] = d.str()
	}
	return m
}

func (d *decoder) values() []float64 {
	n := d.uvarint()
	if d.err != nil || n == 0 {
		return nil
	}
	n--
	// A chunk holds at most chunkSamples samples in at least 10 bytes, and a
	// sample takes at least one bit: bound n by what the body can hold.
	if n > uint64(len(d.buf)-d.pos)*8 {
		d.fail("value count %d exceeds the data", n)
		return nil
	}
	vs := make([]float64, 0, n)
	var it chunkenc.Iterator
	for uint64(len(vs)) < n && d.err == nil {
		data := d.bytes(d.count(1))
		if d.err != nil {
			return nil
		}
		if len(data) < 2 {
			d.fail("a values chunk of %d bytes", len(data))
			return nil
		}
		want := min(int(n)-len(vs), chunkSamples)
		if got := int(binary.BigEndian.Uint16(data)); got != want {
			d.fail("a values chunk holds %d samples, want %d", got, want)
			return nil
		}
		c, err := chunkenc.FromData(chunkenc.EncXOR, data)
		if err != nil {
			d.fail("values chunk: %v", err)
			return nil
		}
		it = c.Iterator(it)
		i := int64(0)
		for it.Next() == chunkenc.ValFloat {
			t, v := it.At()
			if t != i {
				d.fail("values out of grid order")
				return nil
			}
			vs = append(vs, v)
			i++
		}
		if err := it.Err(); err != nil || i != int64(want) {
			d.fail("a values chunk ends early (%d of %d samples)", i, want)
			return nil
		}
	}
	return vs
}
