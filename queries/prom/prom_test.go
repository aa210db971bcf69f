package prom

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/queries"
)

func testWindow(points int, step time.Duration) queries.Window {
	from := time.Unix(t0, 0).UTC()
	return queries.Window{From: from, To: from.Add(time.Duration(points-1) * step), Step: step}
}

func newTestSource(t *testing.T, opts Options) *Source {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.backoff = time.Millisecond
	return s
}

// fakeRange answers query_range like Prometheus for one series whose value
// at time ts is ts (in seconds), over the requested start/end/step.
func fakeRange(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	start, _ := strconv.ParseFloat(r.Form.Get("start"), 64)
	end, _ := strconv.ParseFloat(r.Form.Get("end"), 64)
	step, _ := strconv.ParseFloat(r.Form.Get("step"), 64)
	w.Header().Set("Content-Type", "application/json")
	var b strings.Builder
	b.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"t"},"values":[`)
	for ts := start; ts <= end+1e-9; ts += step {
		if ts > start {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `[%s,"%s"]`, strconv.FormatFloat(ts, 'f', -1, 64), strconv.FormatFloat(ts, 'f', -1, 64))
	}
	b.WriteString(`]}]}}`)
	fmt.Fprint(w, b.String())
}

// checkStitched checks a fakeRange answer over w: every point's value is
// its own timestamp in seconds, so a point lost or shifted (at a slice
// boundary) shows.
func checkStitched(t *testing.T, what string, resp queries.Response, w queries.Window) {
	t.Helper()
	for i, v := range resp.Matrix[0].Values {
		if want := float64(w.Time(i).Unix()); v != want {
			t.Fatalf("%spoint %d = %v, want %v (a point lost or shifted)", what, i, v, want)
		}
	}
}

func TestQueryRangePostsFormAndAligns(t *testing.T) {
	var method, ctype, query, accept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method, ctype, accept = r.Method, r.Header.Get("Content-Type"), r.Header.Get("Accept-Encoding")
		_ = r.ParseForm()
		query = r.PostForm.Get("query")
		fakeRange(w, r)
	}))
	defer srv.Close()
	s := newTestSource(t, Options{URL: srv.URL + "/"})
	if got, want := s.Name(), "prometheus "+srv.URL; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	w := testWindow(20, 15*time.Second)
	long := `sum by (namespace) (rate(container_cpu_usage_seconds_total{namespace=~"` + strings.Repeat("a|", 3000) + `b"}[5m]))`
	resp, err := s.QueryRange(context.Background(), queries.Request{Expr: long, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodPost || ctype != "application/x-www-form-urlencoded" || query != long {
		t.Errorf("sent %s %s with query of %d bytes; want a POST form with the query", method, ctype, len(query))
	}
	if accept != "" {
		t.Errorf("Accept-Encoding %q sent; compression must be off by default", accept)
	}
	if len(resp.Matrix) != 1 {
		t.Fatalf("%d series", len(resp.Matrix))
	}
	checkStitched(t, "", resp, w)
}

func TestCompressionOption(t *testing.T) {
	var accept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept-Encoding")
		fakeRange(w, r)
	}))
	defer srv.Close()
	s := newTestSource(t, Options{URL: srv.URL, Compression: true})
	if _, err := s.QueryRange(context.Background(), queries.Request{Expr: "t", Window: testWindow(3, time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(accept, "gzip") {
		t.Errorf("Accept-Encoding = %q, want gzip", accept)
	}
}

func TestHeadersAndBearerToken(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("secret-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var auth, org string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth, org = r.Header.Get("Authorization"), r.Header.Get("X-Scope-OrgID")
		mu.Unlock()
		fakeRange(w, r)
	}))
	defer srv.Close()
	s := newTestSource(t, Options{URL: srv.URL, Headers: []string{"X-Scope-OrgID: tenant-a"}, BearerTokenFile: tok})
	req := queries.Request{Expr: "t", Window: testWindow(3, time.Minute)}
	if _, err := s.QueryRange(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer secret-1" || org != "tenant-a" {
		t.Errorf("Authorization %q, X-Scope-OrgID %q", auth, org)
	}
	// A rotated token is picked up without a new Source.
	if err := os.WriteFile(tok, []byte("secret-2"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.QueryRange(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer secret-2" {
		t.Errorf("after rotation Authorization = %q", auth)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{}, "no Prometheus URL"},
		{Options{URL: "localhost:9090"}, "bad Prometheus URL"},
		{Options{URL: "ftp://x"}, "bad Prometheus URL"},
		{Options{URL: "http://x", Headers: []string{"NoColon"}}, "bad header"},
		{Options{URL: "http://x", BearerTokenFile: "/nonexistent/token"}, "bearer token"},
		{Options{URL: "http://x", TLSCA: "/nonexistent/ca.pem"}, "TLS CA"},
	}
	for _, tt := range tests {
		_, err := New(tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want an error containing %q", tt.opts, err, tt.want)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		ctype   string
		body    string
		kind    ErrorKind
		want    string
		retries bool
	}{
		{"bad_data", 400, "application/json", `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:8: parse error: unclosed left parenthesis"}`,
			KindQuery, `rejected the query (bad_data): invalid parameter "query": 1:8: parse error: unclosed left parenthesis`, false},
		{"execution 422", 422, "application/json", `{"status":"error","errorType":"execution","error":"expanding series: boom"}`,
			KindQuery, "rejected the query (execution): expanding series: boom", false},
		{"server timeout", 503, "application/json", `{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}`,
			KindTimeout, "timed out: query timed out in expression evaluation", false},
		{"401", 401, "text/plain", "Unauthorized\n", KindAuth, "refused access: HTTP 401 Unauthorized (check --bearer-token-file, --header)", false},
		{"403 with reason", 403, "text/plain", "tenant not allowed\n", KindAuth, "refused access: HTTP 403 Forbidden: tenant not allowed (check", false},
		{"403 html", 403, "text/html", "<html>no</html>", KindAuth, "refused access: HTTP 403 Forbidden (check", false},
		{"404", 404, "text/plain", "404 page not found\n", KindHTTP, "answered HTTP 404 Not Found: 404 page not found", false},
		{"html 200", 200, "text/html; charset=utf-8", "<!DOCTYPE html><title>Grafana</title>", KindNotPrometheus, "does not look like a Prometheus API: HTTP 200 with an HTML page", false},
		{"html 200 no content type", 200, "", "<!DOCTYPE html><title>Grafana</title>", KindNotPrometheus, "does not look like a Prometheus API", false},
		{"json garbage", 200, "application/json", `{"hello":"world"}`, KindBadResponse, "unreadable response", false},
		{"vector", 200, "application/json", `{"status":"success","data":{"resultType":"vector","result":[]}}`, KindBadResponse, "vector result, not a range (matrix) result", false},
		{"503", 503, "text/plain", "overloaded", KindHTTP, "answered HTTP 503 Service Unavailable: overloaded", true},
		{"502", 502, "text/html", "<html>bad gateway</html>", KindHTTP, "answered HTTP 502 Bad Gateway", true},
		{"504", 504, "text/plain", "", KindHTTP, "HTTP 504 Gateway Timeout", true},
		{"429", 429, "application/json", `{"status":"error","errorType":"too_many_requests","error":"slow down"}`, KindHTTP, "HTTP 429 Too Many Requests: slow down", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				} else {
					w.Header()["Content-Type"] = nil
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			s := newTestSource(t, Options{URL: srv.URL})
			_, err := s.QueryRange(context.Background(), queries.Request{Expr: "up", Window: testWindow(5, time.Minute)})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v (%T), want *Error", err, err)
			}
			if e.Kind != tt.kind || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got kind %d %q\nwant kind %d containing %q", e.Kind, err, tt.kind, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			wantCalls := int32(1)
			if tt.retries {
				wantCalls = 3
			}
			if got := calls.Load(); got != wantCalls {
				t.Errorf("%d requests, want %d", got, wantCalls)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := newTestSource(t, Options{URL: "http://" + addr})
	start := time.Now()
	_, err = s.QueryRange(context.Background(), queries.Request{Expr: "up", Window: testWindow(5, time.Minute)})
	want := "cannot reach Prometheus at http://" + addr + ": connection refused"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a refused connection took %s: it must not be retried", d)
	}
	if _, err := s.MetricNames(context.Background(), time.Unix(t0, 0), time.Unix(t0+60, 0)); err == nil || err.Error() != want {
		t.Errorf("MetricNames: got %v, want %q", err, want)
	}
}

func TestRetryTransientThenSucceed(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		case 2:
			// Reset the connection mid-answer.
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			conn.Close()
		default:
			fakeRange(w, r)
		}
	}))
	defer srv.Close()
	s := newTestSource(t, Options{URL: srv.URL})
	resp, err := s.QueryRange(context.Background(), queries.Request{Expr: "t", Window: testWindow(4, time.Minute)})
	if err != nil {
		t.Fatalf("got %v after %d calls", err, calls.Load())
	}
	if calls.Load() != 3 || len(resp.Matrix) != 1 {
		t.Errorf("%d calls, %d series; want 3 calls and 1 series", calls.Load(), len(resp.Matrix))
	}
}

func TestRetryRespectsContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	s := newTestSource(t, Options{URL: srv.URL})
	s.backoff = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.QueryRange(ctx, queries.Request{Expr: "t", Window: testWindow(4, time.Minute)})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s after the context ended", d)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s := newTestSource(t, Options{URL: srv.URL, Timeout: 100 * time.Millisecond})
	_, err := s.QueryRange(context.Background(), queries.Request{Expr: "t", Window: testWindow(4, time.Minute)})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindTimeout || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Fatalf("got %v, want a timeout error", err)
	}
}

func TestGETFallbackOn405(t *testing.T) {
	var methods []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		methods = append(methods, r.Method)
		mu.Unlock()
		if r.Method == http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		fakeRange(w, r)
	}))
	defer srv.Close()
	s := newTestSource(t, Options{URL: srv.URL})
	for range 2 {
		if _, err := s.QueryRange(context.Background(), queries.Request{Expr: "t", Window: testWindow(4, time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(methods, ","); got != "POST,GET,GET" {
		t.Errorf("methods %s, want POST,GET,GET", got)
	}
}

// limitServer refuses any range of more than limit points with Prometheus'
// 422 "too many samples" and answers the rest like fakeRange.
func limitServer(limit int, calls *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_ = r.ParseForm()
		start, _ := strconv.ParseFloat(r.Form.Get("start"), 64)
		end, _ := strconv.ParseFloat(r.Form.Get("end"), 64)
		step, _ := strconv.ParseFloat(r.Form.Get("step"), 64)
		if int((end-start)/step)+1 > limit {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(422)
			fmt.Fprint(w, `{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}`)
			return
		}
		fakeRange(w, r)
	}))
}

func TestSplitOnTooManySamples(t *testing.T) {
	for _, tc := range []struct{ points, limit int }{{100, 30}, {101, 7}, {17, 1}, {5, 5}} {
		var calls atomic.Int32
		srv := limitServer(tc.limit, &calls)
		s := newTestSource(t, Options{URL: srv.URL})
		w := testWindow(tc.points, 15*time.Second)
		resp, err := s.QueryRange(context.Background(), queries.Request{Expr: "t", Window: w})
		srv.Close()
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if len(resp.Matrix) != 1 {
			t.Fatalf("%+v: %d series", tc, len(resp.Matrix))
		}
		checkStitched(t, fmt.Sprintf("%+v: ", tc), resp, w)
		if tc.points > tc.limit && s.splits.Load() == 0 {
			t.Errorf("%+v: no split recorded", tc)
		}
	}
}

func TestSplitLongRangesAndSlices(t *testing.T) {
	var calls atomic.Int32
	srv := limitServer(1<<30, &calls)
	defer srv.Close()
	s := newTestSource(t, Options{URL: srv.URL, MaxPoints: 100, Slices: 3})
	w := testWindow(1000, 15*time.Second)
	resp, err := s.QueryRange(context.Background(), queries.Request{Expr: "t", Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 10 {
		t.Errorf("%d requests for 1000 points at 100 per request, want 10", calls.Load())
	}
	checkStitched(t, "", resp, w)
	if got := chunks(10, 3, 11000); fmt.Sprint(got) != "[[0 3] [3 6] [6 10]]" {
		t.Errorf("chunks(10, 3) = %v", got)
	}
	if got := chunks(2, 5, 11000); fmt.Sprint(got) != "[[0 1] [1 2]]" {
		t.Errorf("chunks(2, 5) = %v", got)
	}
}

func TestMaxSamplesPlansSlices(t *testing.T) {
	var calls atomic.Int32
	srv := limitServer(50, &calls)
	defer srv.Close()
	// One series: a budget of 40 samples means slices of <= 40 points, so
	// the server never has to refuse.
	s := newTestSource(t, Options{URL: srv.URL, MaxSamples: 40})
	w := testWindow(400, 15*time.Second)
	resp, err := s.QueryRange(context.Background(), queries.Request{Expr: "t", Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if s.splits.Load() != 0 {
		t.Errorf("%d refused slices; the budget should have avoided them", s.splits.Load())
	}
	checkStitched(t, "", resp, w)
}

func TestMetricNames(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/prom/api/v1/label/__name__/values" || r.URL.Query().Get("start") == "" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"status":"success","data":["up","kube_pod_status_phase","up"]}`)
	}))
	defer srv.Close()
	s := newTestSource(t, Options{URL: srv.URL + "/prom"})
	names, err := s.MetricNames(context.Background(), time.Unix(t0, 0), time.Unix(t0+3600, 0))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(names) != "[kube_pod_status_phase up]" {
		t.Errorf("names = %v", names)
	}
}

func TestBadRequests(t *testing.T) {
	s := newTestSource(t, Options{URL: "http://127.0.0.1:1"})
	for _, req := range []queries.Request{
		{Expr: " ", Window: testWindow(3, time.Minute)},
		{Expr: "up", Window: queries.Window{From: time.Unix(t0, 0), To: time.Unix(t0-60, 0), Step: time.Minute}},
		{Expr: "up", Window: queries.Window{From: time.Unix(t0, 0), To: time.Unix(t0+60, 0)}},
	} {
		if _, err := s.QueryRange(context.Background(), req); err == nil || strings.Contains(err.Error(), "cannot reach") {
			t.Errorf("%+v: got %v, want a request error before any I/O", req, err)
		}
	}
}

// TestSlicesPipelined checks the two caps on the slices of one query: at
// most SliceParallel requests are being computed by the server at once (it
// has not answered yet), and a slice whose answer has arrived no longer
// holds a computing slot, so the server computes the next slice while that
// answer is still being read.
func TestSlicesPipelined(t *testing.T) {
	var mu sync.Mutex
	computing, open, maxComputing, maxOpen := 0, 0, 0, 0
	enter := func(n *int, peak *int, d int) {
		mu.Lock()
		*n += d
		*peak = max(*peak, *n)
		mu.Unlock()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		enter(&open, &maxOpen, 1)
		defer enter(&open, &maxOpen, -1)
		enter(&computing, &maxComputing, 1)
		time.Sleep(20 * time.Millisecond) // computing the answer
		rec := httptest.NewRecorder()
		fakeRange(rec, r)
		body := rec.Body.Bytes()
		// Done computing before the client can see the headers, so that
		// the count never includes a request the client let go of.
		enter(&computing, &maxComputing, -1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		half := len(body) / 2
		_, _ = w.Write(body[:half])
		w.(http.Flusher).Flush()
		time.Sleep(150 * time.Millisecond) // a long transfer (long beside scheduling delays on a loaded machine)
		_, _ = w.Write(body[half:])
	}))
	defer srv.Close()
	s := newTestSource(t, Options{URL: srv.URL, Slices: 8, SliceParallel: 2})
	w := testWindow(960, 15*time.Second)
	resp, err := s.QueryRange(context.Background(), queries.Request{Expr: "t", Window: w})
	if err != nil {
		t.Fatal(err)
	}
	checkStitched(t, "", resp, w)
	if maxComputing > 2 {
		t.Errorf("%d requests computed at once, want at most SliceParallel = 2", maxComputing)
	}
	// The handler's end trails the client's, so only the lower bound is
	// exact: without pipelining it is 2.
	if maxOpen < 3 {
		t.Errorf("%d requests open at once, want at least 3 (2 computed while answers are read)", maxOpen)
	}
}
