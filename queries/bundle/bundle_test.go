package bundle

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/postmortem"
	"github.com/causeway-sre/causeway/queries"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func testWindow() queries.Window {
	return queries.Window{From: t0, To: t0.Add(20 * time.Minute), Step: 30 * time.Second, Baseline: 20 * time.Minute}
}

func testBank() *queries.Bank {
	return &queries.Bank{Origin: "test", Queries: []queries.Query{
		{ID: "db_up", Title: "DB up", Family: "database", Kind: queries.State, Unit: "bool", Entity: []string{"instance"},
			PromQL: `min by (instance) (mysql_up{instance="mysql-0.db:9104", namespace="shop"})`, Causes: []string{"connections"}},
		{ID: "pod_memory", Title: "Pod memory", Family: "memory", Kind: queries.Gauge, Unit: "bytes",
			Entity: []string{"namespace", "pod"}, PromQL: `sum by (namespace, pod, node) (container_memory_working_set_bytes{namespace=~"shop|web"})`},
		{ID: "edge_5xx", Title: "5xx ratio", Family: "edge", Kind: queries.Gauge, Unit: "ratio",
			Entity: []string{"namespace", "ingress"}, PromQL: `sum by (namespace, ingress) (rate(x[$__rate_interval]))`},
		{ID: "broken", Title: "Broken", Family: "nodes", Kind: queries.State, PromQL: `up`},
	}}
}

// liveSource is a stand-in for a Prometheus: deterministic series per query,
// NaN gaps, one failing query and one query over the series cap.
type liveSource struct{}

func (liveSource) Name() string { return "prometheus http://user:pw@prom.example:9090/?token=abc" }

func (liveSource) QueryRange(_ context.Context, req queries.Request) (queries.Response, error) {
	n := req.Window.Points()
	vals := func(f func(i int) float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = f(i)
		}
		return v
	}
	switch req.ID {
	case "db_up":
		return queries.Response{Matrix: queries.Matrix{{
			Labels: map[string]string{"instance": "mysql-0.db:9104", "job": "mysql", "namespace": "shop", "pod": "mysql-0"},
			Values: vals(func(i int) float64 {
				if i >= 45 && i < 48 {
					return 0
				}
				if i == 10 {
					return math.NaN()
				}
				return 1
			}),
		}}}, nil
	case "pod_memory":
		var m queries.Matrix
		for p, pod := range []string{"web-7d9f8b6c4-x2x9z", "web-7d9f8b6c4-q8w2r", "api-5c6d7e8f9-abcde"} {
			m = append(m, queries.Sample{
				Labels: map[string]string{"namespace": "web", "pod": pod, "node": fmt.Sprintf("ip-10-0-1-%d.ec2.internal", p)},
				Values: vals(func(i int) float64 {
					if i%17 == 3 {
						return math.NaN()
					}
					return float64(200<<20) + float64(i*(p+1)<<16)
				}),
			})
		}
		if req.MaxSeries > 0 && len(m) > req.MaxSeries {
			return queries.Response{Matrix: m[:req.MaxSeries], Dropped: len(m) - req.MaxSeries}, nil
		}
		return queries.Response{Matrix: m}, nil
	case "edge_5xx":
		return queries.Response{
			Matrix: queries.Matrix{{
				Labels: map[string]string{"namespace": "web", "ingress": "shop-front"},
				Values: vals(func(i int) float64 {
					if i >= 48 && i < 60 {
						return 0.2
					}
					return 0.001
				}),
			}},
			Warnings: queries.Warnings{"PromQL info: metric might not be a counter"},
		}, nil
	}
	return queries.Response{Warnings: queries.Warnings{"partial"}}, errors.New("bad_data: parse error at char 3")
}

func liveEvents() []queries.Event {
	return []queries.Event{
		{Time: t0.Add(2 * time.Minute), Type: "Warning", Reason: "BackOff", Kind: "Pod", Namespace: "web", Name: "web-7d9f8b6c4-x2x9z",
			Message: "Back-off restarting failed container web in pod web-7d9f8b6c4-x2x9z on ip-10-0-1-0.ec2.internal", Source: "kubelet, ip-10-0-1-0.ec2.internal", Count: 2,
			Entity: map[string]string{"namespace": "web", "pod": "web-7d9f8b6c4-x2x9z"}},
		{Time: t0.Add(time.Minute), Type: "Normal", Reason: "Killing", Kind: "Pod", Namespace: "shop", Name: "mysql-0",
			Message: "Stopping container mysql", Entity: map[string]string{"namespace": "shop", "pod": "mysql-0"}},
	}
}

func liveRun(t testing.TB) *queries.Result {
	t.Helper()
	res := queries.Run(context.Background(), liveSource{}, testBank(), testWindow(), queries.RunOptions{MaxSeries: 2})
	res.Events = liveEvents()
	return res
}

func encode(t testing.TB, b *Bundle) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// equalBundles compares bundles, values bit for bit (NaN == NaN).
func equalBundles(t *testing.T, got, want *Bundle) {
	t.Helper()
	if len(got.Series) != len(want.Series) {
		t.Fatalf("series: got %d, want %d", len(got.Series), len(want.Series))
	}
	g, w := *got, *want
	g.Series, w.Series = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("bundles differ:\n got %+v\nwant %+v", g, w)
	}
	for i := range want.Series {
		a, b := got.Series[i], want.Series[i]
		if !reflect.DeepEqual(a.Labels, b.Labels) || !reflect.DeepEqual(a.Entity, b.Entity) ||
			a.Query != b.Query || a.Family != b.Family || a.Kind != b.Kind {
			t.Errorf("series %d: got %+v, want %+v", i, a, b)
		}
		if len(a.Values) != len(b.Values) {
			t.Fatalf("series %d: %d values, want %d", i, len(a.Values), len(b.Values))
		}
		for j := range a.Values {
			if math.Float64bits(a.Values[j]) != math.Float64bits(b.Values[j]) {
				t.Fatalf("series %d value %d: got %v (%x), want %v (%x)", i, j, a.Values[j],
					math.Float64bits(a.Values[j]), b.Values[j], math.Float64bits(b.Values[j]))
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	res := liveRun(t)
	b := New(res, testBank(), "v1.2.3", t0.Add(time.Hour))
	b.Answer = &Answer{Query: "db_up", Family: "database", Entity: map[string]string{"instance": "mysql-0.db:9104"},
		Chain: []string{"database", "memory", "edge"}}
	// Special floats survive bit for bit: a stale marker, -0, infinities.
	b.Series[0].Values[1] = math.Float64frombits(0x7ff0000000000002)
	b.Series[0].Values[2] = math.Copysign(0, -1)
	b.Series[0].Values[3] = math.Inf(1)
	got, err := Read(bytes.NewReader(encode(t, b)))
	if err != nil {
		t.Fatal(err)
	}
	equalBundles(t, got, b)
	if strings.Contains(got.SourceName, "pw") || strings.Contains(got.SourceName, "token") {
		t.Errorf("source kept a secret: %q", got.SourceName)
	}
	if got.SourceName != "prometheus http://prom.example:9090/" {
		t.Errorf("source = %q", got.SourceName)
	}
	// Writing is deterministic.
	if !bytes.Equal(encode(t, b), encode(t, got)) {
		t.Error("writing the same bundle twice gives different bytes")
	}
	// An empty bundle round-trips too.
	empty := &Bundle{Version: FormatVersion, Window: testWindow()}
	got, err = Read(bytes.NewReader(encode(t, empty)))
	if err != nil {
		t.Fatal(err)
	}
	equalBundles(t, got, empty)
}

func TestResult(t *testing.T) {
	res := liveRun(t)
	b := New(res, testBank(), "v1", t0)
	got := b.Result()
	if len(got.Queries) != len(res.Queries) {
		t.Fatalf("%d rows, want %d", len(got.Queries), len(res.Queries))
	}
	for i, q := range got.Queries {
		want := res.Queries[i]
		if q.Query.ID != want.Query.ID || q.Expr != want.Expr || q.Series != want.Series || q.Dropped != want.Dropped ||
			!reflect.DeepEqual(q.Warnings, want.Warnings) || errText(q.Err) != errText(want.Err) {
			t.Errorf("row %d: got %+v, want %+v", i, q, want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestReplay: the report from a replayed bundle equals the live one but for
// its source.
func TestReplay(t *testing.T) {
	ctx := context.Background()
	live := liveRun(t)
	b, err := Read(bytes.NewReader(encode(t, New(live, testBank(), "v1", t0))))
	if err != nil {
		t.Fatal(err)
	}
	replayed := queries.Run(ctx, b.Source(), b.Bank, b.Window, queries.RunOptions{MaxSeries: 2})
	replayed.Events = b.Events
	if replayed.Source == live.Source {
		t.Errorf("replay source %q should say it is a bundle", replayed.Source)
	}
	for i := range live.Queries {
		a, r := live.Queries[i], replayed.Queries[i]
		if a.Expr != r.Expr || a.Series != r.Series || a.Dropped != r.Dropped || errText(a.Err) != errText(r.Err) ||
			!reflect.DeepEqual(a.Warnings, r.Warnings) {
			t.Errorf("row %s: live %+v, replay %+v", a.Query.ID, a, r)
		}
	}
	jsonOf := func(res *queries.Result) string {
		var buf bytes.Buffer
		if err := postmortem.JSON(&buf, incident.Analyze(testBank(), res), postmortem.Meta{Source: "x"}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	if a, r := jsonOf(live), jsonOf(replayed); a != r {
		t.Errorf("JSON reports differ:\nlive:\n%s\nreplay:\n%s", a, r)
	}
	if a, r := jsonOf(live), jsonOf(b.Result()); a != r {
		t.Errorf("JSON from Result() differs:\nlive:\n%s\nreplay:\n%s", a, r)
	}

	// A query that was not recorded is an error row, not a failed run.
	bank := testBank()
	bank.Queries = append(bank.Queries, queries.Query{ID: "new_query", Family: "pods", Kind: queries.Gauge, PromQL: "up"})
	res := queries.Run(ctx, b.Source(), bank, b.Window, queries.RunOptions{})
	last := res.Queries[len(res.Queries)-1]
	if last.Err == nil || !strings.Contains(last.Err.Error(), `"new_query" was not recorded`) {
		t.Errorf("unrecorded query: err = %v", last.Err)
	}
	if res.Queries[0].Err != nil {
		t.Errorf("recorded query failed: %v", res.Queries[0].Err)
	}
}

func TestReplayWindow(t *testing.T) {
	b := New(liveRun(t), testBank(), "v1", t0)
	src := b.Source()
	ctx := context.Background()
	full := b.Window
	sub := queries.Window{From: full.From.Add(5 * time.Minute), To: full.To.Add(-time.Minute), Step: full.Step, Baseline: 5 * time.Minute}
	resp, err := src.QueryRange(ctx, queries.Request{ID: "db_up", Window: sub})
	if err != nil {
		t.Fatal(err)
	}
	off := full.Index(sub.Start())
	if got := resp.Matrix[0].Values; len(got) != sub.Points() || got[45-off] != 0 || got[0] != b.Series[0].Values[off] {
		t.Errorf("sub-window values wrong: %v", got)
	}
	for name, w := range map[string]queries.Window{
		"other step":   {From: full.From, To: full.To, Step: time.Minute, Baseline: full.Baseline},
		"off grid":     {From: full.From.Add(time.Second), To: full.To, Step: full.Step},
		"past the end": {From: full.From, To: full.To.Add(time.Minute), Step: full.Step},
		"before":       {From: full.From, To: full.To, Step: full.Step, Baseline: 2 * full.Baseline},
	} {
		if _, err := src.QueryRange(ctx, queries.Request{ID: "db_up", Window: w}); err == nil || !strings.Contains(err.Error(), "the bundle holds") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := src.QueryRange(cctx, queries.Request{ID: "db_up", Window: full}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// TestBadFiles: every kind of bad file is a *FormatError of the right kind.
func TestBadFiles(t *testing.T) {
	good := encode(t, New(liveRun(t), testBank(), "v1", t0))
	header := bytes.Index(good, []byte("\nsize "))
	header += bytes.IndexByte(good[header+1:], '\n') + 2 // first body byte

	withBody := func(body []byte, version int) []byte {
		sum := sha256.Sum256(body)
		return append([]byte(fmt.Sprintf("CAUSEWAY-BUNDLE\nversion %d\nsha256 %s\nsize %d\n", version, hex.EncodeToString(sum[:]), len(body))), body...)
	}
	gz := func(raw []byte) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(raw)
		w.Close()
		return b.Bytes()
	}
	flip := func(i int) []byte {
		c := bytes.Clone(good)
		c[i] ^= 0x40
		return c
	}
	cases := []struct {
		name string
		data []byte
		kind ErrorKind
		msg  string
	}{
		{"empty", nil, NotBundle, "empty"},
		{"json", []byte(`{"window": {}}`), NotBundle, "JSON"},
		{"gzip", gz([]byte("hello")), NotBundle, "gzip"},
		{"text", []byte("hello world\n"), NotBundle, "not a causeway bundle"},
		{"magic only", []byte("CAUSEWAY-BUNDLE\n"), Truncated, "header"},
		{"half magic", []byte("CAUSEWAY-BUN"), Truncated, "header"},
		{"truncated body", good[:len(good)-10], Truncated, "truncated"},
		{"truncated header", good[:header-3], Truncated, "header"},
		{"body bit flip", flip(header + 20), Corrupt, "checksum"},
		{"last byte flip", flip(len(good) - 1), Corrupt, "checksum"},
		{"trailing data", append(bytes.Clone(good), 'x'), Corrupt, "after the body"},
		{"bad version", bytes.Replace(good, []byte("version 1"), []byte("version x"), 1), Corrupt, "version"},
		{"newer", bytes.Replace(good, []byte("version 1"), []byte("version 9"), 1), Newer, "upgrade"},
		{"bad size", bytes.Replace(good, []byte("\nsize "), []byte("\nsize -"), 1), Corrupt, "size"},
		{"bad sum", bytes.Replace(good, []byte("sha256 "), []byte("sha256 zz"), 1), Corrupt, "checksum line"},
		{"not gzip inside", withBody([]byte("plain"), 1), Corrupt, "decompress"},
		{"garbage inside", withBody(gz([]byte{0xff, 0xff, 0xff}), 1), Corrupt, "damaged"},
		{"bad json inside", withBody(gz([]byte("\x03{x}")), 1), Corrupt, "metadata"},
		{"huge count inside", withBody(gz([]byte("\x02{}\xff\xff\xff\xff\x0f")), 1), Corrupt, "damaged"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Read(bytes.NewReader(c.data))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got (%v, %v), want a *FormatError", b, err)
			}
			if fe.Kind != c.kind || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("got kind %d %q, want kind %d containing %q", fe.Kind, err, c.kind, c.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	// Every prefix of a good file is an error, never a panic or a success.
	for n := 0; n < len(good); n += 1 + n/50 {
		if _, err := Read(bytes.NewReader(good[:n])); err == nil {
			t.Fatalf("a %d-byte prefix of a %d-byte bundle was read", n, len(good))
		}
	}
}

func FuzzRead(f *testing.F) {
	good := encode(f, New(liveRun(f), testBank(), "v1", t0))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("CAUSEWAY-BUNDLE\nversion 1\n"))
	f.Add([]byte(`{"a":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Read(bytes.NewReader(data))
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FormatError: %v", err)
			}
			return
		}
		// What reads must write and read back the same.
		again, err := Read(bytes.NewReader(encode(t, b)))
		if err != nil {
			t.Fatalf("rewritten bundle does not read: %v", err)
		}
		if len(again.Series) != len(b.Series) || len(again.Queries) != len(b.Queries) {
			t.Fatal("rewritten bundle differs")
		}
	})
}

// TestFuzzBody runs the body decoder over damaged bodies with a valid
// checksum, which the fuzzer rarely reaches.
func TestFuzzBody(t *testing.T) {
	raw, err := encodeBody(New(liveRun(t), testBank(), "v1", t0))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(raw); i += 1 + i/200 {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			c := bytes.Clone(raw)
			c[i] ^= mask
			if _, err := decodeBody(c); err != nil {
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("byte %d: error is not a *FormatError: %v", i, err)
				}
			}
		}
		if _, err := decodeBody(raw[:i]); err == nil && i < len(raw) {
			t.Fatalf("a %d-byte prefix of the body decoded", i)
		}
	}
}
