package kube_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/kube"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// TestAgainstAPIServer runs a simulated incident against a real
// kube-apiserver and etcd (hack/kube-deps.sh) and checks what Read returns.
func TestAgainstAPIServer(t *testing.T) {
	admin := testenv.KubeAPIServer(t)
	admin.QPS, admin.Burst = 500, 1000
	cs, err := kubernetes.NewForConfig(admin)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The incident happened an hour ago; times are whole seconds because
	// metav1.Time is stored with second precision.
	now := time.Now().UTC().Truncate(time.Second)
	base := now.Add(-time.Hour)
	from, to := base.Add(-30*time.Minute), now.Add(time.Minute)
	at := func(d time.Duration) time.Time { return base.Add(d) }
	mt := func(d time.Duration) metav1.Time { return metav1.NewTime(at(d)) }
	mmt := func(d time.Duration) metav1.MicroTime { return metav1.NewMicroTime(at(d)) }

	sim := simulate(t, cs, mt, mmt)

	read := func(t *testing.T, cfg *rest.Config, opts kube.Options) *kube.Snapshot {
		t.Helper()
		c, err := kube.NewForConfig(cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := c.Read(ctx, from, to)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return snap
	}

	t.Run("all namespaces", func(t *testing.T) {
		snap := read(t, admin, kube.Options{})
		if len(snap.Warnings) != 0 {
			t.Errorf("warnings: %q", snap.Warnings)
		}
		want := []struct {
			reason, kind, ns, name string
			at                     time.Duration
			entity                 map[string]string
		}{
			{"FailedScheduling", "Pod", "web", "api-2", -5 * time.Minute, map[string]string{"namespace": "web", "pod": "api-2"}},
			{"SpotInterrupted", "Node", "", "spot-1", 0, map[string]string{"node": "spot-1"}},
			{"NodeNotReady", "Node", "", "spot-1", 2 * time.Minute, map[string]string{"node": "spot-1"}},
			{"Tainted", "Node", "", "spot-1", 2 * time.Minute, map[string]string{"node": "spot-1"}},
			{"Killing", "Pod", "web", "api-1", 3 * time.Minute, map[string]string{"namespace": "web", "pod": "api-1", "node": "spot-1", "container": "app"}},
			{"CrashLoopBackOff", "Pod", "web", "api-1", 4 * time.Minute, map[string]string{"namespace": "web", "pod": "api-1", "node": "spot-1", "container": "app"}},
			{"OOMKilled", "Pod", "web", "api-1", 4 * time.Minute, map[string]string{"namespace": "web", "pod": "api-1", "node": "spot-1", "container": "app"}},
			{"Unhealthy", "Pod", "web", "api-1", 5 * time.Minute, map[string]string{"namespace": "web", "pod": "api-1", "node": "spot-1"}},
			{"BackOff", "Pod", "web", "api-1", 6 * time.Minute, map[string]string{"namespace": "web", "pod": "api-1", "node": "spot-1", "container": "app"}},
			{"Evicted", "Pod", "web", "old-1", 7 * time.Minute, map[string]string{"namespace": "web", "pod": "old-1", "node": "spot-1"}},
			{"TerminationByKubelet", "Pod", "web", "old-1", 7 * time.Minute, map[string]string{"namespace": "web", "pod": "old-1", "node": "spot-1"}},
			{"OOMKilling", "Node", "", "od-1", 8 * time.Minute, map[string]string{"node": "od-1"}},
			{"OOMKilled", "Pod", "db", "pg-0", 9 * time.Minute, map[string]string{"namespace": "db", "pod": "pg-0", "node": "od-1", "container": "postgres"}},
			{"ScalingReplicaSet", "Deployment", "web", "api", 10 * time.Minute, map[string]string{"namespace": "web", "deployment": "api"}},
			{"NodeReady", "Node", "", "spot-2", 30 * time.Minute, map[string]string{"node": "spot-2"}},
		}
		got := snap.Events
		t.Logf("timeline (relative to the incident at %s):\n%s", base.Format(time.RFC3339), dump(got))
		// Creation-time events are "now": check them apart.
		var created []queries.Event
		var timed []queries.Event
		for _, e := range got {
			if e.Reason == "Pinged" || (e.Kind == "Node" && (e.Reason == "NodeCreated" || e.Reason == "NodeReady") && e.Time.After(at(30*time.Minute))) {
				created = append(created, e)
				continue
			}
			timed = append(timed, e)
		}
		if len(timed) != len(want) {
			t.Errorf("got %d timed events, want %d:\n%s", len(timed), len(want), dump(timed))
		}
		for i := range min(len(timed), len(want)) {
			e, w := timed[i], want[i]
			if e.Reason != w.reason || e.Kind != w.kind || e.Namespace != w.ns || e.Name != w.name || !e.Time.Equal(at(w.at)) {
				t.Errorf("event %d: %s %s %s/%s at %s, want %s %s %s/%s at %s", i, e.Reason, e.Kind, e.Namespace, e.Name,
					e.Time.Sub(base), w.reason, w.kind, w.ns, w.name, w.at)
			}
			if !sameMap(e.Entity, w.entity) {
				t.Errorf("event %d %s: entity %v, want %v", i, e.Reason, e.Entity, w.entity)
			}
		}
		var pinged bool
		if n := countReason(created, "NodeCreated"); n != 3 {
			t.Errorf("NodeCreated events %d, want 3 (the nodes were created now, inside the window)", n)
		}
		for _, e := range created {
			if e.Reason == "Pinged" {
				pinged = true
				if d := e.Time.Sub(now); d < -time.Minute || d > time.Minute {
					t.Errorf("creation-time event at %s, want about %s", e.Time, now)
				}
			}
		}
		if !pinged {
			t.Errorf("the event with only a creation timestamp is missing:\n%s", dump(got))
		}
		for _, e := range got {
			if e.Reason == "BackOff" && (e.Count != 12 || e.Source != "kubelet") {
				t.Errorf("BackOff count/source: %+v", e)
			}
			if e.Reason == "Old" {
				t.Errorf("event outside the window read: %+v", e)
			}
		}
		st := snap.Stats
		// Every event object is listed through both APIs and kept once.
		if st.CoreEvents != sim.events || st.V1Events != sim.events || st.Duplicates != sim.events {
			t.Errorf("stats %+v, want %d events through each API, all duplicates", st, sim.events)
		}
		if st.OutOfWindow != 2 {
			t.Errorf("out of window %d, want 2 (Old, and the pre-window OOMKilling)", st.OutOfWindow)
		}
		if !snap.NodesListed || len(snap.Nodes) != 3 || st.Pods != 4 {
			t.Errorf("nodes %v listed %v, pods %d", snap.NodeNames(), snap.NodesListed, st.Pods)
		}
		caps := map[string]string{}
		for _, n := range snap.Nodes {
			caps[n.Name] = n.CapacityType
		}
		if caps["spot-1"] != "spot" || caps["od-1"] != "on-demand" || caps["spot-2"] != "spot" {
			t.Errorf("capacity types %v", caps)
		}
		lines := kube.Disagreements(snap, []string{"spot-1", "od-1", "spot-0"})
		if len(lines) != 1 || !strings.Contains(lines[0], "node spot-0 appears in the metrics but the Kubernetes API no longer has it") {
			t.Errorf("disagreements %q", lines)
		}
		for _, p := range snap.Pods {
			if p.Name == "api-1" && (len(p.Owners) != 1 || p.Owners[0].Name != "api-7d9" || p.Containers[0].RestartCount != 3) {
				t.Errorf("pod api-1 %+v", p)
			}
		}
	})

	t.Run("namespace scoping", func(t *testing.T) {
		snap := read(t, admin, kube.Options{Namespace: "db"})
		for _, e := range snap.Events {
			if e.Kind == "Pod" && e.Namespace != "db" {
				t.Errorf("event of another namespace: %+v", e)
			}
		}
		if n := countReason(snap.Events, "OOMKilled"); n != 1 {
			t.Errorf("OOMKilled in db: %d\n%s", n, dump(snap.Events))
		}
		if n := countReason(snap.Events, "NodeNotReady"); n != 1 {
			t.Errorf("nodes are cluster-wide and still read: NodeNotReady %d", n)
		}
		if snap.Stats.Pods != 1 {
			t.Errorf("pods in db: %d", snap.Stats.Pods)
		}
	})

	t.Run("forbidden", func(t *testing.T) {
		snap := read(t, testenv.KubeRestricted(admin), kube.Options{Namespace: "web"})
		if len(snap.Events) != 0 || snap.NodesListed {
			t.Errorf("a forbidden read returned data: %d events, nodes listed %v", len(snap.Events), snap.NodesListed)
		}
		wantLines := []string{
			"kubernetes: forbidden to list events in namespace web (user " + testenv.KubeRestrictedUser + "): the analysis goes on with Prometheus alone",
			"kubernetes: forbidden to list pods in namespace web (user " + testenv.KubeRestrictedUser + "): the analysis goes on with Prometheus alone",
			"kubernetes: forbidden to list nodes at cluster scope (user " + testenv.KubeRestrictedUser + "): the analysis goes on with Prometheus alone",
		}
		if strings.Join(snap.Warnings, "\n") != strings.Join(wantLines, "\n") {
			t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(snap.Warnings, "\n"), strings.Join(wantLines, "\n"))
		}
	})

	t.Run("bad token", func(t *testing.T) {
		bad := rest.AnonymousClientConfig(admin)
		bad.BearerToken = "not-a-token"
		snap := read(t, bad, kube.Options{})
		want := "kubernetes: the API server " + admin.Host + " rejected the credentials (401 Unauthorized): the analysis goes on with Prometheus alone"
		if len(snap.Warnings) != 1 || snap.Warnings[0] != want {
			t.Errorf("warnings %q, want %q", snap.Warnings, want)
		}
	})

	t.Run("json round trip", func(t *testing.T) {
		// Bundles record the snapshot as JSON and replay it.
		snap := read(t, admin, kube.Options{Namespace: "web"})
		b, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		var back kube.Snapshot
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if len(back.Events) != len(snap.Events) || len(back.Pods) != len(snap.Pods) || !back.NodesListed ||
			strings.Join(back.NodeNames(), ",") != strings.Join(snap.NodeNames(), ",") {
			t.Fatalf("round trip lost data: %d/%d events, %d/%d pods", len(back.Events), len(snap.Events), len(back.Pods), len(snap.Pods))
		}
		for i := range snap.Events {
			a, b := snap.Events[i], back.Events[i]
			if !a.Time.Equal(b.Time) || a.Reason != b.Reason || !sameMap(a.Entity, b.Entity) || a.Count != b.Count {
				t.Errorf("event %d: %+v became %+v", i, a, b)
			}
		}
	})

	t.Run("rbac.yaml", func(t *testing.T) {
		role := loadClusterRole(t)
		if _, err := cs.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		// Cluster-wide for one user, in namespace web only for another.
		bind(t, cs, "", "reader-all", role.Name)
		bind(t, cs, "web", "reader-web", role.Name)

		snap := read(t, impersonate(admin, "reader-all"), kube.Options{})
		if len(snap.Warnings) != 0 || !snap.NodesListed || countReason(snap.Events, "OOMKilled") != 2 {
			t.Errorf("the ClusterRole is not enough: warnings %q, nodes %v, events:\n%s", snap.Warnings, snap.NodesListed, dump(snap.Events))
		}
		snap = read(t, impersonate(admin, "reader-web"), kube.Options{Namespace: "web"})
		want := "kubernetes: forbidden to list nodes at cluster scope (user reader-web): the analysis goes on without them"
		if len(snap.Warnings) != 1 || snap.Warnings[0] != want {
			t.Errorf("warnings %q, want %q", snap.Warnings, want)
		}
		if countReason(snap.Events, "OOMKilled") != 1 || countReason(snap.Events, "SpotInterrupted") != 0 {
			t.Errorf("namespace reader events:\n%s", dump(snap.Events))
		}
	})

	t.Run("5000 events", func(t *testing.T) {
		const n = 5000
		ns := "load"
		mkNamespace(t, cs, ns)
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 8 {
					_, err := cs.CoreV1().Events(ns).Create(ctx, &corev1.Event{
						ObjectMeta:     metav1.ObjectMeta{Name: fmt.Sprintf("ev-%05d", i)},
						InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: fmt.Sprintf("p-%d", i%300)},
						Reason:         "BackOff", Type: "Warning", Message: "Back-off restarting failed container",
						Source:        corev1.EventSource{Component: "kubelet"},
						LastTimestamp: mt(time.Duration(i%3600) * time.Second), FirstTimestamp: mt(0), Count: 2,
					}, metav1.CreateOptions{})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		t.Logf("created %d events in %s", n, time.Since(start).Round(time.Millisecond))
		for _, opts := range []kube.Options{{Namespace: ns}, {}} {
			start = time.Now()
			snap := read(t, admin, opts)
			d := time.Since(start)
			if got := countReason(snap.Events, "BackOff"); got < n {
				t.Errorf("read %d BackOff events, want >= %d", got, n)
			}
			t.Logf("read %d event objects through each API (namespace %q): %d in window, in %s",
				snap.Stats.CoreEvents, opts.Namespace, len(snap.Events), d.Round(time.Millisecond))
			if d > 20*time.Second {
				t.Errorf("reading %d events took %s", n, d)
			}
		}
	})
}

type simulation struct{ events int }

// simulate writes the incident: a spot node interrupted, a pod OOMKilled and
// crash-looping on it, a pod evicted by the node shutdown, an OOMKilled
// database on an on-demand node, a replacement spot node, and events with
// every timestamp variant through both event APIs.
func simulate(t *testing.T, cs kubernetes.Interface, mt func(time.Duration) metav1.Time, mmt func(time.Duration) metav1.MicroTime) simulation {
	t.Helper()
	ctx := context.Background()
	for _, ns := range []string{"web", "db"} {
		mkNamespace(t, cs, ns)
	}
	// Nodes are created now (creation timestamps cannot be set), which is
	// inside the window; the replacement node's arrival shows as its Ready
	// transition.
	mkNode(t, cs, "spot-1", map[string]string{"karpenter.sh/capacity-type": "spot"},
		[]corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown",
			Message: "Kubelet stopped posting node status.", LastTransitionTime: mt(2 * time.Minute)}},
		[]corev1.Taint{{Key: "node.kubernetes.io/unreachable", Effect: corev1.TaintEffectNoExecute, TimeAdded: ptr(mt(2 * time.Minute))}})
	mkNode(t, cs, "od-1", map[string]string{"eks.amazonaws.com/capacityType": "ON_DEMAND"},
		[]corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastTransitionTime: mt(-3 * time.Hour)}}, nil)
	mkNode(t, cs, "spot-2", map[string]string{"cloud.google.com/gke-spot": "true"},
		[]corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastTransitionTime: mt(30 * time.Minute)}}, nil)

	mkPod(t, cs, "web", "api-1", "spot-1", "app", corev1.PodStatus{
		Phase: corev1.PodRunning,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse,
			LastTransitionTime: mt(3 * time.Minute)}},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: "app:1", RestartCount: 3,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
				Message: "back-off 40s restarting failed container=app"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				Reason: "OOMKilled", ExitCode: 137, StartedAt: mt(3 * time.Minute), FinishedAt: mt(4 * time.Minute)}}}},
	})
	mkPod(t, cs, "web", "old-1", "spot-1", "app", corev1.PodStatus{
		Phase: corev1.PodFailed, Reason: "Evicted", Message: "The node was low on resource: memory.",
		Conditions: []corev1.PodCondition{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
			Reason: "TerminationByKubelet", Message: "Pod was terminated in response to imminent node shutdown.",
			LastTransitionTime: mt(7 * time.Minute)}},
	})
	mkPod(t, cs, "web", "api-2", "", "app", corev1.PodStatus{Phase: corev1.PodPending,
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: "app:1",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}}})
	mkPod(t, cs, "db", "pg-0", "od-1", "postgres", corev1.PodStatus{
		Phase: corev1.PodRunning,
		ContainerStatuses: []corev1.ContainerStatus{{Name: "postgres", Image: "postgres:16", RestartCount: 1, Ready: true,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: mt(9*time.Minute + 10*time.Second)}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				Reason: "OOMKilled", ExitCode: 137, FinishedAt: mt(9 * time.Minute)}}}},
	})

	pod := func(ns, name, container string) corev1.ObjectReference {
		r := corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: ns, Name: name}
		if container != "" {
			r.FieldPath = "spec.containers{" + container + "}"
		}
		return r
	}
	node := func(name string) corev1.ObjectReference {
		return corev1.ObjectReference{Kind: "Node", APIVersion: "v1", Name: name}
	}
	core := []corev1.Event{
		// lastTimestamp only.
		{ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api-1.killing"}, InvolvedObject: pod("web", "api-1", "app"),
			Reason: "Killing", Type: "Normal", Message: "Stopping container app", Source: corev1.EventSource{Component: "kubelet", Host: "spot-1"},
			LastTimestamp: mt(3 * time.Minute)},
		// firstTimestamp only.
		{ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api-1.unhealthy"}, InvolvedObject: pod("web", "api-1", ""),
			Reason: "Unhealthy", Type: "Warning", Message: "Readiness probe failed", Source: corev1.EventSource{Component: "kubelet"},
			FirstTimestamp: mt(5 * time.Minute)},
		// lastTimestamp after firstTimestamp, with a count.
		{ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api-1.backoff"}, InvolvedObject: pod("web", "api-1", "app"),
			Reason: "BackOff", Type: "Warning", Message: "Back-off restarting failed container app", Source: corev1.EventSource{Component: "kubelet"},
			FirstTimestamp: mt(4 * time.Minute), LastTimestamp: mt(6 * time.Minute), Count: 12},
		// eventTime only (how kube-scheduler writes).
		{ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api-2.failedscheduling"}, InvolvedObject: pod("web", "api-2", ""),
			Reason: "FailedScheduling", Type: "Warning", Message: "0/3 nodes are available", EventTime: mmt(-5 * time.Minute),
			ReportingController: "default-scheduler", ReportingInstance: "default-scheduler-x", Action: "Scheduling"},
		// series.lastObservedTime wins over an older eventTime; a node event lives in "default".
		{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "od-1.oomkilling"}, InvolvedObject: node("od-1"),
			Reason: "OOMKilling", Type: "Warning", Message: "Memory cgroup out of memory: Killed process 4242 (postgres)",
			EventTime: mmt(-2 * time.Hour), Series: &corev1.EventSeries{Count: 2, LastObservedTime: mmt(8 * time.Minute)},
			ReportingController: "kernel-monitor", ReportingInstance: "od-1", Action: "OOMKilling"},
		// A controller event on a deployment.
		{ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api.scaling"}, InvolvedObject: corev1.ObjectReference{Kind: "Deployment", Namespace: "web", Name: "api"},
			Reason: "ScalingReplicaSet", Type: "Normal", Message: "Scaled up replica set api-7d9 from 2 to 3",
			Source: corev1.EventSource{Component: "deployment-controller"}, LastTimestamp: mt(10 * time.Minute)},
		// No timestamp at all: the creation time (now) is its time.
		{ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api-1.pinged"}, InvolvedObject: pod("web", "api-1", ""),
			Reason: "Pinged", Type: "Normal", Message: "no timestamps"},
		// Outside the window.
		{ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api-1.old"}, InvolvedObject: pod("web", "api-1", ""),
			Reason: "Old", Type: "Normal", LastTimestamp: mt(-3 * time.Hour)},
		// Outside the window through series too (the pre-window OOM of od-1).
		{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "od-1.oomkilling-old"}, InvolvedObject: node("od-1"),
			Reason: "OOMKilling", Type: "Warning", EventTime: mmt(-4 * time.Hour),
			Series:              &corev1.EventSeries{Count: 2, LastObservedTime: mmt(-3 * time.Hour)},
			ReportingController: "kernel-monitor", ReportingInstance: "od-1", Action: "OOMKilling"},
	}
	for i := range core {
		if _, err := cs.CoreV1().Events(core[i].Namespace).Create(ctx, &core[i], metav1.CreateOptions{}); err != nil {
			t.Fatalf("event %s: %v", core[i].Name, err)
		}
	}
	// events.k8s.io/v1: Karpenter's interruption event on the node.
	v1 := []eventsv1.Event{
		{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "spot-1.spotinterrupted"}, Regarding: node("spot-1"),
			Reason: "SpotInterrupted", Type: "Warning", Note: "Spot interruption warning was triggered",
			EventTime: mmt(0), ReportingController: "karpenter", ReportingInstance: "karpenter-abc", Action: "Interrupt"},
	}
	for i := range v1 {
		if _, err := cs.EventsV1().Events(v1[i].Namespace).Create(ctx, &v1[i], metav1.CreateOptions{}); err != nil {
			t.Fatalf("event %s: %v", v1[i].Name, err)
		}
	}
	return simulation{events: len(core) + len(v1)}
}

func ptr[T any](v T) *T { return &v }

func mkNamespace(t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	if _, err := cs.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("namespace %s: %v", name, err)
	}
}

func mkNode(t *testing.T, cs kubernetes.Interface, name string, labels map[string]string, conds []corev1.NodeCondition, taints []corev1.Taint) {
	t.Helper()
	ctx := context.Background()
	n, err := cs.CoreV1().Nodes().Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.NodeSpec{Taints: taints},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("node %s: %v", name, err)
	}
	n.Status.Conditions = conds
	if _, err := cs.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("node %s status: %v", name, err)
	}
}

// mkPod creates a pod (bound to node when set) and writes its status
// through the status subresource, as the kubelet would.
func mkPod(t *testing.T, cs kubernetes.Interface, ns, name, node, container string, status corev1.PodStatus) {
	t.Helper()
	ctx := context.Background()
	p, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, OwnerReferences: []metav1.OwnerReference{{
			APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-7d9", UID: "uid-rs"}}},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: container, Image: "app:1"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("pod %s/%s: %v", ns, name, err)
	}
	p.Status = status
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("pod %s/%s status: %v", ns, name, err)
	}
}

func loadClusterRole(t *testing.T) *rbacv1.ClusterRole {
	t.Helper()
	b, err := os.ReadFile("rbac.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	var role rbacv1.ClusterRole
	if err := dec.Decode(&role); err != nil {
		t.Fatalf("rbac.yaml: %v", err)
	}
	if role.Kind != "ClusterRole" || len(role.Rules) == 0 {
		t.Fatalf("rbac.yaml: first document is not a ClusterRole: %+v", role)
	}
	return &role
}

func bind(t *testing.T, cs kubernetes.Interface, ns, user, role string) {
	t.Helper()
	ctx := context.Background()
	subj := []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: user}}
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}
	var err error
	if ns == "" {
		_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: user}, Subjects: subj, RoleRef: ref}, metav1.CreateOptions{})
	} else {
		_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: user}, Subjects: subj, RoleRef: ref}, metav1.CreateOptions{})
	}
	if err != nil {
		t.Fatalf("binding %s: %v", user, err)
	}
}

func impersonate(cfg *rest.Config, user string) *rest.Config {
	c := rest.CopyConfig(cfg)
	c.Impersonate = rest.ImpersonationConfig{UserName: user}
	return c
}

func countReason(evs []queries.Event, reason string) int {
	n := 0
	for _, e := range evs {
		if e.Reason == reason {
			n++
		}
	}
	return n
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func dump(evs []queries.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "  %s %-8s %-20s %s %s/%s %v\n", e.Time.Format(time.RFC3339), e.Type, e.Reason, e.Kind, e.Namespace, e.Name, e.Entity)
	}
	return b.String()
}
