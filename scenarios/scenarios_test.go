package scenarios

import (
	"bytes"
	"os/exec"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	genMu  sync.Mutex
	genMem = map[string]*Data{}
)

// gen caches generated data across tests of this package.
func gen(t testing.TB, name string, seed int64) *Data {
	t.Helper()
	genMu.Lock()
	defer genMu.Unlock()
	k := name + "/" + string(rune('0'+seed))
	if d, ok := genMem[k]; ok {
		return d
	}
	sc, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	d := sc.Generate(seed)
	genMem[k] = d
	return d
}

func TestCatalog(t *testing.T) {
	infos := List()
	if len(infos) < 8 {
		t.Fatalf("catalog has %d scenarios, want at least 8", len(infos))
	}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, in := range infos {
		if !kebab.MatchString(in.Name) || seen[in.Name] {
			t.Errorf("bad or duplicate name %q", in.Name)
		}
		seen[in.Name] = true
		if in.Story == "" || in.Skill == "" || in.Briefing == "" || in.Difficulty == "" {
			t.Errorf("%s: incomplete info %+v", in.Name, in)
		}
	}
	if !seen[DefaultScenario] {
		t.Errorf("default scenario %q not in the catalog", DefaultScenario)
	}
	_, err := Get("nope")
	if err == nil || !strings.Contains(err.Error(), "db-restart") || !strings.Contains(err.Error(), "quiet") {
		t.Errorf("Get(unknown) error %v should list the known names", err)
	}
}

func TestDeterministicPerSeed(t *testing.T) {
	sc, _ := Get("db-restart")
	a, b := sc.Generate(7), sc.Generate(7)
	if !reflect.DeepEqual(a.Series, b.Series) || !reflect.DeepEqual(a.Key, b.Key) {
		t.Fatal("same seed gave different data")
	}
	var oa, ob bytes.Buffer
	if err := WriteOpenMetrics(&oa, a); err != nil {
		t.Fatal(err)
	}
	WriteOpenMetrics(&ob, b)
	if !bytes.Equal(oa.Bytes(), ob.Bytes()) {
		t.Fatal("same seed gave different OpenMetrics")
	}
	c := sc.Generate(8)
	if c.Key.Root.At.Equal(a.Key.Root.At) || reflect.DeepEqual(c.Key.Root.Entity, a.Key.Root.Entity) && c.Series[0].Labels["node"] == a.Series[0].Labels["node"] {
		t.Errorf("seeds 7 and 8 look alike: trigger %s vs %s", a.Key.Root.At, c.Key.Root.At)
	}
}

func TestSeriesShape(t *testing.T) {
	d := gen(t, "spot-interruption", 1)
	names := map[string]bool{}
	for i, s := range d.Series {
		names[s.Name()] = true
		if i > 0 && d.Series[i-1].key() >= s.key() {
			t.Fatalf("series not sorted / duplicated at %d: %s", i, s.key())
		}
		for j := 1; j < len(s.Samples); j++ {
			if s.Samples[j].T <= s.Samples[j-1].T {
				t.Fatalf("%s: samples out of order", s.key())
			}
			if s.Samples[j].T-s.Samples[j-1].T < d.Interval.Milliseconds() {
				t.Fatalf("%s: samples closer than the scrape interval", s.key())
			}
		}
		if s.Type == Counter && strings.HasSuffix(s.Name(), "_total") {
			for j := 1; j < len(s.Samples); j++ {
				if s.Samples[j].V < s.Samples[j-1].V && s.Name() != "kube_pod_container_status_restarts_total" &&
					!strings.HasPrefix(s.Name(), "go_sql") && !strings.HasPrefix(s.Name(), "redis_") {
					t.Fatalf("%s: counter went down", s.key())
				}
			}
		}
	}
	for _, want := range []string{"kube_node_info", "kube_node_status_condition", "kube_node_labels", "karpenter_nodes_allocatable",
		"node_vmstat_oom_kill", "kube_pod_info", "kube_pod_owner", "kube_replicaset_owner", "kube_pod_status_phase",
		"kube_pod_status_ready", "kube_pod_container_status_restarts_total", "kube_pod_container_status_last_terminated_reason",
		"kube_deployment_spec_replicas", "kube_deployment_status_replicas_available", "kube_deployment_status_replicas_unavailable",
		"kube_statefulset_replicas", "kube_statefulset_status_replicas_ready", "kube_pod_container_resource_limits",
		"container_memory_working_set_bytes", "mysql_up", "mysql_global_status_uptime", "mysql_global_status_threads_connected",
		"mysql_global_variables_max_connections", "pg_up", "pg_postmaster_start_time_seconds", "pg_stat_activity_count",
		"pg_settings_max_connections", "redis_up", "redis_uptime_in_seconds", "redis_connected_clients", "redis_keyspace_hits_total",
		"redis_keyspace_misses_total", "nginx_ingress_controller_requests", "nginx_ingress_controller_request_duration_seconds_bucket",
		"hikaricp_connections_active", "hikaricp_connections_pending", "hikaricp_connections_max", "go_sql_wait_count_total",
		"ruby_active_record_connection_pool_waiting"} {
		if !names[want] {
			t.Errorf("metric %s never emitted", want)
		}
	}
	// Nothing in the data names the answer.
	for _, s := range d.Series {
		for k, v := range s.Labels {
			if strings.Contains(k, "cause") || strings.Contains(v, "root") || strings.Contains(v, "incident") {
				t.Errorf("%s carries a telling label %s=%s", s.key(), k, v)
			}
		}
	}
}

// TestAnswerKeys checks every key against the raw series: each step's signal
// really shows in the data close to the stated time.
func TestAnswerKeys(t *testing.T) {
	seeds := []int64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, in := range List() {
		for _, seed := range seeds {
			d := gen(t, in.Name, seed)
			k := d.Key
			if in.Name == "quiet" {
				if !k.Quiet || len(k.Chain) != 0 {
					t.Errorf("quiet: key %+v, want Quiet and no chain", k)
				}
			} else {
				if k.Quiet || len(k.Chain) < 3 || k.Root.Family == "" || len(k.Root.Entity) == 0 {
					t.Errorf("%s/%d: incomplete key %+v", in.Name, seed, k)
				}
				if k.Root.At.Before(d.Window.From) || k.Root.At.After(d.Window.To) {
					t.Errorf("%s/%d: root at %s outside the window %s..%s", in.Name, seed, k.Root.At, d.Window.From, d.Window.To)
				}
			}
			for _, st := range append(append([]Step{}, k.Chain...), k.Distractors...) {
				if st.Signal.Metric == "" {
					continue
				}
				at, ok := d.Find(st.Signal, st.At.Add(-k.Tolerance), st.At.Add(k.Tolerance))
				if !ok {
					t.Errorf("%s/%d: %s (%s %s) not in the data within %s of %s", in.Name, seed, st.Note, st.Signal.Metric, st.Signal.Change, k.Tolerance, st.At.Format(time.TimeOnly))
				}
				_ = at
			}
			// The trigger is really the trigger: the root signal does not
			// show in the hour before it.
			if !k.Quiet {
				r := k.Root
				if at, ok := d.Find(r.Signal, d.Window.Start(), r.At.Add(-k.Tolerance)); ok {
					t.Errorf("%s/%d: root signal %s already shows at %s, before the trigger %s", in.Name, seed, r.Signal.Metric, at, r.At)
				}
			}
		}
	}
}

func TestSeedsDiffer(t *testing.T) {
	for _, name := range []string{"spot-interruption", "red-herring"} {
		a, b := gen(t, name, 1), gen(t, name, 2)
		if a.Key.Root.At.Equal(b.Key.Root.At) {
			t.Errorf("%s: seeds 1 and 2 trigger at the same time", name)
		}
		if reflect.DeepEqual(a.Key.Root.Entity, b.Key.Root.Entity) && len(a.Series) == len(b.Series) {
			t.Errorf("%s: seeds 1 and 2 have the same root entity and series count", name)
		}
	}
}

func TestWriteOpenMetrics(t *testing.T) {
	d := &Data{Series: []Series{
		{Labels: map[string]string{"__name__": "reqs_total", "a": `x"y\z`}, Type: Counter, Samples: []Sample{{1000, 1}, {16500, 2}}},
		{Labels: map[string]string{"__name__": "nginx_ingress_controller_requests", "status": "503"}, Type: Counter, Samples: []Sample{{1000, 3}}},
		{Labels: map[string]string{"__name__": "lat_count"}, Type: Histogram, Samples: []Sample{{1000, 2}}},
		{Labels: map[string]string{"__name__": "lat_bucket", "le": "+Inf"}, Type: Histogram, Samples: []Sample{{1000, 2}}},
		{Labels: map[string]string{"__name__": "lat_bucket", "le": "0.5"}, Type: Histogram, Samples: []Sample{{1000, 1}}},
		{Labels: map[string]string{"__name__": "lat_sum"}, Type: Histogram, Samples: []Sample{{1000, 0.7}}},
		{Labels: map[string]string{"__name__": "mysql_global_status_uptime"}, Type: Untyped, Samples: []Sample{{1000, 5}}},
		{Labels: map[string]string{"__name__": "g"}, Type: Gauge, Samples: []Sample{{1000, 1.5e9}}},
	}}
	var b bytes.Buffer
	if err := WriteOpenMetrics(&b, d); err != nil {
		t.Fatal(err)
	}
	want := `# TYPE g gauge
g 1.5e+09 1
# TYPE lat histogram
lat_bucket{le="0.5"} 1 1
lat_bucket{le="+Inf"} 2 1
lat_count 2 1
lat_sum 0.7 1
# TYPE mysql_global_status_uptime unknown
mysql_global_status_uptime 5 1
# TYPE nginx_ingress_controller_requests unknown
nginx_ingress_controller_requests{status="503"} 3 1
# TYPE reqs counter
reqs_total{a="x\"y\\z"} 1 1
reqs_total{a="x\"y\\z"} 2 16.500
# EOF
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if err := WriteOpenMetrics(&b, nil); err == nil {
		t.Error("nil data: want an error")
	}
}

// TestCorrelateCannotSeeTheAnswers keeps the answer keys out of the
// analysis' reach.
func TestCorrelateCannotSeeTheAnswers(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/causeway-sre/causeway/correlate").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/causeway-sre/causeway/scenarios") || dep == "github.com/causeway-sre/causeway/queries/engine" {
			t.Errorf("package correlate depends on %s", dep)
		}
	}
}
