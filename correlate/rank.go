package correlate

import (
	"math"
	"sort"
	"strings"
	"time"
)

// Ranking, in short. Every change (group) takes as its explanation the
// strongest link from an earlier or tied change (rank); a change nothing
// explains is a root candidate, scored by its entity's strength and the
// mass of what it explains (impact families count double; the credit
// saturates for the first changes explained and then grows with the log of
// the mass, so a database restart that 150 pods follow outweighs a pod
// that 5 siblings follow). Links weigh
// significance (lagged correlation against surrogates, floored by the
// chance of two onsets coinciding when the changes are localised),
// topology, the bank's priors and, without priors, onset order; and
// Kubernetes events on the later change's entities tied to the earlier
// one. The rules that keep this honest:
//   - Timing alone, and a family-level prior between entities with no
//     topology between them, cannot make a passing change (a routine
//     worker restart) the cause of one that held, unless the passing
//     change was followed across several entities (a database restart
//     and the pods of many workloads).
//   - Within the grid's ambiguity the direction between related entities
//     goes to the happening (event, state) and to one entity before many.
//   - A window is an incident only when a tree tells a story: several
//     families tied by more than timing, one of which held or which reach
//     several entities; or a change that held with others following; or a
//     lone change that held far beyond its baseline (the bar grows with
//     the number of series, like the largest z pure noise reaches).
//   - Without priors the ranking degrades to the strongest earliest change
//     of the connected incident: order, strength, and how much follows.
//     Where the priors are silent (one symptom spreading between
//     entities, families the bank does not name) onset order still links.
//   - Precedence without a link: a change that sustained changes of other
//     entities preceded by a few steps is less likely the start (divided
//     by 1 + their faded scores, less the median of that sum over the
//     window: on a large cluster unrelated changes come at a steady rate), since a fault spreading along a call
//     graph the data does not show leaves the first change alone at the
//     front. Between two entities showing one symptom in the same step,
//     the larger relative change is nearer the origin (attenuation).
//   - A story needs reach: changes of one entity that all passed (a
//     replica restarted, its memory reset) with nothing else moving after
//     them are routine, not an incident.
//   - A change still in effect at the window's end counts as having held
//     only when seen for twice the lead/lag horizon; nearer the end it
//     cannot be told from one that passes. An earlier, larger change of
//     one symptom gets credit for the smaller later ones on other
//     entities even unlinked (a symptom weakens as it spreads).
//   - A chain shows each family once before it repeats one.

// Ranking constants.
const (
	// parentMin is the weakest link that explains a change (makes it the
	// consequence of an earlier one rather than a cause of its own).
	parentMin = 0.3
	// maxSteps caps the steps of a chain.
	maxSteps = 6
	// loneZMax caps the robust z a lone, sustained change needs to be an
	// incident on its own (nothing else moved with it); see loneZ.
	loneZMax = 12.0
	// ambigTime is how late an exporter may show a change (a scrape or
	// two): changes closer than this are one moment.
	ambigTime = 45 * time.Second
	// sinkWeight is how much more a change on the impact side (a family
	// the bank's causes only ever point to) counts in the mass a cause
	// explains.
	sinkWeight = 2.0
	// followK is how much the changes of one symptom that followed a
	// larger change of it on another entity, unlinked, count in the mass
	// that change explains (see precedence).
	followK = 0.5
)

// priorClosure computes, for every query id and family named by the
// signals or the bank's causes, the set of families and query ids it leads
// to through the causes, directly or not.
func (a *analysis) priorClosure() {
	c := a.in.Causes
	if len(c) == 0 {
		return
	}
	famOf := map[string]string{}
	for i := range a.sigs {
		famOf[a.sigs[i].query] = a.sigs[i].family
	}
	next := func(x string) []string {
		out := append([]string(nil), c[x]...)
		if f, ok := famOf[x]; ok && f != x {
			out = append(out, c[f]...)
		}
		return out
	}
	a.reachPrior = map[string]map[string]bool{}
	names := map[string]bool{}
	for k, vs := range c {
		names[k] = true
		for _, v := range vs {
			names[v] = true
		}
	}
	for q, f := range famOf {
		names[q], names[f] = true, true
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		seen := map[string]bool{}
		stack := next(k)
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[x] {
				continue
			}
			seen[x] = true
			stack = append(stack, next(x)...)
		}
		a.reachPrior[k] = seen
	}
	// Impact families: named as effects, never as causes.
	a.sink = map[string]bool{}
	for _, vs := range c {
		for _, v := range vs {
			a.sink[v] = true
		}
	}
	for k := range c {
		delete(a.sink, k)
		if f, ok := famOf[k]; ok {
			delete(a.sink, f)
		}
	}
}

// priorPath reports whether the bank's causes lead from x to y, directly or
// through other families.
func (a *analysis) priorPath(x, y *group) bool {
	if a.reachPrior == nil {
		return false
	}
	for _, src := range [2]string{x.query, x.family} {
		r := a.reachPrior[src]
		if r[y.query] || r[y.family] {
			return true
		}
	}
	return false
}

// covered reports whether the bank's causes name a group's family or query,
// as a cause or as an effect.
func (a *analysis) covered(g *group) bool {
	if a.reachPrior == nil {
		return false
	}
	if len(a.in.Causes[g.family]) > 0 || len(a.in.Causes[g.query]) > 0 {
		return true
	}
	for _, vs := range a.in.Causes {
		for _, v := range vs {
			if v == g.family || v == g.query {
				return true
			}
		}
	}
	return false
}

// impact reports whether a group is on the impact side of the bank.
func (a *analysis) impact(g *group) bool { return a.sink[g.family] || a.sink[g.query] }

// tieOrder decides the direction between two groups whose onsets fall
// within the grid's ambiguity (gi is the one first by onset): +1 for
// gi -> gj, -1 for gj -> gi. The evidence, strongest first: the bank's
// causes (directly or through other families); between related entities,
// a discrete happening (an event, a state change) before a continuous
// response and one entity before many (a database before the pools of
// many pods); the within-step
// structure of the onsets; the asymmetry of the lagged correlation; and
// last the stronger anomaly first.
func (a *analysis) tieOrder(gi, gj *group, topo float64, pij, pji bool, fwd, rev pairStat) float64 {
	s := 0.0
	tij, tji := pij || a.priorPath(gi, gj), pji || a.priorPath(gj, gi)
	if tij && !tji {
		s += 2
	} else if tji && !tij {
		s -= 2
	}
	if topo > 0 || tij || tji {
		// Between related entities: a happening before the response
		// to it, one entity before the many it serves.
		s += float64(kindRank(gi.kind) - kindRank(gj.kind))
		if ni, nj := len(gi.members), len(gj.members); ni < nj {
			s += 0.5
		} else if ni > nj {
			s -= 0.5
		}
	} else {
		// Between unrelated entities a happening still comes before a
		// continuous response (whether the response can rest on it is
		// for the link's weight to say).
		s += float64(kindRank(gi.kind) - kindRank(gj.kind))
	}
	if d := gj.fine - gi.fine; d >= 0.25 {
		s += 0.5
	} else if d <= -0.25 {
		s -= 0.5
	}
	if fwd.p < rev.p/2 && fwd.lag > 0 {
		s += 0.5
	} else if rev.p < fwd.p/2 && rev.lag > 0 {
		s -= 0.5
	}
	if gi.family == gj.family && topo < 0.5 {
		// One symptom on two unrelated entities in the same moment:
		// it weakens as it spreads, so the larger relative change is
		// nearer the origin.
		ri, rj := relChange(gi), relChange(gj)
		if ri > 1.25*rj {
			s += 0.5
		} else if rj > 1.25*ri {
			s -= 0.5
		}
	}
	if s == 0 {
		switch {
		case gi.score > gj.score:
			s = 0.25
		case gi.score < gj.score:
			s = -0.25
		default:
			s = 0.25
		}
	}
	return s
}

// rank orders the graph, gives every change its best explanation (the
// strongest link from an earlier or tied change), and scores the changes
// that nothing explains as root causes by their strength and the mass of
// the changes they explain.
func (a *analysis) rank() {
	ng := len(a.groups)
	a.order()
	pos := make([]int, ng)
	for p, g := range a.topo {
		pos[g] = p
	}
	a.pos = pos
	// Entity strength: an entity is as anomalous as its strongest signal
	// in the same step (a restart event on the instance whose connections
	// collapsed carries that collapse's strength).
	for i, g := range a.groups {
		g.strength = g.score
		g.up = -1
		g.tree = i
	}
	for _, e := range a.edges {
		if !e.dead && e.topo >= 1 && e.lag <= a.ambig {
			f, t := a.groups[e.from], a.groups[e.to]
			f.strength = math.Max(f.strength, t.score)
		}
	}
	// Best explanation of each change.
	for _, v := range a.topo {
		g := a.groups[v]
		best := -1
		for _, k := range a.inc[v] {
			e := &a.edges[k]
			if e.dead || pos[e.from] > pos[v] {
				continue
			}
			if best < 0 || e.w > a.edges[best].w ||
				(e.w == a.edges[best].w && a.groups[e.from].order < a.groups[a.edges[best].from].order) {
				best = k
			}
		}
		if best >= 0 && a.edges[best].w >= parentMin {
			g.up = best
			g.in = a.edges[best].w
		}
	}
	a.kids = make([][]int, ng)
	for v, g := range a.groups {
		if g.up >= 0 {
			u := a.edges[g.up].from
			a.kids[u] = append(a.kids[u], v)
		}
	}
	for _, ks := range a.kids {
		sort.Slice(ks, func(i, j int) bool { return a.groups[ks[i]].order < a.groups[ks[j]].order })
	}
	// Mass explained, bottom up (reverse topological order).
	for p := ng - 1; p >= 0; p-- {
		v := a.topo[p]
		g := a.groups[v]
		g.mass = a.value(g)
		for _, c := range a.kids[v] {
			e := &a.edges[a.groups[c].up]
			g.mass += e.w * a.groups[c].mass
			g.explains += 1 + a.groups[c].explains
		}
	}
	// Trees: the root of each change, its families and whether any link
	// inside rests on more than timing.
	for _, v := range a.topo {
		g := a.groups[v]
		if g.up >= 0 {
			g.tree = a.groups[a.edges[g.up].from].tree
		}
	}
	type treeInfo struct {
		fams     map[string]bool
		informed bool
		members  int
		strong   bool
		held     bool
		lasting  bool
		ents     map[string]bool
	}
	trees := map[int]*treeInfo{}
	for _, g := range a.groups {
		ti := trees[g.tree]
		if ti == nil {
			ti = &treeInfo{fams: map[string]bool{}, ents: map[string]bool{}}
			trees[g.tree] = ti
		}
		ti.fams[g.family] = true
		ti.members++
		if g.up >= 0 && a.edges[g.up].informed {
			ti.informed = true
		}
		if g.sustained && g.score >= saturate(6) {
			ti.strong = true
		}
		if g.sustained {
			ti.held = true
		}
		if g.lasting && a.n-g.onset >= 2*a.maxLag {
			// Still in effect at the end, and seen long enough for that
			// to mean something: a change that began near the window's
			// end cannot be told from one that passes (a replica's
			// memory reset by a restart), and what follows it is
			// beyond the window.
			ti.lasting = true
		}
		if k := a.stepKey(g); len(ti.ents) < 3 {
			ti.ents[k[strings.IndexByte(k, 0)+1:]] = true
		}
		if g.sustained && g.z >= a.loneZ() {
			ti.strong = true
		}
	}
	// Whether a sustained change of another tree and entity began within
	// the lead/lag horizon after a tree's root.
	followed := map[int]bool{}
	for r, ti := range trees {
		if len(ti.ents) >= 2 || ti.lasting {
			continue
		}
		gr := a.groups[r]
		kr := a.stepKey(gr)
		for _, h := range a.groups {
			if h.tree != r && h.sustained && h.onset > gr.onset && h.onset-gr.onset <= a.maxLag && a.stepKey(h)[len(h.family):] != kr[len(gr.family):] {
				followed[r] = true
				break
			}
		}
	}
	// Changes of other entities shortly before a change make it less
	// likely the start of the story.
	lead, follow := a.precedence()
	for i, g := range a.groups {
		ti := trees[g.tree]
		// A story: changes in several families tied by more than timing,
		// one of which held or which reach several entities (a train
		// of blips on one workload, such as a rebalance notice and a
		// worker restart, is routine churn), or a change
		// that held (not a blip) with others following it,
		// or a lone change far beyond its baseline that held.
		// Changes of one entity only that all passed (a replica that
		// restarted, its memory reset and refilled) with nothing else
		// moving after them are routine.
		reach := len(ti.ents) >= 2 || ti.lasting || followed[g.tree]
		story := (len(ti.fams) >= 2 && ti.informed && ((ti.held && reach) || len(ti.ents) >= 3)) ||
			(ti.strong && ti.members >= 2 && reach) ||
			(g.sustained && g.z >= a.loneZ() && reach)
		g.incident = story
		m := g.mass - a.value(g) + followK*follow[i]
		r := math.Sqrt(g.strength) * (0.25 + m/(1+m) + 0.25*math.Log1p(m)) / (1 + lead[i])
		if g.up >= 0 {
			// Explained by an earlier (or tied) change: a consequence.
			r *= (1 - g.in) * (1 - g.in)
		}
		if !story {
			r *= 0.3
		}
		a.groups[i].root = r
	}
}

// precedence measures, for every group, the changes of other entities
// that began shortly before it (beyond the grid's ambiguity), each counted
// by its score and faded by the time between them. It is evidence of order
// that does not rest on a link being drawn: where a fault spreads (along a
// call graph the data does not show), each later change has the first one
// shortly before it, while the first has nothing. follow is the mirror
// image, for one symptom only: the changes of the same family on other
// entities (in other trees) that a group preceded while being at least as
// large. A symptom weakens as it spreads (errors of a service and, smaller,
// of its callers), so an earlier and larger change of it is likely the
// origin of the later, smaller ones even when no link could be drawn.
func (a *analysis) precedence() (lead, follow []float64) {
	ng := len(a.groups)
	lead = make([]float64, ng)
	follow = make([]float64, ng)
	tau := 2 * math.Max(2, float64(a.ambig))
	horizon := 4 * tau
	ents := make([]string, ng)
	for i, g := range a.groups {
		k := a.stepKey(g)
		ents[i] = k[len(g.family):]
	}
	const maxScan = 256
	for i, g := range a.groups {
		if !g.sustained {
			continue
		}
		for j, k := i+1, 0; j < ng && k < maxScan; j, k = j+1, k+1 {
			h := a.groups[j]
			d := h.fine - g.fine
			if d > horizon {
				break
			}
			if ents[i] == ents[j] || !h.sustained || d < 1 {
				continue
			}
			lead[j] += g.score * math.Exp(-(d-1)/tau)
			if h.tree != g.tree && h.family == g.family && g.z >= h.z {
				follow[i] += h.score * math.Exp(-(d-1)/tau)
			}
		}
	}
	// Only what stands above the background counts: on a large cluster
	// unrelated changes (a pod here and there) come at a steady rate, and
	// would put "changes shortly before" in front of any moment, the true
	// start included. The background is the median over the window's
	// steps of the same faded sum, 0 where changes are rare.
	if bg := a.leadBackground(tau, horizon); bg > 0 {
		for j := range lead {
			lead[j] = math.Max(0, lead[j]-bg)
		}
	}
	return lead, follow
}

// leadBackground is the median, over the steps of the window, of the faded
// scores of the sustained changes that began shortly before the step (the
// lead a change at that step would get from everything before it).
func (a *analysis) leadBackground(tau, horizon float64) float64 {
	if a.n-a.b < 1 {
		return 0
	}
	l := make([]float64, a.n)
	for _, g := range a.groups {
		if !g.sustained {
			continue
		}
		for t := int(math.Floor(g.fine)) + 1; t < a.n; t++ {
			d := float64(t) - g.fine
			if d > horizon {
				break
			}
			if d >= 1 {
				l[t] += g.score * math.Exp(-(d-1)/tau)
			}
		}
	}
	return median(l[a.b:])
}

// relChange is the size of a group's change relative to its level before
// (|log(after/before)| for positive levels), or 0 when it has none.
func relChange(g *group) float64 {
	if g.before > 0 && g.after > 0 {
		return math.Abs(math.Log(g.after / g.before))
	}
	return 0
}

// loneZ is the robust z a lone change that held needs to be an incident
// on its own: the detection bar plus the largest |z| that pure noise
// reaches among the series checked (about sqrt(2 ln N) for N series), so
// that a window with more series needs a clearer change.
func (a *analysis) loneZ() float64 {
	n := float64(max(2, len(a.sigs)))
	return math.Min(loneZMax, gaugeZMin+math.Sqrt(2*math.Log(n)))
}

// value is how much a change counts in the mass a cause explains.
func (a *analysis) value(g *group) float64 {
	v := g.score
	if a.impact(g) {
		v *= sinkWeight
	}
	return v
}

// order sorts the groups topologically along the links, earliest first; a
// cycle (possible among tied changes) is broken by dropping the incoming
// links of its earliest member.
func (a *analysis) order() {
	ng := len(a.groups)
	indeg := make([]int, ng)
	for _, e := range a.edges {
		if !e.dead {
			indeg[e.to]++
		}
	}
	done := make([]bool, ng)
	a.topo = a.topo[:0]
	next := 0
	for len(a.topo) < ng {
		pick := -1
		for i := next; i < ng; i++ {
			if !done[i] && indeg[i] == 0 {
				pick = i
				break
			}
		}
		if pick < 0 {
			for i := 0; i < ng; i++ {
				if !done[i] {
					pick = i
					break
				}
			}
			for _, k := range a.inc[pick] {
				if !a.edges[k].dead && !done[a.edges[k].from] {
					a.edges[k].dead = true
					indeg[pick]--
				}
			}
		}
		done[pick] = true
		a.topo = append(a.topo, pick)
		for _, k := range a.out[pick] {
			if !a.edges[k].dead {
				indeg[a.edges[k].to]--
			}
		}
		for next < ng && done[next] {
			next++
		}
		// Groups freed by this pick may be earlier than next.
		for _, k := range a.out[pick] {
			if t := a.edges[k].to; !done[t] && indeg[t] == 0 && t < next {
				next = t
			}
		}
	}
}

// byRoot returns the group indices, best root cause first.
func (a *analysis) byRoot() []int {
	idx := make([]int, len(a.groups))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool {
		x, y := a.groups[idx[i]], a.groups[idx[j]]
		if x.root != y.root {
			return x.root > y.root
		}
		return x.order < y.order
	})
	return idx
}

// rootCauses ranks groups as causes, one per entity.
func (a *analysis) rootCauses() []RootCause {
	seen := map[string]bool{}
	var out []RootCause
	for _, gi := range a.byRoot() {
		g := a.groups[gi]
		ek := labelString(g.entity, nil)
		if len(g.entity) == 0 {
			ek = g.key
		}
		if seen[ek] || g.root < 0.02 {
			continue
		}
		seen[ek] = true
		out = append(out, RootCause{
			Query: g.query, Family: g.family, Entity: g.entity,
			Onset: a.in.Time(g.onset), Score: clamp(g.root, 0, 1),
			Why: a.why(g), Explains: g.explains, Anomaly: a.anomIdx[g.members[0]],
		})
		if len(out) == maxRoots {
			break
		}
	}
	return out
}

// stepKey identifies a chain step's family and entity group: the workload
// (or the entity itself) the change is about, so that the memory of three
// pods of one Deployment is one step, not three.
func (a *analysis) stepKey(g *group) string {
	if g.parent >= 0 {
		return g.family + "\x00" + a.tp.names[g.parent]
	}
	for _, at := range g.atoms {
		if at.kind == "pod" || at.kind == "container" {
			continue
		}
		if at.kind != "namespace" {
			// A workload-level series is keyed like its pods.
			return g.family + "\x00" + a.tp.names[at.id]
		}
	}
	return g.family + "\x00" + labelString(g.entity, nil)
}

// chains builds, for each leading incident root, the chain of its most
// important consequences: the path to the weightiest change it explains,
// plus branches to further families, one step per family and entity group,
// in onset order.
func (a *analysis) chains() []Chain {
	var out []Chain
	taken := map[int]bool{}
	for _, u := range a.byRoot() {
		if len(out) == maxChains {
			break
		}
		g := a.groups[u]
		if !g.incident || g.up >= 0 || len(a.kids[u]) == 0 || taken[g.tree] {
			continue
		}
		taken[g.tree] = true
		steps := a.chainSteps(u)
		if len(steps) < 2 {
			continue
		}
		lw := 0.0
		for _, v := range steps[1:] {
			lw += math.Log(a.edges[a.groups[v].up].w)
		}
		gm := math.Exp(lw / float64(len(steps)-1))
		score := clamp(g.root*(0.5+0.5*gm)*1.4, 0, 1)
		if score < chainMin {
			continue
		}
		ch := Chain{Score: score}
		for _, v := range steps {
			var e *edge
			if a.groups[v].up >= 0 && v != u {
				e = &a.edges[a.groups[v].up]
			}
			ch.Steps = append(ch.Steps, a.makeStep(v, e))
		}
		out = append(out, ch)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// chainSteps selects the steps of the chain from root u: the changes it
// explains, most surely first (the product of the link weights on the way),
// one per family and entity group (a group seen again only as a distinct
// later change of another signal, e.g. the node that is finally gone, or
// the errors of the ingress whose traffic surged), at most maxSteps, in
// causal order. Changes of the root's own entity in the same moment (the
// database pod's restart as the database went down) belong to the first
// step and are shown only when nothing else follows.
func (a *analysis) chainSteps(u int) []int {
	type cand struct {
		v int
		p float64
	}
	var cands []cand
	var walk func(v int, p float64)
	walk = func(v int, p float64) {
		for _, c := range a.kids[v] {
			cp := p * a.edges[a.groups[c].up].w
			cands = append(cands, cand{c, cp})
			walk(c, cp)
		}
	}
	walk(u, 1)
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].p != cands[j].p {
			return cands[i].p > cands[j].p
		}
		return a.pos[cands[i].v] < a.pos[cands[j].v]
	})
	// The spine first: from the root, the consequence that carries the
	// most of what follows (its link weight times the mass it explains),
	// down to the last change the story leads to.
	onSpine := map[int]bool{}
	var spine []cand
	for v, p := u, 1.0; len(spine) < 2*maxSteps; {
		best, bw := -1, 0.0
		for _, c := range a.kids[v] {
			if w := a.edges[a.groups[c].up].w * a.groups[c].mass; w > bw {
				best, bw = c, w
			}
		}
		if best < 0 {
			break
		}
		p *= a.edges[a.groups[best].up].w
		spine = append(spine, cand{best, p})
		onSpine[best] = true
		v = best
	}
	rest := spine
	for _, c := range cands {
		if !onSpine[c.v] {
			rest = append(rest, c)
		}
	}
	cands = rest
	type seenKey struct {
		query string
		onset int
		again bool
	}
	seen := map[string]*seenKey{}
	g0 := a.groups[u]
	seen[a.stepKey(g0)] = &seenKey{query: g0.query, onset: g0.onset}
	steps := []int{u}
	var merged []int
	fams := map[string]bool{g0.family: true}
	used := map[int]bool{}
	// Two passes: first the most sure change of each family not yet
	// shown (so that a chain of six steps reaches the impact rather than
	// repeating one family), then the rest, most sure first.
	for pass := 0; pass < 2; pass++ {
		for _, c := range cands {
			if len(steps) >= maxSteps {
				break
			}
			if c.p < 0.1 || used[c.v] {
				continue
			}
			g := a.groups[c.v]
			if pass == 0 && fams[g.family] {
				continue
			}
			used[c.v] = true
			if time.Duration(g.onset-g0.onset)*a.step <= ambigTime && a.tp.tie(g0.reach, g.atoms) >= 1 {
				// The same entity in the same moment (the database's pod
				// restarting as it went down): part of the first step,
				// shown only when nothing else follows.
				merged = append(merged, c.v)
				continue
			}
			k := a.stepKey(g)
			if s, ok := seen[k]; ok {
				if s.again || s.query == g.query || time.Duration(g.onset-s.onset)*a.step <= ambigTime {
					continue
				}
				s.again = true
			} else {
				seen[k] = &seenKey{query: g.query, onset: g.onset}
			}
			fams[g.family] = true
			steps = append(steps, c.v)
		}
	}
	if len(steps) == 1 && len(merged) > 0 {
		steps = append(steps, merged[0])
	}
	sort.SliceStable(steps[1:], func(i, j int) bool {
		return a.pos[steps[1+i]] < a.pos[steps[1+j]]
	})
	return steps
}

// lagOf is the onset difference between two groups as a duration.
func (a *analysis) lagOf(from, to *group) time.Duration {
	return time.Duration(max(0, to.onset-from.onset)) * a.step
}
