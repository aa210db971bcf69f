package postmortem

import (
	"errors"
	"math"
	"time"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func fixtureWindow() queries.Window {
	return queries.Window{From: t0, To: t0.Add(30 * time.Minute), Step: 30 * time.Second, Baseline: 30 * time.Minute}
}

func fixtureBank() *queries.Bank {
	return &queries.Bank{Origin: "test", Queries: []queries.Query{
		{ID: "db_restarts", Title: "Database restarts", Family: "database", Kind: queries.Events, Unit: "count",
			Entity: []string{"instance"}, PromQL: `changes(mysql_up[$__step]) > 0`, Causes: []string{"connections"}},
		{ID: "db_connections", Title: "DB connections / max", Family: "connections", Kind: queries.Gauge, Unit: "ratio",
			Entity: []string{"instance"}, PromQL: `mysql_threads / mysql_max`},
		{ID: "ingress_5xx_ratio", Title: "Ingress 5xx ratio", Family: "edge", Kind: queries.Gauge, Unit: "ratio",
			Entity: []string{"namespace", "ingress"}, PromQL: `sum by (namespace, ingress) (rate(x{status=~"5.."}[$__rate_interval]))`},
		{ID: "pods_running", Title: "Running pods | per namespace", Family: "pods", Kind: queries.Gauge, Unit: "count",
			Entity: []string{"namespace"}, PromQL: `sum by (namespace) (kube_pod_status_phase{phase="Running"})`},
		{ID: "node_not_ready", Title: "Nodes not ready", Family: "nodes", Kind: queries.State, Unit: "bool",
			Entity: []string{"node"}, PromQL: `kube_node_status_condition{condition="Ready",status="true"} == 0`},
		{ID: "pod_node_map", Title: "Join: pod -> node", Family: "pods", Kind: queries.State, Role: queries.RoleTopology,
			Entity: []string{"namespace", "pod", "node"}, PromQL: `kube_pod_info`},
	}}
}

// series fills a grid: base before onset index, after from it; NaN where gap.
func series(n int, base, after float64, onset int, gaps ...int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = base
		if i >= onset {
			v[i] = after
		}
	}
	for _, g := range gaps {
		v[g] = math.NaN()
	}
	return v
}

// fixtureReport is a small DB-restart incident, with findings written by
// hand (the golden tests check the documents, not the analysis).
func fixtureReport() *incident.Report {
	w := fixtureWindow()
	n := w.Points()
	bank := fixtureBank()
	on := w.Index(t0.Add(5 * time.Minute))
	dbEnt := map[string]string{"instance": "mysql-0:9104"}
	connEnt := map[string]string{"instance": "mysql-0:9104"}
	edgeEnt := map[string]string{"namespace": "web", "ingress": "shop"}
	podsEnt := map[string]string{"namespace": "web"}

	restarts := series(n, 0, 0, n)
	restarts[on] = 1
	conn := series(n, 0.2, 0.97, on+2, 3, 4)
	errs := series(n, 0.001, 0.001, n)
	for i := on + 3; i < on+20; i++ {
		errs[i] = 0.125
	}
	pods := series(n, 6, 6, n)
	for i := on + 4; i < on+10; i++ {
		pods[i] = 3
	}
	res := &queries.Result{
		Window: w,
		Source: "prometheus http://prom.example:9090",
		Series: []queries.Series{
			{Query: "db_restarts", Family: "database", Kind: queries.Events, Labels: map[string]string{"instance": "mysql-0:9104", "job": "mysql"}, Entity: dbEnt, Values: restarts},
			{Query: "db_connections", Family: "connections", Kind: queries.Gauge, Labels: connEnt, Entity: connEnt, Values: conn},
			{Query: "ingress_5xx_ratio", Family: "edge", Kind: queries.Gauge, Labels: edgeEnt, Entity: edgeEnt, Values: errs},
			{Query: "pods_running", Family: "pods", Kind: queries.Gauge, Labels: podsEnt, Entity: podsEnt, Values: pods},
			{Query: "pod_node_map", Family: "pods", Kind: queries.State, Labels: map[string]string{"namespace": "web", "pod": "web-1", "node": "n1"}, Entity: map[string]string{"namespace": "web", "pod": "web-1", "node": "n1"}, Values: series(n, 1, 1, n)},
		},
		Events: []queries.Event{
			{Time: t0.Add(5*time.Minute + 10*time.Second), Type: "Warning", Reason: "BackOff", Kind: "Pod", Namespace: "web", Name: "web-1",
				Message: "Back-off restarting failed container | app in pod web-1_web(*)", Source: "kubelet", Count: 3,
				Entity: map[string]string{"namespace": "web", "pod": "web-1"}},
			{Time: t0.Add(4*time.Minute + 50*time.Second), Type: "Normal", Reason: "Killing", Kind: "Pod", Namespace: "db", Name: "mysql-0",
				Message: "Stopping container mysql", Source: "kubelet", Entity: map[string]string{"namespace": "db", "pod": "mysql-0"}},
		},
		Warnings: []string{"kubernetes: events of namespace kube-system are forbidden"},
	}
	for _, q := range bank.Queries {
		qr := queries.QueryResult{Query: q, Expr: q.PromQL}
		for _, s := range res.Series {
			if s.Query == q.ID {
				qr.Series++
			}
		}
		switch q.ID {
		case "node_not_ready":
			qr.Err = errors.New("bad_data: 1:5: parse error: unexpected <op:==>")
		case "ingress_5xx_ratio":
			qr.Expr = `sum by (namespace, ingress) (rate(x{status=~"5.."}[2m]))`
			qr.Warnings = []string{"PromQL info: metric might not be a counter"}
		case "db_connections":
			qr.Dropped = 2
		}
		res.Queries = append(res.Queries, qr)
	}
	link := &correlate.Link{Lag: time.Minute, R: 0.91, P: 0.002, Topology: true, Prior: true, Method: "xcorr"}
	f := &correlate.Findings{
		Summary: "Database restarts on instance=mysql-0:9104 led the connection saturation by 1m.",
		RootCauses: []correlate.RootCause{
			{Query: "db_restarts", Family: "database", Entity: dbEnt, Onset: w.Time(on), Score: 0.93,
				Why: "first to change; leads db_connections by 1m (r = 0.91)"},
			{Query: "pods_running", Family: "pods", Entity: podsEnt, Onset: w.Time(on + 4), Score: 0.41,
				Why: "dropped from 6 to 3"},
		},
		Chains: []correlate.Chain{
			{Score: 0.88, Steps: []correlate.Step{
				{Query: "db_restarts", Family: "database", Entity: dbEnt, Onset: w.Time(on), Evidence: "1 restart at 10:05:00"},
				{Query: "db_connections", Family: "connections", Entity: connEnt, Onset: w.Time(on + 2), Lag: time.Minute,
					Evidence: "0.2 -> 0.97 (z = 41.0)", Link: link},
				{Query: "ingress_5xx_ratio", Family: "edge", Entity: edgeEnt, Onset: w.Time(on + 3), Lag: 30 * time.Second,
					Evidence: "5xx ratio 0.1% -> 12.5%", Link: &correlate.Link{Lag: 30 * time.Second, R: 0.8, P: 0.01, Method: "onset-order"}},
			}},
			{Score: 0.35, Steps: []correlate.Step{
				{Query: "db_restarts", Family: "database", Entity: dbEnt, Onset: w.Time(on), Evidence: "1 restart"},
				{Query: "pods_running", Family: "pods", Entity: podsEnt, Onset: w.Time(on + 4), Lag: 2 * time.Minute,
					Evidence: "6 -> 3", Link: &correlate.Link{Lag: 2 * time.Minute, Method: "event-response"}},
			}},
		},
		Timeline: []correlate.TimelineEntry{
			{Time: w.Time(on + 2), Source: "metric", Query: "db_connections", Family: "connections", Entity: connEnt, Text: "DB connections rose to 97% of max"},
			{Time: w.Time(on), Source: "metric", Query: "db_restarts", Family: "database", Entity: dbEnt, Text: "Database restarted"},
			{Time: t0.Add(5*time.Minute + 10*time.Second), Source: "kubernetes", Family: "pods", Entity: map[string]string{"namespace": "web", "pod": "web-1"}, Text: "BackOff: Back-off restarting failed container"},
			{Time: w.Time(on + 3), Source: "metric", Query: "ingress_5xx_ratio", Family: "edge", Entity: edgeEnt, Text: "5xx ratio rose to 12.5%"},
		},
		Anomalies: []correlate.Anomaly{
			{Query: "db_restarts", Family: "database", Entity: dbEnt, Onset: w.Time(on), Shape: "events", Score: 0.9, Z: 12, Before: 0, After: 1},
			{Query: "db_connections", Family: "connections", Entity: connEnt, Onset: w.Time(on + 2), Shape: "rise-to-limit", Score: 0.8, Z: 41, Before: 0.2, After: 0.97},
		},
	}
	return &incident.Report{Bank: bank, Result: res, Findings: f}
}

// quietReport is a window where nothing happened.
func quietReport() *incident.Report {
	w := fixtureWindow()
	bank := &queries.Bank{Queries: fixtureBank().Queries[:1]}
	ent := map[string]string{"instance": "mysql-0:9104"}
	res := &queries.Result{
		Window:  w,
		Source:  "scenario quiet",
		Queries: []queries.QueryResult{{Query: bank.Queries[0], Expr: "changes(mysql_up[30s]) > 0", Series: 1}},
		Series: []queries.Series{{Query: "db_restarts", Family: "database", Kind: queries.Events, Labels: ent, Entity: ent,
			Values: series(w.Points(), 0, 0, 0)}},
	}
	return &incident.Report{Bank: bank, Result: res, Findings: &correlate.Findings{Quiet: true, Summary: "Nothing stands out against the baseline."}}
}
