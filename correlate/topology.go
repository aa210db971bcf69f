package correlate

import (
	"sort"
	"strings"
)

// Entity kinds known to the topology. Labels naming the same kind of thing
// in different exporters map to one kind (deployment, statefulset and
// workload are all "workload").
var labelKinds = map[string]string{
	"namespace":          "namespace",
	"exported_namespace": "namespace",
	"pod":                "pod",
	"pod_name":           "pod",
	"exported_pod":       "pod",
	"container":          "container",
	"container_name":     "container",
	"node":               "node",
	"node_name":          "node",
	"kubernetes_node":    "node",
	"instance":           "instance",
	"deployment":         "workload",
	"statefulset":        "workload",
	"daemonset":          "workload",
	"workload":           "workload",
	"job_name":           "workload",
	"replicaset":         "replicaset",
	"created_by_name":    "owner",
	"owner_name":         "owner",
	"service":            "service",
	"service_name":       "service",
	"provider_id":        "provider",
}

// attributeLabels describe a series rather than name an entity; sharing one
// ("reason=CrashLoopBackOff") does not tie two entities together.
var attributeLabels = map[string]bool{
	"reason": true, "phase": true, "condition": true, "status": true, "le": true,
	"quantile": true, "code": true, "status_code": true, "method": true, "message_type": true,
	"type": true, "resource": true, "unit": true, "effect": true, "key": true, "value": true,
	"mode": true, "cpu": true, "device": true, "job": true, "result": true, "outcome": true,
	"path": true, "handler": true, "route": true, "uid": true, "image": true, "image_id": true,
	"container_id": true, "__name__": true, "le_bucket": true, "state": true, "action": true,
	"workload_kind": true, "owner_kind": true, "created_by_kind": true, "owner_is_controller": true,
	"capacity_type": true, "nodepool": true, "zone": true, "instance_type": true, "host_ip": true,
	"pod_ip": true, "internal_ip": true, "priority_class": true, "host_network": true,
	"kubelet_version": true, "severity": true, "alertname": true, "name": true, "id": true,
	"exporter": true, "source": true, "pool": true, "workload_type": true, "node_action": true, "node_status": true,
}

// specificity orders kinds from the most specific (the centre of a label
// set) to the least.
func specificity(kind string) int {
	switch kind {
	case "container":
		return 6
	case "pod":
		return 5
	case "instance":
		return 3
	case "namespace":
		return 0
	case "node", "workload", "replicaset", "owner", "service", "provider":
		return 2
	}
	return 2
}

// namespaced kinds are scoped by the namespace of their label set.
func namespaced(kind string) bool {
	switch kind {
	case "node", "instance", "namespace", "provider":
		return false
	}
	return true
}

type atom struct {
	id   int
	kind string
}

// topology is an undirected graph of entity atoms ("node=n1",
// "pod=shop/web-1"). Each label set links its most specific atom to the
// others (a star), so a node is one hop from its pods and two from their
// workloads, but not from the other pods of those workloads.
type topology struct {
	ids     map[string]int
	names   []string
	kinds   []string
	adj     [][]int
	known   map[string]bool // extra entity label names from the bank
	edgeSet map[[2]int]bool
}

func newTopology(entityKeys map[string]bool) *topology {
	return &topology{ids: map[string]int{}, known: entityKeys, edgeSet: map[[2]int]bool{}}
}

func (tp *topology) kindOf(label string) (string, bool) {
	if k, ok := labelKinds[label]; ok {
		return k, true
	}
	if attributeLabels[label] || strings.HasPrefix(label, "__") || strings.HasPrefix(label, "label_") {
		return "", false
	}
	if tp.known[label] {
		return label, true
	}
	return "", false
}

func (tp *topology) intern(name, kind string) int {
	if id, ok := tp.ids[name]; ok {
		return id
	}
	id := len(tp.names)
	tp.ids[name] = id
	tp.names = append(tp.names, name)
	tp.kinds = append(tp.kinds, kind)
	tp.adj = append(tp.adj, nil)
	return id
}

// atoms returns the entity atoms of a label set, interning new ones when add
// is true (otherwise unknown atoms are skipped). The result is sorted by id.
func (tp *topology) atoms(labels map[string]string, add bool) []atom {
	if len(labels) == 0 {
		return nil
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ns := ""
	for _, k := range keys {
		if kind, ok := tp.kindOf(k); ok && kind == "namespace" && labels[k] != "" {
			ns = labels[k]
			break
		}
	}
	pod := ""
	for _, k := range keys {
		if kind, ok := tp.kindOf(k); ok && kind == "pod" && labels[k] != "" {
			pod = labels[k]
			break
		}
	}
	var out []atom
	for _, k := range keys {
		v := labels[k]
		kind, ok := tp.kindOf(k)
		if !ok || v == "" {
			continue
		}
		var name string
		switch {
		case kind == "container" && pod != "":
			name = kind + "=" + ns + "/" + pod + "/" + v
		case namespaced(kind) && ns != "":
			name = kind + "=" + ns + "/" + v
		default:
			name = kind + "=" + v
		}
		id, ok := tp.ids[name]
		if !ok {
			if !add {
				continue
			}
			id = tp.intern(name, kind)
		}
		dup := false
		for _, a := range out {
			if a.id == id {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, atom{id: id, kind: kind})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// add links the atoms of one label set: its most specific atom to the rest.
func (tp *topology) add(labels map[string]string) {
	as := tp.atoms(labels, true)
	if len(as) < 2 {
		return
	}
	c := 0
	for i, a := range as {
		sa, sc := specificity(a.kind), specificity(as[c].kind)
		if sa > sc || (sa == sc && tp.names[a.id] < tp.names[as[c].id]) {
			c = i
		}
	}
	for i, a := range as {
		if i == c {
			continue
		}
		tp.link(as[c].id, a.id)
	}
}

func (tp *topology) link(a, b int) {
	k := [2]int{min(a, b), max(a, b)}
	if tp.edgeSet[k] {
		return
	}
	tp.edgeSet[k] = true
	tp.adj[a] = append(tp.adj[a], b)
	tp.adj[b] = append(tp.adj[b], a)
}

// finish sorts adjacency lists so that walks are deterministic.
func (tp *topology) finish() {
	for _, l := range tp.adj {
		sort.Ints(l)
	}
	tp.edgeSet = nil
}

// reach returns, for a set of atoms, every atom within two hops and its
// distance. Namespaces end a walk (they would tie everything together).
func (tp *topology) reach(as []atom) map[int]int {
	dist := make(map[int]int, 8)
	frontier := make([]int, 0, len(as))
	for _, a := range as {
		if _, ok := dist[a.id]; !ok {
			dist[a.id] = 0
			frontier = append(frontier, a.id)
		}
	}
	for depth := 1; depth <= 2; depth++ {
		var next []int
		for _, u := range frontier {
			if tp.kinds[u] == "namespace" {
				continue
			}
			for _, v := range tp.adj[u] {
				if _, ok := dist[v]; !ok {
					dist[v] = depth
					next = append(next, v)
				}
			}
		}
		frontier = next
	}
	return dist
}

// tie scores how closely two entities are related: 1 for a shared entity
// (same pod, same instance), 0.8 one hop apart (pod on node), 0.5 two hops
// (node -> pod -> workload), 0.25 when only a namespace is shared.
func (tp *topology) tie(reachA map[int]int, atomsB []atom) float64 {
	best := 0.0
	for _, b := range atomsB {
		d, ok := reachA[b.id]
		if !ok {
			continue
		}
		var w float64
		switch {
		case tp.kinds[b.id] == "namespace":
			if d == 0 {
				w = 0.25
			}
		case d == 0:
			w = 1
		case d == 1:
			w = 0.8
		default:
			w = 0.5
		}
		if w > best {
			best = w
		}
	}
	return best
}

// parent names the workload (or owner) of a pod-level entity, the key under
// which its siblings are collapsed. It returns -1 when there is none.
func (tp *topology) parent(as []atom) int {
	pod := -1
	for _, a := range as {
		if a.kind == "pod" {
			pod = a.id
			break
		}
		if a.kind == "container" && pod < 0 {
			for _, v := range tp.adj[a.id] {
				if tp.kinds[v] == "pod" {
					pod = v
					break
				}
			}
		}
	}
	if pod < 0 {
		return -1
	}
	best, bestRank := -1, -1
	for _, v := range tp.adj[pod] {
		r := -1
		switch tp.kinds[v] {
		case "workload":
			r = 3
		case "owner":
			r = 2
		case "replicaset":
			r = 1
		}
		if r > bestRank || (r == bestRank && r >= 0 && tp.names[v] < tp.names[best]) {
			best, bestRank = v, r
		}
	}
	if bestRank < 0 {
		return -1
	}
	return best
}

// shortName is the value part of an atom name ("web" for "workload=shop/web").
func (tp *topology) shortName(id int) string {
	n := tp.names[id]
	if i := strings.IndexByte(n, '='); i >= 0 {
		n = n[i+1:]
	}
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	return n
}
