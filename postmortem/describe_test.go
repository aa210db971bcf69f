package postmortem

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
)

func TestShortTitle(t *testing.T) {
	for in, want := range map[string]string{
		"Karpenter NodeClaim disruptions by reason (spot_interrupted, drifted; per step)": "Karpenter NodeClaim disruptions",
		"ingress-nginx 5xx share of requests per ingress":                                 "ingress-nginx 5xx share of requests",
		"Running pods | per namespace":                                                    "Running pods",
		"Database restarts":                                                               "Database restarts",
		"(odd)":                                                                           "(odd)",
	} {
		if got := shortTitle(in); got != want {
			t.Errorf("shortTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRef(t *testing.T) {
	n := &namer{workload: map[string]string{"store/api-7f9c-x1": "api"}, nodes: map[string]string{"10.0.56.5": "ip-10-0-56-5"}}
	for _, c := range []struct {
		e    map[string]string
		want string
	}{
		{map[string]string{"namespace": "databases", "pod": "mysql-0", "instance": "10.0.77.181:9104", "job": "mysqld"}, "pod mysql-0"},
		{map[string]string{"node": "ip-10-0-56-5.ec2.internal", "key": "karpenter.sh/disrupted"}, "node ip-10-0-56-5 (karpenter.sh/disrupted)"},
		{map[string]string{"namespace": "staging", "ingress": "qa-api"}, "ingress qa-api in staging"},
		{map[string]string{"namespace": "staging", "workload": "qa-api", "workload_type": "Deployment"}, "Deployment qa-api in staging"},
		{map[string]string{"instance": "10.0.56.5:9100"}, "node ip-10-0-56-5"},
		{map[string]string{"instance": "db:9104"}, "instance db:9104"},
		{map[string]string{"namespace": "staging"}, "namespace staging"},
		{map[string]string{"message_type": "spot_interrupted"}, "(spot_interrupted)"},
		{map[string]string{"nodepool": "spot", "reason": "drifted", "capacity_type": "spot"}, "nodepool spot (drifted)"},
		{map[string]string{"team": "a", "tier": "b"}, "team=a, tier=b"},
		{nil, ""},
	} {
		if got := n.ref(c.e, nil); got != c.want {
			t.Errorf("ref(%v) = %q, want %q", c.e, got, c.want)
		}
	}
	if got := n.refGroup(map[string]string{"namespace": "store", "job": "api"}, nil, grp{n: 3, wl: "api", pods: true}); got != "3 api pods in store" {
		t.Errorf("refGroup = %q", got)
	}
	if got := n.tokens(map[string]string{"namespace": "store", "pod": "api-7f9c-x1"}); strings.Join(got, ",") != "api-7f9c-x1,api" {
		t.Errorf("tokens = %v", got)
	}
}

func TestValueFormats(t *testing.T) {
	for _, c := range []struct {
		x    float64
		unit string
		want string
	}{
		{0, "ratio", "0%"}, {0.000354, "ratio", "0.04%"}, {0.976, "ratio", "97.6%"}, {1, "ratio", "100%"},
		{0.2481, "seconds", "248ms"}, {10, "seconds", "10s"}, {1073741824, "bytes", "1 GiB"}, {math.NaN(), "ratio", "n/a"},
	} {
		if got := value(c.x, c.unit); got != c.want {
			t.Errorf("value(%v, %q) = %q, want %q", c.x, c.unit, got, c.want)
		}
	}
}

// defaultQuery is the default bank's query id (so that its short name applies).
func defaultQuery(t *testing.T, id string) queries.Query {
	t.Helper()
	for _, q := range queries.DefaultBank().Queries {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("no default query %s", id)
	return queries.Query{}
}

// TestTimelineOneRowPerChange: a state's start and end become one row with
// its duration, repeated events of one signal one row with their count, and
// a change outside every chain lands in the minor changes.
func TestTimelineOneRowPerChange(t *testing.T) {
	w := fixtureWindow()
	n := w.Points()
	on := w.Index(t0.Add(5 * time.Minute))
	nodeEnt := map[string]string{"node": "ip-10-0-1-2.ec2.internal"}
	podEnt := map[string]string{"namespace": "web", "pod": "web-1", "container": "app"}
	notReady := series(n, math.NaN(), math.NaN(), n)
	for i := on; i < on+4; i++ {
		notReady[i] = 1
	}
	restarts := series(n, math.NaN(), math.NaN(), n)
	for _, i := range []int{on + 1, on + 3, on + 5} {
		restarts[i] = 1
	}
	bank := &queries.Bank{Queries: []queries.Query{defaultQuery(t, "node_not_ready"), defaultQuery(t, "container_restarts")}}
	res := &queries.Result{Window: w, Series: []queries.Series{
		{Query: "node_not_ready", Family: "nodes", Kind: queries.State, Labels: nodeEnt, Entity: nodeEnt, Values: notReady},
		{Query: "container_restarts", Family: "pods", Kind: queries.Events, Labels: podEnt, Entity: podEnt, Values: restarts},
	}}
	for _, q := range bank.Queries {
		res.Queries = append(res.Queries, queries.QueryResult{Query: q, Expr: q.PromQL, Series: 1})
	}
	f := &correlate.Findings{
		Chains: []correlate.Chain{{Score: 0.5, Steps: []correlate.Step{
			{Query: "node_not_ready", Family: "nodes", Entity: nodeEnt, Onset: w.Time(on)},
		}}},
		Timeline: []correlate.TimelineEntry{
			{Time: w.Time(on), Source: "metric", Query: "node_not_ready", Family: "nodes", Entity: nodeEnt},
			{Time: w.Time(on + 1), Source: "metric", Query: "container_restarts", Family: "pods", Entity: podEnt},
			{Time: w.Time(on + 3), Source: "metric", Query: "container_restarts", Family: "pods", Entity: podEnt},
			{Time: w.Time(on + 4), Source: "metric", Query: "node_not_ready", Family: "nodes", Entity: nodeEnt},
			{Time: w.Time(on + 5), Source: "metric", Query: "container_restarts", Family: "pods", Entity: podEnt},
		},
	}
	d, err := NewData(&incident.Report{Bank: bank, Result: res, Findings: f}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Timeline) != 2 {
		for _, r := range d.Timeline {
			t.Logf("%s %s", clock(r.Time), r.Text)
		}
		t.Fatalf("%d timeline rows, want 2", len(d.Timeline))
	}
	state, ev := d.Timeline[0], d.Timeline[1]
	if state.Text != "node ip-10-0-1-2 not ready for 2m" || state.Duration != 2*time.Minute || state.Chain != "1.1" || !state.TopChain || state.Minor {
		t.Errorf("state row: %+v", state)
	}
	if ev.Text != "3 container restarts on pod web-1 until 10:07:30" || ev.Evidence != "none in the baseline" || ev.Chain != "" || !ev.Minor {
		t.Errorf("events row: %+v", ev)
	}
	if d.Summary != "Most likely cause: Node ip-10-0-1-2 not ready at 10:05:00 UTC for 2m." {
		t.Errorf("summary %q", d.Summary)
	}
	if len(d.Incident) != 1 || len(d.Minor) != 1 {
		t.Errorf("incident %d rows, minor %d rows", len(d.Incident), len(d.Minor))
	}
}

// TestImpactUserFacing: request rates and availability of workloads the
// incident did not touch stay out of the impact table.
func TestImpactUserFacing(t *testing.T) {
	r := fixtureReport()
	w := r.Result.Window
	n := w.Points()
	on := w.Index(t0.Add(5 * time.Minute))
	rate := series(n, 10, 40, on)
	batch := series(n, 4, 1, on)
	r.Bank.Queries = append(r.Bank.Queries, queries.Query{ID: "req_rate", Title: "Requests per second", Family: "edge",
		Kind: queries.Gauge, Unit: "req/s", Entity: []string{"ingress"}})
	r.Result.Series = append(r.Result.Series,
		queries.Series{Query: "req_rate", Family: "edge", Kind: queries.Gauge, Entity: map[string]string{"ingress": "shop"}, Values: rate},
		queries.Series{Query: "pods_running", Family: "pods", Kind: queries.Gauge, Entity: map[string]string{"namespace": "batch"}, Values: batch})
	d, err := NewData(r, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, im := range d.Impact {
		got = append(got, im.Kind+" "+im.Query+" "+im.Entity)
	}
	want := "error rate ingress_5xx_ratio ingress=shop, namespace=web|availability pods_running namespace=web"
	if strings.Join(got, "|") != want {
		t.Errorf("impact rows\n got %q\nwant %q", strings.Join(got, "|"), want)
	}
}
