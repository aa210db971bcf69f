// Package altgen generates labelled microservice incidents for testing the
// analysis on data this project's scenario catalog never produced. It is
// written independently of the scenarios package: its own grid steps,
// window lengths, noise models, seasonal shapes, naming (families that are
// not the default bank's), topologies and incident types. It emits
// correlate.Input directly, with the ground truth beside it.
//
// Incident types:
//   - propagate: a fault in one component travels up a random dependency
//     DAG to its callers, with lags of 0 to 5 steps and attenuation.
//   - cascade: a load surge at one component travels down to what it
//     calls; the weakest callee saturates and its latency travels back up.
//   - early: the fault's first visible symptom is a small change, followed
//     several steps later by the big one that propagates.
//   - twin: two unrelated simultaneous anomalies; only one propagates.
//   - distractor: a loud change in an unrelated component that does not
//     propagate, at any time of the window.
//   - quiet: noise, trends and routine restarts only.
//
// Generation is deterministic per seed. The package is meant for tests.
package altgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/causeway-sre/causeway/correlate"
)

// Types lists the incident types, in the order Generate cycles through them.
var Types = []string{"propagate", "cascade", "early", "twin", "distractor", "quiet", "propagate", "twin"}

// Case is one generated incident (or quiet window) with its ground truth.
type Case struct {
	Seed uint64
	Type string
	// Fault names the kind of fault injected at the root ("cpu", "mem",
	// "latency", "errors", "pool", "disk", "net", "surge"), "" when quiet.
	Fault string
	In    *correlate.Input
	// Label is the label key that names a component in every signal.
	Label string
	// Root is the component where the incident started ("" when quiet).
	Root string
	// Affected lists the components the incident reached, root first, in
	// the order their first change became visible.
	Affected []string
	// Decoy is the component of an unrelated anomaly (twin, distractor).
	Decoy string
	Quiet bool
	// Signals is len(In.Signals), Components the number of components.
	Signals, Components int
}

// Component returns the component a label set belongs to ("" if none).
func (c *Case) Component(labels map[string]string) string { return labels[c.Label] }

// metric kinds.
const (
	kCPU = iota
	kMem
	kLat
	kErr
	kRPS
	kPool
	kDisk
	kNet
	kRestart
	nKinds
)

// familyPool holds, per metric kind, family names a user bank might use.
var familyPool = [nKinds][]string{
	kCPU:     {"svc-cpu", "cpu_seconds", "proc-cpu", "compute", "cpu-util"},
	kMem:     {"rss", "heap", "mem-used", "working-set", "resident"},
	kLat:     {"latency", "p99", "resp-time", "duration-p95", "rt"},
	kErr:     {"err-rate", "failures", "5xx", "exceptions", "errs"},
	kRPS:     {"rps", "qps", "throughput", "req-rate", "calls"},
	kPool:    {"db", "pool-active", "conn-in-use", "sessions", "db-conns"},
	kDisk:    {"disk-io", "iops", "disk-busy", "io-wait", "fs-latency"},
	kNet:     {"net-drop", "retrans", "tcp-retx", "net-errors", "pkt-loss"},
	kRestart: {"restarts", "container-restarts", "crash-count", "bounces", "respawns"},
}

var compLabels = []string{"service", "app", "component", "svc", "job", "service_name", "container"}
var replicaLabels = []string{"pod", "instance", "replica", "host"}
var wordPool = []string{
	"auth", "billing", "search", "ledger", "gateway", "orders", "stock", "users", "media", "mailer",
	"quotes", "pricing", "session", "profile", "feed", "notify", "geo", "tax", "fraud", "ads",
	"report", "index", "queue", "cache", "store", "vault", "audit", "review", "rating", "export",
}

// comp is one component of the generated system.
type comp struct {
	name     string
	calls    []int // components it depends on (higher index: a DAG)
	callers  []int
	replicas []string
	kinds    []int
	host     []string
	// per-component effect (filled by the incident)
	effects []effect
	levels  [nKinds]float64
}

// effect is one change applied to a metric kind of a component.
type effect struct {
	kind  int
	at    int     // grid index
	rel   float64 // relative change of the level (multiplicative minus 1), or absolute for errors
	ramp  int     // steps to reach full effect
	until int     // end (exclusive); 0 means the end of the grid
	spike bool
}

type gen struct {
	rng      *rand.Rand
	n, b     int
	step     time.Duration
	fam      [nKinds]string
	query    [nKinds]string
	label    string
	repLabel string
	comps    []*comp
	c        *Case
	events   bool
	onset    map[int]int // component -> earliest visible effect
}

// Generate builds the case of one seed. The incident type cycles through
// Types with the seed; everything else is drawn from the seed.
func Generate(seed uint64) *Case {
	g := &gen{rng: rand.New(rand.NewPCG(seed, 0x5eed0a17)), onset: map[int]int{}}
	typ := Types[seed%uint64(len(Types))]
	g.c = &Case{Seed: seed, Type: typ}
	g.grid()
	g.naming()
	g.system()
	switch typ {
	case "propagate":
		g.propagate(g.pickRoot(), g.faultKind(), g.b+g.window()/4+g.rng.IntN(g.window()/3))
	case "cascade":
		g.cascade()
	case "early":
		g.early()
	case "twin":
		on := g.b + g.window()/4 + g.rng.IntN(g.window()/3)
		root := g.pickRoot()
		g.propagate(root, g.faultKind(), on)
		g.decoy(on-2+g.rng.IntN(5), false)
	case "distractor":
		on := g.b + g.window()/4 + g.rng.IntN(g.window()/3)
		g.propagate(g.pickRoot(), g.faultKind(), on)
		g.decoy(g.b+2+g.rng.IntN(g.window()-6), true)
	case "quiet":
		g.c.Quiet = true
	}
	g.routine()
	g.emit()
	return g.c
}

func (g *gen) window() int { return g.n - g.b }

// grid picks the step, the window and the baseline.
func (g *gen) grid() {
	steps := []time.Duration{15 * time.Second, 30 * time.Second, 60 * time.Second}
	g.step = steps[g.rng.IntN(len(steps))]
	wins := []time.Duration{30 * time.Minute, time.Hour, 90 * time.Minute, 2 * time.Hour}
	w := int(wins[g.rng.IntN(len(wins))] / g.step)
	w = min(max(w, 40), 360)
	ratios := []float64{0.5, 1, 1, 2}
	b := int(float64(w) * ratios[g.rng.IntN(len(ratios))])
	b = min(max(b, 30), 720)
	g.n, g.b = w+b, b
}

func (g *gen) naming() {
	for k := range g.fam {
		p := familyPool[k]
		g.fam[k] = p[g.rng.IntN(len(p))]
		g.query[k] = g.fam[k]
		if g.rng.Float64() < 0.3 {
			g.query[k] += "_" + strconv.Itoa(k)
		}
	}
	g.label = compLabels[g.rng.IntN(len(compLabels))]
	g.repLabel = replicaLabels[g.rng.IntN(len(replicaLabels))]
	g.c.Label = g.label
	g.events = g.rng.Float64() < 0.5
}

// system draws the components, their dependency DAG, replicas and metrics.
func (g *gen) system() {
	var nc, maxRep int
	switch r := g.rng.Float64(); {
	case r < 0.65:
		nc, maxRep = 4+g.rng.IntN(12), 3
	case r < 0.92:
		nc, maxRep = 15+g.rng.IntN(25), 3
	default:
		nc, maxRep = 40+g.rng.IntN(70), 4
	}
	perm := g.rng.Perm(len(wordPool))
	hosts := max(2, nc/3)
	for i := 0; i < nc; i++ {
		name := wordPool[perm[i%len(wordPool)]]
		if i >= len(wordPool) {
			name += "-" + strconv.Itoa(i/len(wordPool))
		}
		c := &comp{name: name}
		nr := 1 + g.rng.IntN(maxRep)
		for r := 0; r < nr; r++ {
			c.replicas = append(c.replicas, fmt.Sprintf("%s-%x", name, g.rng.Uint32()&0xfffff))
			c.host = append(c.host, "h"+strconv.Itoa(g.rng.IntN(hosts)))
		}
		c.kinds = []int{kCPU, kMem, kLat, kErr, kRPS}
		for _, k := range []int{kPool, kDisk, kNet, kRestart} {
			if g.rng.Float64() < 0.35 {
				c.kinds = append(c.kinds, k)
			}
		}
		if g.rng.Float64() < 0.2 {
			// Some exporters give less: no throughput, no memory.
			c.kinds = removeKind(c.kinds, []int{kRPS, kMem}[g.rng.IntN(2)])
		}
		c.levels = [nKinds]float64{
			kCPU:  0.05 + 0.6*g.rng.Float64(),
			kMem:  (80 + 1500*g.rng.Float64()) * 1e6,
			kLat:  0.004 + 0.3*g.rng.Float64()*g.rng.Float64(),
			kErr:  0.5 + 5*g.rng.Float64(),
			kRPS:  5 + 800*g.rng.Float64(),
			kPool: float64(2 + g.rng.IntN(20)),
			kDisk: 20 + 400*g.rng.Float64(),
			kNet:  0.2 + 3*g.rng.Float64(),
		}
		g.comps = append(g.comps, c)
	}
	// A DAG: each component calls 1 to 3 components of higher index; the
	// first few are entry points nobody calls.
	for i := 0; i < nc-1; i++ {
		k := 1 + g.rng.IntN(3)
		for j := 0; j < k; j++ {
			span := min(nc-i-1, 6+nc/4)
			t := i + 1 + g.rng.IntN(span)
			if !hasInt(g.comps[i].calls, t) {
				g.comps[i].calls = append(g.comps[i].calls, t)
				g.comps[t].callers = append(g.comps[t].callers, i)
			}
		}
	}
	g.c.Components = nc
}

func removeKind(ks []int, k int) []int {
	out := ks[:0]
	for _, x := range ks {
		if x != k {
			out = append(out, x)
		}
	}
	return out
}

func hasInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// pickRoot picks a component with at least one caller (so that the fault
// can propagate), preferring none in particular.
func (g *gen) pickRoot() int {
	var cand []int
	for i, c := range g.comps {
		if len(c.callers) > 0 && len(g.comps[i].effects) == 0 {
			cand = append(cand, i)
		}
	}
	if len(cand) == 0 {
		return len(g.comps) - 1
	}
	return cand[g.rng.IntN(len(cand))]
}

func (g *gen) faultKind() string {
	ks := []string{"cpu", "mem", "latency", "errors", "pool", "disk", "net"}
	return ks[g.rng.IntN(len(ks))]
}

func (c *comp) has(k int) bool { return hasInt(c.kinds, k) }

func (g *gen) add(ci int, e effect) {
	c := g.comps[ci]
	if !c.has(e.kind) {
		return
	}
	c.effects = append(c.effects, e)
}

func (g *gen) touch(ci, at int) {
	if o, ok := g.onset[ci]; !ok || at < o {
		g.onset[ci] = at
	}
}

// inject applies a fault of the given kind at the root and returns the
// latency factor (log) it causes there and when.
func (g *gen) inject(root int, fault string, on int, scale float64) (latF float64, latAt int, errs float64) {
	c := g.comps[root]
	ramp := g.rng.IntN(4)
	switch fault {
	case "cpu":
		if !c.has(kCPU) {
			c.kinds = append(c.kinds, kCPU)
		}
		g.add(root, effect{kind: kCPU, at: on, rel: scale * (0.8 + 2*g.rng.Float64()), ramp: ramp})
		latF = scale * (0.3 + 0.8*g.rng.Float64())
		latAt = on + g.rng.IntN(2)
	case "mem":
		if !c.has(kMem) {
			c.kinds = append(c.kinds, kMem)
		}
		g.add(root, effect{kind: kMem, at: on, rel: scale * (0.4 + 1.2*g.rng.Float64()), ramp: 3 + g.rng.IntN(10)})
		latF = scale * (0.2 + 0.6*g.rng.Float64())
		latAt = on + 2 + g.rng.IntN(4)
	case "latency":
		latF = scale * (0.5 + 1.5*g.rng.Float64())
		latAt = on
	case "errors":
		errs = scale * (5 + 30*g.rng.Float64())
		latF = scale * 0.1 * g.rng.Float64()
		latAt = on
	case "pool":
		if !c.has(kPool) {
			c.kinds = append(c.kinds, kPool)
		}
		g.add(root, effect{kind: kPool, at: on, rel: scale * (1.5 + 3*g.rng.Float64()), ramp: 1 + g.rng.IntN(5)})
		latF = scale * (0.4 + 1.0*g.rng.Float64())
		latAt = on + 1 + g.rng.IntN(3)
	case "disk":
		if !c.has(kDisk) {
			c.kinds = append(c.kinds, kDisk)
		}
		g.add(root, effect{kind: kDisk, at: on, rel: scale * (1 + 3*g.rng.Float64()), ramp: ramp})
		latF = scale * (0.3 + 0.8*g.rng.Float64())
		latAt = on + g.rng.IntN(3)
	case "net":
		if !c.has(kNet) {
			c.kinds = append(c.kinds, kNet)
		}
		g.add(root, effect{kind: kNet, at: on, rel: scale * (3 + 10*g.rng.Float64()), ramp: ramp})
		latF = scale * (0.3 + 0.8*g.rng.Float64())
		errs = scale * 3 * g.rng.Float64()
		latAt = on + g.rng.IntN(2)
	}
	return latF, latAt, errs
}

// propagate injects a fault at root and lets it travel to the callers
// along the DAG: latency and errors, lagged and attenuated per hop.
func (g *gen) propagate(root int, fault string, on int) {
	g.c.Root = g.comps[root].name
	g.c.Fault = fault
	g.touch(root, on)
	latF, latAt, errs := g.inject(root, fault, on, 1)
	g.spread(root, latF, latAt, errs)
}

// spread applies latency (log-factor f) and errors at component ci from
// grid index at, and travels up to its callers.
func (g *gen) spread(ci int, f float64, at int, errs float64) {
	type hit struct {
		f, errs float64
		at      int
	}
	hits := map[int]hit{ci: {f, errs, at}}
	queue := []int{ci}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		h := hits[u]
		ramp := g.rng.IntN(3)
		if h.f > 0.03 {
			g.add(u, effect{kind: kLat, at: h.at, rel: math.Expm1(h.f), ramp: ramp})
			if u != ci || h.at < g.onset[u] {
				g.touch(u, h.at)
			}
		}
		if h.errs > 0.5 || (h.f > 0.35 && g.rng.Float64() < 0.6) {
			e := h.errs + h.f*(2+8*g.rng.Float64())
			g.add(u, effect{kind: kErr, at: h.at + g.rng.IntN(2), rel: e, ramp: ramp})
			if u != ci {
				g.touch(u, h.at)
			}
		}
		if u != ci && h.f > 0.3 && g.rng.Float64() < 0.4 {
			// Threads waiting on a slow dependency: callers' throughput
			// sags a little.
			g.add(u, effect{kind: kRPS, at: h.at + 1, rel: -0.1 - 0.2*g.rng.Float64(), ramp: 2})
		}
		for _, p := range g.comps[u].callers {
			a := 0.35 + 0.55*g.rng.Float64()
			nf, ne := h.f*a, h.errs*a*0.7
			if nf < 0.06 && ne < 0.5 {
				continue
			}
			nat := h.at + g.rng.IntN(6)
			if old, ok := hits[p]; ok && old.f >= nf {
				continue
			}
			hits[p] = hit{nf, ne, nat}
			queue = append(queue, p)
		}
	}
}

// cascade: a load surge at a component with callees travels down; the
// callee with least headroom saturates and its latency travels back up.
func (g *gen) cascade() {
	var cand []int
	for i, c := range g.comps {
		if len(c.calls) > 0 {
			cand = append(cand, i)
		}
	}
	root := cand[g.rng.IntN(len(cand))]
	on := g.b + g.window()/4 + g.rng.IntN(g.window()/3)
	g.c.Root, g.c.Fault = g.comps[root].name, "surge"
	surge := 1 + 2*g.rng.Float64()
	g.add(root, effect{kind: kRPS, at: on, rel: surge, ramp: 1 + g.rng.IntN(3)})
	g.add(root, effect{kind: kCPU, at: on + g.rng.IntN(2), rel: surge * (0.5 + 0.4*g.rng.Float64()), ramp: 2})
	g.touch(root, on)
	type hit struct {
		f  float64
		at int
	}
	hits := map[int]hit{root: {surge, on}}
	queue := []int{root}
	var weakest int = -1
	worst := 0.0
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		h := hits[u]
		for _, v := range g.comps[u].calls {
			nf := h.f * (0.5 + 0.5*g.rng.Float64())
			if nf < 0.25 {
				continue
			}
			if old, ok := hits[v]; ok && old.f >= nf {
				continue
			}
			nat := h.at + g.rng.IntN(4)
			hits[v] = hit{nf, nat}
			queue = append(queue, v)
		}
	}
	keys := make([]int, 0, len(hits))
	for k := range hits {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, v := range keys {
		if v == root {
			continue
		}
		h := hits[v]
		g.add(v, effect{kind: kRPS, at: h.at, rel: h.f, ramp: 1 + g.rng.IntN(3)})
		g.add(v, effect{kind: kCPU, at: h.at, rel: h.f * (0.4 + 0.5*g.rng.Float64()), ramp: 2})
		g.touch(v, h.at)
		if load := h.f * g.comps[v].levels[kCPU]; load > worst {
			worst, weakest = load, v
		}
	}
	if weakest < 0 {
		return
	}
	// The weakest callee saturates a little later; its latency travels up.
	at := hits[weakest].at + 2 + g.rng.IntN(6)
	g.spread(weakest, 0.6+1.2*g.rng.Float64(), at, 0)
}

// early: a small first symptom at the root, the big fault later.
func (g *gen) early() {
	root := g.pickRoot()
	on := g.b + g.window()/5 + g.rng.IntN(g.window()/4)
	gap := 5 + g.rng.IntN(min(25, g.window()/4))
	fault := g.faultKind()
	c := g.comps[root]
	// The small change: a few percent more latency or errors, or a slow
	// creep of the fault's own metric.
	switch g.rng.IntN(3) {
	case 0:
		g.add(root, effect{kind: kLat, at: on, rel: 0.15 + 0.25*g.rng.Float64(), ramp: 2, until: on + gap})
	case 1:
		g.add(root, effect{kind: kErr, at: on, rel: 1 + 3*g.rng.Float64(), ramp: 1, until: on + gap})
	default:
		k := kCPU
		if fault == "mem" && c.has(kMem) {
			k = kMem
		}
		g.add(root, effect{kind: k, at: on, rel: 0.15 + 0.2*g.rng.Float64(), ramp: gap})
	}
	g.propagate(root, fault, on+gap)
	g.c.Type = "early"
	g.touch(root, on)
}

// decoy makes an unrelated component change: comparable to the fault
// (twin) or loud (distractor); it does not propagate.
func (g *gen) decoy(at int, loud bool) {
	var cand []int
	for i, c := range g.comps {
		if _, hit := g.onset[i]; !hit && len(c.effects) == 0 {
			cand = append(cand, i)
		}
	}
	if len(cand) == 0 {
		return
	}
	d := cand[g.rng.IntN(len(cand))]
	g.c.Decoy = g.comps[d].name
	at = min(max(at, g.b+1), g.n-3)
	var kinds []int
	for _, k := range []int{kCPU, kMem, kLat, kErr} {
		if g.comps[d].has(k) {
			kinds = append(kinds, k)
		}
	}
	k := kinds[g.rng.IntN(len(kinds))]
	switch {
	case loud && g.rng.Float64() < 0.5:
		// A batch job: a big burst that ends.
		g.add(d, effect{kind: k, at: at, rel: 3 + 8*g.rng.Float64(), ramp: 1, until: at + 2 + g.rng.IntN(12)})
	case loud:
		g.add(d, effect{kind: k, at: at, rel: 2 + 6*g.rng.Float64(), ramp: g.rng.IntN(3)})
	default:
		g.add(d, effect{kind: k, at: at, rel: 0.8 + 2*g.rng.Float64(), ramp: g.rng.IntN(4)})
	}
}

// routine adds what every window has: a restart or two, a replaced
// replica, a blip.
func (g *gen) routine() {
	k := g.rng.IntN(3)
	for i := 0; i < k; i++ {
		ci := g.rng.IntN(len(g.comps))
		if _, hit := g.onset[ci]; hit && !g.c.Quiet {
			continue
		}
		at := g.b + g.rng.IntN(g.window()-4)
		// A restart: memory resets and climbs back, cpu blips; as one
		// replica only it is small at component level.
		g.add(ci, effect{kind: kRestart, at: at, rel: 1, until: at + 1})
		g.add(ci, effect{kind: kMem, at: at, rel: -0.4, ramp: 0, until: at + 8 + g.rng.IntN(15), spike: true})
	}
}

// noise draws one series for a metric kind of one replica.
func (g *gen) noise(c *comp, k int, level float64) []float64 {
	n := g.n
	v := make([]float64, n)
	rng := g.rng
	rel := 0.01 + 0.08*rng.Float64()
	model := rng.IntN(5)
	if model == 2 && k != kRPS {
		model = 0
	}
	if k == kErr {
		model = 2 // counts
	}
	if k == kPool {
		model = 3 // quantised
	}
	// Seasonal shape (a slice of a day or an hour) and a slow trend.
	period := float64(n) * (0.5 + 4*rng.Float64())
	amp := 0.0
	if rng.Float64() < 0.6 {
		amp = 0.25 * rng.Float64()
	}
	phase := rng.Float64() * 2 * math.Pi
	tr := 0.0
	if rng.Float64() < 0.4 {
		tr = 0.2 * (rng.Float64() - 0.5) / float64(n)
	}
	if k == kMem {
		tr = math.Abs(tr) // memory creeps up
	}
	ar := 0.0
	saw := 0
	if (k == kRPS || k == kCPU) && rng.Float64() < 0.25 {
		saw = 2 + rng.IntN(4)
	}
	q := 0.0
	if model == 3 {
		q = math.Max(1, math.Round(level/10))
		if k != kPool {
			q = level * 0.02
		}
	}
	for t := 0; t < n; t++ {
		base := level * (1 + amp*math.Sin(2*math.Pi*float64(t)/period+phase) + tr*float64(t))
		var x float64
		switch model {
		case 0: // gaussian
			x = base * (1 + rel*rng.NormFloat64())
		case 1: // heavy-tailed (Student t, 3 degrees of freedom)
			x = base * (1 + rel*0.6*studentT(rng, 3))
		case 2: // counts
			x = float64(poisson(rng, math.Max(0, base)))
		case 3: // quantised gauge
			x = math.Round(base*(1+rel*rng.NormFloat64())/q) * q
		default: // AR(1): correlated noise
			ar = 0.7*ar + rel*rng.NormFloat64()
			x = base * (1 + ar)
		}
		if saw > 0 {
			// A rate over a counter scraped out of phase: a sawtooth.
			x *= 1 + 0.06*(float64(t%saw)/float64(saw)-0.5)
		}
		if k == kLat && model != 2 {
			x = math.Abs(x)
		}
		v[t] = math.Max(0, x)
	}
	return v
}

// apply adds a component's effects to one replica's series.
func (g *gen) apply(c *comp, k int, v []float64, level float64, rep, nrep int) {
	for _, e := range c.effects {
		if e.kind != k {
			continue
		}
		if k == kRestart || e.spike {
			// Routine restarts touch one replica only.
			if rep != int(uint(e.at)%uint(nrep)) {
				continue
			}
		}
		end := g.n
		if e.until > 0 {
			end = min(e.until, g.n)
		}
		for t := e.at; t < end && t >= 0; t++ {
			frac := 1.0
			if e.spike && nrep == 1 {
				// One replica of many in a component-level series.
				frac /= float64(len(c.replicas))
			}
			if e.ramp > 0 {
				frac *= math.Min(1, float64(t-e.at+1)/float64(e.ramp+1))
			}
			switch k {
			case kErr:
				// Errors: extra events per step, Poisson.
				v[t] += float64(poisson(g.rng, frac*e.rel*math.Max(1, level)))
			case kRestart:
				v[t]++
			case kPool:
				v[t] = math.Round(v[t] + frac*e.rel*level)
			default:
				v[t] *= 1 + frac*e.rel
			}
		}
	}
}

// emit turns components into signals, topology and events.
func (g *gen) emit() {
	in := &correlate.Input{
		Start:    time.Date(2026, 5, 4, 3, 0, 0, 0, time.UTC).Add(time.Duration(g.c.Seed%97) * time.Hour),
		Step:     g.step,
		N:        g.n,
		Baseline: g.b,
		Seed:     int64(g.c.Seed),
	}
	// Priors a bank author could write, at family level.
	in.Causes = map[string][]string{
		g.fam[kCPU]:  {g.fam[kLat]},
		g.fam[kMem]:  {g.fam[kLat], g.fam[kRestart]},
		g.fam[kPool]: {g.fam[kLat]},
		g.fam[kDisk]: {g.fam[kLat]},
		g.fam[kNet]:  {g.fam[kLat], g.fam[kErr]},
		g.fam[kRPS]:  {g.fam[kCPU], g.fam[kLat]},
		g.fam[kLat]:  {g.fam[kErr]},
	}
	topoMode := g.rng.IntN(3) // 0 none, 1 placement, 2 placement and calls
	churnP := 0.0
	if g.rng.Float64() < 0.5 {
		churnP = 0.05 + 0.15*g.rng.Float64()
	}
	missP := 0.0
	if g.rng.Float64() < 0.5 {
		missP = 0.03 * g.rng.Float64()
	}
	// A service-level bank (RCAEval style: one series per component and
	// metric) or a replica-level one.
	perReplica := g.rng.Float64() < 0.5
	for _, c := range g.comps {
		nrep := len(c.replicas)
		reps := nrep
		if !perReplica {
			reps = 1
		}
		for _, k := range c.kinds {
			for r := 0; r < reps; r++ {
				level := c.levels[k]
				if !perReplica && (k == kErr || k == kRPS) {
					level *= float64(nrep)
				}
				var v []float64
				if k == kRestart {
					v = make([]float64, g.n)
				} else {
					v = g.noise(c, k, level)
				}
				g.apply(c, k, v, level, r, reps)
				lab := map[string]string{g.label: c.name}
				ent := map[string]string{g.label: c.name}
				if perReplica {
					lab[g.repLabel] = c.replicas[r]
					ent[g.repLabel] = c.replicas[r]
					if g.repLabel != "host" {
						lab["node"] = c.host[r]
					}
				}
				kind := correlate.Gauge
				if k == kRestart || (k == kErr && g.rng.Float64() < 0.3) {
					kind = correlate.Events
				}
				q := g.query[k]
				s := correlate.Signal{Query: q, Family: g.fam[k], Kind: kind, Entity: ent, Labels: lab, Values: v}
				g.damage(&s, missP)
				if perReplica && kind == correlate.Gauge && g.rng.Float64() < churnP {
					// The replica is replaced mid-window: one series ends,
					// another begins.
					at := 1 + g.rng.IntN(g.n-2)
					nv := make([]float64, g.n)
					for t := range nv {
						nv[t] = math.NaN()
						if t >= at+1 {
							nv[t], v[t] = v[t], math.NaN()
						}
					}
					v[at] = math.NaN()
					lab2 := map[string]string{g.label: c.name, g.repLabel: c.replicas[r] + "-n"}
					in.Signals = append(in.Signals, correlate.Signal{Query: q, Family: s.Family, Kind: kind, Entity: lab2, Labels: lab2, Values: nv})
				}
				in.Signals = append(in.Signals, s)
			}
		}
		if topoMode >= 1 && perReplica && g.repLabel != "host" {
			for r := range c.replicas {
				in.Topology = append(in.Topology, map[string]string{g.label: c.name, g.repLabel: c.replicas[r], "node": c.host[r]})
			}
		}
		if topoMode == 2 && perReplica {
			for _, d := range c.calls {
				in.Topology = append(in.Topology, map[string]string{g.repLabel: c.replicas[0], g.label: g.comps[d].name})
			}
		}
		if g.events {
			for _, e := range c.effects {
				if e.kind == kRestart {
					rep := c.replicas[int(uint(e.at)%uint(len(c.replicas)))]
					in.Events = append(in.Events, correlate.Event{
						Time: in.Time(e.at), Reason: "Restarted", Type: "Normal",
						Entity: map[string]string{g.label: c.name, g.repLabel: rep}, Source: "altgen",
					})
				}
			}
		}
	}
	g.c.In = in
	g.c.Signals = len(in.Signals)
	g.truth()
}

// damage removes points: scattered misses and a gap or two.
func (g *gen) damage(s *correlate.Signal, p float64) {
	if p == 0 {
		return
	}
	for t := range s.Values {
		if g.rng.Float64() < p {
			s.Values[t] = math.NaN()
		}
	}
	if g.rng.Float64() < 0.2 {
		at := g.rng.IntN(g.n - 12)
		for t := at; t < at+3+g.rng.IntN(8); t++ {
			s.Values[t] = math.NaN()
		}
	}
}

// truth fills the affected components in onset order.
func (g *gen) truth() {
	if g.c.Quiet {
		return
	}
	type ao struct {
		ci, at int
	}
	var as []ao
	for ci, at := range g.onset {
		as = append(as, ao{ci, at})
	}
	root := g.c.Root
	sort.Slice(as, func(i, j int) bool {
		ri, rj := g.comps[as[i].ci].name == root, g.comps[as[j].ci].name == root
		if ri != rj {
			return ri
		}
		if as[i].at != as[j].at {
			return as[i].at < as[j].at
		}
		return as[i].ci < as[j].ci
	})
	for _, a := range as {
		g.c.Affected = append(g.c.Affected, g.comps[a.ci].name)
	}
}

func studentT(rng *rand.Rand, df int) float64 {
	z := rng.NormFloat64()
	var s float64
	for i := 0; i < df; i++ {
		x := rng.NormFloat64()
		s += x * x
	}
	return z / math.Sqrt(s/float64(df))
}

// poisson draws from Poisson(mu) (Knuth for small mu, normal beyond).
func poisson(rng *rand.Rand, mu float64) int {
	if mu <= 0 {
		return 0
	}
	if mu > 40 {
		return max(0, int(math.Round(mu+math.Sqrt(mu)*rng.NormFloat64())))
	}
	l := math.Exp(-mu)
	k, p := 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
