// Package prom is the source for any Prometheus-compatible HTTP API
// (Prometheus, Thanos Query, Mimir, Cortex, VictoriaMetrics).
//
// client_golang's api.Client builds the URLs and carries the HTTP stack
// (headers, bearer token, TLS). Range results are not decoded through its
// typed model: a streaming decoder writes each sample straight into
// per-series arrays aligned to the window grid, without allocating per point,
// while the body is still arriving. Large ranges are fetched as time slices in
// parallel and stitched back on the same grid.
package prom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/api"
	"golang.org/x/sync/errgroup"

	"github.com/causeway-sre/causeway/queries"
)

// Options configure a Source.
type Options struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:9090 or
	// https://mimir.example/prometheus.
	URL string
	// Headers are extra request headers, each "Name: value" (for example
	// "X-Scope-OrgID: tenant-a").
	Headers []string
	// BearerTokenFile holds a token sent as "Authorization: Bearer"; it is
	// re-read on each request.
	BearerTokenFile string
	// TLSCA is a PEM file of CA certificates to trust.
	TLSCA string
	// InsecureSkipVerify disables TLS certificate checks.
	InsecureSkipVerify bool
	// Timeout bounds each request (default 2m); it is also sent to the server
	// as the query timeout.
	Timeout time.Duration
	// Compression asks for gzip. Off by default: on loopback and fast links it
	// makes a large range ~8x slower (the server compresses on one core).
	Compression bool
	// Slices splits every range into this many time slices fetched in
	// parallel. 0 (the default) chooses: one request for a short range,
	// up to AutoSlices for a long one (see autoSlices). The server encodes
	// each slice on its own core and the client decodes them in parallel,
	// so a large answer arrives ~2x faster even on 2 cores (issue 9: 1.7 s
	// instead of 3.2 s for 10,000 series x 1,440 points).
	Slices int
	// MaxPoints caps the grid points of one request (default 11000, the limit
	// Prometheus enforces); longer ranges are split.
	MaxPoints int
	// MaxSamples, when > 0, is the server's --query.max-samples (or a lower
	// budget): a range is split up front so that no slice is expected to
	// exceed it, from the series count the first slice returned.
	MaxSamples int
	// SliceParallel caps the requests of one query the server is computing
	// at once; twice as many may be in flight, the others' answers being
	// read. The default is the client's cores, between 2 and 4: on a 2-core
	// machine sharing its cores with the server, 4 computed at once made the
	// server hold 4 answers in memory and took ~1.6x as long as 2 (issue 9,
	// hack/bench-e2e.sh).
	SliceParallel int
	// Tries is the number of attempts for transient errors (default 3).
	Tries int
}

// Source queries a Prometheus-compatible HTTP API.
type Source struct {
	opts   Options
	url    string // redacted, for messages
	client api.Client
	http   *http.Client

	useGET  atomic.Bool  // the server refused POST with 405
	splits  atomic.Int64 // slices fetched after splitting a refused range
	backoff time.Duration
}

// New checks the options and builds a Source. Nothing is sent to the server.
func New(opts Options) (*Source, error) {
	raw := strings.TrimSpace(opts.URL)
	if raw == "" {
		return nil, errors.New("no Prometheus URL given")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad Prometheus URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bad Prometheus URL %q: want http://host:port or https://host/path", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	if opts.Slices < 0 {
		opts.Slices = 0
	}
	if opts.MaxPoints <= 0 {
		opts.MaxPoints = 11000
	}
	if opts.SliceParallel <= 0 {
		opts.SliceParallel = min(4, max(2, runtime.GOMAXPROCS(0)))
	}
	if opts.Tries <= 0 {
		opts.Tries = 3
	}
	rt, err := newTransport(opts)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: rt}
	client, err := api.NewClient(api.Config{Address: u.String(), Client: hc})
	if err != nil {
		return nil, fmt.Errorf("bad Prometheus URL %q: %w", raw, err)
	}
	return &Source{
		opts:    opts,
		url:     u.Redacted(),
		client:  client,
		http:    hc,
		backoff: 250 * time.Millisecond,
	}, nil
}

// Name is "prometheus URL" (credentials in the URL are masked).
func (s *Source) Name() string { return "prometheus " + s.url }

// QueryRange runs req.Expr over req.Window's grid and returns one array per
// series, NaN where the series has no sample.
func (s *Source) QueryRange(ctx context.Context, req queries.Request) (queries.Response, error) {
	if strings.TrimSpace(req.Expr) == "" {
		return queries.Response{}, errors.New("empty query")
	}
	w := req.Window
	if w.Step < time.Millisecond {
		return queries.Response{}, fmt.Errorf("bad step %s: want at least 1ms", w.Step)
	}
	n := w.Points()
	if n <= 0 {
		return queries.Response{}, fmt.Errorf("empty window: %s to %s", w.Start().Format(time.RFC3339), w.To.Format(time.RFC3339))
	}
	g := grid{start: w.Start().UnixMilli(), step: w.Step.Milliseconds(), n: n}
	c := newCollector(g, req.MaxSeries)
	f := &fetch{s: s, c: c, expr: req.Expr, sem: make(chan struct{}, s.opts.SliceParallel),
		flight: make(chan struct{}, 2*s.opts.SliceParallel)}
	if err := f.run(ctx); err != nil {
		return queries.Response{}, err
	}
	return c.response(), nil
}

// fetch is one QueryRange in flight: its slices share the collector and a cap
// on concurrent requests.
type fetch struct {
	s    *Source
	c    *collector
	expr string
	sem  chan struct{} // requests the server is computing
	// answers in flight: requested, or arrived and being decoded
	flight chan struct{}
}

// AutoSlices is the most time slices a range is cut into by default, and
// MinSlicePoints the fewest grid points worth a slice of their own.
const (
	AutoSlices     = 4
	MinSlicePoints = 240
)

// autoSlices is the default number of slices for a range of n points: one
// per MinSlicePoints, at most AutoSlices. Slicing is exact (each step of a
// range query is evaluated on its own), and costs a small query a few
// parallel requests of a few milliseconds each, while a large answer is
// encoded by the server on several cores instead of one.
func autoSlices(n int) int {
	return max(1, min(AutoSlices, n/MinSlicePoints))
}

// chunks cuts [0, n) into k contiguous grid ranges of at most maxLen points.
func chunks(n, k, maxLen int) [][2]int {
	k = max(k, (n+maxLen-1)/maxLen, 1)
	k = min(k, n)
	out := make([][2]int, 0, k)
	for i := range k {
		out = append(out, [2]int{i * n / k, (i + 1) * n / k})
	}
	return out
}

func (f *fetch) run(ctx context.Context) error {
	n, o := f.c.g.n, f.s.opts
	k := o.Slices
	if k == 0 {
		k = autoSlices(n)
	}
	parts := chunks(n, k, o.MaxPoints)
	if o.MaxSamples > 0 && n > 1 {
		// Learn the series count from a short first slice, then size the
		// rest so that series x points stays under the budget. This is an
		// estimate (series may appear later, functions load more samples than
		// they return): a refusal still splits further.
		first := [2]int{0, max(1, min(n/8, parts[0][1]))}
		if err := f.slice(ctx, first[0], first[1], 0); err != nil {
			return err
		}
		f.c.mu.Lock()
		series := len(f.c.series) + len(f.c.dropped)
		f.c.mu.Unlock()
		rest := n - first[1]
		if rest == 0 {
			return nil
		}
		perSlice := min(o.MaxPoints, max(1, o.MaxSamples/max(series, 1)))
		k := max((rest+perSlice-1)/perSlice, len(parts)-1)
		parts = nil
		for _, p := range chunks(rest, k, perSlice) {
			parts = append(parts, [2]int{p[0] + first[1], p[1] + first[1]})
		}
	}
	if len(parts) == 1 {
		return f.slice(ctx, parts[0][0], parts[0][1], 0)
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, p := range parts {
		g.Go(func() error { return f.slice(gctx, p[0], p[1], 0) })
	}
	return g.Wait()
}

// slice fetches grid points [lo, hi). A server refusal for size splits the
// slice in two at a grid point, again and again if needed.
func (f *fetch) slice(ctx context.Context, lo, hi, depth int) error {
	err := f.s.retry(ctx, func() error {
		// Two caps: answers in flight (being computed, or arrived and being
		// decoded), and answers the server is computing. Prometheus computes
		// and encodes a whole answer before its first byte, so the second
		// slot is given back when the headers arrive: the server computes
		// the next slice while this one is read, instead of idling.
		if err := acquire(ctx, f.flight, f.s.url); err != nil {
			return err
		}
		defer func() { <-f.flight }()
		if err := acquire(ctx, f.sem, f.s.url); err != nil {
			return err
		}
		held := true
		answered := func() {
			if held {
				held = false
				<-f.sem
			}
		}
		defer answered()
		return f.s.queryRange(ctx, f.c, f.expr, lo, hi, answered)
	})
	if err == nil || !tooManySamples(err) || hi-lo < 2 || depth >= 20 {
		return err
	}
	mid := lo + (hi-lo)/2
	f.s.splits.Add(2)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return f.slice(gctx, lo, mid, depth+1) })
	g.Go(func() error { return f.slice(gctx, mid, hi, depth+1) })
	return g.Wait()
}

// acquire takes a slot of sem, or gives up when ctx ends.
func acquire(ctx context.Context, sem chan struct{}, url string) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("query to %s canceled: %w", url, ctx.Err())
	}
}

// retry runs op until it succeeds, fails for good, or Tries attempts were
// made; only transient errors (502, 503, 504, 429, reset connections) are
// retried, with exponential backoff and jitter.
func (s *Source) retry(ctx context.Context, op func() error) error {
	for attempt := 1; ; attempt++ {
		err := op()
		var e *Error
		if err == nil || !errors.As(err, &e) || !e.transient || attempt >= s.opts.Tries {
			return err
		}
		wait := s.backoff << (attempt - 1)
		wait += time.Duration(rand.Int64N(int64(wait)/4 + 1))
		if ra, ok := e.Err.(retryAfterError); ok && time.Duration(ra) > wait {
			wait = time.Duration(ra)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up retrying: %w)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// retryAfterError carries a server's Retry-After as the cause of an Error.
type retryAfterError time.Duration

func (r retryAfterError) Error() string {
	return "retry after " + time.Duration(r).String()
}

func formatMillis(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
}

// queryRange is one request for grid points [lo, hi), decoded into c.
// answered is called when the server has answered (its headers are in),
// before the body is read.
func (s *Source) queryRange(ctx context.Context, c *collector, expr string, lo, hi int, answered func()) error {
	g := c.g
	form := url.Values{
		"query":   {expr},
		"start":   {formatMillis(g.start + int64(lo)*g.step)},
		"end":     {formatMillis(g.start + int64(hi-1)*g.step)},
		"step":    {formatMillis(g.step)},
		"timeout": {strconv.FormatInt(int64((s.opts.Timeout+time.Second-1)/time.Second), 10) + "s"},
	}
	actx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	resp, err := s.post(actx, "/api/v1/query_range", form)
	if err != nil {
		return s.connError(ctx, err)
	}
	defer resp.Body.Close()
	answered()
	if resp.StatusCode != http.StatusOK {
		return s.failed(resp)
	}
	if strings.Contains(resp.Header.Get("Content-Type"), "html") {
		return &Error{Kind: KindNotPrometheus, URL: s.url, Status: resp.StatusCode, Msg: "HTTP 200 with an HTML page"}
	}
	err = newDecoder(resp.Body, c, lo, hi).decode()
	return s.decodeError(ctx, err)
}

// post sends a form, as POST (long queries fit) unless the server answered
// 405 to POST before, then as GET.
func (s *Source) post(ctx context.Context, endpoint string, form url.Values) (*http.Response, error) {
	u := s.client.URL(endpoint, nil)
	for {
		get := s.useGET.Load()
		var req *http.Request
		var err error
		if get {
			u.RawQuery = form.Encode()
			req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		} else {
			req, err = http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
			if req != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		}
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		resp, err := s.http.Do(req)
		if err != nil || get || resp.StatusCode != http.StatusMethodNotAllowed {
			return resp, err
		}
		drain(resp)
		s.useGET.Store(true)
	}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// failed maps a non-200 answer to an Error.
func (s *Source) failed(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	err := s.statusError(resp, body)
	var e *Error
	if errors.As(err, &e) && e.transient {
		if ra := retryAfter(resp, 10*time.Second); ra > 0 {
			e.Err = retryAfterError(ra)
		}
	}
	return err
}

// decodeError maps a decoder failure to an Error.
func (s *Source) decodeError(parent context.Context, err error) error {
	if err == nil {
		return nil
	}
	var ae *apiError
	var nm *errNotMatrix
	var re *readError
	switch {
	case errors.As(err, &ae):
		e := &Error{Kind: KindQuery, URL: s.url, Status: http.StatusOK, Type: ae.Type, Msg: ae.Msg}
		if ae.Type == "timeout" {
			e.Kind = KindTimeout
		}
		return e
	case errors.As(err, &nm):
		return &Error{Kind: KindBadResponse, URL: s.url, Status: http.StatusOK, Msg: nm.Error(), Err: err}
	case errors.As(err, &re):
		return s.connError(parent, re.err)
	case errors.Is(err, errSyntax) && strings.Contains(err.Error(), "found '<'"):
		return &Error{Kind: KindNotPrometheus, URL: s.url, Status: http.StatusOK, Msg: "HTTP 200 with an HTML or XML page", Err: err}
	}
	return &Error{Kind: KindBadResponse, URL: s.url, Status: http.StatusOK, Msg: err.Error(), Err: err}
}

// MetricNames lists the metric names the server holds in [start, end], from
// /api/v1/label/__name__/values.
func (s *Source) MetricNames(ctx context.Context, start, end time.Time) ([]string, error) {
	if end.Before(start) {
		return nil, fmt.Errorf("bad range: %s is after %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	var names []string
	err := s.retry(ctx, func() error {
		actx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		defer cancel()
		u := s.client.URL("/api/v1/label/:name/values", map[string]string{"name": "__name__"})
		u.RawQuery = url.Values{
			"start": {formatMillis(start.UnixMilli())},
			"end":   {formatMillis(end.UnixMilli())},
		}.Encode()
		req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", "application/json")
		resp, body, err := s.client.Do(actx, req)
		if err != nil {
			return s.connError(ctx, err)
		}
		if resp.StatusCode != http.StatusOK {
			return s.statusError(resp, body)
		}
		if looksHTML(resp, body) {
			return &Error{Kind: KindNotPrometheus, URL: s.url, Status: resp.StatusCode, Msg: "HTTP 200 with an HTML page"}
		}
		var env struct {
			Status    string   `json:"status"`
			Data      []string `json:"data"`
			ErrorType string   `json:"errorType"`
			Error     string   `json:"error"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return &Error{Kind: KindBadResponse, URL: s.url, Status: resp.StatusCode, Msg: err.Error(), Err: err}
		}
		if env.Status != "success" {
			return &Error{Kind: KindQuery, URL: s.url, Status: resp.StatusCode, Type: env.ErrorType, Msg: env.Error}
		}
		names = env.Data
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
