package postmortem

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
)

// This file turns signals and entities into the words an SRE writes in a
// postmortem: "5xx ratio of ingress qa-api in staging rose from 0.0% to
// 97.6%", "node ip-10-0-56-5 tainted karpenter.sh/disrupted for 2m".

// shortNames are the short nouns of the default bank's queries (singular for
// events, which are counted). A query of a user's bank gets its title cut
// short instead (see shortTitle).
var shortNames = map[string]string{
	"pods_running":                  "running pods",
	"workload_unavailable_replicas": "unavailable replicas",
	"pods_not_ready":                "pod not ready",
	"container_restarts":            "container restart",
	"containers_waiting":            "container waiting",
	"pod_status_reason_events":      "pod status change",
	"pods_unschedulable":            "pod unschedulable",
	"node_count":                    "node count",
	"node_gone":                     "node gone",
	"node_not_ready":                "node not ready",
	"node_pressure":                 "node pressure",
	"node_disruption_taints":        "disruption taint",
	"karpenter_interruptions":       "Karpenter interruption message",
	"karpenter_disruptions":         "Karpenter disruption",
	"nth_node_actions":              "termination-handler action",
	"cluster_autoscaler_scale_down": "Cluster Autoscaler node removal",
	"oom_kills":                     "OOM kill",
	"oom_events_cadvisor":           "cAdvisor OOM event",
	"oom_kills_kernel":              "kernel OOM kill",
	"memory_limit_ratio":            "memory / limit",
	"memory_working_set":            "memory working set",
	"node_memory_used_ratio":        "memory used",
	"db_down":                       "database down",
	"db_restarts":                   "database restart",
	"db_container_restarts":         "database container restart",
	"db_connections_ratio":          "DB connections / max",
	"pool_waiters":                  "pool waiters",
	"pool_usage_ratio":              "pool usage",
	"ingress_request_rate":          "request rate",
	"ingress_5xx_ratio":             "5xx ratio",
	"ingress_p99_latency":           "p99 latency",
	"istio_5xx_ratio":               "Istio 5xx ratio",
}

// stateWords say what a state signal of the default bank means while it
// holds, after the entity: "pod mysql-0 not ready". {label} is replaced by
// that label's value.
var stateWords = map[string]string{
	"pods_not_ready":         "not ready",
	"node_not_ready":         "not ready",
	"node_gone":              "gone (stopped reporting)",
	"node_pressure":          "under {condition}",
	"node_disruption_taints": "tainted {key}",
	"db_down":                "unreachable by its exporter",
	"containers_waiting":     "waiting in {reason}",
	"pods_unschedulable":     "unschedulable",
}

// shortTitle cuts a bank title to its noun: up to the first parenthesis,
// without a trailing "per ..." or "by ...": "ingress-nginx 5xx share of
// requests per ingress" becomes "ingress-nginx 5xx share of requests".
func shortTitle(title string) string {
	s := title
	if i := strings.Index(s, "("); i > 0 {
		s = s[:i]
	}
	for _, sep := range []string{" per ", " by "} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	return strings.TrimRight(strings.TrimSpace(s), " |-:/,;")
}

// humanID writes a query id as words: "db_connections_ratio" -> "db connections ratio".
func humanID(id string) string { return strings.ReplaceAll(id, "_", " ") }

// namer knows the queries and the topology of one report.
type namer struct {
	queries map[string]queries.Query
	// workload maps "namespace/pod" to the pod's workload name.
	workload map[string]string
	// nodes maps a node's IP ("10.0.56.5") to its short name, for nodes
	// named after their IP (ip-10-0-56-5.ec2.internal).
	nodes map[string]string
}

func newNamer(r *incident.Report) *namer {
	n := &namer{queries: map[string]queries.Query{}, workload: map[string]string{}, nodes: map[string]string{}}
	if r.Bank != nil {
		for _, q := range r.Bank.Queries {
			n.queries[q.ID] = q
		}
	}
	for _, q := range r.Result.Queries {
		if q.Query.ID != "" {
			n.queries[q.Query.ID] = q.Query
		}
	}
	for _, s := range r.Result.Series {
		l := s.Labels
		if pod, wl := l["pod"], l["workload"]; pod != "" && wl != "" {
			n.workload[l["namespace"]+"/"+pod] = wl
		}
		if node := l["node"]; node != "" {
			short := shortNode(node)
			if ip, ok := strings.CutPrefix(short, "ip-"); ok && strings.Count(ip, "-") == 3 {
				n.nodes[strings.ReplaceAll(ip, "-", ".")] = short
			}
		}
	}
	return n
}

// short is the signal's short name.
func (n *namer) short(id string) string {
	if s, ok := shortNames[id]; ok {
		if q, known := n.queries[id]; !known || q.Title == "" || defaultTitle(id, q.Title) {
			return s
		}
	}
	if q, ok := n.queries[id]; ok && q.Title != "" {
		if s := shortTitle(q.Title); s != "" {
			return s
		}
	}
	return humanID(id)
}

// defaultTitle reports whether a query still carries the default bank's
// title (a user's bank may reuse an id for something else).
func defaultTitle(id, title string) bool {
	for _, q := range queries.DefaultBank().Queries {
		if q.ID == id {
			return q.Title == title
		}
	}
	return false
}

func (n *namer) kind(id string) queries.Kind {
	if q, ok := n.queries[id]; ok {
		return q.Kind
	}
	return queries.Gauge
}

func (n *namer) unit(id string) string { return n.queries[id].Unit }

// shortNode drops the domain of a node name: ip-10-0-56-5.ec2.internal -> ip-10-0-56-5.
func shortNode(node string) string {
	if i := strings.Index(node, "."); i > 0 && strings.HasSuffix(node, ".internal") {
		return node[:i]
	}
	return node
}

// identity label keys, most identifying first.
var refKeys = []string{"pod", "node", "ingress", "destination_workload", "workload", "job", "instance",
	"container", "nodepool", "exported_namespace", "namespace", "destination_workload_namespace"}

// qualifierKeys are shown in parentheses after the entity when present.
var qualifierKeys = []string{"reason", "message_type", "condition", "key", "node_action"}

// ref names an entity the way a person would: "pod mysql-0", "ingress
// qa-api in staging", "Deployment qa-api in staging", "node ip-10-0-56-5",
// "namespace staging". used lists labels already said elsewhere.
func (n *namer) ref(e map[string]string, used map[string]bool) string {
	if len(e) == 0 {
		return ""
	}
	ns := e["namespace"]
	if ns == "" {
		ns = e["exported_namespace"]
	}
	if ns == "" {
		ns = e["destination_workload_namespace"]
	}
	var s string
	main := ""
	for _, k := range refKeys {
		if v := e[k]; v != "" && !used[k] {
			main = k
			break
		}
	}
	switch main {
	case "pod":
		s = "pod " + e["pod"]
	case "node":
		s = "node " + shortNode(e["node"])
	case "ingress":
		s = "ingress " + e["ingress"]
	case "destination_workload":
		s = "workload " + e["destination_workload"]
	case "workload":
		t := e["workload_type"]
		if t == "" {
			t = "workload"
		}
		s = t + " " + e["workload"]
	case "job":
		s = "job " + e["job"]
	case "instance":
		host := e["instance"]
		if h, _, ok := strings.Cut(host, ":"); ok {
			host = h
		}
		if node, ok := n.nodes[host]; ok {
			s = "node " + node
		} else {
			s = "instance " + e["instance"]
		}
	case "container":
		s = "container " + e["container"]
	case "nodepool":
		s = "nodepool " + e["nodepool"]
	case "exported_namespace", "namespace", "destination_workload_namespace":
		s = "namespace " + ns
	default:
		// No well-known label: name the entity by its values.
		keys := make([]string, 0, len(e))
		for k := range e {
			if !used[k] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		vals := make([]string, 0, len(keys))
		for _, k := range keys {
			if !contains(qualifierKeys, k) {
				vals = append(vals, k+"="+e[k])
			}
		}
		s = strings.Join(vals, ", ")
	}
	switch main {
	case "ingress", "workload", "destination_workload", "job", "container":
		if ns != "" && !used["namespace"] {
			s += " in " + ns
		}
	}
	var quals []string
	for _, k := range qualifierKeys {
		if v := e[k]; v != "" && !used[k] {
			quals = append(quals, v)
		}
	}
	if len(quals) > 0 {
		s = strings.TrimSpace(s + " (" + strings.Join(quals, ", ") + ")")
	}
	return s
}

// grp describes the several series one change stands for: n of them, all
// pods when pods is set, of workload wl when they share one.
type grp struct {
	n    int
	wl   string
	pods bool
}

// refGroup is ref for a change that stands for a group of series: "4
// orders-api pods in store", "container api in store (2 orders-api pods)".
func (n *namer) refGroup(e map[string]string, used map[string]bool, g grp) string {
	r := n.ref(e, used)
	if g.n < 2 {
		return r
	}
	if g.pods && g.wl != "" {
		onlyNS := true
		for k := range e {
			onlyNS = onlyNS && k == "namespace"
		}
		for _, k := range []string{"job", "workload", "ingress", "namespace"} {
			if (e[k] == g.wl || (k == "namespace" && onlyNS)) && e["pod"] == "" {
				s := fmt.Sprintf("%d %s pods", g.n, g.wl)
				if ns := e["namespace"]; ns != "" {
					s += " in " + ns
				}
				return s
			}
		}
		return strings.TrimSpace(fmt.Sprintf("%s (%d %s pods)", r, g.n, g.wl))
	}
	if g.pods {
		return strings.TrimSpace(fmt.Sprintf("%s (%d pods)", r, g.n))
	}
	return strings.TrimSpace(fmt.Sprintf("%s (%d series)", r, g.n))
}

// tokens are the names that tie entities across signals: pods, their
// workloads, nodes (by name or IP), ingresses, jobs.
func (n *namer) tokens(e map[string]string) []string {
	var out []string
	add := func(v string) {
		if v != "" && !contains(out, v) {
			out = append(out, v)
		}
	}
	for _, k := range []string{"pod", "ingress", "workload", "destination_workload", "job"} {
		add(e[k])
	}
	if pod := e["pod"]; pod != "" {
		add(n.workload[e["namespace"]+"/"+pod])
	}
	if node := e["node"]; node != "" {
		add(shortNode(node))
	}
	if inst := e["instance"]; inst != "" {
		host, _, _ := strings.Cut(inst, ":")
		if node, ok := n.nodes[host]; ok {
			add(node)
		}
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// change is one change of one signal, in words.
type change struct {
	// Text says what happened, without time: "5xx ratio of ingress qa-api
	// in staging rose from 0.0% to 97.6%".
	Text string
	// For is how long it lasted ("for 2m"), or "".
	For string
	// Evidence is the short statistical note: "z=25", "1 event, none in the
	// baseline".
	Evidence string
	// Until is when it ended (zero when it lasted to the end of the window).
	Until time.Time
}

func (c change) full() string {
	if c.For == "" {
		return c.Text
	}
	return c.Text + " " + c.For
}

// subject is "<short> of <ref>", or the ref alone when the short name says nothing more.
func (n *namer) subject(id string, e map[string]string, g grp) string {
	r := n.refGroup(e, nil, g)
	sh := n.short(id)
	if r == "" {
		return sh
	}
	prep := " of "
	if strings.HasPrefix(r, "(") {
		prep = " "
	}
	if strings.HasPrefix(r, "namespace ") || strings.HasPrefix(r, "node ") {
		prep = " on "
		if strings.HasPrefix(r, "namespace ") {
			prep = " in "
		}
	}
	return sh + prep + r
}

// describeEvents: "3 container restarts on pod web-1".
func (n *namer) describeEvents(id string, e map[string]string, count float64, g grp) string {
	c := int(math.Round(count))
	if c < 1 {
		c = 1
	}
	sh := n.short(id)
	if _, ok := shortNames[id]; !ok || sh != shortNames[id] {
		// A user's title ("Database restarts") is already plural.
		r := n.refGroup(e, nil, g)
		s := sh
		if r != "" {
			s += " " + on(r)
		}
		return fmt.Sprintf("%s: %d event%s", s, c, map[bool]string{true: "s"}[c != 1])
	}
	noun := sh
	if c != 1 {
		noun = plural(sh)
	}
	r := n.refGroup(e, nil, g)
	s := fmt.Sprintf("%d %s", c, noun)
	if r != "" {
		s += " " + on(r)
	}
	return s
}

func plural(noun string) string {
	switch {
	case strings.HasSuffix(noun, "s"):
		return noun
	case strings.HasSuffix(noun, " not ready"), strings.HasSuffix(noun, " waiting"),
		strings.HasSuffix(noun, " unschedulable"), strings.HasSuffix(noun, " or lost"):
		// "pod not ready" -> "pods not ready"
		w, rest, _ := strings.Cut(noun, " ")
		return w + "s " + rest
	}
	return noun + "s"
}

// describeState: "node ip-10-0-56-5 tainted karpenter.sh/disrupted".
func (n *namer) describeState(id string, e map[string]string, g grp) string {
	words, ok := stateWords[id]
	if !ok || n.short(id) != shortNames[id] {
		return n.subject(id, e, g) + " started"
	}
	used := map[string]bool{}
	for k, v := range e {
		tag := "{" + k + "}"
		if strings.Contains(words, tag) {
			words = strings.ReplaceAll(words, tag, v)
			used[k] = true
		}
	}
	r := n.refGroup(e, used, g)
	if r == "" {
		return words
	}
	return r + " " + words
}

// describeGauge: "p99 latency of ingress orders-api in store spiked to 10s (normal 0.248s)".
func (n *namer) describeGauge(id string, e map[string]string, shape string, before, after float64, g grp) string {
	u := n.unit(id)
	b, a := value(before, u), value(after, u)
	var what string
	switch shape {
	case "spike":
		what = fmt.Sprintf("spiked to %s (normal %s)", a, b)
	case "dip":
		what = fmt.Sprintf("dipped to %s (normal %s)", a, b)
	case "drop-to-zero":
		what = fmt.Sprintf("dropped from %s to 0", b)
	case "rise-to-limit":
		what = fmt.Sprintf("rose to %s, its limit (normal %s)", a, b)
	case "appeared":
		what = "appeared at " + a
	case "vanished":
		what = "stopped reporting (last " + b + ")"
	case "flap":
		what = "flapped"
	default:
		verb := "rose"
		if after < before || shape == "step-down" {
			verb = "fell"
		}
		what = fmt.Sprintf("%s from %s to %s", verb, b, a)
	}
	return n.subject(id, e, g) + " " + what
}

// on puts "on" before a ref, unless it is only a parenthesis.
func on(ref string) string {
	if strings.HasPrefix(ref, "(") {
		return ref
	}
	return "on " + ref
}

// zText writes a robust z-score briefly.
func zText(z float64) string {
	if math.IsNaN(z) || math.IsInf(z, 0) || z == 0 {
		return ""
	}
	if math.Abs(z) >= 10 {
		return fmt.Sprintf("z=%.0f", math.Abs(z))
	}
	return fmt.Sprintf("z=%.1f", math.Abs(z))
}

// linkEvidence is the short evidence of a chain link: "+30s; r=0.86 at
// lag 30s, p=0.01; same entity; known cause".
func linkEvidence(l *correlate.Link) string {
	if l == nil {
		return ""
	}
	var parts []string
	switch {
	case l.Method == "xcorr" || (l.R != 0 && l.P > 0 && l.P < 0.05):
		s := fmt.Sprintf("r=%.2f", l.R)
		if l.XLag != 0 && l.XLag != l.Lag {
			s += " at lag " + lagText(l.XLag)
		}
		parts = append(parts, s+", "+pText(l.P))
	case l.Method == "event-response":
		parts = append(parts, "responds to the events")
	default:
		parts = append(parts, "onset order only")
	}
	if l.Topology {
		parts = append(parts, "tied by topology")
	}
	if l.Prior {
		parts = append(parts, "known cause in the bank")
	}
	return strings.Join(parts, "; ")
}

func pText(p float64) string {
	switch {
	case p <= 0:
		return "p n/a"
	case p < 0.001:
		return "p<0.001"
	case p < 0.01:
		return "p<0.01"
	}
	return fmt.Sprintf("p=%.2f", p)
}

// plusLag writes a lag as "+40s".
func plusLag(d time.Duration) string {
	if d < 0 {
		return lagText(d)
	}
	return "+" + lagText(d)
}

// capitalise upper-cases the first letter of s (names such as "p99" and
// "cAdvisor" are left alone).
func capitalise(s string) string {
	if s == "" {
		return s
	}
	first, rest := s[:1], s[1:]
	if len(rest) > 0 && rest[0] >= 'A' && rest[0] <= 'Z' {
		return s
	}
	if first == "p" && len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
		return s
	}
	return strings.ToUpper(first) + rest
}
