package scenarios

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/causeway-sre/causeway/queries"
)

// DefaultScenario is the scenario `causeway demo` opens.
const DefaultScenario = "db-restart"

const (
	dataSpan   = 2*time.Hour + 20*time.Minute
	windowFrom = 70 * time.Minute // from the data start
	windowSpan = time.Hour
	baseline   = time.Hour
	gridStep   = 30 * time.Second
	scrape     = 15 * time.Second
)

// Scenario is one incident of the catalog.
type Scenario struct {
	Info
	start time.Time
	// build sets the incident up on a baseline cluster, with the trigger at
	// t0 (ms) inside [from, to], and returns the function that resolves the
	// answer key once the simulation ran.
	build func(c *cluster, t0, from, to int64) func() AnswerKey
}

var catalog = []*Scenario{
	{Info: Info{Name: "db-restart", Difficulty: Medium,
		Story:    "MySQL restarts; the API's connection pools rebuild, its memory hits the limit, pods are OOMKilled and availability drops.",
		Skill:    "follow a chain across families: database -> connections -> memory -> OOMKills -> availability",
		Briefing: "PagerDuty: API pods restarting (OOMKilled), deployment below desired replicas."},
		start: date("2026-03-10T13:00:00Z"), build: buildDBRestart},
	{Info: Info{Name: "spot-interruption", Difficulty: Easy,
		Story:    "A spot node is interrupted; every pod of a small staging Deployment goes with it and the staging ingress answers 503.",
		Skill:    "tie pods and 5xx to the node they ran on, and read interruption counters born at 1",
		Briefing: "Slack #staging: staging API returns 503 for everyone."},
		start: date("2026-04-02T08:00:00Z"), build: buildSpot},
	{Info: Info{Name: "retry-storm", Difficulty: Hard,
		Story:    "Clients retry aggressively; the API scales out until MySQL is at max_connections, pools queue and latency and 5xx climb.",
		Skill:    "recognise a cascading failure whose root is load, not a broken component",
		Briefing: "PagerDuty: API p99 latency above SLO and 5xx ratio above 2%."},
		start: date("2026-05-14T16:00:00Z"), build: buildRetryStorm},
	{Info: Info{Name: "bad-rollout", Difficulty: Easy,
		Story:    "A new version of a Deployment crash-loops on start; the rolling update takes one old pod down and availability drops.",
		Skill:    "spot a rollout (a new ReplicaSet) as the change that started it",
		Briefing: "Alert: KubeDeploymentReplicasMismatch for more than 5 minutes."},
		start: date("2026-06-09T10:00:00Z"), build: buildBadRollout},
	{Info: Info{Name: "node-memory-pressure", Difficulty: Medium,
		Story:    "A batch job without a memory limit grows until its node reports MemoryPressure; the kubelet evicts it and it moves on.",
		Skill:    "read node conditions and evictions back to the pod that filled the node",
		Briefing: "Alert: KubeNodeMemoryPressure on a batch node; pods evicted."},
		start: date("2026-07-21T01:00:00Z"), build: buildMemoryPressure},
	{Info: Info{Name: "redis-restart", Difficulty: Medium,
		Story:    "Redis restarts empty; cache misses send the storefront to Postgres, whose active connections and the Rails pool waiters climb.",
		Skill:    "see a cache restart as the cause of database load (the database is the victim)",
		Briefing: "Alert: storefront latency high; Postgres active connections high."},
		start: date("2026-08-18T12:00:00Z"), build: buildRedisRestart},
	{Info: Info{Name: "red-herring", Difficulty: Hard,
		Story:    "Postgres restarts and checkout fails, while a louder, unrelated node replacement moves batch pods a minute earlier.",
		Skill:    "reject the loudest coincident signal: follow dependencies, not volume",
		Briefing: "PagerDuty: checkout 5xx; #infra mentions a node being replaced."},
		start: date("2026-09-23T15:00:00Z"), build: buildRedHerring},
	{Info: Info{Name: "quiet", Difficulty: Medium,
		Story:    "Nothing happened: a healthy rollout, a slow leak and ordinary noise.",
		Skill:    "say \"nothing stands out\" instead of inventing a cause",
		Briefing: "A customer reports \"slowness around lunchtime\"; no alert fired."},
		start: date("2026-10-06T11:00:00Z"), build: buildQuiet},
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err) // constant input, checked by tests
	}
	return t
}

// List returns the catalog in a stable order.
func List() []Info {
	out := make([]Info, len(catalog))
	for i, sc := range catalog {
		out[i] = sc.Info
	}
	return out
}

// Names returns the scenario names.
func Names() []string {
	out := make([]string, len(catalog))
	for i, sc := range catalog {
		out[i] = sc.Name
	}
	return out
}

// Get returns the scenario called name.
func Get(name string) (*Scenario, error) {
	for _, sc := range catalog {
		if sc.Name == name {
			return sc, nil
		}
	}
	return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Window is the scenario's default analysis window (the same for every seed).
func (sc *Scenario) Window() queries.Window {
	from := sc.start.Add(windowFrom)
	return queries.Window{From: from, To: from.Add(windowSpan), Step: gridStep, Baseline: baseline}
}

// Generate simulates the scenario for seed. The same seed always gives the
// same data.
func (sc *Scenario) Generate(seed int64) *Data {
	start, end := sc.start.UnixMilli(), sc.start.Add(dataSpan).UnixMilli()
	s := newSim(seed, start, end)
	c := newCluster(s)
	w := sc.Window()
	from, to := w.From.UnixMilli(), w.To.UnixMilli()
	t0 := from + int64(s.between(15*60, 40*60))*1000
	resolve := sc.build(c, t0, from, to)
	series := s.run()
	key := resolve()
	if key.Tolerance == 0 {
		key.Tolerance = 90 * time.Second
	}
	sort.SliceStable(key.Chain, func(i, j int) bool { return key.Chain[i].At.Before(key.Chain[j].At) })
	return &Data{Info: sc.Info, Seed: seed, Start: sc.start, End: sc.start.Add(dataSpan), Interval: scrape,
		Window: w, Series: series, Key: key}
}

func tm(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func podEntity(p *pod) map[string]string {
	return map[string]string{"namespace": p.wl.ns, "pod": p.name}
}

func wlEntity(w *workload) map[string]string {
	k := "deployment"
	if w.kind == "StatefulSet" {
		k = "statefulset"
	}
	return map[string]string{"namespace": w.ns, k: w.name}
}

// restartDB restarts the database pod at t0 and returns a pointer to the
// time it came back up (filled during the run).
func restartDB(c *cluster, d *database, t0 int64) *int64 {
	s := c.s
	p := c.livePods(d.wl)[0]
	s.at(t0, func() { s.restartContainer(p, "Error") })
	upAt := new(int64)
	s.hooks = append(s.hooks, func() {
		if s.now > t0 && *upAt == 0 && d.up {
			*upAt = s.now
		}
	})
	return upAt
}

func dbRoot(d *database, t0 int64) Step {
	up := map[string]string{"mysql": "mysql_up", "postgres": "pg_up", "redis": "redis_up"}[d.engine]
	return Step{Family: "database", Entity: map[string]string{"namespace": d.ns, "pod": d.pod},
		Signal: Signal{Metric: up, Match: map[string]string{"pod": d.pod}, Change: Zero}, At: tm(t0),
		Note: d.engine + " " + d.pod + " restarted"}
}

func buildDBRestart(c *cluster, t0, from, to int64) func() AnswerKey {
	s := c.s
	api := c.api
	s.phaseWith(c.mysql.job())
	upAt := restartDB(c, c.mysql, t0)
	// When MySQL is back, every API pod rebuilds its pool and replays its
	// queue: memory climbs for a few minutes. Some pods cross the limit.
	factors := map[*pod]float64{}
	for i, p := range c.livePods(api) {
		f := s.between(0.45, 0.8)
		if i == 0 || s.rng.IntN(3) == 0 {
			f = s.between(1.2, 1.5)
		}
		factors[p] = f
	}
	oomed := map[*pod]bool{}
	s.hooks = append(s.hooks, func() {
		if *upAt == 0 {
			return
		}
		for _, p := range s.live(api) {
			if p.lastTerm == "OOMKilled" {
				oomed[p] = true
			}
			f, ok := factors[p]
			if !ok || oomed[p] || !p.ready {
				p.memBoost *= 0.9
				continue
			}
			if s.now > *upAt+4*60_000 {
				p.memBoost *= 0.93
				continue
			}
			target := (api.memLimit - api.memBase*(1+p.memNoise)) * f
			p.memBoost = math.Min(target, p.memBoost+target/10)
		}
	})
	distr := c.distractors(t0, from, to, api)
	return func() AnswerKey {
		root := dbRoot(c.mysql, t0)
		oom := s.marks["oom:"+api.name]
		return AnswerKey{Root: root, Distractors: distr, Chain: []Step{
			// The uptime reset when MySQL is back (at *upAt) is the same
			// database event seen from the other end, not a link of its own.
			root,
			{Family: "connections", Entity: wlEntity(api), At: tm(t0), Note: "requests wait for a connection",
				Signal: Signal{Metric: "hikaricp_connections_pending", Match: map[string]string{"namespace": api.ns}, Change: Increase}},
			{Family: "memory", Entity: wlEntity(api), At: tm(*upAt + stepMs), Note: "pool rebuild drives memory to the limit",
				Signal: Signal{Metric: "container_memory_working_set_bytes", Match: map[string]string{"namespace": api.ns, "container": api.container}, Change: Rise}},
			{Family: "oom", Entity: wlEntity(api), At: tm(oom), Note: "containers OOMKilled",
				Signal: Signal{Metric: "kube_pod_container_status_last_terminated_reason", Match: map[string]string{"namespace": api.ns, "reason": "OOMKilled"}, Change: Appear}},
			{Family: "pods", Entity: wlEntity(api), At: tm(oom), Note: "fewer available replicas",
				Signal: Signal{Metric: "kube_deployment_status_replicas_available", Match: map[string]string{"deployment": api.name}, Change: Reset}},
		}}
	}
}

func buildSpot(c *cluster, t0, from, to int64) func() AnswerKey {
	s := c.s
	n := c.stagingNode
	nth := s.rng.IntN(2) == 1
	s.useNTH = nth
	if nth {
		s.phaseWith(jobNTH)
	} else {
		s.phaseWith(jobKarpenter)
	}
	// An unrelated rebalance recommendation earlier (Karpenter acts on none).
	rebalance := t0 - int64(s.between(12, 30)*60)*1000
	s.at(rebalance, func() { s.karpenterInterrupts["rebalance_recommendation"]++ })
	eventID := "spot-itn-" + s.hex(32)
	s.at(t0, func() {
		if nth {
			s.nthActions[[3]string{"cordon-and-drain", n.name, eventID}]++
			n.tainted = "aws-node-termination-handler/spot-itn"
		} else {
			s.karpenterInterrupts["spot_interrupted"]++
			n.tainted = "karpenter.sh/disrupted"
		}
	})
	var repl *node
	s.at(t0+5_000, func() {
		if !nth {
			s.karpenterDisrupted[[3]string{"spot_interrupted", n.pool, "spot"}]++
		}
		// The replacement waits for capacity: a few minutes.
		repl = s.replacementNode(n, int64(s.between(5, 9)*60)*1000)
	})
	drain := t0 + int64(s.between(15, 30))*1000
	s.at(drain, func() {
		for _, p := range s.live(c.staging) {
			if p.node == n {
				s.deletePod(p)
			}
		}
	})
	gone := t0 + 120_000
	s.at(gone, func() { s.removeNode(n) })
	distr := c.distractors(t0, from, to, c.staging)
	distr = append(distr, Step{Family: "nodes", Entity: map[string]string{}, At: tm(rebalance), Note: "rebalance recommendation, no action",
		Signal: Signal{Metric: "karpenter_interruption_received_messages_total", Match: map[string]string{"message_type": "rebalance_recommendation"}, Change: Increase}})
	return func() AnswerKey {
		root := Step{Family: "nodes", Entity: map[string]string{"node": n.name}, At: tm(t0), Note: "spot interruption of " + n.name,
			Signal: Signal{Metric: "karpenter_interruption_received_messages_total", Match: map[string]string{"message_type": "spot_interrupted"}, Change: Increase}}
		if nth {
			root.Signal = Signal{Metric: "actions_node_total", Match: map[string]string{"node_name": n.name}, Change: Increase}
		}
		_ = repl
		return AnswerKey{Root: root, Distractors: distr, Chain: []Step{
			root,
			{Family: "pods", Entity: wlEntity(c.staging), At: tm(drain), Note: "every staging pod drained; replacements Pending",
				Signal: Signal{Metric: "kube_deployment_status_replicas_available", Match: map[string]string{"deployment": c.staging.name}, Change: Zero}},
			{Family: "edge", Entity: map[string]string{"namespace": c.staging.ns, "ingress": c.staging.name}, At: tm(drain), Note: "ingress answers 503",
				Signal: Signal{Metric: "nginx_ingress_controller_requests", Match: map[string]string{"ingress": c.staging.name, "status": "503"}, Change: Surge}},
			{Family: "nodes", Entity: map[string]string{"node": n.name}, At: tm(gone), Note: "node gone",
				Signal: Signal{Metric: "kube_node_info", Match: map[string]string{"node": n.name}, Change: Vanish}},
		}}
	}
}

func buildRetryStorm(c *cluster, t0, from, to int64) func() AnswerKey {
	s := c.s
	api, ing, db := c.api, c.ingAPI, c.mysql
	db.maxConn = float64(int(float64(api.replicas*api.poolMax) + s.between(35, 55)))
	peak := s.between(4, 6)
	maxReplicas := api.replicas + 8 + s.rng.IntN(3)
	calm := t0 + int64(s.between(25, 35)*60)*1000
	s.phaseWith(jobIngress)
	s.hooks = append(s.hooks, func() {
		if s.now < t0 {
			return
		}
		switch {
		case s.now < t0+120_000:
			ing.mult = 1 + (peak-1)*float64(s.now-t0)/120_000
		case s.now < calm:
			ing.mult = peak * s.noise(0.05)
		default:
			ing.mult = math.Max(1, ing.mult*0.97)
		}
		// HPA: +2 replicas every 30s once the CPU average it reads (a
		// metrics-server window behind) shows the load, up to its max.
		if s.now >= t0+90_000 && (s.now-t0)%30_000 < stepMs && api.replicas < maxReplicas && s.now < calm {
			api.replicas += 2
			s.mark("hpa", 0)
		}
		sat := s.dbConns(db) / db.maxConn
		api.extraDB = 10 * math.Max(0, (sat-0.75)/0.25)
	})
	s.observe(func() {
		if api.waiting > 0 {
			s.mark("wait", t0)
		}
		if api.errFrac > 0.02 {
			s.mark("5xx", t0)
		}
	})
	distr := c.distractors(t0, from, to, api)
	return func() AnswerKey {
		root := Step{Family: "edge", Entity: map[string]string{"namespace": ing.ns, "ingress": ing.name}, At: tm(t0),
			Note:   "client request rate multiplies (retries)",
			Signal: Signal{Metric: "nginx_ingress_controller_requests", Match: map[string]string{"ingress": ing.name, "status": "200"}, Change: Surge}}
		return AnswerKey{Root: root, Distractors: distr, Tolerance: 2 * time.Minute, Chain: []Step{
			root,
			{Family: "pods", Entity: wlEntity(api), At: tm(s.marks["hpa"]), Note: "HPA scales the API out",
				Signal: Signal{Metric: "kube_deployment_spec_replicas", Match: map[string]string{"deployment": api.name}, Change: Increase}},
			{Family: "connections", Entity: map[string]string{"namespace": db.ns, "pod": db.pod}, At: tm(s.marks["hpa"]), Note: "MySQL connections climb to max_connections",
				Signal: Signal{Metric: "mysql_global_status_threads_connected", Match: map[string]string{"pod": db.pod}, Change: Rise}},
			{Family: "connections", Entity: wlEntity(api), At: tm(s.marks["wait"]), Note: "pool waiters",
				Signal: Signal{Metric: "hikaricp_connections_pending", Match: map[string]string{"namespace": api.ns}, Change: Increase}},
			{Family: "edge", Entity: map[string]string{"namespace": ing.ns, "ingress": ing.name}, At: tm(s.marks["5xx"]), Note: "504/500 at the ingress",
				Signal: Signal{Metric: "nginx_ingress_controller_requests", Match: map[string]string{"ingress": ing.name, "status": "504"}, Change: Increase}},
		}}
	}
}

func buildBadRollout(c *cluster, t0, from, to int64) func() AnswerKey {
	s := c.s
	w := c.checkout
	tag := fmt.Sprintf("v1.%d.0", 40+s.rng.IntN(20))
	s.phaseWith(jobKSM)
	s.at(t0, func() { s.rollout(w, tag, true) })
	s.observe(func() {
		if s.now >= t0 && w.readyCount() < w.replicas {
			s.mark("unavailable", t0)
		}
		for _, p := range s.live(w) {
			if p.waitingR == "CrashLoopBackOff" {
				s.mark("crashloop", t0)
			}
		}
	})
	distr := c.distractors(t0, from, to, w)
	return func() AnswerKey {
		root := Step{Family: "pods", Entity: wlEntity(w), At: tm(t0), Note: "rollout of " + w.name + " to " + tag,
			Signal: Signal{Metric: "kube_replicaset_owner", Match: map[string]string{"owner_name": w.name}, Change: Appear}}
		return AnswerKey{Root: root, Distractors: distr, Chain: []Step{
			root,
			{Family: "pods", Entity: wlEntity(w), At: tm(s.marks["unavailable"]), Note: "an old pod is scaled down; available replicas drop",
				Signal: Signal{Metric: "kube_deployment_status_replicas_available", Match: map[string]string{"deployment": w.name}, Change: Reset}},
			{Family: "pods", Entity: wlEntity(w), At: tm(s.marks["crashloop"]), Note: "new pods in CrashLoopBackOff",
				Signal: Signal{Metric: "kube_pod_container_status_waiting_reason", Match: map[string]string{"namespace": w.ns, "reason": "CrashLoopBackOff"}, Change: Appear}},
		}}
	}
}

func buildMemoryPressure(c *cluster, t0, from, to int64) func() AnswerKey {
	s := c.s
	w := c.worker
	w.replicas = 4
	s.phaseWith(jobKubelet)
	rate := s.between(150, 220) * mib
	var job *pod
	var first *pod
	evictions := 0
	s.hooks = append(s.hooks, func() {
		if s.now < t0 || evictions >= 2 {
			return
		}
		if job == nil || job.evicted || job.deleted {
			if job != nil {
				evictions++
				job = nil
				if evictions >= 2 {
					return
				}
			}
			// The job starts (again) on the newest ready worker pod.
			ps := s.live(w)
			for i := len(ps) - 1; i >= 0; i-- {
				if ps[i].ready && ps[i].node != nil {
					job = ps[i]
					break
				}
			}
			if job == nil {
				return
			}
			if first == nil {
				first = job
				s.mark("job", t0)
			}
		}
		job.memBoost += rate * s.noise(0.1)
	})
	s.observe(func() {
		if s.now < t0 {
			return
		}
		for _, n := range s.nodes {
			if n.memPressure {
				s.mark("pressure", t0)
			}
		}
	})
	distr := c.distractors(t0, from, to, w)
	return func() AnswerKey {
		if first == nil || first.node == nil {
			// No worker was ready to run the job: nothing happened.
			return AnswerKey{Quiet: true, Distractors: distr}
		}
		root := Step{Family: "memory", Entity: podEntity(first), At: tm(s.marks["job"]), Note: "batch job without a memory limit fills its node",
			Signal: Signal{Metric: "container_memory_working_set_bytes", Match: map[string]string{"pod": first.name, "container": w.container}, Change: Rise}}
		return AnswerKey{Root: root, Distractors: distr, Chain: []Step{
			root,
			{Family: "nodes", Entity: map[string]string{"node": first.node.name}, At: tm(s.marks["pressure"]), Note: "node MemoryPressure",
				Signal: Signal{Metric: "kube_node_status_condition", Match: map[string]string{"node": first.node.name, "condition": "MemoryPressure", "status": "true"}, Change: Increase}},
			{Family: "pods", Entity: podEntity(first), At: tm(s.marks["evict:"+w.name]), Note: "kubelet evicts the pod",
				Signal: Signal{Metric: "kube_pod_status_reason", Match: map[string]string{"pod": first.name, "reason": "Evicted"}, Change: Appear}},
		}}
	}
}

func buildRedisRestart(c *cluster, t0, from, to int64) func() AnswerKey {
	s := c.s
	s.phaseWith(c.redis.job())
	upAt := restartDB(c, c.redis, t0)
	w := c.storefront
	s.observe(func() {
		if w.waiting > 0 {
			s.mark("wait", t0)
		}
	})
	distr := c.distractors(t0, from, to, w)
	return func() AnswerKey {
		root := dbRoot(c.redis, t0)
		pg := c.postgres
		return AnswerKey{Root: root, Distractors: distr, Chain: []Step{
			root,
			{Family: "database", Entity: root.Entity, At: tm(*upAt), Note: "redis comes back empty",
				Signal: Signal{Metric: "redis_uptime_in_seconds", Match: map[string]string{"pod": c.redis.pod}, Change: Reset}},
			{Family: "connections", Entity: map[string]string{"namespace": pg.ns, "pod": pg.pod}, At: tm(t0 + stepMs), Note: "cache misses load Postgres",
				Signal: Signal{Metric: "pg_stat_activity_count", Match: map[string]string{"pod": pg.pod, "state": "active"}, Change: Rise}},
			{Family: "connections", Entity: wlEntity(w), At: tm(s.marks["wait"]), Note: "Rails pool waiters",
				Signal: Signal{Metric: "ruby_active_record_connection_pool_waiting", Match: map[string]string{"namespace": w.ns}, Change: Increase}},
		}}
	}
}

func buildRedHerring(c *cluster, t0, from, to int64) func() AnswerKey {
	s := c.s
	w := c.checkout
	s.phaseWith(c.postgres.job())
	upAt := restartDB(c, c.postgres, t0)
	// The loud one: Karpenter replaces a drifted batch node a minute or two
	// earlier; several batch pods move.
	c.worker.replicas = 5
	n := c.batch[0]
	loud := t0 - int64(s.between(60, 150))*1000
	s.at(loud, func() {
		s.karpenterDisrupted[[3]string{"drifted", n.pool, n.capType}]++
		n.tainted = "karpenter.sh/disrupted"
		s.replacementNode(n, 70_000)
	})
	s.at(loud+20_000, func() {
		for _, p := range s.live(c.worker) {
			if p.node == n {
				s.deletePod(p)
			}
		}
	})
	s.at(loud+90_000, func() { s.removeNode(n) })
	s.observe(func() {
		if w.waiting > 0 {
			s.mark("wait", t0)
		}
	})
	distr := c.distractors(t0, from, to, w, c.worker)
	distr = append(distr,
		Step{Family: "nodes", Entity: map[string]string{"node": n.name}, At: tm(loud), Note: "drifted node replaced (not the cause)",
			Signal: Signal{Metric: "karpenter_nodeclaims_disrupted_total", Match: map[string]string{"reason": "drifted"}, Change: Increase}},
		Step{Family: "nodes", Entity: map[string]string{"node": n.name}, At: tm(loud + 90_000), Note: "node gone",
			Signal: Signal{Metric: "kube_node_info", Match: map[string]string{"node": n.name}, Change: Vanish}})
	return func() AnswerKey {
		root := dbRoot(c.postgres, t0)
		return AnswerKey{Root: root, Distractors: distr, Chain: []Step{
			root,
			{Family: "database", Entity: root.Entity, At: tm(*upAt), Note: "postmaster start time jumps",
				Signal: Signal{Metric: "pg_postmaster_start_time_seconds", Match: map[string]string{"pod": c.postgres.pod}, Change: Increase}},
			{Family: "connections", Entity: wlEntity(w), At: tm(s.marks["wait"]), Note: "database/sql waits",
				Signal: Signal{Metric: "go_sql_wait_count_total", Match: map[string]string{"namespace": w.ns}, Change: Increase}},
			{Family: "edge", Entity: map[string]string{"namespace": w.ns, "ingress": w.name}, At: tm(s.marks["wait"]), Note: "checkout 5xx",
				Signal: Signal{Metric: "nginx_ingress_controller_requests", Match: map[string]string{"ingress": w.name, "status": "504"}, Change: Increase}},
		}}
	}
}

func buildQuiet(c *cluster, t0, from, to int64) func() AnswerKey {
	s := c.s
	rebalance := t0 + int64(s.between(-5, 5)*60)*1000
	s.at(rebalance, func() { s.karpenterInterrupts["rebalance_recommendation"]++ })
	distr := c.distractors(t0, from, to)
	distr = append(distr, Step{Family: "nodes", At: tm(rebalance), Note: "rebalance recommendation, no action",
		Signal: Signal{Metric: "karpenter_interruption_received_messages_total", Match: map[string]string{"message_type": "rebalance_recommendation"}, Change: Increase}})
	return func() AnswerKey { return AnswerKey{Quiet: true, Distractors: distr} }
}
