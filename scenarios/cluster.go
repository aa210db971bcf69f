package scenarios

import (
	"fmt"
	"time"
)

// cluster is the baseline cluster every scenario starts from: names,
// sizes and placement vary with the seed.
type cluster struct {
	s                                                    *sim
	ns                                                   string
	api, checkout, storefront, frontend, staging, worker *workload
	mysql, postgres, redis                               *database
	ondemand, batch                                      []*node
	stagingNode                                          *node
	ingAPI, ingCheckout, ingStore, ingFront, ingStaging  *ingress
}

func onPool(pool string) func(*node) bool { return func(n *node) bool { return n.pool == pool } }

func newCluster(s *sim) *cluster {
	c := &cluster{s: s}
	s.now = s.start
	s.ksmInstance = s.ip() + ":8080"
	s.ingressPod = "ingress-nginx-controller-" + s.token(10) + "-" + s.token(5)
	s.ingressIP = s.ip()
	zones := []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	for i := 0; i < 3+s.rng.IntN(2); i++ {
		c.ondemand = append(c.ondemand, s.addNode("on-demand", "default", s.pick([]string{"m6i.xlarge", "m7i.xlarge"}), 16, zones[i%3]))
	}
	for i := 0; i < 2; i++ {
		c.batch = append(c.batch, s.addNode("spot", "batch", s.pick([]string{"m6a.large", "m5a.large", "m7a.large"}), 8, zones[(i+1)%3]))
	}
	c.stagingNode = s.addNode("spot", "staging-spot", s.pick([]string{"t3a.large", "m6a.large"}), 8, s.pick(zones))

	c.ns = s.pick([]string{"shop", "store", "commerce", "retail"})
	data := s.pick([]string{"data", "databases", "db"})
	def := onPool("default")

	c.mysql = s.addDB(c, "mysql", s.pick([]string{"mysql", "orders-db", "mysql-primary"}), data, "8.0.39", 2.4, 4, s.between(140, 200))
	c.postgres = s.addDB(c, "postgres", s.pick([]string{"postgres", "pg-main", "payments-db"}), data, "16.4", 2, 4, s.between(180, 250))
	c.redis = s.addDB(c, "redis", s.pick([]string{"redis", "cache", "redis-cache"}), data, "7.2.5", 0.6, 1.5, 10000)
	c.redis.hitRatio = 0.95

	gib := float64(1 << 30)
	c.api = s.addWorkload(&workload{ns: c.ns, name: s.pick([]string{"orders-api", "catalog-api", "accounts-api", "inventory-api"}),
		container: "app", replicas: 4 + s.rng.IntN(2), memBase: s.between(0.66, 0.72) * gib, memLimit: gib, app: "java",
		selector: def, db: c.mysql, poolMax: 10, dbTime: 0.02})
	c.api.container = "api"
	c.checkout = s.addWorkload(&workload{ns: c.ns, name: s.pick([]string{"checkout", "payments", "billing"}), container: "server",
		replicas: 4, memBase: 170 * mib, memLimit: 512 * mib, app: "go", selector: def, db: c.postgres, poolMax: 20, dbTime: 0.03})
	c.storefront = s.addWorkload(&workload{ns: c.ns, name: s.pick([]string{"storefront", "web-shop", "shopfront"}), container: "rails",
		replicas: 3, memBase: 700 * mib, memLimit: 1.5 * gib, app: "rails", selector: def, db: c.postgres, cache: c.redis, poolMax: 5, dbTime: 0.02})
	c.frontend = s.addWorkload(&workload{ns: c.ns, name: s.pick([]string{"frontend", "web", "portal"}), container: "nginx",
		replicas: 3, memBase: 120 * mib, memLimit: 256 * mib, app: "web", selector: def})
	c.staging = s.addWorkload(&workload{ns: "staging", name: s.pick([]string{"api-staging", "preview-api", "qa-api"}), container: "api",
		replicas: 2, memBase: 300 * mib, memLimit: 768 * mib, app: "web", selector: onPool("staging-spot")})
	c.worker = s.addWorkload(&workload{ns: "batch", name: s.pick([]string{"report-worker", "etl-worker", "export-worker"}), container: "worker",
		replicas: 2, memBase: 600 * mib, app: "worker", selector: onPool("batch"), leakPerHour: s.between(25, 60) * mib})

	host := s.pick([]string{"shop.example.com", "store.example.net", "www.example.org"})
	c.ingAPI = s.addIngress(c.api, "api."+host, "/", s.between(60, 100))
	c.ingCheckout = s.addIngress(c.checkout, host, "/checkout", s.between(15, 30))
	c.ingStore = s.addIngress(c.storefront, host, "/shop", s.between(40, 70))
	c.ingFront = s.addIngress(c.frontend, host, "/", s.between(100, 160))
	c.ingStaging = s.addIngress(c.staging, "staging."+host, "/", s.between(2, 5))
	return c
}

func (s *sim) addDB(c *cluster, engine, name, ns, tag string, memGiB, limitGiB, maxConn float64) *database {
	w := s.addWorkload(&workload{kind: "StatefulSet", ns: ns, name: name, container: engine, replicas: 1, tag: tag,
		memBase: memGiB * (1 << 30), memLimit: limitGiB * (1 << 30), app: engine, selector: onPool("default")})
	d := &database{engine: engine, ns: ns, pod: name + "-0", name: "app", wl: w, up: true, maxConn: float64(int(maxConn)),
		startedAt: s.now - int64(s.between(3, 60)*86_400_000)}
	if engine == "postgres" {
		d.name = "payments"
	}
	s.dbs = append(s.dbs, d)
	return d
}

func (s *sim) addIngress(w *workload, host, path string, rps float64) *ingress {
	ing := &ingress{ns: w.ns, name: w.name, service: w.name, host: host, path: path, baseRPS: rps, mult: 1, backend: w,
		counts: map[string]float64{}, buckets: map[string][]float64{}, sums: map[string]float64{}}
	// Counters that were already counting before the data starts.
	for _, st := range []string{"200", "304", "404", "499", "500"} {
		if st == "500" && s.rng.IntN(2) == 0 {
			continue
		}
		share := map[string]float64{"200": 0.95, "304": 0.03, "404": 0.01, "499": 0.002, "500": 0.0005}[st]
		ing.counts[st] = float64(int(rps * share * s.between(2, 20) * 86400))
	}
	w.ing = ing
	s.ings = append(s.ings, ing)
	return ing
}

// livePods returns the running pods of w now (at scenario build or in a hook).
func (c *cluster) livePods(w *workload) []*pod { return c.s.live(w) }

// distractors adds the unrelated changes every incident has around it: a
// slow leak (always on, see newCluster), a healthy rollout elsewhere, and a
// lone container restart on another node close to the trigger.
func (c *cluster) distractors(t0 int64, from, to int64, skip ...*workload) []Step {
	s := c.s
	var out []Step
	skipped := func(w *workload) bool {
		for _, k := range skip {
			if k == w {
				return true
			}
		}
		return false
	}
	// A healthy rollout at least 10 minutes away from the trigger.
	roll := c.frontend
	if skipped(roll) {
		roll = c.storefront
	}
	var at int64
	for {
		at = from + int64(s.between(0, float64(to-from)))
		if at < t0-10*60_000 || at > t0+10*60_000 {
			break
		}
	}
	at -= at % 1000
	tag := fmt.Sprintf("v2.%d.%d", s.rng.IntN(20), s.rng.IntN(10))
	s.at(at, func() { s.rollout(roll, tag, false) })
	out = append(out, Step{Family: "pods", Entity: map[string]string{"namespace": roll.ns, "deployment": roll.name},
		Signal: Signal{Metric: "kube_replicaset_owner", Match: map[string]string{"owner_name": roll.name}, Change: Appear},
		At:     time.UnixMilli(at).UTC(), Note: "healthy rollout of " + roll.name + " to " + tag})
	// A lone restart of an unrelated container, within 3 minutes of t0.
	lone := c.worker
	if skipped(lone) {
		lone = c.frontend
	}
	rt := t0 + int64(s.between(-180, 180))*1000
	if rt < from {
		rt = from + 60_000
	}
	s.at(rt, func() {
		if ps := s.live(lone); len(ps) > 0 {
			s.restartContainer(ps[len(ps)-1], "Error")
		}
	})
	out = append(out, Step{Family: "pods", Entity: map[string]string{"namespace": lone.ns, "deployment": lone.name},
		Signal: Signal{Metric: "kube_pod_container_status_restarts_total", Match: map[string]string{"namespace": lone.ns}, Change: Increase},
		At:     time.UnixMilli(rt - rt%stepMs).UTC(), Note: "one unrelated container restart (exit code 1)"})
	out = append(out, Step{Family: "memory", Entity: map[string]string{"namespace": c.worker.ns, "deployment": c.worker.name},
		Note: "slow memory growth of " + c.worker.name + " (no limit, no consequence)"})
	return out
}
