package testenv

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// KubeRestrictedUser is a user the API server of KubeAPIServer knows (by
// token) but grants nothing beyond what every authenticated user gets
// (discovery): listing events, pods or nodes is forbidden.
const KubeRestrictedUser = "causeway-restricted"

const (
	kubeAdminToken      = "causeway-admin-token"
	kubeRestrictedToken = "causeway-restricted-token"
)

// KubeAssets returns the folder holding etcd and kube-apiserver for the
// integration tests: $CAUSEWAY_KUBE_ASSETS, else $KUBEBUILDER_ASSETS, else
// .cache/kube/<version>/ of the repository, where <version> is the
// k8s.io/kubernetes version required by tools/kube-apiserver/go.mod
// (hack/kube-deps.sh fills it).
func KubeAssets(t testing.TB) string {
	t.Helper()
	for _, env := range []string{"CAUSEWAY_KUBE_ASSETS", "KUBEBUILDER_ASSETS"} {
		if d := os.Getenv(env); d != "" {
			return d
		}
	}
	root := RepoRoot(t)
	mod := filepath.Join(root, "tools", "kube-apiserver", "go.mod")
	b, err := os.ReadFile(mod)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	version := ""
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "require" {
			f = f[1:]
		}
		if len(f) >= 2 && f[0] == "k8s.io/kubernetes" {
			version = f[1]
			break
		}
	}
	if version == "" {
		t.Fatalf("testenv: no k8s.io/kubernetes requirement in %s", mod)
	}
	return filepath.Join(root, ".cache", "kube", version)
}

// KubeAPIServer starts etcd and kube-apiserver (from KubeAssets) for the test
// and returns a rest.Config of a cluster admin (group system:masters). Both
// listen on 127.0.0.1 on free ports, keep their data in t.TempDir() and stop
// in t.Cleanup; their output is printed when the test fails. The server
// authorizes with RBAC and serves TLS with a CA made for the test; nothing
// schedules pods, no controller runs, and the ServiceAccount admission plugin
// is off (so pods can be created without service accounts). KubeRestricted
// gives a config of a user without permissions. It skips the test when the
// binaries are absent (run hack/kube-deps.sh). Start-up takes a few seconds.
func KubeAPIServer(t testing.TB) *rest.Config {
	t.Helper()
	assets := KubeAssets(t)
	etcdBin, apiBin := filepath.Join(assets, "etcd"), filepath.Join(assets, "kube-apiserver")
	for _, b := range []string{etcdBin, apiBin} {
		if fi, err := os.Stat(b); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing(t, fmt.Sprintf("testenv: %s is missing: run hack/kube-deps.sh (builds kube-apiserver once per machine, ~7 min cold)", b))
		}
	}
	dir := t.TempDir()
	pki := kubePKI(t, dir)
	tokens := filepath.Join(dir, "tokens.csv")
	kubeWrite(t, tokens, fmt.Sprintf("%s,causeway-admin,uid-admin,\"system:masters\"\n%s,%s,uid-restricted\n",
		kubeAdminToken, kubeRestrictedToken, KubeRestrictedUser))

	var lastErr error
	for range 3 { // a port taken between the probe and the start is retried
		cfg, err := kubeStart(t, dir, etcdBin, apiBin, pki, tokens)
		if err == nil {
			return cfg
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatalf("testenv: kube-apiserver did not start: %v", lastErr)
	return nil
}

// KubeRestricted returns a copy of cfg (from KubeAPIServer) authenticated as
// KubeRestrictedUser, who may not list anything.
func KubeRestricted(cfg *rest.Config) *rest.Config {
	c := rest.AnonymousClientConfig(cfg)
	c.BearerToken = kubeRestrictedToken
	return c
}

type kubeCerts struct {
	ca, cert, key, saKey string
	caPEM                []byte
}

func kubeStart(t testing.TB, dir, etcdBin, apiBin string, pki kubeCerts, tokens string) (*rest.Config, error) {
	t.Helper()
	etcdClient, etcdPeer, apiAddr := kubeFreeAddr(t), kubeFreeAddr(t), kubeFreeAddr(t)
	run := filepath.Join(dir, fmt.Sprintf("run-%d", time.Now().UnixNano()))
	if err := os.MkdirAll(run, 0o755); err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	etcd, err := kubeProcess(t, run, "etcd", etcdBin,
		"--name=default",
		"--data-dir="+filepath.Join(run, "etcd"),
		"--listen-client-urls=http://"+etcdClient,
		"--advertise-client-urls=http://"+etcdClient,
		"--listen-peer-urls=http://"+etcdPeer,
		"--initial-advertise-peer-urls=http://"+etcdPeer,
		"--initial-cluster=default=http://"+etcdPeer,
		"--logger=zap", "--log-level=warn",
	)
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(apiAddr)
	api, err := kubeProcess(t, run, "kube-apiserver", apiBin,
		"--etcd-servers=http://"+etcdClient,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port="+port,
		"--cert-dir="+filepath.Join(run, "certs"),
		"--tls-cert-file="+pki.cert,
		"--tls-private-key-file="+pki.key,
		"--token-auth-file="+tokens,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pki.saKey,
		"--service-account-signing-key-file="+pki.saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--disable-admission-plugins=ServiceAccount",
		"--v=0",
	)
	if err != nil {
		etcd.stop()
		return nil, err
	}
	cfg := &rest.Config{
		Host:            "https://" + apiAddr,
		BearerToken:     kubeAdminToken,
		TLSClientConfig: rest.TLSClientConfig{CAData: pki.caPEM},
	}
	if err := kubeWaitReady(cfg, 90*time.Second, api, etcd); err != nil {
		api.stop()
		etcd.stop()
		return nil, fmt.Errorf("%w\n--- kube-apiserver ---\n%s\n--- etcd ---\n%s", err, api.tail(), etcd.tail())
	}
	t.Cleanup(func() {
		api.stop()
		etcd.stop()
		if t.Failed() {
			t.Logf("kube-apiserver output:\n%s\netcd output:\n%s", api.tail(), etcd.tail())
		}
	})
	return cfg, nil
}

type kubeProc struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan struct{}
	err    error
}

func kubeProcess(t testing.TB, dir, name, bin string, args ...string) (*kubeProc, error) {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	// On Linux, have the kernel kill the server if the test binary dies
	// (e.g. on a test timeout), so no apiserver is left eating the CPU. The
	// field exists only on Linux, hence the reflection.
	if f := reflect.ValueOf(cmd.SysProcAttr).Elem().FieldByName("Pdeathsig"); f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(syscall.SIGKILL))
	}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("testenv: starting %s: %w", name, err)
	}
	p := &kubeProc{name: name, cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.exited)
	}()
	return p, nil
}

func (p *kubeProc) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// tail returns the last lines of the process' output.
func (p *kubeProc) tail() string {
	f, err := os.Open(p.log)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > 60 {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

func kubeWaitReady(cfg *rest.Config, limit time.Duration, procs ...*kubeProc) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(cfg.CAData)
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, cfg.Host+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+cfg.BearerToken)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		for _, p := range procs {
			select {
			case <-p.exited:
				out := p.tail()
				if strings.Contains(out, "address already in use") {
					return fmt.Errorf("%s: address already in use: %v", p.name, p.err)
				}
				return fmt.Errorf("%s exited before the API server was ready: %v", p.name, p.err)
			default:
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no 200 from %s/readyz within %s", cfg.Host, limit)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func kubeFreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func kubeWrite(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("testenv: %v", err)
	}
}

// kubePKI makes a CA, a serving certificate for 127.0.0.1/localhost signed
// by it, and a service-account signing key.
func kubePKI(t testing.TB, dir string) kubeCerts {
	t.Helper()
	fail := func(err error) {
		if err != nil {
			t.Fatalf("testenv: certificates: %v", err)
		}
	}
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		fail(err)
		return k
	}
	keyPEM := func(k *ecdsa.PrivateKey) string {
		der, err := x509.MarshalECPrivateKey(k)
		fail(err)
		return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	}
	now := time.Now()
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "causeway-test-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	fail(err)
	ca, err := x509.ParseCertificate(caDER)
	fail(err)
	srvKey := newKey()
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	fail(err)

	out := kubeCerts{
		ca:    filepath.Join(dir, "ca.crt"),
		cert:  filepath.Join(dir, "apiserver.crt"),
		key:   filepath.Join(dir, "apiserver.key"),
		saKey: filepath.Join(dir, "sa.key"),
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
	}
	kubeWrite(t, out.ca, string(out.caPEM))
	kubeWrite(t, out.cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER})))
	kubeWrite(t, out.key, keyPEM(srvKey))
	kubeWrite(t, out.saKey, keyPEM(newKey()))
	return out
}
