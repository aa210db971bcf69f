package scenarios

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// The simulator is a small discrete-time model of a cluster: every 15s the
// scheduled actions due are applied, the scenario's hooks run, the world
// settles (pods start, crash, get OOMKilled or evicted, controllers
// reconcile), then every exporter is "scraped" at its own fixed offset
// within the interval.

const (
	stepMs = int64(15_000)
	mib    = 1 << 20
)

type sim struct {
	rng        *rand.Rand
	start, end int64
	now        int64
	series     map[string]*Series
	offsets    map[string]int64
	actions    []action
	hooks      []func()
	// observers run after the world settled, before the scrape: they see
	// this tick's state (marks of the answer key are taken there).
	observers []func()
	// phase is the offset within the interval at which the world's state
	// changes: the exporter scraped at this offset is the first to see a
	// change of a tick; jobs scraped earlier in the interval see it at
	// their next scrape.
	phase int64

	nodes   []*node
	wls     []*workload
	ings    []*ingress
	dbs     []*database
	nodeSeq int

	// marks records the first time of simulator events (the truth the
	// answer keys are built from).
	marks               map[string]int64
	karpenterInterrupts map[string]float64 // message_type -> count
	karpenterDisrupted  map[[3]string]float64
	nthActions          map[[3]string]float64
	useNTH              bool
	ksmInstance         string
	ingressPod          string
	ingressIP           string
}

type action struct {
	at int64
	f  func()
}

type node struct {
	name, ip, instanceID, zone string
	capType, pool, instType    string
	memBytes                   float64
	sysMem                     float64
	createdAt                  int64
	ready, memPressure, gone   bool
	tainted                    string
	oomKills                   float64
	pressureSince              int64
}

type workload struct {
	kind, ns, name, container string
	image, tag                string
	replicas                  int
	memBase, memLimit         float64
	app                       string // java | go | rails | mysql | postgres | redis | worker | web
	hash                      string
	rsHashes                  []string
	pods                      []*pod
	selector                  func(*node) bool
	badTag                    string // pods of this tag crash
	leakPerHour               float64
	db                        *database
	cache                     *database
	poolMax                   int
	dbTime                    float64 // seconds of DB time per request
	extraDB                   float64 // multiplier on dbTime
	share                     float64 // share of the ingress traffic
	ing                       *ingress
	// derived each tick
	errFrac, latFactor float64
	waiting            float64
}

type pod struct {
	wl                     *workload
	name, uid, ip, hash    string
	node                   *node
	createdAt              int64
	phase                  string
	ready                  bool
	readyAt                int64
	deleted                bool
	evicted                bool
	restarts               float64
	lastTerm, waitingR     string
	containerID            string
	crashAt                int64
	backoff                int64
	memNoise, memBoost     float64
	mem                    float64
	active, pending, idle  float64
	waitCount, waitSeconds float64
}

type database struct {
	engine, instance, ns, pod, name string
	wl                              *workload
	up                              bool
	startedAt                       int64
	maxConn                         float64
	hits, misses                    float64
	hitRatio                        float64
}

type ingress struct {
	ns, name, service, host, path string
	baseRPS                       float64
	mult                          float64
	backend                       *workload
	counts                        map[string]float64 // status -> cumulative
	buckets                       map[string][]float64
	sums                          map[string]float64
	notFound                      float64 // extra 404 share
}

var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

func newSim(seed int64, start, end int64) *sim {
	s := &sim{
		rng:                 rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		start:               start,
		end:                 end,
		series:              map[string]*Series{},
		marks:               map[string]int64{},
		offsets:             map[string]int64{},
		karpenterInterrupts: map[string]float64{},
		karpenterDisrupted:  map[[3]string]float64{},
		nthActions:          map[[3]string]float64{},
	}
	return s
}

// ---- randomness helpers ----

func (s *sim) pick(xs []string) string { return xs[s.rng.IntN(len(xs))] }
func (s *sim) between(a, b float64) float64 {
	return a + s.rng.Float64()*(b-a)
}
func (s *sim) noise(sigma float64) float64 { return 1 + s.rng.NormFloat64()*sigma }

func (s *sim) poisson(l float64) float64 {
	if l <= 0 {
		return 0
	}
	if l > 30 {
		return math.Max(0, math.Round(l+s.rng.NormFloat64()*math.Sqrt(l)))
	}
	L, k, p := math.Exp(-l), 0.0, 1.0
	for {
		p *= s.rng.Float64()
		if p <= L {
			return k
		}
		k++
	}
}

const hashChars = "bcdfghjklmnpqrstvwxz2456789"

func (s *sim) token(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hashChars[s.rng.IntN(len(hashChars))]
	}
	return string(b)
}

func (s *sim) hex(n int) string {
	const h = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = h[s.rng.IntN(16)]
	}
	return string(b)
}

func (s *sim) uid() string {
	return s.hex(8) + "-" + s.hex(4) + "-4" + s.hex(3) + "-a" + s.hex(3) + "-" + s.hex(12)
}

func (s *sim) ip() string {
	return fmt.Sprintf("10.0.%d.%d", s.rng.IntN(200)+10, s.rng.IntN(250)+2)
}

// daily is the client traffic shape: low at 03:00 UTC, peak at 15:00.
func daily(ms int64) float64 {
	h := float64(ms%86_400_000) / 3_600_000
	return 0.3 + 0.7*(0.5-0.5*math.Cos(2*math.Pi*(h-3)/24))
}

// ---- scheduling ----

// observe runs f after every tick settled (see sim.observers).
func (s *sim) observe(f func()) { s.observers = append(s.observers, f) }

// phaseWith makes job the first exporter to see each tick's changes: the
// trigger of a scenario is seen by its own exporter before its effects are
// seen anywhere else.
func (s *sim) phaseWith(job string) { s.phase = s.offset(job) }

func (s *sim) at(ms int64, f func()) { s.actions = append(s.actions, action{at: ms, f: f}) }

func (s *sim) run() []Series {
	sort.SliceStable(s.actions, func(i, j int) bool { return s.actions[i].at < s.actions[j].at })
	next := 0
	for t := s.start; t <= s.end; t += stepMs {
		s.now = t
		for next < len(s.actions) && s.actions[next].at <= t {
			s.actions[next].f()
			next++
		}
		for _, h := range s.hooks {
			h()
		}
		s.settle()
		for _, o := range s.observers {
			o()
		}
		s.scrape()
	}
	type keyed struct {
		key string
		ser *Series
	}
	ks := make([]keyed, 0, len(s.series))
	for _, ser := range s.series {
		ks = append(ks, keyed{ser.key(), ser})
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].key < ks[j].key })
	out := make([]Series, len(ks))
	for i, k := range ks {
		out[i] = *k.ser
	}
	return out
}

// ---- emission ----

func (s *sim) offset(job string) int64 {
	if o, ok := s.offsets[job]; ok {
		return o
	}
	// A stable per-job offset, as Prometheus spreads scrapes over the
	// interval; derived from the job name so adding jobs does not move others.
	h := uint64(14695981039346656037)
	for i := 0; i < len(job); i++ {
		h = (h ^ uint64(job[i])) * 1099511628211
	}
	o := int64(h % uint64(stepMs-1000))
	s.offsets[job] = o
	return o
}

// emit appends one sample at the current tick to the series named name with
// the given label pairs; the job label is set from job.
func (s *sim) emit(job string, typ MetricType, name string, v float64, kv ...string) {
	// The key follows the call site's label order, which is fixed per
	// metric, so it identifies the series without sorting.
	n := len(name) + len(job) + 8
	for _, x := range kv {
		n += len(x) + 1
	}
	kb := make([]byte, 0, n)
	kb = append(kb, name...)
	kb = append(kb, 0xff)
	kb = append(kb, job...)
	for _, x := range kv {
		kb = append(kb, 0xff)
		kb = append(kb, x...)
	}
	ser, ok := s.series[string(kb)]
	if !ok {
		l := make(map[string]string, len(kv)/2+2)
		l["__name__"] = name
		l["job"] = job
		for i := 0; i+1 < len(kv); i += 2 {
			l[kv[i]] = kv[i+1]
		}
		ser = &Series{Labels: l, Type: typ}
		s.series[string(kb)] = ser
	}
	t := s.now + s.offset(job)
	if s.offset(job) < s.phase {
		// Scraped before this tick's changes took place: the state shows
		// at the job's next scrape.
		t += stepMs
		if s.now >= s.end {
			return
		}
	}
	if n := len(ser.Samples); n > 0 && ser.Samples[n-1].T >= t {
		return
	}
	ser.Samples = append(ser.Samples, Sample{T: t, V: v})
}

// ---- world building ----

func (s *sim) addNode(capType, pool, instType string, memGiB float64, zone string) *node {
	ip := s.ip()
	n := &node{
		name:       "ip-" + replaceDots(ip) + ".ec2.internal",
		ip:         ip,
		instanceID: "i-0" + s.hex(16),
		zone:       zone,
		capType:    capType,
		pool:       pool,
		instType:   instType,
		memBytes:   memGiB * (1 << 30),
		sysMem:     s.between(0.6, 1.0) * (1 << 30),
		createdAt:  s.now - int64(s.between(2, 40)*86_400_000),
		ready:      true,
	}
	s.nodes = append(s.nodes, n)
	return n
}

func replaceDots(ip string) string {
	b := []byte(ip)
	for i := range b {
		if b[i] == '.' {
			b[i] = '-'
		}
	}
	return string(b)
}

func (s *sim) addWorkload(w *workload) *workload {
	if w.kind == "" {
		w.kind = "Deployment"
	}
	if w.kind == "Deployment" {
		w.hash = s.token(10)
		w.rsHashes = append(w.rsHashes, w.hash)
	}
	if w.tag == "" {
		w.tag = fmt.Sprintf("v1.%d.%d", s.rng.IntN(30), s.rng.IntN(10))
	}
	s.wls = append(s.wls, w)
	for i := 0; i < w.replicas; i++ {
		p := s.newPod(w, i)
		p.createdAt = s.now - int64(s.between(1, 10)*86_400_000)
		p.ready, p.phase = true, "Running"
		if s.rng.IntN(3) == 0 {
			// An old restart, from before the data.
			p.restarts, p.lastTerm = 1, "Error"
		}
		s.place(p)
	}
	return w
}

func (s *sim) newPod(w *workload, ordinal int) *pod {
	p := &pod{wl: w, uid: s.uid(), ip: s.ip(), hash: w.hash, createdAt: s.now, phase: "Pending",
		containerID: s.hex(64), memNoise: s.between(-0.06, 0.06)}
	if w.kind == "StatefulSet" {
		p.name = fmt.Sprintf("%s-%d", w.name, ordinal)
	} else {
		p.name = w.name + "-" + w.hash + "-" + s.token(5)
	}
	w.pods = append(w.pods, p)
	return p
}

// place schedules a pod on the eligible ready node with the fewest pods.
func (s *sim) place(p *pod) bool {
	var best *node
	bestN := 1 << 30
	for _, n := range s.nodes {
		if n.gone || !n.ready || n.tainted != "" || (p.wl.selector != nil && !p.wl.selector(n)) {
			continue
		}
		c := s.podsOn(n)
		if c < bestN {
			best, bestN = n, c
		}
	}
	if best == nil {
		return false
	}
	p.node = best
	return true
}

func (s *sim) podsOn(n *node) int {
	c := 0
	for _, w := range s.wls {
		for _, p := range w.pods {
			if p.node == n && !p.deleted && !p.evicted {
				c++
			}
		}
	}
	return c
}

func (s *sim) live(w *workload) []*pod {
	var out []*pod
	for _, p := range w.pods {
		if !p.deleted && !p.evicted {
			out = append(out, p)
		}
	}
	return out
}

func (w *workload) readyCount() int {
	c := 0
	for _, p := range w.pods {
		if !p.deleted && !p.evicted && p.ready {
			c++
		}
	}
	return c
}

// ---- events the scenarios trigger ----

// restartContainer kills a pod's container with reason and starts a new one.
func (s *sim) restartContainer(p *pod, reason string) {
	if p.deleted || p.evicted || p.node == nil {
		return
	}
	if reason == "OOMKilled" {
		p.node.oomKills++
		s.mark("oom:"+p.wl.name, 0)
	}
	p.restarts++
	p.lastTerm = reason
	p.containerID = s.hex(64)
	p.ready = false
	p.memBoost = 0
	p.waitCount, p.waitSeconds = 0, 0
	p.readyAt = s.now + int64(s.between(20, 45)*1000)
	if p.restarts >= 3 && p.crashAt > 0 {
		p.waitingR = "CrashLoopBackOff"
	}
}

func (s *sim) deletePod(p *pod) {
	p.deleted = true
	p.ready = false
}

func (s *sim) evict(p *pod) {
	s.mark("evict:"+p.wl.name, 0)
	p.evicted = true
	p.ready = false
	p.phase = "Failed"
}

// rollout starts a rolling update of w to tag; crash makes the new pods
// crash-loop.
func (s *sim) rollout(w *workload, tag string, crash bool) {
	w.hash = s.token(10)
	w.rsHashes = append(w.rsHashes, w.hash)
	w.tag = tag
	if crash {
		w.badTag = tag
	}
}

// removeNode makes a node and everything on it vanish.
func (s *sim) removeNode(n *node) {
	n.gone = true
	for _, w := range s.wls {
		for _, p := range w.pods {
			if p.node == n && !p.deleted {
				s.deletePod(p)
			}
		}
	}
}

// replacementNode launches a new node like n that becomes ready later.
func (s *sim) replacementNode(n *node, readyAfter int64) *node {
	r := s.addNode(n.capType, n.pool, n.instType, n.memBytes/(1<<30), n.zone)
	r.createdAt = s.now
	r.ready = false
	s.at(s.now+readyAfter, func() { r.ready = true })
	return r
}

// ---- settling ----

func (s *sim) settle() {
	for _, w := range s.wls {
		s.reconcile(w)
		for _, p := range w.pods {
			s.podTick(p)
		}
	}
	s.nodePressure()
	for _, d := range s.dbs {
		s.dbTick(d)
	}
	for _, w := range s.wls {
		s.appTick(w)
	}
}

func (s *sim) reconcile(w *workload) {
	live := s.live(w)
	// Pending pods try to get a node.
	for _, p := range live {
		if p.node == nil && s.place(p) {
			p.readyAt = s.now + int64(s.between(25, 50)*1000)
		}
	}
	if w.kind == "StatefulSet" {
		have := map[string]bool{}
		for _, p := range live {
			have[p.name] = true
		}
		for i := 0; i < w.replicas; i++ {
			if !have[fmt.Sprintf("%s-%d", w.name, i)] {
				p := s.newPod(w, i)
				if s.place(p) {
					p.readyAt = s.now + int64(s.between(30, 60)*1000)
				}
				return
			}
		}
		return
	}
	var old, cur []*pod
	readyOld, readyCur := 0, 0
	for _, p := range live {
		if p.hash == w.hash {
			cur = append(cur, p)
			if p.ready {
				readyCur++
			}
		} else {
			old = append(old, p)
			if p.ready {
				readyOld++
			}
		}
	}
	surge := max(1, w.replicas/4)
	maxUnav := w.replicas / 4
	if len(old)+len(cur) < w.replicas+surge && len(cur) < w.replicas {
		p := s.newPod(w, 0)
		if s.place(p) {
			p.readyAt = s.now + int64(s.between(25, 50)*1000)
		}
		return
	}
	if len(old) > 0 && readyOld+readyCur-1 >= w.replicas-maxUnav {
		victim := old[0]
		for _, p := range old {
			if !p.ready {
				victim = p
				break
			}
		}
		s.deletePod(victim)
		return
	}
	// Scaled down: remove the newest surplus pod.
	if len(cur) > w.replicas && len(old) == 0 {
		s.deletePod(cur[len(cur)-1])
	}
}

func (s *sim) podTick(p *pod) {
	if p.deleted || p.evicted || p.node == nil {
		return
	}
	w := p.wl
	if p.phase == "Pending" {
		p.phase = "Running"
	}
	crashing := w.badTag != "" && p.hash == w.hash && w.kind == "Deployment"
	if crashing {
		// A crash-looping container: starts, dies after a few seconds, waits
		// with an exponential back-off (10s, 20s, 40s ... 5m).
		switch {
		case p.crashAt == 0:
			p.crashAt = p.readyAt + int64(s.between(3, 8)*1000)
			p.backoff = 10_000
		case s.now >= p.crashAt:
			s.restartContainer(p, "Error")
			p.waitingR = "CrashLoopBackOff"
			p.crashAt = s.now + p.backoff + int64(s.between(3, 8)*1000)
			p.backoff = min(p.backoff*2, 300_000)
		case s.now >= p.crashAt-int64(6000):
			p.waitingR = ""
		}
		p.ready = false
		p.mem = w.memBase * 0.3 * s.noise(0.05)
		return
	}
	if !p.ready && s.now >= p.readyAt && p.readyAt > 0 {
		p.ready = true
		p.waitingR = ""
	}
	hours := float64(s.now-max(p.createdAt, s.start-4*3_600_000)) / 3_600_000
	p.mem = w.memBase*(1+p.memNoise)*s.noise(0.015) + w.leakPerHour*hours + p.memBoost
	if !p.ready {
		p.mem *= 0.6
	}
	if w.memLimit > 0 && p.mem >= w.memLimit {
		p.mem = w.memLimit
		s.restartContainer(p, "OOMKilled")
	}
}

// nodePressure turns node memory use into the MemoryPressure condition and
// kubelet evictions (largest pod first).
func (s *sim) nodePressure() {
	for _, n := range s.nodes {
		if n.gone {
			continue
		}
		used := n.sysMem
		var biggest *pod
		for _, w := range s.wls {
			for _, p := range w.pods {
				if p.node == n && !p.deleted && !p.evicted {
					used += p.mem
					if biggest == nil || p.mem > biggest.mem {
						biggest = p
					}
				}
			}
		}
		threshold := n.memBytes - 100*mib
		if used > threshold {
			if !n.memPressure {
				n.memPressure, n.pressureSince = true, s.now
			}
			if biggest != nil && s.now-n.pressureSince >= 15_000 {
				s.evict(biggest)
			}
		} else if n.memPressure && used < threshold*0.93 {
			n.memPressure = false
		}
	}
}

func (s *sim) dbTick(d *database) {
	if d.wl != nil {
		up := false
		for _, p := range d.wl.pods {
			if !p.deleted && !p.evicted && p.ready {
				up = true
			}
		}
		if up && !d.up {
			d.startedAt = s.now - int64(s.between(1, 4)*1000)
			d.hitRatio, d.hits, d.misses = 0, 0, 0
		}
		d.up = up
	}
	if d.engine == "redis" && d.up && d.hitRatio < 0.95 {
		// The cache warms up as misses are filled: about 20 minutes.
		d.hitRatio = math.Min(0.95, d.hitRatio+0.95*15/1200)
	}
	if d.engine == "redis" && d.up {
		for _, w := range s.wls {
			if w.cache == d && w.ing != nil {
				lookups := 3 * w.ing.baseRPS * w.ing.mult * daily(s.now) * 15
				d.hits += s.poisson(lookups * d.hitRatio)
				d.misses += s.poisson(lookups * (1 - d.hitRatio))
			}
		}
	}
}

// appTick computes pools, waiters and error rates of a workload.
func (s *sim) appTick(w *workload) {
	ready := w.readyCount()
	w.errFrac, w.latFactor, w.waiting = 0, 1, 0
	var rps float64
	if w.ing != nil {
		rps = w.ing.baseRPS * w.ing.mult * daily(s.now)
	}
	if w.replicas > 0 {
		w.errFrac += 0.04 * float64(max(0, w.replicas-ready)) / float64(w.replicas)
	}
	if ready == 0 && w.ing != nil {
		w.errFrac = 1
		return
	}
	if w.db == nil || w.poolMax == 0 {
		return
	}
	db := w.db
	dbFactor := 1 + w.extraDB
	if w.cache != nil {
		dbFactor += (0.95 - w.cache.hitRatio) * 20
		if !w.cache.up {
			dbFactor += 20
		}
	}
	perPod := rps / float64(max(ready, 1))
	// Connections other clients already hold on this DB.
	var others float64
	for _, o := range s.wls {
		if o != w && o.db == db {
			for _, p := range o.pods {
				if !p.deleted && !p.evicted && p.ready {
					others += p.active + p.idle
				}
			}
		}
	}
	free := db.maxConn - 6 - others
	for _, p := range w.pods {
		if p.deleted || p.evicted || !p.ready {
			p.active, p.pending, p.idle = 0, 0, 0
			continue
		}
		demand := perPod * w.dbTime * dbFactor * s.noise(0.08)
		capacity := float64(w.poolMax)
		if !db.up {
			capacity = 0
		}
		if float64(w.poolMax) > free {
			capacity = math.Max(0, math.Min(capacity, free))
		}
		p.active = math.Round(math.Min(demand, capacity))
		p.pending = math.Max(0, math.Round(demand-capacity))
		if !db.up {
			// Requests pile up waiting for a connection (connectionTimeout).
			p.pending = math.Round(perPod * s.between(3, 6))
		}
		p.idle = 0
		if w.app == "java" && db.up {
			// HikariCP keeps minimumIdle = maximumPoolSize connections open.
			p.idle = math.Max(0, math.Min(float64(w.poolMax), free)-p.active)
		} else if db.up {
			p.idle = math.Min(2, math.Max(0, capacity-p.active))
		}
		free -= p.active + p.idle
		if p.pending > 0 {
			p.waitCount += p.pending * 15 / math.Max(w.dbTime, 0.01) * 0.2
			p.waitSeconds += p.pending * 15
		}
		w.waiting += p.pending
	}
	if w.waiting > 0 {
		load := w.waiting / (w.waiting + float64(ready*w.poolMax))
		w.errFrac += 0.6 * load
		w.latFactor += 12 * load
	}
	w.latFactor *= 1 + 0.3*(dbFactor-1)
}

// mark records the first time (after since) event k happened.
func (s *sim) mark(k string, since int64) {
	if _, ok := s.marks[k]; !ok && s.now >= since {
		s.marks[k] = s.now
	}
}
