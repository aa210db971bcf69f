package kube

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func mt(d time.Duration) metav1.Time       { return metav1.NewTime(t0.Add(d)) }
func mmt(d time.Duration) metav1.MicroTime { return metav1.NewMicroTime(t0.Add(d)) }

func TestCoreEventTimePrecedence(t *testing.T) {
	tests := []struct {
		name string
		e    corev1.Event
		want time.Duration
	}{
		{"series wins", corev1.Event{Series: &corev1.EventSeries{LastObservedTime: mmt(5 * time.Minute)},
			EventTime: mmt(time.Minute), LastTimestamp: mt(2 * time.Minute), FirstTimestamp: mt(3 * time.Minute)}, 5 * time.Minute},
		{"eventTime before last", corev1.Event{EventTime: mmt(time.Minute), LastTimestamp: mt(2 * time.Minute)}, time.Minute},
		{"empty series ignored", corev1.Event{Series: &corev1.EventSeries{}, LastTimestamp: mt(2 * time.Minute)}, 2 * time.Minute},
		{"last before first", corev1.Event{LastTimestamp: mt(4 * time.Minute), FirstTimestamp: mt(3 * time.Minute)}, 4 * time.Minute},
		{"first only", corev1.Event{FirstTimestamp: mt(3 * time.Minute)}, 3 * time.Minute},
		{"creation only", corev1.Event{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: mt(7 * time.Minute)}}, 7 * time.Minute},
	}
	for _, tc := range tests {
		if got := coreEventTime(&tc.e); !got.Equal(t0.Add(tc.want)) {
			t.Errorf("%s: time %s, want %s", tc.name, got, t0.Add(tc.want))
		}
	}
	v := eventsv1.Event{DeprecatedLastTimestamp: mt(time.Minute), DeprecatedFirstTimestamp: mt(0)}
	if got := v1EventTime(&v); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("events.k8s.io deprecated last: %s", got)
	}
	v.EventTime = mmt(2 * time.Minute)
	if got := v1EventTime(&v); !got.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("events.k8s.io eventTime: %s", got)
	}
}

func TestFromEventsEntities(t *testing.T) {
	e := fromCoreEvent(&corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: "web"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "api-1", FieldPath: "spec.containers{app}"},
		Reason:         "BackOff", Type: "Warning", Count: 7,
		Source:        corev1.EventSource{Component: "kubelet"},
		LastTimestamp: mt(0),
	})
	if e.Namespace != "web" || e.Entity["namespace"] != "web" || e.Entity["pod"] != "api-1" || e.Entity["container"] != "app" {
		t.Errorf("pod event entity: %+v", e)
	}
	if e.Count != 7 || e.Source != "kubelet" || e.Kind != "Pod" {
		t.Errorf("pod event: %+v", e)
	}
	n := fromV1Event(&eventsv1.Event{
		ObjectMeta:          metav1.ObjectMeta{Namespace: "default"},
		Regarding:           corev1.ObjectReference{Kind: "Node", Name: "n1"},
		Reason:              "SpotInterrupted",
		Note:                "spot interruption warning",
		ReportingController: "karpenter",
		EventTime:           mmt(0),
		Series:              &eventsv1.EventSeries{Count: 3, LastObservedTime: mmt(time.Minute)},
	})
	if n.Namespace != "" || len(n.Entity) != 1 || n.Entity["node"] != "n1" || n.Count != 3 || n.Message != "spot interruption warning" {
		t.Errorf("node event: %+v", n)
	}
	if !n.Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("node event time %s", n.Time)
	}
	d := entityFor("Deployment", "web", "api", "")
	if d["deployment"] != "api" || d["namespace"] != "web" {
		t.Errorf("deployment entity %v", d)
	}
	for in, want := range map[string]string{
		"spec.containers{app}": "app", "spec.initContainers{init}": "init", "spec.containers": "",
		"metadata.name{x}": "", "spec.containers{app": "",
	} {
		if got := containerOf(in); got != want {
			t.Errorf("containerOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPodEvents(t *testing.T) {
	p := toPod(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api-1", CreationTimestamp: mt(-time.Hour),
			OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "api-7d9"}}},
		Spec: corev1.PodSpec{NodeName: "n1"},
		Status: corev1.PodStatus{
			Phase:   corev1.PodFailed,
			Reason:  "Evicted",
			Message: "The node was low on resource: memory.",
			Conditions: []corev1.PodCondition{
				{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, Reason: "TerminationByKubelet", LastTransitionTime: mt(20 * time.Minute)},
				{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: mt(4 * time.Minute)},
			},
			InitContainerStatuses: []corev1.ContainerStatus{{Name: "init",
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed", FinishedAt: mt(-50 * time.Minute)}}}},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: "app", RestartCount: 3,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
						Message: "back-off 40s restarting failed container"}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
						Reason: "OOMKilled", ExitCode: 137, FinishedAt: mt(5 * time.Minute)}}},
				{Name: "sidecar", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}},
				{Name: "old", LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					ExitCode: 1, FinishedAt: mt(-2 * time.Hour)}}},
			},
		},
	})
	if p.DisruptionTarget != "TerminationByKubelet" || len(p.Owners) != 1 || p.Node != "n1" || len(p.Containers) != 4 {
		t.Fatalf("pod: %+v", p)
	}
	evs := podEvents(&p, t0.Add(-30*time.Minute), t0.Add(30*time.Minute))
	got := map[string]time.Time{}
	for _, e := range evs {
		if e.Kind != "Pod" || e.Namespace != "web" || e.Name != "api-1" || e.Entity["node"] != "n1" || e.Source != SourcePodStatus {
			t.Errorf("event %+v: wrong object", e)
		}
		got[e.Reason] = e.Time
	}
	want := map[string]time.Duration{
		"OOMKilled":            5 * time.Minute, // lastState finishedAt
		"CrashLoopBackOff":     5 * time.Minute, // back-off follows the last termination
		"TerminationByKubelet": 20 * time.Minute,
		"Evicted":              20 * time.Minute, // the disruption condition's time
	}
	if len(got) != len(want) {
		t.Errorf("reasons %v, want %v", got, want)
	}
	for r, d := range want {
		if tm, ok := got[r]; !ok || !tm.Equal(t0.Add(d)) {
			t.Errorf("%s at %s (present %v), want %s", r, tm, ok, t0.Add(d))
		}
	}
	for _, e := range evs {
		if e.Reason == "OOMKilled" && (e.Entity["container"] != "app" || e.Count != 3 || !strings.Contains(e.Message, "exit code 137")) {
			t.Errorf("OOMKilled event %+v", e)
		}
	}
	// A window before the incident sees none of it.
	if evs := podEvents(&p, t0.Add(-40*time.Minute), t0.Add(-30*time.Minute)); len(evs) != 0 {
		t.Errorf("early window: %+v", evs)
	}
}

func TestNodes(t *testing.T) {
	cases := map[string]struct {
		labels map[string]string
		want   string
	}{
		"karpenter": {map[string]string{"karpenter.sh/capacity-type": "spot"}, "spot"},
		"eks":       {map[string]string{"eks.amazonaws.com/capacityType": "ON_DEMAND"}, "on-demand"},
		"gke":       {map[string]string{"cloud.google.com/gke-spot": "true"}, "spot"},
		"gke false": {map[string]string{"cloud.google.com/gke-spot": "false"}, ""},
		"aks":       {map[string]string{"kubernetes.azure.com/scalesetpriority": "spot"}, "spot"},
		"none":      {nil, ""},
	}
	for name, tc := range cases {
		n := toNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: tc.labels}})
		if n.CapacityType != tc.want {
			t.Errorf("%s: capacity %q, want %q", name, n.CapacityType, tc.want)
		}
	}
	del := mt(25 * time.Minute)
	n := toNode(&corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n1", CreationTimestamp: mt(-10 * time.Minute), DeletionTimestamp: &del,
			Labels: map[string]string{"karpenter.sh/capacity-type": "spot"}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{
			{Key: "node.kubernetes.io/unreachable", Effect: corev1.TaintEffectNoExecute, TimeAdded: ptr(mt(21 * time.Minute))},
			{Key: "karpenter.sh/disrupted", Effect: corev1.TaintEffectNoSchedule},
		}},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown", LastTransitionTime: mt(20 * time.Minute)},
			{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, LastTransitionTime: mt(0)},
			{Type: "KernelDeadlock", Status: corev1.ConditionTrue, LastTransitionTime: mt(19 * time.Minute)},
		}},
	})
	if n.Ready != "Unknown" || len(n.Taints) != 2 || n.Deleting == nil {
		t.Fatalf("node %+v", n)
	}
	evs := nodeEvents(&n, t0.Add(-time.Hour), t0.Add(time.Hour))
	want := []struct {
		reason string
		at     time.Duration
	}{{"NodeCreated", -10 * time.Minute}, {"NodeDeleting", 25 * time.Minute}, {"NodeNotReady", 20 * time.Minute},
		{"KernelDeadlock", 19 * time.Minute}, {"Tainted", 21 * time.Minute}}
	if len(evs) != len(want) {
		t.Fatalf("node events %+v", evs)
	}
	for i, w := range want {
		e := evs[i]
		if e.Reason != w.reason || !e.Time.Equal(t0.Add(w.at)) || e.Entity["node"] != "n1" || e.Kind != "Node" {
			t.Errorf("event %d: %+v, want %s at %s", i, e, w.reason, t0.Add(w.at))
		}
	}
	if !strings.Contains(evs[0].Message, "spot") {
		t.Errorf("creation message lacks capacity: %q", evs[0].Message)
	}
}

func ptr[T any](v T) *T { return &v }

func TestDisagreements(t *testing.T) {
	del := t0
	snap := &Snapshot{NodesListed: true, Nodes: []Node{{Name: "n1"}, {Name: "n2", Deleting: &del}, {Name: "n4"}}}
	got := Disagreements(snap, []string{"n3", "n1", "n2", "n3", ""})
	if len(got) != 2 || !strings.Contains(got[0], "node n2") || !strings.Contains(got[0], "deleting") ||
		!strings.Contains(got[1], "node n3") || !strings.Contains(got[1], "no longer has it") {
		t.Errorf("disagreements %q", got)
	}
	snap.NodesListed = false
	if got := Disagreements(snap, []string{"n3"}); got != nil {
		t.Errorf("unlisted nodes must say nothing: %q", got)
	}
	if got := Disagreements(nil, []string{"n3"}); got != nil {
		t.Errorf("nil snapshot: %q", got)
	}
}

func TestUnreachableIsAWarning(t *testing.T) {
	c, err := NewForConfig(&rest.Config{Host: "https://127.0.0.1:1"}, Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	snap, err := c.Read(context.Background(), t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("unreachable must not fail the read: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s to notice an unreachable server", d)
	}
	if len(snap.Warnings) != 1 || !strings.Contains(snap.Warnings[0], "cannot reach the API server https://127.0.0.1:1") ||
		!strings.HasSuffix(snap.Warnings[0], "the analysis goes on with Prometheus alone") {
		t.Errorf("warnings %q", snap.Warnings)
	}
	if snap.NodesListed || len(snap.Events) != 0 {
		t.Errorf("snapshot %+v", snap)
	}
	t.Logf("unreachable: %s in %s", snap.Warnings[0], time.Since(start).Round(time.Millisecond))

	if _, err := c.Read(context.Background(), t0, t0.Add(-time.Second)); err == nil {
		t.Error("a window ending before it starts must be an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Read(ctx, t0, t0.Add(time.Hour)); err == nil {
		t.Error("a cancelled context must be an error")
	}
}

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: {server: "https://127.0.0.1:1"}
- name: b
  cluster: {server: "https://127.0.0.1:2"}
users:
- name: u
  user: {token: t}
contexts:
- name: ctx-a
  context: {cluster: a, user: u}
- name: ctx-b
  context: {cluster: b, user: u}
current-context: ctx-a
`

func TestNewLoadingRules(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Kubeconfig: path})
	if err != nil || c.Host() != "https://127.0.0.1:1" {
		t.Fatalf("explicit kubeconfig: %v %v", c, err)
	}
	c, err = New(Options{Kubeconfig: path, Context: "ctx-b"})
	if err != nil || c.Host() != "https://127.0.0.1:2" {
		t.Fatalf("--context: %v %v", c, err)
	}
	if _, err := New(Options{Kubeconfig: path, Context: "nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown context: %v", err)
	}
	t.Setenv("KUBECONFIG", path)
	if c, err := New(Options{Context: "ctx-b"}); err != nil || c.Host() != "https://127.0.0.1:2" {
		t.Errorf("KUBECONFIG: %v %v", c, err)
	}
	t.Setenv("KUBECONFIG", filepath.Join(dir, "missing"))
	t.Setenv("HOME", dir)
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	_, err = New(Options{})
	if err == nil || !strings.Contains(err.Error(), "no kubeconfig found") {
		t.Errorf("no configuration: %v", err)
	}
	snap := Load(context.Background(), Options{}, t0, t0.Add(time.Hour))
	if len(snap.Warnings) != 1 || !strings.HasPrefix(snap.Warnings[0], "kubernetes: no kubeconfig found") {
		t.Errorf("Load without configuration: %q", snap.Warnings)
	}
	// An exec credential plugin that cannot run (aws, gke-gcloud-auth-plugin
	// missing) is a clear warning, not a failure.
	execCfg := filepath.Join(dir, "exec")
	if err := os.WriteFile(execCfg, []byte(strings.Replace(kubeconfig, "user: {token: t}",
		"user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /nonexistent/aws, interactiveMode: Never}}", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	snap = Load(context.Background(), Options{Kubeconfig: execCfg}, t0, t0.Add(time.Hour))
	if len(snap.Warnings) != 1 || !strings.HasPrefix(snap.Warnings[0], "kubernetes: cannot get credentials for https://127.0.0.1:1") {
		t.Errorf("exec plugin missing: %q", snap.Warnings)
	}
	t.Logf("exec plugin missing: %s", snap.Warnings)
	if _, err := NewForConfig(&rest.Config{Host: "x"}, Options{QPS: -1}); err == nil {
		t.Error("negative QPS accepted")
	}
}
