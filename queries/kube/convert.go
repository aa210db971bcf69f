package kube

import (
	"fmt"
	"strings"
	"time"

	"github.com/causeway-sre/causeway/queries"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SourcePodStatus and SourceNodeStatus are the Source of events derived from
// object state rather than read as Kubernetes events.
const (
	SourcePodStatus  = "pod-status"
	SourceNodeStatus = "node-status"
)

// eventFields are what core/v1 and events.k8s.io/v1 events both carry,
// under different names; seriesCount and seriesLast are zero without a
// series.
type eventFields struct {
	seriesCount           int32
	seriesLast, eventTime metav1.MicroTime
	last, first, created  metav1.Time
	count                 int32
	typ, reason, message  string
	controller, component string
	namespace             string
	ref                   corev1.ObjectReference
}

func coreEventFields(e *corev1.Event) eventFields {
	f := eventFields{
		eventTime: e.EventTime, last: e.LastTimestamp, first: e.FirstTimestamp, created: e.CreationTimestamp,
		count: e.Count, typ: e.Type, reason: e.Reason, message: e.Message,
		controller: e.ReportingController, component: e.Source.Component,
		namespace: e.Namespace, ref: e.InvolvedObject,
	}
	if e.Series != nil {
		f.seriesCount, f.seriesLast = e.Series.Count, e.Series.LastObservedTime
	}
	return f
}

func v1EventFields(e *eventsv1.Event) eventFields {
	f := eventFields{
		eventTime: e.EventTime, last: e.DeprecatedLastTimestamp, first: e.DeprecatedFirstTimestamp, created: e.CreationTimestamp,
		count: e.DeprecatedCount, typ: e.Type, reason: e.Reason, message: e.Note,
		controller: e.ReportingController, component: e.DeprecatedSource.Component,
		namespace: e.Namespace, ref: e.Regarding,
	}
	if e.Series != nil {
		f.seriesCount, f.seriesLast = e.Series.Count, e.Series.LastObservedTime
	}
	return f
}

// time is the time an event speaks of: the first non-empty of
// series.lastObservedTime, eventTime, lastTimestamp, firstTimestamp and
// metadata.creationTimestamp (scheduler events written through
// events.k8s.io have null first/last timestamps).
func (f *eventFields) time() time.Time {
	switch {
	case !f.seriesLast.IsZero():
		return f.seriesLast.Time
	case !f.eventTime.IsZero():
		return f.eventTime.Time
	case !f.last.IsZero():
		return f.last.Time
	case !f.first.IsZero():
		return f.first.Time
	}
	return f.created.Time
}

func (f *eventFields) event() queries.Event {
	count := int(f.count)
	if f.seriesCount > 0 {
		count = int(f.seriesCount)
	}
	src := f.controller
	if src == "" {
		src = f.component
	}
	ref := f.ref
	ns := ref.Namespace
	if ns == "" && ref.Kind != "Node" && ref.Kind != "Namespace" {
		ns = f.namespace
	}
	return queries.Event{
		Time:      f.time().UTC(),
		Type:      f.typ,
		Reason:    f.reason,
		Message:   f.message,
		Kind:      ref.Kind,
		Namespace: ns,
		Name:      ref.Name,
		Source:    src,
		Count:     max(count, 1),
		Entity:    entityFor(ref.Kind, ns, ref.Name, ref.FieldPath),
	}
}

// coreEventTime is the time a core/v1 event speaks of (eventFields.time).
func coreEventTime(e *corev1.Event) time.Time {
	f := coreEventFields(e)
	return f.time()
}

// v1EventTime is coreEventTime for events.k8s.io/v1.
func v1EventTime(e *eventsv1.Event) time.Time {
	f := v1EventFields(e)
	return f.time()
}

func fromCoreEvent(e *corev1.Event) queries.Event {
	f := coreEventFields(e)
	return f.event()
}

func fromV1Event(e *eventsv1.Event) queries.Event {
	f := v1EventFields(e)
	return f.event()
}

// entityFor names an involved object with the label names the metrics use
// (kube-state-metrics: namespace, pod, container, node; lower-cased kind for
// the rest: deployment, nodeclaim, ...).
func entityFor(kind, ns, name, fieldPath string) map[string]string {
	m := map[string]string{}
	switch kind {
	case "Pod":
		m["namespace"] = ns
		m["pod"] = name
		if c := containerOf(fieldPath); c != "" {
			m["container"] = c
		}
	case "Node":
		m["node"] = name
	case "Namespace":
		m["namespace"] = name
	case "":
		if ns != "" {
			m["namespace"] = ns
		}
	default:
		if ns != "" {
			m["namespace"] = ns
		}
		m[strings.ToLower(kind)] = name
	}
	return m
}

// containerOf reads the container name of a field path such as
// "spec.containers{web}" or "spec.initContainers{init-db}".
func containerOf(fieldPath string) string {
	i := strings.IndexByte(fieldPath, '{')
	if i < 0 || !strings.HasSuffix(fieldPath, "}") {
		return ""
	}
	switch fieldPath[:i] {
	case "spec.containers", "spec.initContainers", "spec.ephemeralContainers":
		return fieldPath[i+1 : len(fieldPath)-1]
	}
	return ""
}

func timePtr(t *metav1.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func toPod(p *corev1.Pod) Pod {
	out := Pod{
		Namespace: p.Namespace,
		Name:      p.Name,
		Node:      p.Spec.NodeName,
		Phase:     string(p.Status.Phase),
		Reason:    p.Status.Reason,
		Message:   p.Status.Message,
		Created:   p.CreationTimestamp.UTC(),
		Deleting:  timePtr(p.DeletionTimestamp),
	}
	for _, o := range p.OwnerReferences {
		out.Owners = append(out.Owners, Owner{Kind: o.Kind, Name: o.Name})
	}
	for _, c := range p.Status.Conditions {
		out.Conditions = append(out.Conditions, Condition{
			Type: string(c.Type), Status: string(c.Status), Reason: c.Reason,
			Message: c.Message, LastTransition: c.LastTransitionTime.UTC(),
		})
		if c.Type == corev1.DisruptionTarget && c.Status == corev1.ConditionTrue {
			out.DisruptionTarget = c.Reason
			if out.DisruptionTarget == "" {
				out.DisruptionTarget = string(corev1.DisruptionTarget)
			}
		}
	}
	add := func(list []corev1.ContainerStatus, init bool) {
		for _, s := range list {
			c := Container{Name: s.Name, Init: init, RestartCount: s.RestartCount, Ready: s.Ready}
			if w := s.State.Waiting; w != nil {
				c.Waiting, c.WaitingMsg = w.Reason, w.Message
			}
			c.Terminated = toTermination(s.State.Terminated)
			c.LastTerm = toTermination(s.LastTerminationState.Terminated)
			out.Containers = append(out.Containers, c)
		}
	}
	add(p.Status.InitContainerStatuses, true)
	add(p.Status.ContainerStatuses, false)
	add(p.Status.EphemeralContainerStatuses, false)
	return out
}

func toTermination(t *corev1.ContainerStateTerminated) *Termination {
	if t == nil {
		return nil
	}
	reason := t.Reason
	if reason == "" {
		reason = "Error"
		if t.ExitCode == 0 {
			reason = "Completed"
		}
	}
	return &Termination{
		Reason: reason, ExitCode: t.ExitCode, Signal: t.Signal, Message: t.Message,
		StartedAt: t.StartedAt.UTC(), FinishedAt: t.FinishedAt.UTC(),
	}
}

// boringWaiting are waiting reasons of a healthy start.
var boringWaiting = map[string]bool{"": true, "ContainerCreating": true, "PodInitializing": true}

// podEvents derives point events from a pod's state: container terminations
// at finishedAt, waiting reasons at the best known time, status.reason
// (Evicted, Terminated, ...) and the DisruptionTarget condition. Only events
// inside [from, to] are returned (zero bounds are open).
func podEvents(p *Pod, from, to time.Time) []queries.Event {
	var out []queries.Event
	base := func(container string) map[string]string {
		m := map[string]string{"namespace": p.Namespace, "pod": p.Name}
		if p.Node != "" {
			m["node"] = p.Node
		}
		if container != "" {
			m["container"] = container
		}
		return m
	}
	emit := func(e queries.Event) {
		if inWindow(e.Time, from, to) {
			e.Kind, e.Namespace, e.Name = "Pod", p.Namespace, p.Name
			if e.Source == "" {
				e.Source = SourcePodStatus
			}
			out = append(out, e)
		}
	}
	var latestFinish time.Time
	for _, c := range p.Containers {
		seen := map[time.Time]bool{}
		for _, t := range []*Termination{c.LastTerm, c.Terminated} {
			if t == nil || t.FinishedAt.IsZero() || seen[t.FinishedAt] {
				continue
			}
			seen[t.FinishedAt] = true
			if t.FinishedAt.After(latestFinish) {
				latestFinish = t.FinishedAt
			}
			clean := t.ExitCode == 0 && t.Reason == "Completed"
			if clean && c.Init {
				continue // an init container that did its job
			}
			typ := corev1.EventTypeWarning
			if clean {
				typ = corev1.EventTypeNormal
			}
			msg := fmt.Sprintf("container %s terminated: %s, exit code %d", c.Name, t.Reason, t.ExitCode)
			if t.Signal != 0 {
				msg += fmt.Sprintf(", signal %d", t.Signal)
			}
			if c.RestartCount > 0 {
				msg += fmt.Sprintf(" (restarts %d)", c.RestartCount)
			}
			if t.Message != "" {
				msg += ": " + oneLine(t.Message)
			}
			emit(queries.Event{Time: t.FinishedAt, Type: typ, Reason: t.Reason, Message: msg,
				Count: max(int(c.RestartCount), 1), Entity: base(c.Name)})
		}
	}
	for _, c := range p.Containers {
		if boringWaiting[c.Waiting] {
			continue
		}
		msg := fmt.Sprintf("container %s waiting: %s", c.Name, c.Waiting)
		if c.RestartCount > 0 {
			msg += fmt.Sprintf(" (restarts %d)", c.RestartCount)
		}
		if c.WaitingMsg != "" {
			msg += ": " + oneLine(c.WaitingMsg)
		}
		emit(queries.Event{Time: waitingTime(p, &c), Type: corev1.EventTypeWarning, Reason: c.Waiting,
			Message: msg, Count: max(int(c.RestartCount), 1), Entity: base(c.Name)})
	}
	disruption := conditionTime(p.Conditions, string(corev1.DisruptionTarget))
	if p.DisruptionTarget != "" {
		msg := "DisruptionTarget: " + p.DisruptionTarget
		if m := conditionMessage(p.Conditions, string(corev1.DisruptionTarget)); m != "" {
			msg += ": " + oneLine(m)
		}
		emit(queries.Event{Time: firstSet(disruption, p.Created), Type: corev1.EventTypeWarning,
			Reason: p.DisruptionTarget, Message: msg, Count: 1, Entity: base("")})
	}
	if p.Reason != "" {
		// status.reason has no time of its own: the disruption condition,
		// then the last container exit, then readiness, then creation.
		t := firstSet(disruption, latestFinish, conditionTime(p.Conditions, "Ready"), p.Created)
		msg := p.Reason
		if p.Message != "" {
			msg += ": " + oneLine(p.Message)
		}
		emit(queries.Event{Time: t, Type: corev1.EventTypeWarning, Reason: p.Reason, Message: msg,
			Count: 1, Entity: base("")})
	}
	return out
}

// waitingTime is the best known time a container started waiting: a
// back-off follows the last termination; otherwise the time the pod lost
// (or never got) readiness, otherwise its creation.
func waitingTime(p *Pod, c *Container) time.Time {
	var last time.Time
	if c.LastTerm != nil {
		last = c.LastTerm.FinishedAt
	}
	return firstSet(last, conditionTime(p.Conditions, "ContainersReady"),
		conditionTime(p.Conditions, "Ready"), p.Created)
}

func conditionTime(cs []Condition, typ string) time.Time {
	for _, c := range cs {
		if c.Type == typ {
			return c.LastTransition
		}
	}
	return time.Time{}
}

func conditionMessage(cs []Condition, typ string) string {
	for _, c := range cs {
		if c.Type == typ {
			return c.Message
		}
	}
	return ""
}

func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func inWindow(t, from, to time.Time) bool {
	if t.IsZero() {
		return false
	}
	if !from.IsZero() && t.Before(from) {
		return false
	}
	if !to.IsZero() && t.After(to) {
		return false
	}
	return true
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// capacityLabels are the labels that say whether a node is spot, in order of
// preference, with a normaliser from the label's value.
var capacityLabels = []struct {
	key  string
	norm func(string) string
}{
	{"karpenter.sh/capacity-type", func(v string) string { return strings.ToLower(v) }},
	{"eks.amazonaws.com/capacityType", func(v string) string {
		switch strings.ToUpper(v) {
		case "SPOT":
			return "spot"
		case "ON_DEMAND":
			return "on-demand"
		case "CAPACITY_BLOCK":
			return "reserved"
		}
		return strings.ToLower(v)
	}},
	{"cloud.google.com/gke-spot", trueIsSpot},
	{"cloud.google.com/gke-preemptible", trueIsSpot},
	{"kubernetes.azure.com/scalesetpriority", func(v string) string {
		if strings.EqualFold(v, "spot") {
			return "spot"
		}
		if strings.EqualFold(v, "regular") {
			return "on-demand"
		}
		return strings.ToLower(v)
	}},
}

func trueIsSpot(v string) string {
	if strings.EqualFold(v, "true") {
		return "spot"
	}
	return ""
}

func toNode(n *corev1.Node) Node {
	out := Node{
		Name:          n.Name,
		ProviderID:    n.Spec.ProviderID,
		Unschedulable: n.Spec.Unschedulable,
		Created:       n.CreationTimestamp.UTC(),
		Deleting:      timePtr(n.DeletionTimestamp),
		InstanceType:  firstLabel(n.Labels, "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"),
		Zone:          firstLabel(n.Labels, "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"),
	}
	for _, l := range capacityLabels {
		if v, ok := n.Labels[l.key]; ok {
			if ct := l.norm(v); ct != "" {
				out.CapacityType, out.CapacityLabel = ct, l.key+"="+v
				break
			}
		}
	}
	for _, c := range n.Status.Conditions {
		out.Conditions = append(out.Conditions, Condition{
			Type: string(c.Type), Status: string(c.Status), Reason: c.Reason,
			Message: c.Message, LastTransition: c.LastTransitionTime.UTC(),
		})
		if c.Type == corev1.NodeReady {
			out.Ready = string(c.Status)
		}
	}
	for _, t := range n.Spec.Taints {
		out.Taints = append(out.Taints, Taint{Key: t.Key, Value: t.Value, Effect: string(t.Effect), Added: timePtr(t.TimeAdded)})
	}
	return out
}

func firstLabel(labels map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := labels[k]; v != "" {
			return v
		}
	}
	return ""
}

// nodeEvents derives point events from a node's state: creation and
// deletion, condition transitions (Ready, pressures, problem-detector
// conditions) and taints with a time, inside [from, to].
func nodeEvents(n *Node, from, to time.Time) []queries.Event {
	var out []queries.Event
	emit := func(e queries.Event) {
		if inWindow(e.Time, from, to) {
			e.Kind, e.Name, e.Source, e.Count = "Node", n.Name, SourceNodeStatus, 1
			e.Entity = map[string]string{"node": n.Name}
			out = append(out, e)
		}
	}
	capacity := ""
	if n.CapacityType != "" {
		capacity = fmt.Sprintf(" (%s, %s)", n.CapacityType, n.CapacityLabel)
	}
	emit(queries.Event{Time: n.Created, Type: corev1.EventTypeNormal, Reason: "NodeCreated",
		Message: "node " + n.Name + " created" + capacity})
	if n.Deleting != nil {
		emit(queries.Event{Time: *n.Deleting, Type: corev1.EventTypeWarning, Reason: "NodeDeleting",
			Message: "node " + n.Name + " is being deleted" + capacity})
	}
	for _, c := range n.Conditions {
		var reason, typ string
		switch {
		case c.Type == string(corev1.NodeReady) && c.Status == string(corev1.ConditionTrue):
			reason, typ = "NodeReady", corev1.EventTypeNormal
		case c.Type == string(corev1.NodeReady):
			reason, typ = "NodeNotReady", corev1.EventTypeWarning
		case c.Status == string(corev1.ConditionTrue):
			// MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable and
			// problem-detector conditions (KernelDeadlock, VMEventScheduled, ...)
			// are bad when true.
			reason, typ = c.Type, corev1.EventTypeWarning
		default:
			continue
		}
		msg := fmt.Sprintf("node %s condition %s=%s", n.Name, c.Type, c.Status)
		if c.Reason != "" {
			msg += " (" + c.Reason + ")"
		}
		if c.Message != "" {
			msg += ": " + oneLine(c.Message)
		}
		emit(queries.Event{Time: c.LastTransition, Type: typ, Reason: reason, Message: msg + capacity})
	}
	for _, t := range n.Taints {
		if t.Added == nil {
			continue
		}
		kv := t.Key
		if t.Value != "" {
			kv += "=" + t.Value
		}
		emit(queries.Event{Time: *t.Added, Type: corev1.EventTypeWarning, Reason: "Tainted",
			Message: fmt.Sprintf("node %s tainted %s:%s%s", n.Name, kv, t.Effect, capacity)})
	}
	return out
}
