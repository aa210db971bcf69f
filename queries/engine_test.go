package queries

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/storage"
)

// This file runs every query of the default bank through the real PromQL
// engine over synthetic series that carry the real exporter names and labels
// of METRICS.md, at several steps.

const scrape = 30 * time.Second

// incidentMinutes is how long the synthetic data runs.
const incidentMinutes = 150

// series is one synthetic series: at minute m it has value v, or nothing.
type series struct {
	desc string
	at   func(m float64) (v float64, ok bool)
}

// always gives a constant.
func always(v float64) func(float64) (float64, bool) {
	return func(float64) (float64, bool) { return v, true }
}

// between is v inside [from, to) and absent elsewhere.
func between(from, to, v float64) func(float64) (float64, bool) {
	return func(m float64) (float64, bool) { return v, m >= from && m < to }
}

// level is base, and v inside [from, to).
func level(base, from, to, v float64) func(float64) (float64, bool) {
	return func(m float64) (float64, bool) {
		if m >= from && m < to {
			return v, true
		}
		return base, true
	}
}

// steps is a counter: start, plus one at each of the given minutes; absent
// before born (born < 0: always present).
func steps(born, start float64, at ...float64) func(float64) (float64, bool) {
	return func(m float64) (float64, bool) {
		if born >= 0 && m < born {
			return 0, false
		}
		v := start
		for _, a := range at {
			if m >= a {
				v++
			}
		}
		return v, true
	}
}

// rateCounter grows by perSec each second, and by spikePerSec more inside
// [from, to).
func rateCounter(perSec, from, to, spikePerSec float64) func(float64) (float64, bool) {
	return func(m float64) (float64, bool) {
		v := perSec * m * 60
		if m > from {
			v += spikePerSec * (min(m, to) - from) * 60
		}
		return v, true
	}
}

const (
	ksm1 = `job="kube-state-metrics",instance="10.0.0.1:8080"`
	ksm2 = `job="kube-state-metrics",instance="10.0.0.2:8080"`
)

// ksm returns the series twice, as two HA kube-state-metrics replicas
// expose it.
func ksm(metric, lbls string, at func(float64) (float64, bool)) []series {
	return []series{
		{fmt.Sprintf("%s{%s,%s}", metric, lbls, ksm1), at},
		{fmt.Sprintf("%s{%s,%s}", metric, lbls, ksm2), at},
	}
}

// incidentSeries is the synthetic cluster: a spot node n1 interrupted at
// 93-100m, an OOMKill of web/api-1 at 105m, a MySQL restart at 110-112m,
// connection pile-up at 108-111m, 5xx at 110-115m.
func incidentSeries() []series {
	var s []series
	add := func(desc string, at func(float64) (float64, bool)) { s = append(s, series{desc, at}) }

	// pods
	s = append(s, ksm("kube_pod_status_phase", `namespace="web",pod="api-1",uid="u1",phase="Running"`, always(1))...)
	s = append(s, ksm("kube_pod_status_phase", `namespace="web",pod="api-2",uid="u2",phase="Running"`, always(1))...)
	s = append(s, ksm("kube_pod_status_phase", `namespace="web",pod="api-2",uid="u2",phase="Pending"`, always(0))...)
	s = append(s, ksm("kube_pod_status_ready", `namespace="web",pod="api-2",uid="u2",condition="false"`, level(0, 110, 120, 1))...)
	s = append(s, ksm("kube_pod_status_ready", `namespace="web",pod="api-2",uid="u2",condition="true"`, level(1, 110, 120, 0))...)
	s = append(s, ksm("kube_deployment_spec_replicas", `namespace="web",deployment="api"`, always(3))...)
	s = append(s, ksm("kube_deployment_status_replicas_available", `namespace="web",deployment="api"`, level(3, 110, 120, 2))...)
	s = append(s, ksm("kube_statefulset_replicas", `namespace="data",statefulset="mysql"`, always(1))...)
	s = append(s, ksm("kube_statefulset_status_replicas_ready", `namespace="data",statefulset="mysql"`, level(1, 110, 113, 0))...)
	s = append(s, ksm("kube_daemonset_status_number_unavailable", `namespace="kube-system",daemonset="node-exporter"`, level(0, 96, 100, 1))...)
	s = append(s, ksm("kube_pod_container_status_restarts_total", `namespace="web",pod="api-1",uid="u1",container="app"`, steps(-1, 0, 105, 118))...)
	// Born at 1: the new mysql-0 pod's container shows up having restarted once.
	s = append(s, ksm("kube_pod_container_status_restarts_total", `namespace="data",pod="mysql-0",uid="u9",container="mysql"`, steps(111.5, 1))...)
	s = append(s, ksm("kube_pod_container_info", `namespace="data",pod="mysql-0",uid="u9",container="mysql",image="docker.io/library/mysql:8.0"`, between(111.5, 200, 1))...)
	s = append(s, ksm("kube_pod_container_status_waiting_reason", `namespace="web",pod="api-1",uid="u1",container="app",reason="CrashLoopBackOff"`, between(106, 110, 1))...)
	s = append(s, ksm("kube_pod_status_reason", `namespace="web",pod="worker-x",uid="u5",reason="Evicted"`, between(114, 200, 1))...)
	s = append(s, ksm("kube_pod_status_unschedulable", `namespace="web",pod="api-4",uid="u4"`, between(115, 125, 1))...)

	// nodes
	s = append(s, ksm("kube_node_info", `node="n1",provider_id="aws:///us-east-1a/i-1"`, between(0, 100, 1))...)
	s = append(s, ksm("kube_node_info", `node="n2",provider_id="aws:///us-east-1a/i-2"`, always(1))...)
	s = append(s, ksm("kube_node_info", `node="n3",provider_id="aws:///us-east-1b/i-3"`, between(103, 200, 1))...)
	s = append(s, ksm("kube_node_status_condition", `node="n1",condition="Ready",status="true"`, func(m float64) (float64, bool) {
		return map[bool]float64{true: 0, false: 1}[m >= 97], m < 100
	})...)
	s = append(s, ksm("kube_node_status_condition", `node="n1",condition="Ready",status="unknown"`, func(m float64) (float64, bool) {
		return map[bool]float64{true: 1, false: 0}[m >= 97], m < 100
	})...)
	s = append(s, ksm("kube_node_status_condition", `node="n2",condition="Ready",status="true"`, always(1))...)
	s = append(s, ksm("kube_node_status_condition", `node="n2",condition="MemoryPressure",status="true"`, level(0, 108, 112, 1))...)
	s = append(s, ksm("kube_node_spec_taint", `node="n1",key="karpenter.sh/disrupted",effect="NoSchedule"`, between(96, 100, 1))...)
	s = append(s, ksm("kube_node_spec_taint", `node="n2",key="dedicated",effect="NoSchedule"`, always(1))...)
	const karp = `job="karpenter",instance="10.0.1.5:8080"`
	add(`karpenter_interruption_received_messages_total{`+karp+`,message_type="rebalance_recommendation"}`, steps(93, 1, 94))
	add(`karpenter_interruption_received_messages_total{`+karp+`,message_type="spot_interrupted"}`, steps(95, 1))
	add(`karpenter_nodeclaims_disrupted_total{`+karp+`,reason="spot_interrupted",nodepool="default",capacity_type="spot"}`, steps(96, 1))
	add(`actions_node_total{job="nth",instance="10.0.1.7:9092",node_name="n1",node_action="cordon-and-drain",node_status="success",node_event_id="spot-itn-1",otel_scope_name="aws.node.termination.handler"}`, steps(96.5, 1))
	add(`cluster_autoscaler_scaled_down_nodes_total{job="cluster-autoscaler",instance="10.0.1.9:8085",reason="underutilized"}`, steps(-1, 0, 125))

	// oom
	s = append(s, ksm("kube_pod_container_status_last_terminated_reason", `namespace="web",pod="api-1",uid="u1",container="app",reason="OOMKilled"`, between(105, 118, 1))...)
	s = append(s, ksm("kube_pod_container_status_last_terminated_reason", `namespace="web",pod="api-1",uid="u1",container="app",reason="Error"`, between(118, 200, 1))...)
	const cadv = `job="kubelet",metrics_path="/metrics/cadvisor",namespace="web",pod="api-1",container="app",image="registry/api:1",id="/kubepods/burstable/pod-u1/c1"`
	add(`container_oom_events_total{`+cadv+`}`, steps(-1, 0, 104.5))
	add(`node_vmstat_oom_kill{job="node-exporter",instance="n2"}`, steps(-1, 0, 105))

	// memory
	mib := float64(1 << 20)
	add(`container_memory_working_set_bytes{`+cadv+`}`, func(m float64) (float64, bool) {
		if m < 90 || m >= 105 {
			return 200 * mib, true
		}
		return 200*mib + (m-90)/15*310*mib, true
	})
	add(`container_memory_working_set_bytes{job="kubelet",metrics_path="/metrics/cadvisor",namespace="web",pod="api-1",container="",image="",id="/kubepods/burstable/pod-u1"}`, always(900*mib))
	s = append(s, ksm("kube_pod_container_resource_limits", `namespace="web",pod="api-1",uid="u1",container="app",node="n2",resource="memory",unit="byte"`, always(512*mib))...)
	add(`node_memory_MemAvailable_bytes{job="node-exporter",instance="n2"}`, level(8e9, 100, 106, 5e8))
	add(`node_memory_MemTotal_bytes{job="node-exporter",instance="n2"}`, always(16e9))

	// database
	const my = `job="mysql",instance="mysql-exporter:9104"`
	add(`mysql_up{`+my+`}`, level(1, 110, 112, 0))
	add(`mysql_global_status_uptime{`+my+`}`, func(m float64) (float64, bool) {
		switch {
		case m < 110:
			return 500000 + m*60, true
		case m < 112:
			return 0, false // the exporter cannot reach the database
		default:
			return (m - 111.8) * 60, true
		}
	})
	const pg = `job="postgres",instance="pg-exporter:9187"`
	add(`pg_up{`+pg+`}`, always(1))
	add(`pg_postmaster_start_time_seconds{`+pg+`}`, func(m float64) (float64, bool) {
		if m < 120 {
			return 1000, true
		}
		return 119.9 * 60, true
	})
	const rd = `job="redis",instance="redis-exporter:9121"`
	add(`redis_up{`+rd+`}`, always(1))
	add(`redis_uptime_in_seconds{`+rd+`}`, func(m float64) (float64, bool) {
		if m < 122 {
			return 90000 + m*60, true
		}
		return (m - 121.9) * 60, true
	})

	// connections
	add(`mysql_global_status_threads_connected{`+my+`}`, level(40, 108, 110, 148))
	add(`mysql_global_variables_max_connections{`+my+`}`, always(151))
	add(`pg_stat_activity_count{`+pg+`,datname="app",state="active",usename="app"}`, level(10, 108, 111, 80))
	add(`pg_stat_activity_count{`+pg+`,datname="app",state="idle",usename="app"}`, always(5))
	add(`pg_settings_max_connections{`+pg+`}`, always(100))
	add(`redis_connected_clients{`+rd+`}`, always(100))
	add(`redis_max_clients{`+rd+`}`, always(10000))
	const app = `job="api",instance="10.1.0.4:8080",namespace="web",pod="api-1"`
	add(`hikaricp_connections_pending{`+app+`,pool="HikariPool-1"}`, level(0, 108, 111, 12))
	add(`hikaricp_connections_active{`+app+`,pool="HikariPool-1"}`, level(3, 108, 111, 10))
	add(`hikaricp_connections_max{`+app+`,pool="HikariPool-1"}`, always(10))
	add(`go_sql_wait_count_total{job="orders",instance="10.1.0.9:8080",namespace="web",pod="orders-1",db_name="orders"}`, rateCounter(0, 108, 111, 2))
	add(`go_sql_in_use_connections{job="orders",instance="10.1.0.9:8080",namespace="web",pod="orders-1",db_name="orders"}`, level(2, 108, 111, 20))
	add(`go_sql_max_open_connections{job="orders",instance="10.1.0.9:8080",namespace="web",pod="orders-1",db_name="orders"}`, always(20))
	add(`ruby_active_record_connection_pool_waiting{job="shop",instance="10.1.0.11:9394",pool_name="primary",pid="1",hostname="shop-1"}`, level(0, 109, 111, 3))
	add(`ruby_active_record_connection_pool_busy{job="shop",instance="10.1.0.11:9394",pool_name="primary",pid="1",hostname="shop-1"}`, level(1, 109, 111, 5))
	add(`ruby_active_record_connection_pool_size{job="shop",instance="10.1.0.11:9394",pool_name="primary",pid="1",hostname="shop-1"}`, always(5))
	add(`pgbouncer_pools_client_waiting_connections{job="pgbouncer",instance="10.1.0.12:9127",database="app",user="app"}`, level(0, 108, 111, 5))
	add(`pgbouncer_up{job="pgbouncer",instance="10.1.0.12:9127"}`, always(1))

	// edge: one controller without honor_labels (exported_namespace), one with.
	const ing = `job="ingress-nginx",controller_namespace="ingress-nginx",controller_class="k8s.io/ingress-nginx",controller_pod="ctrl-1",namespace="ingress-nginx",exported_namespace="web",ingress="api",service="api",method="GET",path="/",canary=""`
	add(`nginx_ingress_controller_requests{`+ing+`,status="200"}`, rateCounter(10, 0, 0, 0))
	add(`nginx_ingress_controller_requests{`+ing+`,status="503"}`, rateCounter(0, 110, 115, 5))
	const ing2 = `job="ingress-nginx",namespace="shop",ingress="front",service="front",method="GET",path="/",canary="",status="200"`
	add(`nginx_ingress_controller_requests{`+ing2+`}`, rateCounter(3, 0, 0, 0))
	for _, b := range []struct {
		le          string
		base, spike float64
	}{{"0.1", 9, 0}, {"0.5", 10, 1}, {"2.5", 10, 4}, {"+Inf", 10, 5}} {
		add(`nginx_ingress_controller_request_duration_seconds_bucket{`+ing+`,status="200",le="`+b.le+`"}`, rateCounter(b.base, 110, 115, b.spike))
	}
	const ist = `job="istio",reporter="destination",destination_workload_namespace="web",destination_workload="api",source_workload="front"`
	add(`istio_requests_total{`+ist+`,response_code="200"}`, rateCounter(20, 0, 0, 0))
	add(`istio_requests_total{`+ist+`,response_code="503"}`, rateCounter(0, 110, 115, 4))
	add(`istio_requests_total{job="istio",reporter="source",destination_workload_namespace="web",destination_workload="api",source_workload="front",response_code="503"}`, rateCounter(50, 0, 0, 0))

	// topology
	s = append(s, ksm("kube_pod_info", `namespace="web",pod="api-1",uid="u1",node="n2",host_ip="10.0.2.2",pod_ip="10.1.0.4",created_by_kind="ReplicaSet",created_by_name="api-5d9f"`, always(1))...)
	s = append(s, ksm("kube_pod_info", `namespace="web",pod="api-2",uid="u2",node="n1",host_ip="10.0.2.1",pod_ip="10.1.0.5",created_by_kind="ReplicaSet",created_by_name="api-5d9f"`, between(0, 100, 1))...)
	s = append(s, ksm("kube_pod_info", `namespace="web",pod="api-4",uid="u4",node="",host_ip="",pod_ip="",created_by_kind="ReplicaSet",created_by_name="api-5d9f"`, between(115, 125, 1))...)
	s = append(s, ksm("kube_pod_owner", `namespace="web",pod="api-1",uid="u1",owner_kind="ReplicaSet",owner_name="api-5d9f",owner_is_controller="true"`, always(1))...)
	s = append(s, ksm("kube_pod_owner", `namespace="web",pod="api-2",uid="u2",owner_kind="ReplicaSet",owner_name="api-5d9f",owner_is_controller="true"`, always(1))...)
	s = append(s, ksm("kube_pod_owner", `namespace="web",pod="legacy-1",uid="u7",owner_kind="ReplicaSet",owner_name="legacy-rs",owner_is_controller="true"`, always(1))...)
	s = append(s, ksm("kube_pod_owner", `namespace="data",pod="mysql-0",uid="u9",owner_kind="StatefulSet",owner_name="mysql",owner_is_controller="true"`, between(111.5, 200, 1))...)
	s = append(s, ksm("kube_replicaset_owner", `namespace="web",replicaset="api-5d9f",owner_kind="Deployment",owner_name="api",owner_is_controller="true"`, always(1))...)
	add(`karpenter_nodes_allocatable{`+karp+`,node_name="n1",nodepool="default",capacity_type="spot",instance_type="m5.large",zone="us-east-1a",region="us-east-1",arch="amd64",os="linux",resource_type="cpu"}`, between(0, 100, 2))
	s = append(s, ksm("kube_node_labels", `node="n2",label_eks_amazonaws_com_capacity_type="ON_DEMAND"`, always(1))...)
	return s
}

// loadScript renders the series as a promqltest load command, with a
// staleness marker where a series stops (as Prometheus writes one).
func loadScript(all []series) string {
	var b strings.Builder
	fmt.Fprintf(&b, "load %s\n", FormatDuration(scrape))
	n := int(incidentMinutes*time.Minute/scrape) + 1
	for _, s := range all {
		b.WriteString("  " + s.desc)
		present := false
		for i := range n {
			m := (time.Duration(i) * scrape).Minutes()
			v, ok := s.at(m)
			switch {
			case ok:
				b.WriteString(" " + strconv.FormatFloat(v, 'f', -1, 64))
			case present:
				b.WriteString(" stale")
			default:
				b.WriteString(" _")
			}
			present = ok
		}
		b.WriteString("\n")
	}
	return b.String()
}

// engineSource is a Source backed by the real PromQL engine (test only; the
// product's engine source lives in queries/engine).
type engineSource struct {
	eng *promql.Engine
	db  storage.Queryable
}

func (e *engineSource) Name() string { return "promql engine (test)" }

func (e *engineSource) QueryRange(ctx context.Context, req Request) (Response, error) {
	w := req.Window
	q, err := e.eng.NewRangeQuery(ctx, e.db, nil, req.Expr, w.Start(), w.To, w.Step)
	if err != nil {
		return Response{}, err
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return Response{}, res.Err
	}
	warns, infos := res.Warnings.AsStrings(req.Expr, 10, 10)
	out := Response{Warnings: append(warns, infos...)}
	mat, err := res.Matrix()
	if err != nil {
		return out, err
	}
	start := w.Start().UnixMilli()
	for _, s := range mat {
		vals := make([]float64, w.Points())
		for i := range vals {
			vals[i] = math.NaN()
		}
		for _, p := range s.Floats {
			if i := int((p.T - start) / w.Step.Milliseconds()); i >= 0 && i < len(vals) {
				vals[i] = p.F
			}
		}
		out.Matrix = append(out.Matrix, Sample{Labels: s.Metric.Map(), Values: vals})
	}
	return out, nil
}

func newEngineSource(t *testing.T) *engineSource {
	t.Helper()
	db := promqltest.LoadedStorage(t, loadScript(incidentSeries()))
	t.Cleanup(func() { _ = db.Close() })
	return &engineSource{eng: promqltest.NewTestEngine(t, false, 5*time.Minute, 50_000_000), db: db}
}

// seriesOf returns the result's series of one query whose labels include
// all of want.
func seriesOf(res *Result, query string, want map[string]string) []Series {
	var out []Series
	for _, s := range res.Series {
		if s.Query != query {
			continue
		}
		match := true
		for k, v := range want {
			if s.Labels[k] != v {
				match = false
			}
		}
		if match {
			out = append(out, s)
		}
	}
	return out
}

// eventTimes lists (minute, count) of an events series.
func eventTimes(w Window, s Series) map[float64]float64 {
	out := map[float64]float64{}
	for i, v := range s.Values {
		if !math.IsNaN(v) && v > 0 {
			out[w.Time(i).Sub(time.Unix(0, 0)).Minutes()] += v
		}
	}
	return out
}

func TestDefaultBankOnEngine(t *testing.T) {
	src := newEngineSource(t)
	bank := DefaultBank()
	from := time.Unix(0, 0).Add(90 * time.Minute)
	to := time.Unix(0, 0).Add(incidentMinutes * time.Minute)

	// Each expected event: query, labels, the minute it happened, count.
	type event struct {
		query  string
		labels map[string]string
		minute float64
		count  float64
	}
	events := []event{
		{"container_restarts", map[string]string{"pod": "api-1", "container": "app"}, 105, 1},
		{"container_restarts", map[string]string{"pod": "api-1", "container": "app"}, 118, 1},
		{"container_restarts", map[string]string{"pod": "mysql-0"}, 111.5, 1}, // born at 1
		{"pod_status_reason_events", map[string]string{"pod": "worker-x", "reason": "Evicted"}, 114, 1},
		{"karpenter_interruptions", map[string]string{"message_type": "rebalance_recommendation"}, 93, 1},
		{"karpenter_interruptions", map[string]string{"message_type": "rebalance_recommendation"}, 94, 1},
		{"karpenter_interruptions", map[string]string{"message_type": "spot_interrupted"}, 95, 1},
		{"karpenter_disruptions", map[string]string{"reason": "spot_interrupted"}, 96, 1},
		{"nth_node_actions", map[string]string{"node": "n1", "node_action": "cordon-and-drain"}, 96.5, 1},
		{"cluster_autoscaler_scale_down", map[string]string{"reason": "underutilized"}, 125, 1},
		{"oom_kills", map[string]string{"pod": "api-1", "container": "app"}, 105, 1},
		{"oom_events_cadvisor", map[string]string{"pod": "api-1"}, 104.5, 1},
		{"oom_kills_kernel", map[string]string{"instance": "n2"}, 105, 1},
		{"db_restarts", map[string]string{"exporter": "mysql"}, 112, 1},
		{"db_restarts", map[string]string{"exporter": "postgres"}, 120, 1},
		{"db_restarts", map[string]string{"exporter": "redis"}, 122, 1},
		{"db_container_restarts", map[string]string{"pod": "mysql-0"}, 111.5, 1},
	}

	for _, stepText := range []string{"15s", "1m", "5m"} {
		t.Run(stepText, func(t *testing.T) {
			w, err := ParseWindow(WindowSpec{
				From: strconv.FormatInt(from.Unix(), 10), To: strconv.FormatInt(to.Unix(), 10),
				Step: stepText, Baseline: "1h",
			}, to)
			if err != nil {
				t.Fatal(err)
			}
			res := Run(context.Background(), src, bank, w, RunOptions{})

			families := map[string]int{}
			for _, row := range res.Queries {
				if row.Err != nil {
					t.Errorf("%s: %v\n%s", row.Query.ID, row.Err, row.Expr)
					continue
				}
				if row.Query.Role == RoleTopology {
					if row.Series == 0 {
						t.Errorf("topology query %s returned no series", row.Query.ID)
					}
					continue
				}
				families[row.Query.Family] += row.Series
			}
			for _, f := range []string{"pods", "nodes", "oom", "memory", "database", "connections", "edge"} {
				if families[f] == 0 {
					t.Errorf("family %s returned no series", f)
				}
			}

			// Levels at a grid point (the first at or after the minute).
			for _, g := range []struct {
				query  string
				labels map[string]string
				minute float64
				want   float64
				tol    float64
			}{
				{"memory_limit_ratio", map[string]string{"pod": "api-1", "container": "app"}, 100, (200 + 310*10.0/15) / 512, 0.001},
				{"db_down", map[string]string{"exporter": "mysql"}, 111, 1, 0},
				{"db_down", map[string]string{"exporter": "mysql"}, 100, 0, 0},
				{"ingress_5xx_ratio", map[string]string{"exported_namespace": "web", "ingress": "api"}, 113, 1.0 / 3, 0.05},
				{"ingress_5xx_ratio", map[string]string{"namespace": "shop", "ingress": "front"}, 113, 0, 0},
				{"istio_5xx_ratio", map[string]string{"destination_workload": "api"}, 113, 4.0 / 24, 0.03},
				{"pool_waiters", map[string]string{"source": "hikaricp"}, 110, 12, 0},
				{"db_connections_ratio", map[string]string{"exporter": "postgres"}, 100, 0.15, 0.001},
				{"workload_unavailable_replicas", map[string]string{"workload": "api"}, 115, 1, 0},
				{"node_count", nil, 100, 1, 0}, // n1 gone at 100, n3 not yet
			} {
				got := seriesOf(res, g.query, g.labels)
				if len(got) != 1 {
					t.Errorf("%s %v: %d series, want 1", g.query, g.labels, len(got))
					continue
				}
				i := int(math.Ceil(g.minute * 60 / w.Step.Seconds()))
				i -= int(w.Start().Sub(time.Unix(0, 0)) / w.Step)
				if v := got[0].Values[i]; math.IsNaN(v) || math.Abs(v-g.want) > g.tol {
					t.Errorf("%s %v at %s: %v, want %v", g.query, g.labels, w.Time(i).UTC().Format("15:04:05"), v, g.want)
				}
			}

			// Every event shows up once, in the bucket that holds it, and
			// nothing else shows up in the events queries checked.
			expect := map[string]map[float64]float64{}
			key := func(q string, l map[string]string) string { return q + fmt.Sprint(l) }
			for _, e := range events {
				k := key(e.query, e.labels)
				if expect[k] == nil {
					expect[k] = map[float64]float64{}
				}
				bucket := math.Ceil(e.minute*60/w.Step.Seconds()) * w.Step.Minutes()
				expect[k][bucket] += e.count
			}
			for _, e := range events {
				k := key(e.query, e.labels)
				got := seriesOf(res, e.query, e.labels)
				if len(got) != 1 {
					t.Errorf("%s %v: %d series, want 1", e.query, e.labels, len(got))
					continue
				}
				if g := eventTimes(w, got[0]); fmt.Sprint(g) != fmt.Sprint(expect[k]) {
					t.Errorf("%s %v: events (minute: count) %v, want %v", e.query, e.labels, g, expect[k])
				}
			}
		})
	}
}
