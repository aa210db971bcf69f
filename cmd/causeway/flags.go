package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/causeway-sre/causeway/queries"
)

// sourceFlags choose where the data comes from: exactly one of a
// Prometheus-compatible URL, an embedded scenario or a recorded bundle.
type sourceFlags struct {
	prometheus      string
	headers         []string
	bearerTokenFile string
	tlsCA           string
	tlsInsecure     bool
	timeout         time.Duration
	maxParallel     int
	compression     bool
	maxSamples      int

	scenario string
	seed     int64
	bundle   string

	kubeconfig string
	context    string
	namespace  string
	noKube     bool
}

func (f *sourceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.prometheus, "prometheus", "", "Prometheus-compatible API base URL (env CAUSEWAY_PROMETHEUS_URL)")
	fs.StringArrayVar(&f.headers, "header", nil, "extra HTTP header 'Name: value' (repeatable, e.g. 'X-Scope-OrgID: tenant')")
	fs.StringVar(&f.bearerTokenFile, "bearer-token-file", "", "file holding a bearer token for the API")
	fs.StringVar(&f.tlsCA, "tls-ca", "", "CA certificate file for the API's TLS")
	fs.BoolVar(&f.tlsInsecure, "tls-insecure-skip-verify", false, "do not verify the API's TLS certificate")
	fs.DurationVar(&f.timeout, "timeout", 60*time.Second, "timeout of one query")
	fs.IntVar(&f.maxParallel, "max-parallel", 8, "queries run at once")
	fs.BoolVar(&f.compression, "compression", false, "ask the server for gzip (off: faster on loopback and fast links)")
	fs.IntVar(&f.maxSamples, "max-samples", 0, "the server's --query.max-samples, to split large ranges up front (default: split when the server refuses)")
	fs.StringVar(&f.scenario, "scenario", "", "an embedded scenario (see 'causeway scenarios')")
	fs.Int64Var(&f.seed, "seed", 1, "seed of the embedded scenario")
	fs.StringVar(&f.bundle, "bundle", "", "a bundle written by 'causeway record'")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default: KUBECONFIG, ~/.kube/config, then in-cluster)")
	fs.StringVar(&f.context, "context", "", "kubeconfig context")
	fs.StringVarP(&f.namespace, "namespace", "n", "", "Kubernetes namespace to read (default: all)")
	fs.BoolVar(&f.noKube, "no-kube", false, "do not read the Kubernetes API")
}

// chosen returns how many sources were named, after the environment default.
func (f *sourceFlags) resolve(getenv func(string) string) (int, error) {
	if f.prometheus == "" && f.scenario == "" && f.bundle == "" {
		f.prometheus = getenv("CAUSEWAY_PROMETHEUS_URL")
	}
	n := 0
	for _, s := range []string{f.prometheus, f.scenario, f.bundle} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return n, usagef("choose one source: --prometheus, --scenario or --bundle")
	}
	return n, nil
}

// windowFlags choose the incident window and shape every query.
type windowFlags struct {
	spec      queries.WindowSpec
	selector  string
	bank      string
	maxSeries int
}

func (f *windowFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.spec.From, "from", "", "window start: RFC 3339, Unix seconds or now-2h")
	fs.StringVar(&f.spec.To, "to", "", "window end (default now)")
	fs.StringVar(&f.spec.At, "at", "", "window centre (with --span)")
	fs.StringVar(&f.spec.Span, "span", "", "window length around --at, e.g. 1h")
	fs.StringVar(&f.spec.Step, "step", "", "resolution (default: automatic, <= 1,100 points, >= 15s)")
	fs.StringVar(&f.spec.Baseline, "baseline", "", "\"normal\" reference fetched before --from (default: the window's length)")
	fs.StringVar(&f.selector, "selector", "", "label matchers added to every selector, e.g. 'namespace=\"web\"'")
	fs.StringVar(&f.bank, "bank", "", "query bank YAML replacing the embedded default")
	fs.IntVar(&f.maxSeries, "max-series", 30000, "series kept per query; the rest are dropped with a warning")
}

func (f *windowFlags) given() bool {
	s := f.spec
	return s.From != "" || s.To != "" || s.At != "" || s.Span != ""
}

// loadBank returns the user's bank or the embedded default.
func loadBank(path string) (*queries.Bank, error) {
	if path == "" {
		return queries.DefaultBank(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--bank: %w", err)
	}
	b, err := queries.LoadBank(path, data)
	if err != nil {
		return nil, usageError{err}
	}
	return b, nil
}

func (f *windowFlags) runOptions(sf *sourceFlags) queries.RunOptions {
	return queries.RunOptions{MaxParallel: sf.maxParallel, MaxSeries: f.maxSeries, Selector: f.selector}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
