// Package testenv starts real servers for integration tests: Debian's
// Prometheus (backfilled with promtool) and VictoriaMetrics (built by
// hack/test-deps.sh into .cache/bin). Every server listens on 127.0.0.1 on a
// free port, lives in t.TempDir() and is stopped in t.Cleanup; its output is
// printed when the test fails.
//
// Import it only from _test.go files.
package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RepoRoot walks up from the working directory to the folder holding go.mod
// of the causeway module.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	for d := dir; ; {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/causeway-sre/causeway\n")) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			t.Fatalf("testenv: no go.mod of github.com/causeway-sre/causeway above %s", dir)
		}
		d = parent
	}
}

// lookBinary finds a server binary on PATH, then in /usr/bin.
func lookBinary(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	p := filepath.Join("/usr/bin", name)
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
		return p, true
	}
	return "", false
}

// PrometheusOptions tune the Prometheus a test starts.
type PrometheusOptions struct {
	// MaxSamples sets --query.max-samples (0: Prometheus' default, 50M).
	MaxSamples int
	// Args are extra command-line flags.
	Args []string
}

// Prometheus backfills openMetrics (OpenMetrics text, timestamps in
// seconds, ending with "# EOF") into a fresh TSDB, starts Debian's
// Prometheus on it and returns its base URL. It skips the test when
// prometheus or promtool is not installed (run hack/test-deps.sh).
func Prometheus(t testing.TB, openMetrics []byte) string {
	t.Helper()
	return PrometheusWith(t, openMetrics, PrometheusOptions{})
}

// PrometheusWith is Prometheus with options.
func PrometheusWith(t testing.TB, openMetrics []byte, opts PrometheusOptions) string {
	t.Helper()
	prom, ok1 := lookBinary("prometheus")
	promtool, ok2 := lookBinary("promtool")
	if !ok1 || !ok2 {
		missing(t, "testenv: prometheus/promtool not installed (apt-get install prometheus, or run hack/test-deps.sh)")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if len(openMetrics) > 0 {
		om := filepath.Join(dir, "data.om")
		if err := os.WriteFile(om, openMetrics, 0o644); err != nil {
			t.Fatalf("testenv: %v", err)
		}
		cmd := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", om, data)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("testenv: promtool backfill failed: %v\n%s", err, out)
		}
	}
	cfg := filepath.Join(dir, "min.yml")
	if err := os.WriteFile(cfg, []byte("global: {scrape_interval: 1h}\n"), 0o644); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return start(t, "prometheus", "/-/ready", func(addr string) *exec.Cmd {
		args := []string{
			"--config.file=" + cfg,
			"--storage.tsdb.path=" + data,
			"--web.listen-address=" + addr,
			"--storage.tsdb.retention.time=100y",
			"--log.level=warn",
		}
		if opts.MaxSamples > 0 {
			args = append(args, "--query.max-samples="+strconv.Itoa(opts.MaxSamples))
		}
		args = append(args, opts.Args...)
		return exec.Command(prom, args...)
	})
}

// VictoriaMetrics starts the single-node VictoriaMetrics built by
// hack/test-deps.sh, imports openMetrics through /api/v1/import/prometheus
// (it reads OpenMetrics' timestamps in seconds as such), flushes, and returns
// its base URL. It skips the test when the binary was not built.
func VictoriaMetrics(t testing.TB, openMetrics []byte) string {
	t.Helper()
	bin := filepath.Join(RepoRoot(t), ".cache", "bin", "victoria-metrics")
	if _, err := os.Stat(bin); err != nil {
		missing(t, fmt.Sprintf("testenv: %s not built (run hack/test-deps.sh)", bin))
	}
	dir := t.TempDir()
	base := start(t, "victoria-metrics", "/health", func(addr string) *exec.Cmd {
		return exec.Command(bin,
			"-storageDataPath="+filepath.Join(dir, "data"),
			"-httpListenAddr="+addr,
			"-retentionPeriod=100y",
			"-loggerLevel=ERROR",
		)
	})
	if len(openMetrics) > 0 {
		post(t, base+"/api/v1/import/prometheus", openMetrics)
		get(t, base+"/internal/force_flush")
	}
	return base
}

func post(t testing.TB, u string, body []byte) {
	t.Helper()
	resp, err := http.Post(u, "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("testenv: POST %s: %s: %s", u, resp.Status, msg)
	}
}

func get(t testing.TB, u string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("testenv: GET %s: %s: %s", u, resp.Status, msg)
	}
}

// lockedBuffer collects a process' output from its two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freeAddr returns 127.0.0.1:PORT with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// start runs a server on a free loopback port and waits until ready answers
// 200. A port taken between the probe and the start is retried.
func start(t testing.TB, name, ready string, command func(addr string) *exec.Cmd) string {
	t.Helper()
	var lastErr error
	var lastOut string
	for range 3 {
		addr := freeAddr(t)
		out := &lockedBuffer{}
		cmd := command(addr)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("testenv: starting %s: %v", name, err)
		}
		exited := make(chan struct{})
		var waitErr error
		go func() { waitErr = cmd.Wait(); close(exited) }()
		base := "http://" + addr
		err := waitReady(base+ready, exited, &waitErr, 30*time.Second)
		if err == nil {
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-exited
				if t.Failed() {
					t.Logf("%s output (%s):\n%s", name, strings.Join(cmd.Args, " "), out.String())
				}
			})
			return base
		}
		_ = cmd.Process.Kill()
		<-exited
		lastErr, lastOut = err, out.String()
		if !strings.Contains(lastOut, "address already in use") {
			break
		}
	}
	t.Fatalf("testenv: %s did not become ready: %v\n%s", name, lastErr, lastOut)
	return ""
}

func waitReady(u string, exited <-chan struct{}, waitErr *error, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			err := *waitErr
			if err == nil {
				err = errors.New("exited")
			}
			return fmt.Errorf("process ended before it was ready: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("no 200 from %s within %s", u, limit)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// missing skips the test when a server binary is absent, with msg saying
// how to get it; on CI (CI set in the environment), where `make test`
// installs every server first, a missing binary is a failure instead, so
// that a broken install can never pass as skipped tests.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set: the servers must be installed)", msg)
	}
	t.Skip(msg)
}
