package prom

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// header is one extra request header ("X-Scope-OrgID: tenant-a").
type header struct{ name, value string }

func parseHeaders(hs []string) ([]header, error) {
	out := make([]header, 0, len(hs))
	for _, h := range hs {
		name, value, ok := strings.Cut(h, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return nil, fmt.Errorf("bad header %q: want 'Name: value'", h)
		}
		out = append(out, header{http.CanonicalHeaderKey(name), value})
	}
	return out, nil
}

// authTransport adds the configured headers and bearer token to every
// request. The token file is read on each request so a rotated token
// (a projected service account token) is picked up.
type authTransport struct {
	next      http.RoundTripper
	headers   []header
	tokenFile string
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(t.headers) == 0 && t.tokenFile == "" {
		return t.next.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	for _, h := range t.headers {
		if h.name == "Host" {
			req.Host = h.value
			continue
		}
		req.Header.Add(h.name, h.value)
	}
	if t.tokenFile != "" {
		tok, err := readToken(t.tokenFile)
		if err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return t.next.RoundTrip(req)
}

func readToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the bearer token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("bearer token file %s is empty", path)
	}
	return tok, nil
}

// newTransport builds the HTTP stack of a Source from its options.
func newTransport(o Options) (http.RoundTripper, error) {
	hs, err := parseHeaders(o.Headers)
	if err != nil {
		return nil, err
	}
	if o.BearerTokenFile != "" {
		if _, err := readToken(o.BearerTokenFile); err != nil {
			return nil, err
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// gzip costs ~8x the transfer time on loopback and fast links (the server
	// compresses a few hundred MB on one core); off unless asked for.
	tr.DisableCompression = !o.Compression
	tr.MaxIdleConnsPerHost = 64
	tr.ResponseHeaderTimeout = 0
	if o.TLSCA != "" || o.InsecureSkipVerify {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.InsecureSkipVerify} //nolint:gosec // the user asked for it
		if o.TLSCA != "" {
			pem, err := os.ReadFile(o.TLSCA)
			if err != nil {
				return nil, fmt.Errorf("reading the TLS CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("no PEM certificate in TLS CA file %s", o.TLSCA)
			}
			cfg.RootCAs = pool
		}
		tr.TLSClientConfig = cfg
	}
	return &authTransport{next: tr, headers: hs, tokenFile: o.BearerTokenFile}, nil
}
