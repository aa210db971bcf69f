package correlate

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Relating and ranking constants.
const (
	// maxPredecessors caps the earlier groups each group is paired with, so
	// the pairwise work stays linear in the number of anomalies.
	maxPredecessors = 48
	// maxGroupProfile caps the members summed into a group's profile.
	maxGroupProfile = 16
	// edgeMin is the weakest link kept in the graph.
	edgeMin = 0.15
	// sigLevel is the false discovery rate for lead/lag links.
	sigLevel = 0.05
	// quietScore: a window with no chain and no group at least this
	// anomalous is reported as quiet.
	quietScore = 0.5
	// chainMin is the weakest chain reported.
	chainMin  = 0.12
	maxChains = 5
	maxRoots  = 10
)

// sigRef is one series under analysis: a bank signal or a stream of
// Kubernetes events of one reason on one entity.
type sigRef struct {
	idx    int // index into Input.Signals, -1 for Kubernetes events
	query  string
	family string
	kind   Kind
	unit   string
	entity map[string]string
	labels map[string]string
	values []float64
	key    string // canonical identity, for order-independent tie-breaks
	events []int  // for Kubernetes streams: indices into Input.Events
}

func (s *sigRef) source() string {
	if s.idx < 0 {
		return "kubernetes"
	}
	return "metric"
}

// group is a set of anomalies collapsed into one step (e.g. three pods of
// one workload that moved together), or a single anomaly.
type group struct {
	members  []int // indices into analysis.sigs, best first
	query    string
	family   string
	kind     Kind
	onset    int
	fine     float64
	score    float64
	z        float64
	shape    string
	dir      int
	entity   map[string]string
	parent   int
	atoms    []atom
	reach    map[int]int
	key      string
	prof     profile
	hasProf  bool
	conc     float64 // share of the profile's energy at the onset
	root     float64
	reachSum float64
	in       float64
	explains int
	order    int
	// Ranking: the entity's strength, the link that best explains the
	// group (-1: none), the root of its tree, the mass it explains, and
	// whether its tree tells an incident's story.
	strength float64
	// before and after are the representative gauge's levels.
	before, after float64
	up            int
	tree          int
	mass          float64
	incident      bool
	sustained     bool
	// lasting is true when the change was still in effect at the end of
	// the window.
	lasting bool
	// evAtoms are the entities of the Kubernetes events that corroborate
	// the group's members.
	evAtoms []atom
}

type edge struct {
	from, to int // group indices
	w        float64
	lag      int // steps between onsets
	r, p     float64
	xlag     int
	sig      bool
	topo     float64
	prior    bool
	method   string
	dead     bool
	informed bool // backed by significance, topology or a prior
	// event is true when Kubernetes events corroborating the later change
	// concern entities tied to the earlier one (an Evicted pod that ran
	// on the interrupted node).
	event bool
}

type analysis struct {
	in      *Input
	n, b    int
	step    time.Duration
	maxLag  int
	sigs    []sigRef
	dets    []detection
	tp      *topology
	atoms   [][]atom
	parents []int
	anoms   []int
	groups  []*group
	edges   []edge
	out     [][]int // edge indices by from group
	inc     [][]int // edge indices by to group
	topo    []int   // groups in topological order
	anomIdx map[int]int
	// segStart is the grid index where the lead/lag segment begins;
	// [winLo, winHi) is the window in segment coordinates.
	segStart, winLo, winHi int
	// knowledge is true when the bank gave priors (causes).
	knowledge bool
	// ambig is the onset difference (steps) within which order is
	// ambiguous: exporters make a change visible a scrape or two late.
	ambig int
	notes []string
	// reachPrior is the transitive closure of the bank's causes; sink the
	// impact families (only ever effects).
	reachPrior map[string]map[string]bool
	sink       map[string]bool
	kids       [][]int
	pos        []int // position of each group in topo
}

// Analyze finds what changed in the window, relates the changes by lead/lag,
// topology and the bank's priors, and proposes root causes and causal chains.
// It is pure and deterministic: the same input gives the same findings,
// whatever the order of the signals.
func Analyze(in *Input) *Findings {
	if in == nil {
		return quiet("no input to analyse")
	}
	if in.N < 8 || in.Step <= 0 {
		return quiet(fmt.Sprintf("the window holds %d points, too few to analyse", max(in.N, 0)))
	}
	a := &analysis{in: in, n: in.N, step: in.Step}
	a.b = in.Baseline
	if a.b < 4 || a.b > a.n-4 {
		// No usable baseline: the first third of the grid stands in for it.
		a.b = max(4, a.n/3)
		a.notes = append(a.notes, "no baseline before the window: the first third of the grid was used")
	}
	w := a.n - a.b
	a.maxLag = int(math.Ceil(float64(10*time.Minute) / float64(a.step)))
	a.maxLag = max(3, min(a.maxLag, 64, max(3, w/3)))

	a.knowledge = len(in.Causes) > 0
	a.ambig = max(1, int(math.Ceil(float64(ambigTime)/float64(a.step))))
	a.collect()
	a.buildTopology()
	a.detect()
	if len(a.anoms) == 0 {
		f := quiet(fmt.Sprintf("no signal moved beyond its baseline (%d series checked)", len(a.sigs)))
		f.Timeline = a.timeline()
		return f
	}
	a.group()
	a.priorClosure()
	a.relate()
	a.rank()
	f := &Findings{}
	f.Anomalies = a.anomalies()
	f.RootCauses = a.rootCauses()
	f.Chains = a.chains()
	f.Timeline = a.timeline()
	a.summarise(f)
	return f
}

func quiet(why string) *Findings {
	return &Findings{Quiet: true, Summary: "no incident found: " + why}
}

// collect lists the series to analyse in a canonical order.
func (a *analysis) collect() {
	in := a.in
	a.sigs = make([]sigRef, 0, len(in.Signals)+8)
	for i := range in.Signals {
		s := &in.Signals[i]
		kind := s.Kind
		if kind != Events && kind != State {
			kind = Gauge
		}
		a.sigs = append(a.sigs, sigRef{
			idx: i, query: s.Query, family: s.Family, kind: kind, unit: s.Unit,
			entity: s.Entity, labels: s.Labels, values: s.Values,
			key: s.Query + labelString(s.Labels, s.Entity),
		})
	}
	// Kubernetes events become events streams per (reason, entity).
	streams := map[string]int{}
	end := in.Time(a.n - 1).Add(a.step)
	for i, e := range in.Events {
		if e.Time.Before(in.Start) || !e.Time.Before(end) {
			continue
		}
		reason := e.Reason
		if reason == "" {
			reason = "event"
		}
		key := "k8s:" + reason + labelString(e.Entity, nil)
		si, ok := streams[key]
		if !ok {
			si = len(a.sigs)
			streams[key] = si
			fam := e.Family
			if fam == "" {
				fam = "kubernetes"
			}
			a.sigs = append(a.sigs, sigRef{
				idx: -1, query: "event:" + reason, family: fam, kind: Events,
				entity: e.Entity, labels: e.Entity, values: make([]float64, a.n), key: key,
			})
		}
		t := int(e.Time.Sub(in.Start) / a.step)
		a.sigs[si].values[t]++
		a.sigs[si].events = append(a.sigs[si].events, i)
	}
	sort.SliceStable(a.sigs, func(i, j int) bool { return a.sigs[i].key < a.sigs[j].key })
}

// labelString renders labels as {a=1,b=2} in key order (entity labels when
// labels are empty).
func labelString(labels, entity map[string]string) string {
	m := labels
	if len(m) == 0 {
		m = entity
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	sb.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(k)
		sb.WriteByte('=')
		sb.WriteString(m[k])
	}
	sb.WriteByte('}')
	return sb.String()
}

func (a *analysis) buildTopology() {
	keys := map[string]bool{}
	for i := range a.sigs {
		for k := range a.sigs[i].entity {
			keys[k] = true
		}
	}
	a.tp = newTopology(keys)
	// Topology facts in a canonical order.
	sets := make([]string, len(a.in.Topology))
	idx := make([]int, len(a.in.Topology))
	for i, t := range a.in.Topology {
		sets[i] = labelString(t, nil)
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return sets[idx[i]] < sets[idx[j]] })
	for _, i := range idx {
		a.tp.add(a.in.Topology[i])
	}
	for i := range a.sigs {
		s := &a.sigs[i]
		if len(s.labels) > 0 {
			a.tp.add(s.labels)
		} else {
			a.tp.add(s.entity)
		}
	}
	a.tp.finish()
	a.atoms = make([][]atom, len(a.sigs))
	a.parents = make([]int, len(a.sigs))
	for i := range a.sigs {
		s := &a.sigs[i]
		src := s.entity
		if len(src) == 0 {
			src = s.labels
		}
		a.atoms[i] = a.tp.atoms(src, false)
		if len(s.labels) > 0 {
			// Entity labels name the entity; the series' other entity
			// labels (e.g. the node of a pod's series) help find its
			// parent.
			a.parents[i] = a.tp.parent(a.tp.atoms(s.labels, false))
		} else {
			a.parents[i] = a.tp.parent(a.atoms[i])
		}
	}
	a.inferSiblings()
}

// inferSiblings gives a parent to the gauges of replicas whose labels the
// topology does not know (service and replica, job and instance, app and
// host): within one query, the entity label with the most distinct values
// names the replica, and the other entity labels the component the replicas
// belong to, when some component has several replicas.
func (a *analysis) inferSiblings() {
	byQuery := map[string][]int{}
	for i := range a.sigs {
		s := &a.sigs[i]
		if s.idx < 0 || s.kind != Gauge || a.parents[i] >= 0 || len(s.entity) < 2 {
			continue
		}
		byQuery[s.query] = append(byQuery[s.query], i)
	}
	qs := make([]string, 0, len(byQuery))
	for q := range byQuery {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	inferred := map[string]int{}
	for _, q := range qs {
		is := byQuery[q]
		if len(is) < 2 {
			continue
		}
		distinct := map[string]map[string]bool{}
		for _, i := range is {
			for k, v := range a.sigs[i].entity {
				if distinct[k] == nil {
					distinct[k] = map[string]bool{}
				}
				distinct[k][v] = true
			}
		}
		rk, best, second := "", 0, 0
		for k, vs := range distinct {
			switch n := len(vs); {
			case n > best || (n == best && k < rk):
				if n > best {
					second = best
				}
				rk, best = k, n
			case n > second:
				second = n
			}
		}
		if best <= second || best < 2 {
			continue
		}
		rest := make([]string, len(is))
		count := map[string]int{}
		for x, i := range is {
			// The component is named by the entity labels other than the
			// replica's; a namespace scopes it (the app containers of two
			// namespaces are two components) but names none on its own.
			r := map[string]string{}
			named := 0
			for k, v := range a.sigs[i].entity {
				if k == rk {
					continue
				}
				if kind, ok := a.tp.kindOf(k); ok && kind == "namespace" {
					r[k] = v
					continue
				} else if !ok {
					// An attribute (capacity_type, job): the replicas
					// sharing it are not one component.
					r = nil
					break
				}
				r[k] = v
				named++
			}
			if named == 0 || len(r) != len(a.sigs[i].entity)-1 {
				continue
			}
			rest[x] = "group=" + labelString(r, nil)
			count[rest[x]]++
		}
		if len(count) >= best {
			continue
		}
		for x, i := range is {
			if rest[x] != "" && count[rest[x]] >= 2 {
				a.parents[i] = a.tp.intern(rest[x], "group")
				inferred[rk+"\x00"+labelString(a.sigs[i].entity, nil)] = a.parents[i]
			}
		}
	}
	// The other series of an inferred replica (its restart counter, its
	// error events) belong to the same component: a restart and the
	// memory reset of one replica are one entity, not two.
	for i := range a.sigs {
		s := &a.sigs[i]
		if s.idx < 0 || s.kind == Gauge || a.parents[i] >= 0 || len(s.entity) < 2 {
			continue
		}
		ek := labelString(s.entity, nil)
		keys := make([]string, 0, len(s.entity))
		for k := range s.entity {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := inferred[k+"\x00"+ek]; ok {
				a.parents[i] = p
				break
			}
		}
	}
}

// detect runs change detection on every series, then gives series born in
// the window the baseline of their siblings.
func (a *analysis) detect() {
	a.dets = make([]detection, len(a.sigs))
	// Every series is detected on its own: the work is shared by a pool of
	// workers, each with its own detector, writing into a.dets by index.
	nw := workers(len(a.sigs))
	dets := make([]*detector, nw)
	for w := range dets {
		dets[w] = newDetector(a.n, a.b)
	}
	parallelFor(len(a.sigs), nw, func(w, lo, hi int) {
		d := dets[w]
		for i := lo; i < hi; i++ {
			s := &a.sigs[i]
			if s.kind == Events && s.idx >= 0 && denseCounts(s.values, a.b) {
				// Counts in most steps (errors or requests per step) are a
				// level, with the trends, daily shapes and overdispersion of
				// one: a Poisson test of the window's total against the
				// baseline's would call any slow drift an incident.
				s.kind = Gauge
			}
			switch s.kind {
			case Events:
				a.dets[i] = d.counts(s.values, false)
			case State:
				a.dets[i] = d.counts(s.values, true)
			default:
				a.dets[i] = d.gauge(s.values, refStats{})
			}
		}
	})
	d := dets[0]
	var born []int
	for i := range a.sigs {
		if a.sigs[i].kind == Gauge && a.dets[i].needRef {
			born = append(born, i)
		}
	}
	if len(born) > 0 {
		type sib struct{ med, sig []float64 }
		sibs := map[string]*sib{}
		keyOf := func(i int) string {
			if a.parents[i] < 0 {
				return ""
			}
			return a.sigs[i].query + "\x00" + a.tp.names[a.parents[i]]
		}
		// The siblings' baselines are read only for the groups where a
		// series was born; a settled sibling's are computed here.
		need := map[string]bool{}
		for _, i := range born {
			if k := keyOf(i); k != "" {
				need[k] = true
			}
		}
		for i := range a.sigs {
			if a.sigs[i].kind != Gauge || a.dets[i].needRef {
				continue
			}
			k := keyOf(i)
			if !need[k] {
				continue
			}
			if a.dets[i].settled {
				a.dets[i] = d.gaugeStats(a.sigs[i].values, refStats{})
			}
			if math.IsNaN(a.dets[i].median) {
				continue
			}
			if a.dets[i].sigma == 0 && a.dets[i].median == 0 && !a.dets[i].anomalous && len(a.sigs[i].values) == 0 {
				continue
			}
			sb := sibs[k]
			if sb == nil {
				sb = &sib{}
				sibs[k] = sb
			}
			sb.med = append(sb.med, a.dets[i].median)
			sb.sig = append(sb.sig, a.dets[i].sigma)
		}
		for _, i := range born {
			ref := refStats{}
			if sb := sibs[keyOf(i)]; sb != nil && len(sb.med) > 0 {
				meds := append([]float64(nil), sb.med...)
				m, spread := medianMAD(meds)
				sg := median(append([]float64(nil), sb.sig...))
				ref = refStats{median: m, sigma: math.Max(sg, madScale*spread), ok: true}
			}
			a.dets[i] = d.gauge(a.sigs[i].values, ref)
		}
	}
	a.dropChurn()
	a.handOffs()
	a.corroborate()
	for i := range a.dets {
		if a.dets[i].anomalous {
			a.anoms = append(a.anoms, i)
		}
	}
}

// denseCounts reports whether an events series has events in most steps
// of its baseline (at least half of the present ones, and a dozen).
func denseCounts(v []float64, b int) bool {
	nz, present := 0, 0
	for t := 0; t < min(b, len(v)); t++ {
		x := v[t]
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		present++
		if x > 0 {
			nz++
		}
	}
	return nz >= 12 && 2*nz >= present
}

// replacements clears the churn of replaced instances whatever their
// labels are called: a series that stopped reporting while a series of the
// same query, differing from it in one entity label only (the replica,
// instance or host that replaced it), began at about the same time; and a
// series that appeared as such a series stopped.
func (a *analysis) replacements() {
	bucket := func(i int) string {
		s := &a.sigs[i]
		keys := make([]string, 0, len(s.entity))
		for k := range s.entity {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return s.query + "\x00" + strings.Join(keys, ",")
	}
	want := map[string]bool{}
	var churned []int
	for i := range a.dets {
		d := &a.dets[i]
		if d.anomalous && d.churn && a.sigs[i].idx >= 0 {
			want[bucket(i)] = true
			churned = append(churned, i)
		}
	}
	if len(churned) == 0 {
		return
	}
	// First and last present index of every series in those buckets.
	type span struct{ si, first, last int }
	spans := map[string][]span{}
	for i := range a.sigs {
		if a.sigs[i].idx < 0 {
			continue
		}
		k := bucket(i)
		if !want[k] {
			continue
		}
		first, last := -1, -1
		for t, v := range a.sigs[i].values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				if first < 0 {
					first = t
				}
				last = t
			}
		}
		if first >= 0 {
			spans[k] = append(spans[k], span{i, first, last})
		}
	}
	tol := 2*a.ambig + 2
	var drop []int
	for _, i := range churned {
		d := &a.dets[i]
		gone := d.shape == "vanished"
		for _, sp := range spans[bucket(i)] {
			if sp.si == i || !oneLabelApart(a.sigs[i].entity, a.sigs[sp.si].entity) {
				continue
			}
			// The partner began (for a series that vanished) or ended
			// (for one that appeared) near the change.
			t := sp.last + 1
			if gone {
				t = sp.first
			}
			if t > a.b && iabs(t-d.onset) <= tol {
				drop = append(drop, i)
				break
			}
		}
	}
	for _, i := range drop {
		a.dets[i].anomalous = false
	}
}

// oneLabelApart reports whether two entities with the same label names
// differ in exactly one value.
func oneLabelApart(x, y map[string]string) bool {
	if len(x) != len(y) || len(x) < 2 {
		return false
	}
	diff := 0
	for k, v := range x {
		w, ok := y[k]
		if !ok {
			return false
		}
		if v != w {
			diff++
		}
	}
	return diff == 1
}

// podAtom returns the pod atom of a signal, or -1.
func (a *analysis) podAtom(si int) int {
	for _, at := range a.atoms[si] {
		if at.kind == "pod" {
			return at.id
		}
	}
	return -1
}

// dropChurn clears the changes that are ordinary pod churn rather than
// anomalies: the series of a pod that came or went (pods are replaced all
// the time; whether the workload stayed available is measured by its own
// series), and a new pod that was briefly not ready while it started.
func (a *analysis) dropChurn() {
	a.replacements()
	birth := map[int]int{}
	for i := range a.sigs {
		p := a.podAtom(i)
		if p < 0 || a.sigs[i].kind != Gauge {
			continue
		}
		first := -1
		for t, v := range a.sigs[i].values {
			if !math.IsNaN(v) {
				first = t
				break
			}
		}
		if first < 0 {
			continue
		}
		if b, ok := birth[p]; !ok || first < b {
			birth[p] = first
		}
	}
	startup := 2 * max(1, a.ambig)
	for i := range a.dets {
		d := &a.dets[i]
		if !d.anomalous {
			continue
		}
		p := a.podAtom(i)
		if p < 0 {
			continue
		}
		if d.churn {
			d.anomalous = false
			continue
		}
		b, born := birth[p]
		born = born && b >= a.b
		if a.sigs[i].kind == Gauge {
			// A pod born in the window whose series is off its
			// siblings' level only in its first moments is warming up
			// (caches, JIT, a first scrape of partial counters): the
			// change ends within the start-up time.
			if born && d.onset-b <= startup && d.onset+d.dur <= b+2*startup && d.shape != "appeared" {
				d.anomalous = false
			}
			continue
		}
		if a.sigs[i].kind != State || d.sustained {
			continue
		}
		if born && d.onset-b <= startup {
			// Born in the window and briefly in a bad state right away:
			// a pod starting up.
			d.anomalous = false
		}
	}
}

// handOffs marks as held a state change that ended only because the
// entity moved on to another bad state: a node's disruption taint that
// stops reporting when the node is gone, a pod's waiting reason replaced
// by a termination. Absence after a state usually reads as recovery; when
// another state of the same entity begins as this one ends, it is not.
func (a *analysis) handOffs() {
	byEnt := map[string][]int{}
	for i := range a.dets {
		if a.dets[i].anomalous && a.sigs[i].kind == State && len(a.atoms[i]) > 0 {
			k := fmt.Sprint(a.atoms[i])
			byEnt[k] = append(byEnt[k], i)
		}
	}
	for _, is := range byEnt {
		if len(is) < 2 {
			continue
		}
		for _, i := range is {
			d := &a.dets[i]
			if d.sustained {
				continue
			}
			end := d.onset + d.dur
			for _, j := range is {
				if dj := &a.dets[j]; j != i && dj.onset > d.onset && iabs(dj.onset-end) <= a.ambig {
					d.sustained = true
					break
				}
			}
		}
	}
}

// shapeClass folds shapes into a direction for collapsing.
func shapeClass(shape string) int {
	switch shape {
	case "step-down", "dip", "drop-to-zero", "vanished":
		return -1
	}
	return 1
}

// group collapses anomalies of one query on sibling entities (pods of one
// workload) whose onsets are close into one group.
func (a *analysis) group() {
	tol := max(2, a.maxLag/3)
	type item struct {
		si  int
		key string
	}
	items := make([]item, 0, len(a.anoms))
	for _, si := range a.anoms {
		k := ""
		if p := a.parents[si]; p >= 0 {
			k = fmt.Sprintf("%s\x00%s\x00%d", a.sigs[si].query, a.tp.names[p], shapeClass(a.dets[si].shape))
		}
		items = append(items, item{si, k})
	}
	sort.SliceStable(items, func(i, j int) bool {
		x, y := items[i], items[j]
		if x.key != y.key {
			return x.key < y.key
		}
		if a.dets[x.si].onset != a.dets[y.si].onset {
			return a.dets[x.si].onset < a.dets[y.si].onset
		}
		return a.sigs[x.si].key < a.sigs[y.si].key
	})
	var cur *group
	curKey, lastOnset := "", 0
	for _, it := range items {
		on := a.dets[it.si].onset
		if cur != nil && it.key != "" && it.key == curKey && on-lastOnset <= tol {
			cur.members = append(cur.members, it.si)
			lastOnset = on
			continue
		}
		cur = &group{members: []int{it.si}, parent: a.parents[it.si]}
		a.groups = append(a.groups, cur)
		curKey, lastOnset = it.key, on
	}
	for _, g := range a.groups {
		if lead := a.stragglers(g.members); lead > 0 {
			a.groups = append(a.groups, &group{members: g.members[:lead:lead], parent: g.parent})
			g.members = g.members[lead:]
		}
	}
	for _, g := range a.groups {
		a.finishGroup(g)
	}
	sort.SliceStable(a.groups, func(i, j int) bool {
		x, y := a.groups[i], a.groups[j]
		if x.fine != y.fine {
			return x.fine < y.fine
		}
		return x.key < y.key
	})
	for i, g := range a.groups {
		g.order = i
	}
}

// stragglers returns how many leading members of a group (members in
// onset order) are not part of its change: when most siblings moved
// together within the grid's ambiguity (the core) and a few changed alone
// well before, separated from the core by more than the ambiguity, those
// few are their own changes (noise, an unrelated drift) that the chaining
// tolerance let in. Left in, they would put the group's onset minutes
// before the moment its members actually changed, ahead of the cause.
// A spread that reaches the core step by step (a rollout, a cascade) is
// kept whole.
func (a *analysis) stragglers(ms []int) int {
	const minCore = 3
	if len(ms) < minCore+1 {
		return 0
	}
	on := func(k int) int { return a.dets[ms[k]].onset }
	// The core: the most members whose onsets fall within one ambiguity
	// window (the earliest such window).
	cs, cn := 0, 0
	for lo, hi := 0, 0; lo < len(ms); lo++ {
		for hi < len(ms) && on(hi)-on(lo) <= a.ambig {
			hi++
		}
		if hi-lo > cn {
			cs, cn = lo, hi-lo
		}
	}
	// The members that lead into the core without a gap belong to it.
	j := cs
	for j > 0 && on(j)-on(j-1) <= a.ambig {
		j--
	}
	if j == 0 || cn < minCore || 3*j > cn {
		return 0
	}
	return j
}

func (a *analysis) finishGroup(g *group) {
	sort.SliceStable(g.members, func(i, j int) bool {
		x, y := a.dets[g.members[i]], a.dets[g.members[j]]
		if x.score != y.score {
			return x.score > y.score
		}
		return a.sigs[g.members[i]].key < a.sigs[g.members[j]].key
	})
	rep := g.members[0]
	rs, rd := &a.sigs[rep], &a.dets[rep]
	g.query, g.family, g.kind = rs.query, rs.family, rs.kind
	g.shape, g.dir, g.z = rd.shape, rd.dir, rd.z
	if rs.kind == Gauge {
		g.before, g.after = rd.before, rd.after
	}
	g.onset, g.fine = rd.onset, rd.fine
	for _, m := range g.members {
		d := &a.dets[m]
		g.sustained = g.sustained || d.sustained
		g.lasting = g.lasting || d.onset+d.dur >= a.n-2
		if d.onset < g.onset {
			g.onset = d.onset
		}
		if d.fine < g.fine {
			g.fine = d.fine
		}
	}
	k := min(len(g.members), 8)
	g.score = 1 - (1-rd.score)*math.Pow(0.92, float64(k-1))
	// The group's entity: the labels all members share.
	g.entity = map[string]string{}
	for key, v := range rs.entity {
		same := true
		for _, m := range g.members[1:] {
			if a.sigs[m].entity[key] != v {
				same = false
				break
			}
		}
		if same {
			g.entity[key] = v
		}
	}
	seen := map[int]bool{}
	for _, m := range g.members {
		for _, at := range a.atoms[m] {
			if !seen[at.id] {
				seen[at.id] = true
				g.atoms = append(g.atoms, at)
			}
		}
	}
	sort.Slice(g.atoms, func(i, j int) bool { return g.atoms[i].id < g.atoms[j].id })
	g.reach = a.tp.reach(g.atoms)
	g.evAtoms = a.eventAtoms(g)
	g.key = rs.key
	if len(g.members) > 1 {
		g.key = fmt.Sprintf("%s#%d", rs.key, len(g.members))
	}
}

// prior reports whether the bank's causes say x leads to y.
func (a *analysis) prior(x, y *group) bool {
	c := a.in.Causes
	if len(c) == 0 {
		return false
	}
	for _, src := range [2]string{x.query, x.family} {
		for _, dst := range c[src] {
			if dst == y.query || dst == y.family {
				return true
			}
		}
	}
	return false
}

func iabs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// kindRank: discrete happenings (events, state changes) usually come first.
func kindRank(k Kind) int {
	if k == Gauge {
		return 0
	}
	return 1
}

// relate pairs each group with the groups that changed shortly before it,
// measures lead/lag and significance, and keeps the links that hold.
func (a *analysis) relate() {
	ng := len(a.groups)
	xc := a.profiles()
	type cand struct {
		i, j  int // i before j in order
		st    pairStat
		fwd   bool // i -> j
		topo  float64
		prior bool
		// Measured after the pairs are chosen: the lead/lag statistics
		// both ways (rev only for a tie), and the coincidence floor.
		pij, pji     bool
		measure, tie bool
		floor        float64
		fwdSt, revSt pairStat
		pairKey      uint64
	}
	var cands []cand
	span := float64(2 * a.maxLag)
	// pair measures one pair (i before j in order) and reports whether it
	// was kept as a candidate.
	pair := func(i, j int) bool {
		gi, gj := a.groups[i], a.groups[j]
		dt := gj.fine - gi.fine
		topo := a.tp.tie(gi.reach, gj.atoms)
		pij, pji := a.prior(gi, gj), a.prior(gj, gi)
		if dt > float64(a.maxLag) && topo < 0.5 && !pij {
			return false
		}
		c := cand{i: i, j: j, topo: topo, pij: pij, pji: pji}
		// A localised change (a step, a burst; or two changes each
		// largely localised) correlates with anything that moved at the
		// same time: the chance of the two onsets falling this close is
		// all the data can say. With G changes in the window, some
		// change falls within d steps of a given one with chance about
		// G(2d+1)/W.
		floor := 0.0
		if (gi.conc >= 0.5 || gj.conc >= 0.5 || min(gi.conc, gj.conc) >= 0.2) && a.winHi > a.winLo {
			floor = math.Min(1, float64(len(a.groups)*(2*iabs(gj.onset-gi.onset)+1))/float64(a.winHi-a.winLo))
		}
		// When the coincidence alone makes any link insignificant (many
		// changes in a short window), the correlation is not measured.
		c.measure = xc != nil && gi.hasProf && gj.hasProf && floor < 1
		c.floor = floor
		// Same or adjacent step: the order is ambiguous.
		c.tie = gj.onset-gi.onset <= 1
		cands = append(cands, c)
		return true
	}
	// measure runs the lagged correlations of the chosen pairs (the bulk
	// of the pairwise work) and settles the direction of ties.
	measure := func() {
		nw := workers(len(cands))
		xcs := make([]*xcorrer, nw)
		for w := range xcs {
			if xc != nil {
				xcs[w] = xc.clone()
			}
		}
		parallelFor(len(cands), nw, func(w, lo, hi int) {
			x := xcs[w]
			for k := lo; k < hi; k++ {
				c := &cands[k]
				c.fwdSt, c.revSt = pairStat{p: 1}, pairStat{p: 1}
				if !c.measure {
					continue
				}
				gi, gj := a.groups[c.i], a.groups[c.j]
				pairKey := hashKey(gi.key + "\x00" + gj.key)
				c.fwdSt = x.relate(gi.prof, gj.prof, pairKey, gj.onset-a.segStart, a.winLo, a.winHi)
				if c.tie {
					c.revSt = x.relate(gj.prof, gi.prof, pairKey^0x9e3779b97f4a7c15, gi.onset-a.segStart, a.winLo, a.winHi)
				}
			}
		})
		for k := range cands {
			c := &cands[k]
			gi, gj := a.groups[c.i], a.groups[c.j]
			fwd := c.fwdSt
			c.fwd = true
			if c.tie && a.tieOrder(gi, gj, c.topo, c.pij, c.pji, c.fwdSt, c.revSt) < 0 {
				c.fwd = false
				fwd = c.revSt
			}
			fwd.p = math.Max(fwd.p, c.floor)
			c.st = fwd
			if c.fwd {
				c.prior = c.pij
			} else {
				c.prior = c.pji
			}
		}
	}
	// The groups the bank's causes name as leading to each family or
	// query, in order: a cause is paired with its effects even when many
	// other changes fall between them (a database restart followed by
	// the memory of hundreds of pods).
	var causesOf map[string][]int
	if len(a.in.Causes) > 0 {
		causesOf = map[string][]int{}
		for i, g := range a.groups {
			for _, src := range [2]string{g.query, g.family} {
				for _, dst := range a.in.Causes[src] {
					if l := causesOf[dst]; len(l) == 0 || l[len(l)-1] != i {
						causesOf[dst] = append(l, i)
					}
				}
			}
		}
	}
	paired := make([]int, ng) // j+1 when paired with j
	for j := 0; j < ng; j++ {
		gj := a.groups[j]
		taken := 0
		for i := j - 1; i >= 0 && taken < maxPredecessors; i-- {
			if gj.fine-a.groups[i].fine > span {
				break
			}
			if pair(i, j) {
				taken++
			}
			paired[i] = j + 1
		}
		if causesOf == nil {
			continue
		}
		extra := 0
		for _, dst := range [2]string{gj.query, gj.family} {
			l := causesOf[dst]
			for k := sort.SearchInts(l, j) - 1; k >= 0 && extra < maxPredecessors; k-- {
				i := l[k]
				if paired[i] == j+1 {
					continue
				}
				if gj.fine-a.groups[i].fine > span {
					break
				}
				paired[i] = j + 1
				if pair(i, j) {
					extra++
				}
			}
		}
	}
	measure()
	// How many distinct entities the bank's causes tie each change to
	// with no topology between them: one coincidence is plausible, a
	// response across many entities (the pods of many workloads after a
	// database restart) is not.
	fanout := make(map[int]map[string]bool)
	for _, c := range cands {
		if !c.prior || c.topo >= 0.5 {
			continue
		}
		from, to := c.i, c.j
		if !c.fwd {
			from, to = c.j, c.i
		}
		m := fanout[from]
		if m == nil {
			m = map[string]bool{}
			fanout[from] = m
		}
		m[labelString(a.groups[to].entity, nil)] = true
	}
	ps := make([]float64, len(cands))
	for k, c := range cands {
		ps[k] = c.st.p
	}
	qs := benjaminiHochberg(ps)
	a.out = make([][]int, ng)
	a.inc = make([][]int, ng)
	for k, c := range cands {
		from, to := c.i, c.j
		if !c.fwd {
			from, to = c.j, c.i
		}
		gf, gt := a.groups[from], a.groups[to]
		lag := max(0, gt.onset-gf.onset)
		e := edge{from: from, to: to, lag: lag, r: c.st.r, p: qs[k], xlag: c.st.lag, topo: c.topo, prior: c.prior}
		sSig := 0.0
		if qs[k] < sigLevel {
			e.sig = true
			sSig = 0.5 + 0.5*math.Min(1, -math.Log10(qs[k])/4)
			// Lag consistency: the correlation should peak near the onset
			// difference.
			d := math.Abs(float64(c.st.lag - lag))
			sSig *= math.Exp(-d / (2 + 0.5*float64(lag)))
		}
		pr := 0.0
		if c.prior {
			pr = 1
			if c.topo == 0 && a.nodeLevel(gf) && a.knownNodes(gt) {
				// The bank says the families are related, but the topology
				// says the later entity ran on other nodes: a node event
				// explains the pods that were on that node, not every pod
				// that moved in the same minute.
				pr = 0.25
			}
			if c.topo < 0.5 && !gf.sustained && gt.sustained && len(fanout[from]) < 3 {
				// Nor does a family-level prior make a passing change
				// on an unrelated entity (a worker that restarted once)
				// the cause of a change that held, unless the change
				// was followed across many entities.
				pr *= 0.4
			}
		}
		ord := 0.0
		if !a.knowledge || (!a.priorPath(gf, gt) && !a.priorPath(gt, gf) &&
			(gf.family == gt.family || !a.covered(gf) || !a.covered(gt))) {
			// Without the bank's priors, onset order is the structure
			// the data offers; with them, order alone is not a link (a
			// busy cluster has many unrelated changes), except where
			// the priors are silent: one symptom spreading between
			// entities (latency up a call graph), or a family the bank
			// does not speak of.
			ord = 0.35
			// Timing alone cannot make a passing change the explanation
			// of one that held (a routine worker restart in the same
			// minute as a traffic surge).
			if !gf.sustained && gt.sustained {
				ord *= 0.5
			}
		}
		// Timing: a change within the ambiguity of the grid is as close as
		// the data can tell; beyond it, evidence that rests on timing
		// alone fades fast (a prior between families with no tie between
		// the entities, past the ambiguity; onset order, from the first
		// step of lag), structural evidence (topology, a significant
		// lagged correlation) slowly.
		amb := float64(a.ambig)
		tPrior := math.Exp(-float64(max(0, lag-a.ambig)) / amb)
		// Onsets on a grid are each uncertain by a step, their
		// difference by two: order fades over no fewer than two steps.
		tOrder := math.Exp(-float64(lag) / math.Max(amb, 2))
		tStruct := math.Exp(-float64(lag) / float64(3*a.maxLag))
		// Kubernetes events on the later change's entities that are tied
		// to the earlier change (the pods evicted from the interrupted
		// node) say what happened between the two.
		ev := 0.0
		if len(gt.evAtoms) > 0 {
			if t := a.tp.tie(gf.reach, gt.evAtoms); t >= 0.5 {
				ev = t
			}
		}
		wgt := 1 - (1-0.8*sSig*tStruct)*(1-0.7*c.topo*tStruct)*(1-0.6*pr*tPrior)*(1-ord*tOrder)*(1-0.8*ev*tStruct)
		if wgt < edgeMin {
			continue
		}
		e.event = ev > 0
		e.informed = e.sig || c.topo >= 0.5 || pr >= 1 || e.event
		e.w = wgt
		switch {
		case e.event:
			e.method = "event"
		case e.sig && gf.kind == Events:
			e.method = "event-response"
		case e.sig:
			e.method = "xcorr"
		default:
			e.method = "onset-order"
		}
		a.edges = append(a.edges, e)
		a.out[from] = append(a.out[from], len(a.edges)-1)
		a.inc[to] = append(a.inc[to], len(a.edges)-1)
	}
	// Explaining away: a change with an informed explanation keeps no
	// links that rest on onset order alone.
	for v := range a.groups {
		best := 0.0
		for _, k := range a.inc[v] {
			if e := &a.edges[k]; e.informed && e.w > best {
				best = e.w
			}
		}
		if best < 0.4 {
			continue
		}
		for _, k := range a.inc[v] {
			if e := &a.edges[k]; !e.informed {
				e.dead = true
			}
		}
	}
}

// nodeLevel reports whether a group's entity is a node (or other placement
// infrastructure) rather than something running on one.
func (a *analysis) nodeLevel(g *group) bool {
	node := false
	for _, at := range g.atoms {
		switch at.kind {
		case "node":
			node = true
		case "pod", "container", "workload":
			return false
		}
	}
	return node
}

// knownNodes reports whether the topology knows which nodes a group's
// entities ran on.
func (a *analysis) knownNodes(g *group) bool {
	for id, d := range g.reach {
		if d <= 1 && a.tp.kinds[id] == "node" {
			return true
		}
	}
	return false
}

// profiles builds the normalised differenced series of every group over a
// power-of-two segment covering the onsets, and returns the correlator (nil
// when the grid is too short for lead/lag).
func (a *analysis) profiles() *xcorrer {
	m := 1
	for m*2 <= a.n-1 && m*2 <= 1024 {
		m *= 2
	}
	if m < 32 {
		return nil
	}
	lag := min(a.maxLag, (m-20)/4)
	earliest := a.n
	for _, g := range a.groups {
		earliest = min(earliest, g.onset)
	}
	start := max(1, min(a.n-m, earliest-m/4))
	xc := newXcorrer(m, lag, a.in.Seed)
	a.segStart = start
	a.winLo = max(0, a.b-start)
	a.winHi = min(m, a.n-start)
	// Each group's profile is its own: a pool of workers, each with its
	// own detector, buffers and FFT scratch, writes them by group.
	nw := workers(len(a.groups))
	type scratch struct {
		d        *detector
		sum, one []float64
	}
	sc := make([]scratch, nw)
	for w := range sc {
		sc[w] = scratch{d: newDetector(a.n, a.b), sum: make([]float64, m), one: make([]float64, m)}
	}
	parallelFor(len(a.groups), nw, func(w, lo, hi int) {
		d, sum, one := sc[w].d, sc[w].sum, sc[w].one
		for _, g := range a.groups[lo:hi] {
			a.profile(xc, d, g, start, sum, one)
		}
	})
	return xc
}

// profile sums the change series of a group's leading members over the
// lead/lag segment into its profile, and measures how much of it sits at
// the onset. sum and one are scratch of the segment's length.
func (a *analysis) profile(xc *xcorrer, d *detector, g *group, start int, sum, one []float64) {
	m := len(sum)
	clear(sum)
	for k, si := range g.members {
		if k >= maxGroupProfile {
			break
		}
		a.diffSeries(d, si, start, one)
		for t := range sum {
			sum[t] += one[t]
		}
	}
	g.prof = xc.newProfile(sum)
	g.hasProf = g.prof.norm > 0
	// How much of the profile's energy sits at the onset: a single
	// step or burst can be related to another only through timing.
	var mean, tot, near float64
	for _, v := range sum {
		mean += v
	}
	mean /= float64(m)
	on := g.onset - start
	for t, v := range sum {
		v -= mean
		tot += v * v
		if t >= on-3 && t <= on+3 {
			near += v * v
		}
	}
	if tot > 0 {
		g.conc = near / tot
	}
}

// diffSeries writes the normalised change series of one signal over
// [start, start+len(out)): events as impulses, state as signed transitions,
// gauges as robustly scaled first differences, plus an impulse where the
// series appeared or vanished.
func (a *analysis) diffSeries(d *detector, si, start int, out []float64) {
	s := &a.sigs[si]
	det := &a.dets[si]
	m := len(out)
	switch s.kind {
	case Events:
		mx := 0.0
		for t := 0; t < m; t++ {
			v := 0.0
			if u := start + t; u < len(s.values) && s.values[u] > 0 && !math.IsInf(s.values[u], 0) {
				v = s.values[u]
			}
			out[t] = v
			mx = math.Max(mx, v)
		}
		if mx > 0 {
			for t := range out {
				out[t] /= mx
			}
		}
		return
	case State:
		d.stateLevels(s.values)
		x := d.x
		mx := 0.0
		for t := 0; t < m; t++ {
			out[t] = x[start+t] - x[start+t-1]
			mx = math.Max(mx, math.Abs(out[t]))
		}
		if mx > 0 {
			for t := range out {
				out[t] /= mx
			}
		}
		return
	}
	d.load(s.values)
	x := d.x
	tmp := d.tmp[:0]
	for t := 0; t < m; t++ {
		u := start + t
		v := x[u] - x[u-1]
		if math.IsNaN(v) {
			v = 0
		} else {
			tmp = append(tmp, v)
		}
		out[t] = v
	}
	mx := 0.0
	for _, v := range out {
		mx = math.Max(mx, math.Abs(v))
	}
	mad := 0.0
	if len(tmp) > 0 {
		_, mad = medianMAD(tmp)
	}
	scale := math.Max(madScale*mad, mx/50)
	if scale > 0 {
		for t := range out {
			out[t] = clamp(out[t]/scale, -50, 50)
		}
	}
	if det.shape == "vanished" || det.shape == "appeared" {
		if t := det.onset - start; t >= 0 && t < m {
			out[t] += 10 * float64(shapeClass(det.shape))
		}
	}
}

// anomalies lists every anomalous signal, strongest first.
func (a *analysis) anomalies() []Anomaly {
	idx := append([]int(nil), a.anoms...)
	sort.SliceStable(idx, func(i, j int) bool {
		x, y := a.dets[idx[i]], a.dets[idx[j]]
		if x.score != y.score {
			return x.score > y.score
		}
		return a.sigs[idx[i]].key < a.sigs[idx[j]].key
	})
	a.anomIdx = make(map[int]int, len(idx))
	out := make([]Anomaly, len(idx))
	for k, si := range idx {
		s, d := &a.sigs[si], &a.dets[si]
		a.anomIdx[si] = k
		out[k] = Anomaly{
			Signal: s.idx, Query: s.query, Family: s.family, Entity: s.entity,
			Onset: a.in.Time(d.onset), OnsetIndex: d.onset, Shape: d.shape,
			Score: d.score, Z: d.z, Before: d.before, After: d.after,
			BaselineMedian: d.median, BaselineMAD: d.sigma, Source: s.source(),
		}
	}
	return out
}

// step renders one group as a chain step, e being the link from the
// previous step (nil for the first).
func (a *analysis) makeStep(gi int, e *edge) Step {
	g := a.groups[gi]
	st := Step{
		Query: g.query, Family: g.family, Entity: g.entity,
		Onset: a.in.Time(g.onset), Anomaly: a.anomIdx[g.members[0]],
		Count: len(g.members), Shape: g.shape,
	}
	for _, m := range g.members {
		st.Members = append(st.Members, a.anomIdx[m])
	}
	if e == nil {
		st.Evidence = a.describeFirst(g)
		return st
	}
	st.Lag = time.Duration(e.lag) * a.step
	st.Link = &Link{
		Lag: st.Lag, R: e.r, P: e.p, Topology: e.topo >= 0.5, Prior: e.prior,
		Method: e.method, Weight: e.w, XLag: time.Duration(e.xlag) * a.step,
	}
	st.Evidence = a.describeLink(a.groups[e.from], g, e)
	return st
}
