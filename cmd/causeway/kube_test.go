package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/causeway-sre/causeway/internal/testenv"
)

// writeKubeconfig writes a kubeconfig for cfg (a bearer token and a CA) and
// returns its path.
func writeKubeconfig(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["test"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["test"] = &clientcmdapi.AuthInfo{Token: cfg.BearerToken}
	kc.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "test"}
	kc.CurrentContext = "test"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKubeEventsOnTimeline plays the spot interruption with its Kubernetes
// side: the API server holds the interruption and eviction events of the
// incident (as Karpenter and the node lifecycle controller write them). The
// report must put them on the timeline at their times, and they must not
// weaken the node-rooted chain the metrics alone find.
func TestKubeEventsOnTimeline(t *testing.T) {
	d, om := scenarioData(t, "spot-interruption")
	promURL := testenv.Prometheus(t, om)
	cfg := testenv.KubeAPIServer(t)
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	node := d.Key.Root.Entity["node"]
	if node == "" {
		t.Fatalf("answer key names no node: %+v", d.Key.Root)
	}
	// The pods that ran on the interrupted node, from the series.
	pods := map[string]string{} // pod -> namespace
	for _, s := range d.Series {
		if s.Name() == "kube_pod_info" && s.Labels["node"] == node {
			pods[s.Labels["pod"]] = s.Labels["namespace"]
		}
	}
	if len(pods) == 0 {
		t.Fatal("no pod ran on the interrupted node")
	}
	ctx := context.Background()
	interrupted := d.Key.Root.At.UTC().Truncate(time.Second)
	evicted := d.Key.Chain[1].At.UTC().Truncate(time.Second)
	create := func(ns, name, kind, obj, reason, msg, typ string, at time.Time) {
		t.Helper()
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !isAlreadyExists(err) {
			t.Fatal(err)
		}
		ev := &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: name, Namespace: ns},
			InvolvedObject: corev1.ObjectReference{Kind: kind, Name: obj, Namespace: map[bool]string{true: "", false: ns}[kind == "Node"]},
			Reason:         reason, Message: msg, Type: typ,
			Source:         corev1.EventSource{Component: "karpenter"},
			FirstTimestamp: metav1.NewTime(at), LastTimestamp: metav1.NewTime(at), Count: 1,
		}
		if _, err := cs.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	create("default", "spot-1", "Node", node, "SpotInterrupted", "Spot interruption warning was triggered", "Warning", interrupted)
	i := 0
	for pod, ns := range pods {
		i++
		create(ns, fmt.Sprintf("evict-%d", i), "Pod", pod, "Evicted", "Evicted pod: "+ns+"/"+pod, "Normal", evicted)
	}
	kubeconfig := writeKubeconfig(t, cfg)
	window := []string{"report", "--prometheus", promURL, "--format", "json",
		"--from", d.Window.From.Format(time.RFC3339), "--to", d.Window.To.Format(time.RFC3339)}

	code, withKube, stderr := run(t, append(window, "--kubeconfig", kubeconfig)...)
	if code != 0 {
		t.Fatalf("report with kube: exit %d\n%s", code, stderr)
	}
	code, without, stderr2 := run(t, append(window, "--no-kube")...)
	if code != 0 {
		t.Fatalf("report without kube: exit %d\n%s", code, stderr2)
	}
	rk, rn := decodeReport(t, withKube), decodeReport(t, without)

	want := map[string]time.Time{"Spot": interrupted, "Evicted": evicted}
	found := map[string]bool{}
	for _, e := range rk.Timeline {
		if e.Source != "kubernetes" {
			continue
		}
		for word, at := range want {
			if bytes.Contains([]byte(e.Text), []byte(word)) && e.Time.Equal(at) {
				found[word] = true
			}
		}
	}
	for word, at := range want {
		if !found[word] {
			t.Errorf("no kubernetes timeline entry mentioning %q at %s", word, at.Format(time.RFC3339))
		}
	}
	for _, e := range rn.Timeline {
		if e.Source == "kubernetes" {
			t.Errorf("--no-kube report has a kubernetes entry: %+v", e)
		}
	}
	best := func(r report) float64 {
		for _, c := range r.Chains {
			if len(c.Steps) > 0 && c.Steps[0].Family == "nodes" {
				return c.Score
			}
		}
		return 0
	}
	t.Logf("node-rooted chain score: %.3f with the cluster's events, %.3f without", best(rk), best(rn))
	if best(rk) == 0 {
		t.Errorf("no chain rooted at the node with the cluster's events; root causes: %+v", rk.RootCauses)
	}
	if best(rk) < best(rn) {
		t.Errorf("the cluster's events weakened the node-rooted chain: %.3f < %.3f", best(rk), best(rn))
	}
	if len(rk.RootCauses) == 0 || rk.RootCauses[0].Family != "nodes" {
		t.Errorf("top root cause is not the node: %+v", rk.RootCauses)
	}
	_ = os.Remove(kubeconfig)
}

func isAlreadyExists(err error) bool { return apierrors.IsAlreadyExists(err) }
