package prom

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// ErrorKind classifies what went wrong talking to the server.
type ErrorKind int

const (
	// KindUnreachable: no HTTP answer (refused, reset, unknown host).
	KindUnreachable ErrorKind = iota + 1
	// KindTimeout: no complete answer within the timeout, or the server's
	// own query timeout.
	KindTimeout
	// KindAuth: the server refused the credentials (401 or 403).
	KindAuth
	// KindQuery: the server rejected or could not run the query (an API
	// error with an errorType such as bad_data or execution).
	KindQuery
	// KindHTTP: another HTTP status (404, 5xx, 429) without an API error.
	KindHTTP
	// KindNotPrometheus: the answer is not the Prometheus HTTP API (an HTML
	// page, a login portal, the wrong path).
	KindNotPrometheus
	// KindBadResponse: a JSON answer that cannot be read as a range result.
	KindBadResponse
	// KindTLS: the TLS handshake failed (unknown authority, bad name).
	KindTLS
)

// Error is a failure of one request to a Prometheus-compatible server. Its
// message is one readable line naming the server.
type Error struct {
	Kind ErrorKind
	// URL is the server's base URL as configured.
	URL string
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// Type is the API errorType (bad_data, execution, timeout, ...), if any.
	Type string
	// Msg is the server's message or a short reason.
	Msg string
	// Err is the underlying error, if any.
	Err error
	// transient marks errors worth retrying.
	transient bool
}

func (e *Error) Error() string {
	switch e.Kind {
	case KindUnreachable:
		return fmt.Sprintf("cannot reach Prometheus at %s: %s", e.URL, e.Msg)
	case KindTimeout:
		return fmt.Sprintf("Prometheus at %s timed out: %s", e.URL, e.Msg)
	case KindAuth:
		return fmt.Sprintf("Prometheus at %s refused access: HTTP %d %s%s (check --bearer-token-file, --header)",
			e.URL, e.Status, http.StatusText(e.Status), suffix(e.Msg))
	case KindQuery:
		return fmt.Sprintf("Prometheus at %s rejected the query (%s): %s", e.URL, e.Type, e.Msg)
	case KindHTTP:
		return fmt.Sprintf("Prometheus at %s answered HTTP %d %s%s", e.URL, e.Status, http.StatusText(e.Status), suffix(e.Msg))
	case KindNotPrometheus:
		return fmt.Sprintf("%s does not look like a Prometheus API: %s (is the URL right?)", e.URL, e.Msg)
	case KindBadResponse:
		return fmt.Sprintf("Prometheus at %s sent an unreadable response: %s", e.URL, e.Msg)
	case KindTLS:
		return fmt.Sprintf("TLS with %s failed: %s", e.URL, e.Msg)
	}
	return fmt.Sprintf("Prometheus at %s: %s", e.URL, e.Msg)
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether retrying the same request may succeed.
func (e *Error) Temporary() bool { return e.transient }

// tooManySamples reports whether err is the server refusing a range because
// its result would be too large: what a split into time slices fixes.
func tooManySamples(err error) bool {
	var e *Error
	if !errors.As(err, &e) || (e.Kind != KindQuery && e.Kind != KindHTTP) {
		return false
	}
	m := strings.ToLower(e.Msg)
	switch {
	case strings.Contains(m, "too many samples"),
		strings.Contains(m, "maxsamplesperquery"),
		strings.Contains(m, "maxpointspertimeseries"),
		strings.Contains(m, "maxpointssubquerypertimeseries"),
		strings.Contains(m, "exceeded maximum resolution"):
		return true
	}
	return false
}

// connError maps a failed round trip to an Error. parent is the caller's
// context: its cancellation is returned as is, not as a server problem.
func (s *Source) connError(parent context.Context, err error) error {
	if perr := parent.Err(); perr != nil {
		return fmt.Errorf("query to %s canceled: %w", s.url, perr)
	}
	e := &Error{URL: s.url, Err: err}
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var cerr *x509.CertificateInvalidError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		e.Kind, e.Msg = KindTimeout, fmt.Sprintf("no answer within %s (raise --timeout)", s.opts.Timeout)
	case errors.As(err, &uerr), errors.As(err, &herr), errors.As(err, &cerr):
		e.Kind, e.Msg = KindTLS, tlsReason(err)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind, e.Msg = KindUnreachable, "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		e.Kind, e.Msg, e.transient = KindUnreachable, "connection reset by peer", true
	case errors.As(err, &dnsErr):
		e.Kind, e.Msg = KindUnreachable, "no such host "+dnsErr.Name
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		e.Kind, e.Msg = KindUnreachable, "no route to host"
	case strings.Contains(err.Error(), "server sent GOAWAY"), strings.Contains(err.Error(), "EOF"):
		e.Kind, e.Msg, e.transient = KindUnreachable, "connection closed by the server", true
	default:
		e.Kind, e.Msg = KindUnreachable, innermost(err)
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func tlsReason(err error) string {
	var uerr x509.UnknownAuthorityError
	if errors.As(err, &uerr) {
		return "certificate signed by an unknown authority (pass --tls-ca, or --tls-insecure-skip-verify)"
	}
	return innermost(err)
}

// innermost returns the message of the deepest wrapped error: "connection
// refused" rather than "Post "http://...": dial tcp ...: connection refused".
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// statusError maps a non-200 answer to an Error, reading at most a few KB of
// its body for the API error envelope.
func (s *Source) statusError(resp *http.Response, body []byte) error {
	e := &Error{URL: s.url, Status: resp.StatusCode}
	var env struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
	}
	isAPI := json.Unmarshal(body, &env) == nil && env.Status == "error"
	if isAPI {
		e.Type, e.Msg = env.ErrorType, strings.TrimSpace(env.Error)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		e.Kind = KindAuth
		if !isAPI {
			e.Msg = firstLine(body)
			if looksHTML(resp, body) || strings.EqualFold(e.Msg, http.StatusText(code)) {
				e.Msg = ""
			}
		}
	case isAPI && env.ErrorType == "timeout":
		e.Kind = KindTimeout
	case isAPI && code < 500 && code != http.StatusTooManyRequests:
		e.Kind = KindQuery
	case code == http.StatusTooManyRequests || code == http.StatusBadGateway ||
		code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout:
		e.Kind, e.transient = KindHTTP, true
		if !isAPI && !looksHTML(resp, body) {
			e.Msg = firstLine(body)
		}
	case isAPI:
		e.Kind = KindQuery
	case looksHTML(resp, body):
		e.Kind = KindNotPrometheus
		e.Msg = fmt.Sprintf("HTTP %d with an HTML page", code)
	default:
		e.Kind, e.Msg = KindHTTP, firstLine(body)
	}
	return e
}

func looksHTML(resp *http.Response, body []byte) bool {
	if strings.Contains(resp.Header.Get("Content-Type"), "html") {
		return true
	}
	b := strings.TrimSpace(string(body))
	return strings.HasPrefix(b, "<")
}

// firstLine is a short, single-line excerpt of a body for an error message.
func firstLine(body []byte) string {
	s := strings.TrimSpace(string(body))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}

// retryAfter reads a Retry-After header in seconds, capped.
func retryAfter(resp *http.Response, limit time.Duration) time.Duration {
	if resp == nil {
		return 0
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	var secs int
	if _, err := fmt.Sscanf(v, "%d", &secs); err != nil || secs <= 0 {
		return 0
	}
	return min(time.Duration(secs)*time.Second, limit)
}
