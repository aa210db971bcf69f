package kube

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/causeway-sre/causeway/queries"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Read lists events, pods and nodes and returns what happened in [from, to]
// (a zero bound is open). Lists that fail (RBAC, unreachable server) become
// warnings in the snapshot; the error is only for bad arguments or a
// cancelled ctx.
func (c *Client) Read(ctx context.Context, from, to time.Time) (*Snapshot, error) {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return nil, fmt.Errorf("window ends (%s) before it starts (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	start := time.Now()
	snap := &Snapshot{Server: c.host, Namespace: c.namespace, From: from, To: to, ReadAt: start.UTC()}

	var (
		wg                  sync.WaitGroup
		core                []corev1.Event
		v1                  []eventsv1.Event
		pods                []corev1.Pod
		nodes               []corev1.Node
		errCore, errV1      error
		errPods, errNodes   error
		listOpts            = metav1.ListOptions{Limit: c.pageSize}
		ns                  = c.namespace
		coreList, v1List    = c.cs.CoreV1().Events(ns), c.cs.EventsV1().Events(ns)
		podList, nodeClient = c.cs.CoreV1().Pods(ns), c.cs.CoreV1().Nodes()
	)
	wg.Add(4)
	go func() {
		defer wg.Done()
		core, errCore = listAll(ctx, listOpts, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Event, string, error) {
			l, err := coreList.List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		})
	}()
	go func() {
		defer wg.Done()
		v1, errV1 = listAll(ctx, listOpts, func(ctx context.Context, o metav1.ListOptions) ([]eventsv1.Event, string, error) {
			l, err := v1List.List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		})
	}()
	go func() {
		defer wg.Done()
		pods, errPods = listAll(ctx, listOpts, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Pod, string, error) {
			l, err := podList.List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		})
	}()
	go func() {
		defer wg.Done()
		nodes, errNodes = listAll(ctx, listOpts, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Node, string, error) {
			l, err := nodeClient.List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		})
	}()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read kubernetes: %w", err)
	}

	snap.Warnings = c.warnings(errCore, errV1, errPods, errNodes)

	// Events: both APIs serve the same objects; keep one of each (by UID).
	seen := make(map[types.UID]bool, len(core))
	events := make([]queries.Event, 0, len(core)/4)
	keep := func(uid types.UID, ns, name string, t time.Time, mk func() queries.Event) {
		key := uid
		if key == "" {
			key = types.UID(ns + "/" + name)
		}
		if seen[key] {
			snap.Stats.Duplicates++
			return
		}
		seen[key] = true
		if !inWindow(t, from, to) {
			snap.Stats.OutOfWindow++
			return
		}
		events = append(events, mk())
	}
	for i := range core {
		e := &core[i]
		keep(e.UID, e.Namespace, e.Name, coreEventTime(e), func() queries.Event { return fromCoreEvent(e) })
	}
	for i := range v1 {
		e := &v1[i]
		keep(e.UID, e.Namespace, e.Name, v1EventTime(e), func() queries.Event { return fromV1Event(e) })
	}
	snap.Stats.CoreEvents, snap.Stats.V1Events = len(core), len(v1)

	podNode := make(map[string]string, len(pods))
	for i := range pods {
		p := toPod(&pods[i])
		if p.Node != "" {
			podNode[p.Namespace+"/"+p.Name] = p.Node
		}
		events = append(events, podEvents(&p, from, to)...)
		snap.Pods = append(snap.Pods, p)
	}
	snap.Stats.Pods = len(pods)
	// Tie pod events to the node the pod runs on, as the metrics do.
	for i := range events {
		e := &events[i]
		if e.Kind != "Pod" || e.Entity["node"] != "" {
			continue
		}
		if n := podNode[e.Namespace+"/"+e.Name]; n != "" {
			e.Entity["node"] = n
		}
	}

	if errNodes == nil {
		snap.NodesListed = true
		for i := range nodes {
			n := toNode(&nodes[i])
			events = append(events, nodeEvents(&n, from, to)...)
			snap.Nodes = append(snap.Nodes, n)
		}
		snap.Stats.Nodes = len(nodes)
	}

	sort.SliceStable(events, func(i, j int) bool {
		a, b := &events[i], &events[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Reason < b.Reason
	})
	snap.Events = events
	snap.Stats.Duration = time.Since(start)
	return snap, nil
}

// listAll pages through a list with Limit/Continue. An expired continue token
// (410 Gone: the list took longer than etcd's compaction) restarts the list
// once from the beginning; callers dedupe by UID.
func listAll[T any](ctx context.Context, opts metav1.ListOptions, page func(context.Context, metav1.ListOptions) ([]T, string, error)) ([]T, error) {
	var out []T
	restarted := false
	for {
		items, cont, err := page(ctx, opts)
		if err != nil {
			if apierrors.IsResourceExpired(err) && opts.Continue != "" && !restarted {
				restarted = true
				out = out[:0]
				opts.Continue = ""
				continue
			}
			return out, err
		}
		out = append(out, items...)
		if cont == "" {
			return out, nil
		}
		opts.Continue = cont
	}
}

const goesOnAlone = "the analysis goes on with Prometheus alone"

// warnings turns list errors into report lines: one line for an unreachable
// or rejecting server, otherwise one line per forbidden or failed resource.
func (c *Client) warnings(errCore, errV1, errPods, errNodes error) []string {
	// The two event APIs serve the same objects: one of them is enough.
	errEvents := errCore
	if errV1 == nil {
		errEvents = nil
	}
	all := []error{errEvents, errPods, errNodes}
	failed := 0
	for _, err := range all {
		if err != nil {
			failed++
		}
	}
	if failed == 0 {
		return nil
	}
	tail := "the analysis goes on without them"
	if failed == len(all) {
		tail = goesOnAlone
		// The same transport failure everywhere: say it once.
		if err := firstErr(all...); !isAPIStatus(err) {
			cause := transportCause(err)
			if strings.Contains(cause.Error(), "getting credentials") {
				return []string{fmt.Sprintf("kubernetes: cannot get credentials for %s (%v): %s", c.host, cause, goesOnAlone)}
			}
			return []string{fmt.Sprintf("kubernetes: cannot reach the API server %s (%v): %s", c.host, cause, goesOnAlone)}
		}
		if allMatch(apierrors.IsUnauthorized, all...) {
			return []string{fmt.Sprintf("kubernetes: the API server %s rejected the credentials (401 Unauthorized): %s", c.host, goesOnAlone)}
		}
	}
	var out []string
	for i, what := range []string{"events", "pods", "nodes"} {
		err := all[i]
		if err == nil {
			continue
		}
		scope := "in all namespaces"
		if what == "nodes" {
			scope = "at cluster scope"
		} else if c.namespace != "" {
			scope = "in namespace " + c.namespace
		}
		switch {
		case apierrors.IsForbidden(err):
			out = append(out, fmt.Sprintf("kubernetes: forbidden to list %s %s (user %s): %s", what, scope, c.userOf(err), tail))
		default:
			out = append(out, fmt.Sprintf("kubernetes: listing %s %s failed (%v): %s", what, scope, transportCause(err), tail))
		}
	}
	return out
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func allMatch(f func(error) bool, errs ...error) bool {
	for _, err := range errs {
		if err != nil && !f(err) {
			return false
		}
	}
	return true
}

func isAPIStatus(err error) bool {
	var s apierrors.APIStatus
	return errors.As(err, &s)
}

// transportCause drops the request part of a transport error ("Get
// \"https://host/api/v1/events?limit=500\": dial tcp ...: connection
// refused") and keeps what went wrong.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// userOf reads the user name from a forbidden error ("User \"x\" cannot list
// ..."), falling back to the configured user.
func (c *Client) userOf(err error) string {
	var s apierrors.APIStatus
	if errors.As(err, &s) {
		msg := s.Status().Message
		const key = `User "`
		if i := strings.Index(msg, key); i >= 0 {
			rest := msg[i+len(key):]
			if j := strings.IndexByte(rest, '"'); j >= 0 {
				return rest[:j]
			}
		}
	}
	if c.user != "" {
		return c.user
	}
	return "unknown"
}
