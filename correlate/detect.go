package correlate

import (
	"math"
)

// Detection thresholds. They are statistical, not tuned to any scenario:
// gauges must move by several baseline deviations and persist; events and
// state transitions are compared with their baseline rate (Poisson).
const (
	// gaugeZMin is the effective robust z a gauge change needs to count.
	gaugeZMin = 4.5
	// countZMin is the Poisson-equivalent z an events/state series needs.
	countZMin = 1.2
	// cusumK is the CUSUM drift allowance and cusumH its alarm level, in
	// baseline deviations.
	cusumK = 1.5
	cusumH = 5.0
	// priorEvents is the pseudo-count of events assumed in the baseline, so
	// that a quiet baseline does not make a single event infinitely
	// surprising.
	priorEvents = 0.02
	// vanishZ is the z credited to a series that stopped reporting.
	vanishZ = 5.0
	// noiseMaxZ is the in-sample excursion an ordinary normal baseline shows;
	// baselines whose own excursions exceed it raise the bar by the excess.
	noiseMaxZ = 3.0
)

// detection is what the detector finds in one series.
type detection struct {
	anomalous bool
	onset     int     // grid index of the change
	fine      float64 // onset in steps with within-step structure (<= onset)
	dur       int     // how long the change lasted, in steps
	shape     string
	z         float64
	score     float64
	dir       int
	before    float64
	after     float64
	median    float64 // baseline median (or reference) used
	sigma     float64 // baseline deviation used
	count     int     // events / transitions in the window
	events    []int   // grid indices of events / transitions in the window (capped)
	needRef   bool    // a gauge with no usable baseline (born in the window)
	// settled marks a gauge dismissed before its baseline statistics were
	// computed (see settled): not anomalous, median and sigma left unset.
	// The analysis computes them only where they are read (the reference
	// of a sibling born in the window) with gaugeStats.
	settled bool
	// sustained is true when the change held (a level that stayed
	// anomalous for several steps, repeated events, a state that stayed
	// bad) rather than a lone blip.
	sustained bool
	// churn is true for a series that only appeared or vanished.
	churn bool
	// evs are the Kubernetes event streams (indices into analysis.sigs)
	// that corroborate this change, evz their strongest z; absorbed marks
	// a stream that corroborates a metric change instead of standing
	// alone.
	evs      []int
	evz      float64
	absorbed bool
}

// refStats is a borrowed baseline for series born in the window (the
// baseline of their siblings, e.g. other pods of the same workload).
type refStats struct {
	median, sigma float64
	ok            bool
}

// detector holds the grid geometry and scratch buffers; one per goroutine.
type detector struct {
	n, b, w int
	gap     int     // NaN gaps up to this many steps are carried forward
	pmin    int     // a change shorter than this is a spike
	rref    float64 // rise time (steps) beyond which a change counts as a slow drift
	x, tmp  []float64
	e       []float64
}

func newDetector(n, b int) *detector {
	w := n - b
	d := &detector{n: n, b: b, w: w, gap: 2, pmin: 3}
	d.rref = math.Max(4, float64(w)/8)
	d.x = make([]float64, n)
	d.tmp = make([]float64, n)
	d.e = make([]float64, n)
	return d
}

// load copies v onto the grid, carrying short gaps forward, and returns the
// first and last present indices (-1 when the series is empty).
func (d *detector) load(v []float64) (first, last int) {
	x := d.x[:d.n]
	first, last = -1, -1
	lastValid := -1
	for t := 0; t < d.n; t++ {
		val := math.NaN()
		if t < len(v) {
			val = v[t]
		}
		if math.IsNaN(val) || math.IsInf(val, 0) {
			if lastValid >= 0 && t-lastValid <= d.gap {
				x[t] = x[lastValid]
			} else {
				x[t] = math.NaN()
			}
			continue
		}
		x[t] = val
		lastValid = t
		if first < 0 {
			first = t
		}
		last = t
	}
	return first, last
}

// gauge detects a level change in a gauge series. A series that cannot
// hold one is dismissed early (detection.settled).
func (d *detector) gauge(v []float64, ref refStats) detection {
	return d.gaugeWith(v, ref, true)
}

// gaugeStats is gauge without the early dismissal: the same detection, with
// the baseline's median and sigma always set.
func (d *detector) gaugeStats(v []float64, ref refStats) detection {
	return d.gaugeWith(v, ref, false)
}

func (d *detector) gaugeWith(v []float64, ref refStats, screen bool) detection {
	var det detection
	first, last := d.load(v)
	if first < 0 {
		return det
	}
	n, b := d.n, d.b
	x := d.x[:n]
	last = d.trimStale(first, last)

	minV, maxV := math.Inf(1), math.Inf(-1)
	for t := first; t <= last; t++ {
		if xv := x[t]; !math.IsNaN(xv) {
			if xv > maxV {
				maxV = xv
			}
			if xv < minV {
				minV = xv
			}
		}
	}
	if screen && d.settled(last, minV, maxV) {
		det.settled = true
		return det
	}

	// Baseline statistics: median, a robust linear trend (medians of the two
	// halves), the residual deviation and the step-to-step noise.
	tmp := d.tmp[:0]
	for t := 0; t < b; t++ {
		if !math.IsNaN(x[t]) {
			tmp = append(tmp, x[t])
		}
	}
	nb := len(tmp)
	minBase := max(3, b/5)
	var m, sigma, slope, cB, offset float64
	born := nb < minBase
	if born {
		det.needRef = !ref.ok
		if ref.ok {
			m, sigma = ref.median, ref.sigma
		}
	} else {
		var lo, hi float64
		m, lo, hi = medianMid(tmp)
		for i, v := range tmp {
			tmp[i] = math.Abs(v - m)
		}
		mad := median(tmp)
		m1, c1, n1 := d.segMedian(0, b/2)
		m2, c2, n2 := d.segMedian(b/2, b)
		if n1 >= 3 && n2 >= 3 && c2 > c1 {
			se := 1.2533 * madScale * mad * math.Sqrt(1/float64(n1)+1/float64(n2))
			if math.Abs(m2-m1) > 3*se {
				slope = (m2 - m1) / (c2 - c1)
			}
		}
		// Residuals around the trend line through the baseline centre.
		var sumT float64
		for t := 0; t < b; t++ {
			if !math.IsNaN(x[t]) {
				sumT += float64(t)
			}
		}
		cB = sumT / float64(nb)
		// Without a trend the residuals are x - m, whose median is the
		// baseline's middle values minus m (the subtraction keeps their
		// order), and when that is 0 their MAD is the one just computed:
		// two selections saved on most series, the same numbers.
		var madR float64
		if slope == 0 {
			offset = ((lo - m) + (hi - m)) / 2
			madR = mad
		}
		if slope != 0 || offset != 0 {
			tmp = tmp[:0]
			for t := 0; t < b; t++ {
				if !math.IsNaN(x[t]) {
					tmp = append(tmp, x[t]-m-slope*(float64(t)-cB))
				}
			}
			offset, madR = medianMAD(tmp)
		}
		sigma = madScale * madR
		if madR == 0 {
			// Quantised baselines (mostly one value, sometimes another):
			// the mean absolute deviation keeps rare values from looking
			// infinitely surprising.
			var s float64
			for t := 0; t < b; t++ {
				if !math.IsNaN(x[t]) {
					s += math.Abs(x[t] - m - slope*(float64(t)-cB) - offset)
				}
			}
			sigma = 1.2533 * s / float64(nb)
		}
		// Step-to-step noise.
		tmp = tmp[:0]
		for t := 1; t < b; t++ {
			if !math.IsNaN(x[t]) && !math.IsNaN(x[t-1]) {
				tmp = append(tmp, x[t]-x[t-1])
			}
		}
		if len(tmp) >= 3 {
			_, madD := medianMAD(tmp)
			sigma = math.Max(sigma, madScale*madD/math.Sqrt2)
		}
	}
	maxAbs := max(math.Abs(minV), math.Abs(maxV))
	floor := math.Max(0.05*math.Abs(m), math.Max(0.01*maxAbs, 1e-9))
	sigma = math.Max(sigma, floor)
	det.median, det.sigma = m, sigma

	// Deviation from the band between the flat baseline and its trend,
	// in baseline deviations.
	e := d.e[:n]
	horizon := float64(2*b - 1)
	inv := 1 / sigma
	for t := 0; t < n; t++ {
		xv := x[t]
		if xv != xv { // NaN
			e[t] = xv
			continue
		}
		lo, hi := m, m
		if slope != 0 {
			tt := float64(t)
			if tt > horizon {
				tt = horizon
			}
			if tr := m + offset + slope*(tt-cB); tr < lo {
				lo = tr
			} else {
				hi = tr
			}
		}
		switch {
		case xv > hi:
			e[t] = (xv - hi) * inv
		case xv < lo:
			e[t] = (xv - lo) * inv
		default:
			e[t] = 0
		}
	}

	// The baseline's own excursions calibrate how surprising the window's
	// are (heavy-tailed baselines raise the bar).
	zb := 0.0
	if !born {
		d.excursions(e, 0, b, func(ex excursion) {
			zb = math.Max(zb, ex.zeff)
		})
	}
	// A baseline whose own excursions reach zb > noiseMaxZ is heavy-tailed:
	// its deviation scale is stretched by zb / noiseMaxZ.
	calib := noiseMaxZ / math.Max(noiseMaxZ, zb)
	from := b
	if born && first > b {
		from = first
	}
	var best excursion
	found := false
	d.excursions(e, from, n, func(ex excursion) {
		if !found || ex.zeff > best.zeff {
			best, found = ex, true
		}
	})
	vanished := !born && last < n-1-d.gap && last >= b-1-d.gap && last >= first
	if vanished && (!found || best.zeff*calib < vanishZ) {
		on := max(last+1, b)
		det.anomalous = true
		det.onset, det.fine, det.dur = on, float64(on)-0.5, n-on
		det.shape = "vanished"
		det.churn = true
		det.z = vanishZ
		det.score = saturate(vanishZ)
		det.dir = -1
		det.before, det.after = x[last], math.NaN()
		return det
	}
	if !found {
		return det
	}
	z := best.zeff * calib
	if born && !ref.ok {
		// No reference at all: the series' appearance is the change.
		z = math.Max(z, best.zeff)
	}
	if z < gaugeZMin {
		return det
	}
	det.anomalous = true
	det.onset = best.start
	det.dur = best.dur
	det.sustained = best.zl*calib >= gaugeZMin || (best.start+best.dur >= n && best.run >= d.pmin)
	det.dir = best.sign
	det.z = z
	det.score = saturate(z)
	plateau := math.Max(best.zl, best.peak)
	frac := 0.0
	if plateau > 0 && !math.IsNaN(e[best.start]) {
		frac = clamp(float64(best.sign)*e[best.start]/plateau, 0, 1)
	}
	det.fine = float64(best.start) - 0.5*frac
	// Level before (the band edge) and after (the settled level).
	tr := m
	if slope != 0 {
		tr = m + offset + slope*(math.Min(float64(best.start), horizon)-cB)
	}
	if best.sign > 0 {
		det.before = math.Max(m, tr)
	} else {
		det.before = math.Min(m, tr)
	}
	p0 := best.start + best.rise - 1
	p1 := min(best.start+best.dur, p0+10, n)
	tmp = d.tmp[:0]
	for t := p0; t < p1; t++ {
		if !math.IsNaN(x[t]) {
			tmp = append(tmp, x[t])
		}
	}
	if len(tmp) > 0 {
		det.after = median(tmp)
	} else {
		det.after = x[best.start]
	}
	endsAtEdge := best.start+best.dur >= n
	switch {
	case born && !ref.ok:
		det.shape = "appeared"
		det.churn = true
		// A series born in the window with nothing to compare it with
		// (a new node, a new pod) is churn: its presence is news, its
		// level is not.
		det.z = math.Min(det.z, vanishZ)
		det.score = saturate(det.z)
	case best.dur < d.pmin && !endsAtEdge && best.sign > 0:
		det.shape = "spike"
	case best.dur < d.pmin && !endsAtEdge:
		det.shape = "dip"
	case best.sign < 0 && det.before > 0 && math.Abs(det.after) <= 0.05*det.before:
		det.shape = "drop-to-zero"
	case best.sign > 0 && minV >= -0.05 && maxV <= 1.05 && det.after >= 0.9:
		det.shape = "rise-to-limit"
	case best.sign > 0:
		det.shape = "step-up"
	default:
		det.shape = "step-down"
	}
	return det
}

// trimStale drops the stale tail of a gauge that stopped reporting. A
// Prometheus without staleness markers (a promtool backfill, a federated
// or remote-read source) keeps returning a vanished series' last sample
// for its lookback (5 minutes by default): the series ends in a run of one
// repeated value far longer than any run of its live part. The run is cut
// back to the longest live run, so that the series vanishes when it did.
// It returns the new last index.
func (d *detector) trimStale(first, last int) int {
	x := d.x
	if last >= d.n-1-d.gap || last-first < 12 {
		return last
	}
	r := 1
	for t := last - 1; t >= first && x[t] == x[last]; t-- {
		r++
	}
	if r < 4 || last-r-first < 8 {
		return last
	}
	longest, run := 1, 1
	for t := first + 1; t <= last-r; t++ {
		if x[t] == x[t-1] {
			run++
			longest = max(longest, run)
		} else {
			run = 1
		}
	}
	if r <= 3*longest {
		return last
	}
	end := last - r + longest
	for t := end + 1; t <= last; t++ {
		x[t] = math.NaN()
	}
	return end
}

// segMedian returns the median of the present values in x[a:b], the mean
// index of those values and their count.
func (d *detector) segMedian(a, b int) (med, center float64, n int) {
	buf := d.e[:0] // e is free at this point
	var s float64
	for t := a; t < b; t++ {
		if v := d.x[t]; !math.IsNaN(v) {
			buf = append(buf, v)
			s += float64(t)
		}
	}
	if len(buf) == 0 {
		return math.NaN(), 0, 0
	}
	n = len(buf)
	return median(buf), s / float64(n), n
}

// settled reports, from the extremes of the baseline and one pass over the
// window, that the full detection below would find nothing: most series of
// a large answer, whose baseline statistics (five selections) then need not
// be computed. The argument is exact, not a heuristic:
//   - the series is present to the end, so it did not vanish, and its
//     baseline has enough points, so it was not born in the window;
//   - the baseline median m lies between the baseline's extremes minB and
//     maxB, so a window value x is at most max(x-minB, maxB-x) from m, and
//     the band around the trend contains m, so x's deviation beyond the band
//     is at most that too;
//   - sigma is at least its floor, max(5% of |m|, 1% of the largest |x|,
//     1e-9), and |m| is at least the smaller of |minB| and |maxB| when both
//     have one sign;
//   - an excursion's strength (zeff: its core's median, or its peak
//     discounted) never exceeds its peak, the largest deviation in sigmas,
//     and the calibration only lowers it.
//
// So when every window value is within gaugeZMin floors of all of the
// baseline (with 0.1% to spare for rounding), no excursion reaches
// gaugeZMin and the series is not anomalous.
func (d *detector) settled(last int, minV, maxV float64) bool {
	n, b := d.n, d.b
	if last < n-1-d.gap {
		return false
	}
	x := d.x[:n]
	minB, maxB := math.Inf(1), math.Inf(-1)
	nb := 0
	for _, v := range x[:b] {
		if v == v { // not NaN (math.Min and Max, which care for NaN and -0, are slower)
			nb++
			if v < minB {
				minB = v
			}
			if v > maxB {
				maxB = v
			}
		}
	}
	if nb < max(3, b/5) {
		return false
	}
	mLow := 0.0
	switch {
	case minB > 0:
		mLow = minB
	case maxB < 0:
		mLow = -maxB
	}
	maxAbs := math.Max(math.Abs(minV), math.Abs(maxV))
	floor := math.Max(0.05*mLow, math.Max(0.01*maxAbs, 1e-9))
	limit := 0.999 * gaugeZMin * floor
	lo, hi := maxB-limit, minB+limit
	if !(lo < hi) {
		return false
	}
	for _, v := range x[b:] {
		if v <= lo || v >= hi { // false for NaN
			return false
		}
	}
	return true
}

// excursion is one CUSUM alarm segment.
type excursion struct {
	start, dur, rise int
	run              int // steps around the peak above half of it
	sign             int
	peak, zl, zeff   float64
}

// excursions runs a two-sided CUSUM over e[a:b] and reports every segment
// that raised an alarm. The onset of a segment is the classical CUSUM
// change-point estimate: the first step after the statistic left zero.
func (d *detector) excursions(e []float64, a, b int, fn func(excursion)) {
	for _, sign := range [2]int{1, -1} {
		s := 0.0
		start, alarmed := -1, false
		sf := float64(sign)
		for t := a; t < b; t++ {
			v := e[t]
			if v != v { // NaN
				continue
			}
			if s += sf*v - cusumK; s < 0 {
				s = 0
			}
			if s > 0 && start < 0 {
				start = t
			}
			if s >= cusumH {
				alarmed = true
			}
			if s == 0 && start >= 0 {
				if alarmed {
					fn(d.evalExcursion(e, start, t, sign))
				}
				start, alarmed = -1, false
			}
		}
		if start >= 0 && alarmed {
			fn(d.evalExcursion(e, start, b, sign))
		}
	}
}

// evalExcursion measures one alarm segment: its peak, how long the series
// stayed beyond the allowance, its persistent level, how fast it rose, and
// an effective z that discounts spikes and slow drifts.
func (d *detector) evalExcursion(e []float64, start, end, sign int) excursion {
	sf := float64(sign)
	ex := excursion{start: start, sign: sign}
	peakAt := start
	for t := start; t < end; t++ {
		if v := sf * e[t]; !math.IsNaN(v) && v > ex.peak {
			ex.peak, peakAt = v, t
		}
	}
	// The core of the change is the run around the peak that stays beyond
	// a quarter of it; the change lasts from the
	// onset to the end of its core. The CUSUM statistic itself decays
	// slowly after a spike, so its zero crossing is not the end.
	thr := math.Max(cusumK, 0.25*ex.peak)
	coreEnd := peakAt
	for t := peakAt + 1; t < end; t++ {
		v := sf * e[t]
		if !math.IsNaN(v) && v > thr {
			coreEnd = t
			continue
		}
		break
	}
	// The change point: a drift that set the statistic going well before
	// the jump (a slow wander beyond the band, then a step) is not the
	// onset. The split of [start, coreEnd] that best separates two levels
	// moves the onset to the jump when the level before it is small
	// beside the level after (a linear ramp keeps its start: the level
	// before its best split is a third of the level after).
	if peakAt-start >= 3 {
		if tau := d.splitOnset(e, start, peakAt, coreEnd, sf); tau > start {
			start = tau
			ex.start = tau
		}
	}
	ex.dur = coreEnd - start + 1
	ex.rise = 1
	for t := start; t < end; t++ {
		if v := sf * e[t]; !math.IsNaN(v) && v >= 0.8*ex.peak {
			ex.rise = t - start + 1
			break
		}
	}
	if ex.dur >= d.pmin {
		buf := d.tmp[len(d.tmp)-ex.dur:] // tail of tmp: free scratch here
		buf = buf[:0]
		for t := start; t < start+ex.dur; t++ {
			if v := sf * e[t]; !math.IsNaN(v) {
				buf = append(buf, v)
			}
		}
		if len(buf) > 0 {
			ex.zl = median(buf)
		}
	}
	// A burst is as strong as its peak discounted by how long the peak
	// itself lasted (the run above half of it), so that a few separate
	// spikes close together do not read as one sustained change.
	run := 1
	for t := peakAt - 1; t >= start; t-- {
		if v := sf * e[t]; !math.IsNaN(v) && v >= 0.5*ex.peak {
			run++
			continue
		}
		break
	}
	for t := peakAt + 1; t < end; t++ {
		if v := sf * e[t]; !math.IsNaN(v) && v >= 0.5*ex.peak {
			run++
			continue
		}
		break
	}
	ex.run = run
	zp := ex.peak * float64(run) / float64(run+d.pmin)
	z := math.Max(ex.zl, zp)
	if r := float64(ex.rise); r > d.rref {
		z *= d.rref / r
	}
	ex.zeff = z
	return ex
}

// splitOnset returns the split tau in (start, peakAt] of sf*e over
// [start, coreEnd] with the largest standardised difference of means, when
// the level before tau is under a quarter of the level after and at least
// three steps lie before it; otherwise start.
func (d *detector) splitOnset(e []float64, start, peakAt, coreEnd int, sf float64) int {
	var tot float64
	var cnt int
	for t := start; t <= coreEnd; t++ {
		if v := e[t]; !math.IsNaN(v) {
			tot += sf * v
			cnt++
		}
	}
	best, bestStat := start, 0.0
	var pre float64
	np := 0
	for tau := start + 1; tau <= peakAt; tau++ {
		if v := e[tau-1]; !math.IsNaN(v) {
			pre += sf * v
			np++
		}
		nq := cnt - np
		if np < 3 || nq < 1 {
			continue
		}
		mp, mq := pre/float64(np), (tot-pre)/float64(nq)
		if st := (mq - mp) * math.Sqrt(float64(np*nq)/float64(cnt)); st > bestStat {
			best, bestStat = tau, st
		}
	}
	if best == start {
		return start
	}
	var a, b float64
	var na, nb int
	for t := start; t <= coreEnd; t++ {
		v := e[t]
		if math.IsNaN(v) {
			continue
		}
		if t < best {
			a += sf * v
			na++
		} else {
			b += sf * v
			nb++
		}
	}
	if na == 0 || nb == 0 || a/float64(na) >= 0.25*b/float64(nb) {
		return start
	}
	return best
}

// counts detects a rate change in an events series (value > 0 is an event)
// or, with transitions set, in the transitions of a state series.
func (d *detector) counts(v []float64, transitions bool) detection {
	var det detection
	n, b := d.n, d.b
	c := d.e[:n]
	if transitions {
		d.transitions(v, c)
	} else {
		for t := 0; t < n; t++ {
			c[t] = 0
			if t < len(v) && v[t] > 0 && !math.IsInf(v[t], 0) {
				c[t] = v[t]
			}
		}
	}
	var kb, kw float64
	for t := 0; t < b; t++ {
		kb += c[t]
	}
	firstW := -1
	for t := b; t < n; t++ {
		if c[t] > 0 {
			kw += c[t]
			det.count++
			if firstW < 0 {
				firstW = t
			}
			if len(det.events) < 64 {
				det.events = append(det.events, t)
			}
		}
	}
	w := float64(n - b)
	bl := float64(max(b, 1))
	det.median = kb / bl
	det.sigma = math.Sqrt(math.Max(kb, priorEvents)) / bl
	if kw == 0 || kw <= w*kb/bl {
		return det
	}
	mu0 := w * (kb + priorEvents) / bl
	z := zFromP(poissonTail(kw, mu0))
	if z < countZMin {
		return det
	}
	onset := firstW
	if kb > 0 {
		// With a non-zero baseline rate, the onset is the first event that
		// starts a burst the baseline rate cannot explain.
		span := max(4, (n-b)/10)
		rate := kb / bl
		for _, t := range det.events {
			var k float64
			for u := t; u < min(n, t+span); u++ {
				k += c[u]
			}
			if poissonTail(k, rate*float64(span)) < 0.01 {
				onset = t
				break
			}
		}
	}
	det.anomalous = true
	det.onset = onset
	det.fine = float64(onset) - 0.5
	det.z = z
	det.score = saturate(z)
	det.dir = 1
	det.before = kb / bl
	det.after = kw / w
	last := det.events[len(det.events)-1]
	det.dur = last - onset + 1
	if !transitions {
		det.shape = "events"
		det.sustained = det.count >= 3
		return det
	}
	// State: read the levels around the first transition in the window.
	x := d.x[:n]
	prev := onset - 1
	det.before, det.after = x[prev], x[onset]
	// How long the first change held.
	hold := 0
	for t := onset; t < n && x[t] == det.after; t++ {
		hold++
	}
	det.sustained = det.count >= 3 || hold >= 2*d.pmin
	switch {
	case det.count >= 3:
		det.shape = "flap"
	case det.after == 0 && det.before > 0:
		det.shape = "drop-to-zero"
	case det.after > det.before:
		det.shape = "step-up"
	default:
		det.shape = "step-down"
	}
	det.dir = 1
	if det.after < det.before {
		det.dir = -1
	}
	return det
}

// transitions fills c with 1 where the state series changes value. Short
// gaps are carried forward; longer absence reads as 0 (a condition that
// stopped holding, a node that is gone).
func (d *detector) transitions(v []float64, c []float64) {
	d.stateLevels(v)
	x := d.x[:d.n]
	c[0] = 0
	for t := 1; t < d.n; t++ {
		c[t] = 0
		a, b := x[t-1], x[t]
		if a != b && math.Abs(a-b) > 1e-12*math.Max(math.Abs(a), math.Abs(b)) {
			c[t] = 1
		}
	}
}

// stateLevels loads a state series into d.x: short gaps carried forward,
// longer absence read as 0.
func (d *detector) stateLevels(v []float64) {
	d.load(v)
	x := d.x[:d.n]
	// Absence longer than the gap tolerance reads as 0 from its first
	// missing step (the carried-forward values were a guess).
	run := 0
	for t := 0; t <= d.n; t++ {
		missing := t < d.n && (t >= len(v) || math.IsNaN(v[t]) || math.IsInf(v[t], 0))
		if missing {
			run++
			continue
		}
		if run > d.gap {
			for u := t - run; u < t; u++ {
				x[u] = 0
			}
		}
		run = 0
	}
	for t := range x {
		if math.IsNaN(x[t]) {
			x[t] = 0
		}
	}
}
