package scenarios

import (
	"math"
	"sort"
	"strconv"
)

const (
	jobKSM       = "kube-state-metrics"
	jobKubelet   = "kubelet"
	jobNode      = "node-exporter"
	jobKarpenter = "karpenter"
	jobNTH       = "aws-node-termination-handler"
	jobIngress   = "ingress-nginx-controller"
)

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// scrape emits what every exporter exposes at this tick.
func (s *sim) scrape() {
	ksm := []string{"instance", s.ksmInstance}
	for _, n := range s.nodes {
		if n.gone {
			continue
		}
		s.scrapeNode(n, ksm)
	}
	for _, w := range s.wls {
		s.scrapeWorkload(w, ksm)
	}
	for _, d := range s.dbs {
		s.scrapeDB(d)
	}
	for _, ing := range s.ings {
		s.scrapeIngress(ing)
	}
	s.scrapeKarpenter()
}

func (s *sim) scrapeNode(n *node, ksm []string) {
	kl := append([]string{"node", n.name}, ksm...)
	s.emit(jobKSM, Gauge, "kube_node_info", 1, append([]string{
		"provider_id", "aws:///" + n.zone + "/" + n.instanceID, "internal_ip", n.ip,
		"kubelet_version", "v1.33.5-eks-113cf36", "kernel_version", "6.1.155-176.267.amzn2023.x86_64",
		"os_image", "Amazon Linux 2023.9.20251014", "container_runtime_version", "containerd://1.7.27",
		"system_uuid", "ec2" + n.instanceID[2:10]}, kl...)...)
	s.emit(jobKSM, Gauge, "kube_node_created", float64(n.createdAt/1000), kl...)
	for _, c := range []struct {
		name string
		val  bool
	}{{"Ready", n.ready}, {"MemoryPressure", n.memPressure}, {"DiskPressure", false}, {"PIDPressure", false}} {
		for _, st := range []string{"true", "false", "unknown"} {
			v := 0.0
			if (st == "true" && c.val) || (st == "false" && !c.val) {
				v = 1
			}
			s.emit(jobKSM, Gauge, "kube_node_status_condition", v, append([]string{"condition", c.name, "status", st}, kl...)...)
		}
	}
	s.emit(jobKSM, Gauge, "kube_node_labels", 1, append([]string{
		"label_karpenter_sh_capacity_type", n.capType, "label_karpenter_sh_nodepool", n.pool,
		"label_node_kubernetes_io_instance_type", n.instType, "label_topology_kubernetes_io_zone", n.zone}, kl...)...)
	if n.tainted != "" {
		s.emit(jobKSM, Gauge, "kube_node_spec_taint", 1, append([]string{"key", n.tainted, "value", "", "effect", "NoSchedule"}, kl...)...)
	}
	// Karpenter's view of the node.
	kp := []string{"node_name", n.name, "nodepool", n.pool, "capacity_type", n.capType, "instance_type", n.instType,
		"zone", n.zone, "region", "us-east-1", "arch", "amd64", "os", "linux", "instance", "10.0.0.40:8080"}
	phase := "Running"
	if !n.ready {
		phase = "Pending"
	}
	kp = append(kp, "phase", phase)
	s.emit(jobKarpenter, Gauge, "karpenter_nodes_allocatable", math.Floor(n.memBytes*0.92), append([]string{"resource_type", "memory"}, kp...)...)
	s.emit(jobKarpenter, Gauge, "karpenter_nodes_allocatable", 3.92, append([]string{"resource_type", "cpu"}, kp...)...)
	s.emit(jobKarpenter, Gauge, "karpenter_nodes_allocatable", 58, append([]string{"resource_type", "pods"}, kp...)...)
	// node_exporter on the node, by instance.
	ni := []string{"instance", n.ip + ":9100"}
	s.emit(jobNode, Untyped, "node_vmstat_oom_kill", n.oomKills, ni...)
	used := n.sysMem
	for _, w := range s.wls {
		for _, p := range w.pods {
			if p.node == n && !p.deleted && !p.evicted {
				used += p.mem
			}
		}
	}
	s.emit(jobNode, Gauge, "node_memory_MemTotal_bytes", n.memBytes, ni...)
	s.emit(jobNode, Gauge, "node_memory_MemAvailable_bytes", math.Max(50*mib, math.Round(n.memBytes-used*1.05)), ni...)
}

func (s *sim) scrapeWorkload(w *workload, ksm []string) {
	wl := append([]string{"namespace", w.ns}, ksm...)
	ready := w.readyCount()
	if w.kind == "Deployment" {
		d := append([]string{"deployment", w.name}, wl...)
		s.emit(jobKSM, Gauge, "kube_deployment_spec_replicas", float64(w.replicas), d...)
		live := len(s.live(w))
		s.emit(jobKSM, Gauge, "kube_deployment_status_replicas", float64(live), d...)
		s.emit(jobKSM, Gauge, "kube_deployment_status_replicas_available", float64(ready), d...)
		s.emit(jobKSM, Gauge, "kube_deployment_status_replicas_unavailable", float64(max(0, w.replicas-ready)), d...)
		for _, h := range w.rsHashes {
			s.emit(jobKSM, Gauge, "kube_replicaset_owner", 1, append([]string{"replicaset", w.name + "-" + h,
				"owner_kind", "Deployment", "owner_name", w.name, "owner_is_controller", "true"}, wl...)...)
		}
	} else {
		st := append([]string{"statefulset", w.name}, wl...)
		s.emit(jobKSM, Gauge, "kube_statefulset_replicas", float64(w.replicas), st...)
		s.emit(jobKSM, Gauge, "kube_statefulset_status_replicas_ready", float64(ready), st...)
	}
	for _, p := range w.pods {
		if !p.deleted {
			s.scrapePod(p, wl)
		}
	}
}

func (s *sim) scrapePod(p *pod, wl []string) {
	w := p.wl
	pl := append([]string{"pod", p.name, "uid", p.uid}, wl...)
	nodeName, hostIP := "", ""
	if p.node != nil {
		nodeName, hostIP = p.node.name, p.node.ip
	}
	ownerKind, ownerName := "StatefulSet", w.name
	if w.kind == "Deployment" {
		ownerKind, ownerName = "ReplicaSet", w.name+"-"+p.hash
	}
	s.emit(jobKSM, Gauge, "kube_pod_info", 1, append([]string{"node", nodeName, "host_ip", hostIP, "pod_ip", p.ip,
		"created_by_kind", ownerKind, "created_by_name", ownerName, "priority_class", "", "host_network", "false"}, pl...)...)
	s.emit(jobKSM, Gauge, "kube_pod_owner", 1, append([]string{"owner_kind", ownerKind, "owner_name", ownerName, "owner_is_controller", "true"}, pl...)...)
	s.emit(jobKSM, Gauge, "kube_pod_created", float64(p.createdAt/1000), pl...)
	for _, ph := range []string{"Pending", "Running", "Succeeded", "Failed", "Unknown"} {
		s.emit(jobKSM, Gauge, "kube_pod_status_phase", b2f(p.phase == ph), append([]string{"phase", ph}, pl...)...)
	}
	for _, c := range []string{"true", "false", "unknown"} {
		v := 0.0
		if (c == "true" && p.ready) || (c == "false" && !p.ready) {
			v = 1
		}
		s.emit(jobKSM, Gauge, "kube_pod_status_ready", v, append([]string{"condition", c}, pl...)...)
	}
	if p.evicted {
		s.emit(jobKSM, Gauge, "kube_pod_status_reason", 1, append([]string{"reason", "Evicted"}, pl...)...)
		return
	}
	cl := append([]string{"container", w.container}, pl...)
	s.emit(jobKSM, Counter, "kube_pod_container_status_restarts_total", p.restarts, cl...)
	if w.memLimit > 0 && p.node != nil {
		s.emit(jobKSM, Gauge, "kube_pod_container_resource_limits", w.memLimit, append([]string{"node", p.node.name, "resource", "memory", "unit", "byte"}, cl...)...)
	}
	if p.lastTerm != "" {
		s.emit(jobKSM, Gauge, "kube_pod_container_status_last_terminated_reason", 1, append([]string{"reason", p.lastTerm}, cl...)...)
	}
	if p.waitingR != "" {
		s.emit(jobKSM, Gauge, "kube_pod_container_status_waiting_reason", 1, append([]string{"reason", p.waitingR}, cl...)...)
	}
	if p.node == nil || p.mem <= 0 {
		return
	}
	// cAdvisor via the kubelet: the container and its pod cgroup.
	kube := []string{"instance", p.node.ip + ":10250", "metrics_path", "/metrics/cadvisor", "node", p.node.name,
		"namespace", w.ns, "pod", p.name}
	cg := "/kubepods/burstable/pod" + p.uid
	image := "123456789012.dkr.ecr.us-east-1.amazonaws.com/" + w.name + ":" + w.tag
	if w.app == "mysql" || w.app == "postgres" || w.app == "redis" {
		image = "docker.io/library/" + w.app + ":" + w.tag
	}
	s.emit(jobKubelet, Gauge, "container_memory_working_set_bytes", math.Round(p.mem), append([]string{"container", w.container,
		"id", cg + "/" + p.containerID, "image", image, "name", p.containerID}, kube...)...)
	s.emit(jobKubelet, Gauge, "container_memory_working_set_bytes", math.Round(p.mem+2.5*mib), append([]string{"container", "",
		"id", cg, "image", "", "name", ""}, kube...)...)
	if p.ready {
		s.scrapeApp(p)
	}
}

// scrapeApp emits the pool metrics of an application pod.
func (s *sim) scrapeApp(p *pod) {
	w := p.wl
	if w.db == nil || w.poolMax == 0 {
		return
	}
	al := []string{"instance", p.ip + ":8080", "namespace", w.ns, "pod", p.name}
	job := w.name
	switch w.app {
	case "java":
		pl := append([]string{"pool", "HikariPool-1", "application", w.name}, al...)
		s.emit(job, Gauge, "hikaricp_connections_active", p.active, pl...)
		s.emit(job, Gauge, "hikaricp_connections_idle", p.idle, pl...)
		s.emit(job, Gauge, "hikaricp_connections_pending", p.pending, pl...)
		s.emit(job, Gauge, "hikaricp_connections_max", float64(w.poolMax), pl...)
		s.emit(job, Gauge, "hikaricp_connections", p.active+p.idle, pl...)
	case "go":
		pl := append([]string{"db_name", w.db.name}, al...)
		s.emit(job, Gauge, "go_sql_max_open_connections", float64(w.poolMax), pl...)
		s.emit(job, Gauge, "go_sql_open_connections", p.active+p.idle, pl...)
		s.emit(job, Gauge, "go_sql_in_use_connections", p.active, pl...)
		s.emit(job, Gauge, "go_sql_idle_connections", p.idle, pl...)
		s.emit(job, Counter, "go_sql_wait_count_total", math.Round(p.waitCount), pl...)
		s.emit(job, Counter, "go_sql_wait_duration_seconds_total", p.waitSeconds, pl...)
	case "rails":
		pl := append([]string{"pool_name", "primary", "hostname", p.name, "pid", "1"}, al...)
		s.emit(job, Gauge, "ruby_active_record_connection_pool_size", float64(w.poolMax), pl...)
		s.emit(job, Gauge, "ruby_active_record_connection_pool_connections", p.active+p.idle, pl...)
		s.emit(job, Gauge, "ruby_active_record_connection_pool_busy", p.active, pl...)
		s.emit(job, Gauge, "ruby_active_record_connection_pool_idle", p.idle, pl...)
		s.emit(job, Gauge, "ruby_active_record_connection_pool_waiting", p.pending, pl...)
		s.emit(job, Gauge, "ruby_active_record_connection_pool_dead", 0, pl...)
	}
}

func (s *sim) dbConns(d *database) float64 {
	var c float64
	for _, w := range s.wls {
		if w.db == d || w.cache == d {
			for _, p := range w.pods {
				if !p.deleted && !p.evicted && p.ready {
					if w.cache == d {
						c += 4
					} else {
						c += p.active + p.idle
					}
				}
			}
		}
	}
	return c + 5
}

// job is the scrape job of the database's exporter.
func (d *database) job() string {
	if d.engine == "mysql" {
		return "mysqld-exporter"
	}
	return d.engine + "-exporter"
}

func (s *sim) scrapeDB(d *database) {
	var dbPod *pod
	for _, p := range d.wl.pods {
		if !p.deleted && !p.evicted && p.node != nil {
			dbPod = p
		}
	}
	if dbPod == nil {
		return
	}
	job := d.job()
	l := []string{"instance", dbPod.ip + ":" + map[string]string{"mysql": "9104", "postgres": "9187", "redis": "9121"}[d.engine],
		"namespace", d.ns, "pod", dbPod.name}
	up := b2f(d.up)
	uptime := math.Max(0, math.Floor(float64(s.now-d.startedAt)/1000))
	conns := s.dbConns(d)
	if !d.up {
		conns = 0
	}
	conns = math.Min(conns, d.maxConn)
	switch d.engine {
	case "mysql":
		s.emit(job, Gauge, "mysql_up", up, l...)
		if d.up {
			s.emit(job, Untyped, "mysql_global_status_uptime", uptime, l...)
			s.emit(job, Untyped, "mysql_global_status_threads_connected", conns, l...)
			s.emit(job, Gauge, "mysql_global_variables_max_connections", d.maxConn, l...)
		}
	case "postgres":
		s.emit(job, Gauge, "pg_up", up, l...)
		if d.up {
			s.emit(job, Gauge, "pg_postmaster_start_time_seconds", float64(d.startedAt/1000), l...)
			s.emit(job, Gauge, "pg_settings_max_connections", d.maxConn, append([]string{"server", d.pod + ":5432"}, l...)...)
			var active float64
			for _, w := range s.wls {
				if w.db == d {
					for _, p := range w.pods {
						if !p.deleted && !p.evicted && p.ready {
							active += p.active
						}
					}
				}
			}
			active = math.Min(active, conns)
			for _, st := range []struct {
				state string
				v     float64
			}{{"active", active}, {"idle", conns - active - 1}, {"idle in transaction", 1}, {"disabled", 0}} {
				s.emit(job, Gauge, "pg_stat_activity_count", math.Max(0, st.v), append([]string{"datname", d.name, "state", st.state,
					"server", d.pod + ":5432"}, l...)...)
			}
		}
	case "redis":
		s.emit(job, Gauge, "redis_up", up, l...)
		if d.up {
			s.emit(job, Gauge, "redis_uptime_in_seconds", uptime, l...)
			s.emit(job, Gauge, "redis_start_time_seconds", float64(d.startedAt/1000)+float64(s.rng.IntN(2)), l...)
			s.emit(job, Gauge, "redis_connected_clients", conns, l...)
			s.emit(job, Gauge, "redis_max_clients", d.maxConn, l...)
			s.emit(job, Counter, "redis_keyspace_hits_total", math.Round(d.hits), l...)
			s.emit(job, Counter, "redis_keyspace_misses_total", math.Round(d.misses), l...)
		}
	}
}

var statusOrder = []string{"200", "304", "404", "499", "500", "502", "503", "504"}

// scrapeIngress updates and emits the ingress-nginx counters of one Ingress.
func (s *sim) scrapeIngress(ing *ingress) {
	b := ing.backend
	rps := ing.baseRPS * ing.mult * daily(s.now) * s.noise(0.04)
	total := s.poisson(rps * 15)
	errFrac := math.Min(1, b.errFrac+0.0005)
	shares := map[string]float64{"304": 0.03, "404": 0.01 + ing.notFound, "499": 0.002}
	if b.errFrac >= 1 {
		shares["503"] = 1
	} else {
		shares["502"] = errFrac * 0.2
		shares["503"] = errFrac * 0.1
		if b.waiting > 0 {
			shares["504"] = errFrac * 0.4
			shares["500"] = errFrac * 0.3
		} else {
			shares["500"] = errFrac * 0.7
		}
	}
	var rest float64
	for _, v := range shares {
		rest += v
	}
	shares["200"] = math.Max(0, 1-rest)
	median := 0.045 * b.latFactor
	lbl := []string{"instance", s.ingressIP + ":10254", "controller_class", "k8s.io/ingress-nginx", "controller_namespace", "ingress-nginx",
		"controller_pod", s.ingressPod, "namespace", ing.ns, "ingress", ing.name, "service", ing.service, "host", ing.host,
		"path", ing.path, "method", "GET", "canary", ""}
	for _, st := range statusOrder {
		n := s.poisson(total * shares[st])
		ing.counts[st] += n
		if ing.counts[st] == 0 {
			continue
		}
		sl := append([]string{"status", st}, lbl...)
		s.emit(jobIngress, Counter, "nginx_ingress_controller_requests", ing.counts[st], sl...)
		// Latency histogram of this status.
		m, sigma := median, 0.7
		switch st {
		case "503", "502":
			m, sigma = 0.002, 0.5
		case "504":
			m, sigma = 30, 0.2
		case "499":
			m = median * 10
		}
		bk := ing.buckets[st]
		if bk == nil {
			bk = make([]float64, len(buckets)+1)
			ing.buckets[st] = bk
		}
		for i, le := range buckets {
			bk[i] += math.Round(n * lognormCDF(le, m, sigma))
		}
		bk[len(buckets)] += n
		ing.sums[st] += n * m * math.Exp(sigma*sigma/2)
		for i := range bk {
			le := "+Inf"
			if i < len(buckets) {
				le = ftoa(buckets[i])
			}
			s.emit(jobIngress, Histogram, "nginx_ingress_controller_request_duration_seconds_bucket", bk[i], append([]string{"le", le}, sl...)...)
		}
		s.emit(jobIngress, Histogram, "nginx_ingress_controller_request_duration_seconds_sum", ing.sums[st], sl...)
		s.emit(jobIngress, Histogram, "nginx_ingress_controller_request_duration_seconds_count", bk[len(buckets)], sl...)
	}
}

func lognormCDF(x, median, sigma float64) float64 {
	return 0.5 * math.Erfc(-(math.Log(x)-math.Log(median))/(sigma*math.Sqrt2))
}

func (s *sim) scrapeKarpenter() {
	kl := []string{"instance", "10.0.0.40:8080"}
	for _, mt := range sortedKeys(s.karpenterInterrupts) {
		s.emit(jobKarpenter, Counter, "karpenter_interruption_received_messages_total", s.karpenterInterrupts[mt], append([]string{"message_type", mt}, kl...)...)
	}
	keys := make([][3]string, 0, len(s.karpenterDisrupted))
	for k := range s.karpenterDisrupted {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1]+keys[i][2] < keys[j][0]+keys[j][1]+keys[j][2] })
	for _, k := range keys {
		s.emit(jobKarpenter, Counter, "karpenter_nodeclaims_disrupted_total", s.karpenterDisrupted[k],
			append([]string{"reason", k[0], "nodepool", k[1], "capacity_type", k[2]}, kl...)...)
	}
	if s.useNTH {
		keys = keys[:0]
		for k := range s.nthActions {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1]+keys[i][2] < keys[j][0]+keys[j][1]+keys[j][2] })
		for _, k := range keys {
			s.emit(jobNTH, Counter, "actions_node_total", s.nthActions[k], "node_action", k[0], "node_name", k[1], "node_event_id", k[2],
				"node_status", "success", "otel_scope_name", "aws.node.termination.handler", "instance", "10.0.0.41:9092")
		}
	}
}

func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
