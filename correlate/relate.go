package correlate

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
)

// maxSurrogates caps the circular shifts drawn per pair.
const maxSurrogates = 255

// fftPlan is a radix-2 FFT of one size.
type fftPlan struct {
	n   int
	tw  []complex128
	rev []int
}

func newFFT(n int) *fftPlan {
	p := &fftPlan{n: n, tw: make([]complex128, n/2), rev: make([]int, n)}
	for i := range p.tw {
		p.tw[i] = cmplx.Exp(complex(0, -2*math.Pi*float64(i)/float64(n)))
	}
	bits := 0
	for 1<<bits < n {
		bits++
	}
	for i := range p.rev {
		r := 0
		for b := 0; b < bits; b++ {
			if i&(1<<b) != 0 {
				r |= 1 << (bits - 1 - b)
			}
		}
		p.rev[i] = r
	}
	return p
}

// transform computes the DFT of a in place (the unscaled inverse when inv).
func (p *fftPlan) transform(a []complex128, inv bool) {
	n := p.n
	for i, r := range p.rev {
		if i < r {
			a[i], a[r] = a[r], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half := size / 2
		step := n / size
		for start := 0; start < n; start += size {
			for k := 0; k < half; k++ {
				w := p.tw[k*step]
				if inv {
					w = cmplx.Conj(w)
				}
				u := a[start+k]
				v := a[start+k+half] * w
				a[start+k] = u + v
				a[start+k+half] = u - v
			}
		}
	}
}

// profile is the normalised, differenced series of one anomaly group over
// the last M grid steps, and its spectrum.
type profile struct {
	spec []complex128
	norm float64
}

// xcorrer computes lagged correlations between profiles.
type xcorrer struct {
	plan   *fftPlan
	m      int
	maxLag int
	buf    []complex128
	r      []float64
	smax   []float64
	seed   uint64
	shifts []int
	abs    []float64
	dq     []int
}

func newXcorrer(m, maxLag int, seed int64) *xcorrer {
	return &xcorrer{
		plan:   newFFT(m),
		m:      m,
		maxLag: maxLag,
		buf:    make([]complex128, m),
		r:      make([]float64, m),
		smax:   make([]float64, m),
		seed:   uint64(seed),
	}
}

// clone returns an xcorrer sharing x's plan and seed with scratch of its
// own, for another goroutine.
func (x *xcorrer) clone() *xcorrer {
	return &xcorrer{
		plan: x.plan, m: x.m, maxLag: x.maxLag, seed: x.seed,
		buf: make([]complex128, x.m), r: make([]float64, x.m), smax: make([]float64, x.m),
	}
}

// newProfile centres a real series of length m and takes its spectrum.
func (x *xcorrer) newProfile(d []float64) profile {
	var mean float64
	for _, v := range d {
		mean += v
	}
	mean /= float64(len(d))
	spec := make([]complex128, x.m)
	var ss float64
	for i, v := range d {
		v -= mean
		ss += v * v
		spec[i] = complex(v, 0)
	}
	x.plan.transform(spec, false)
	return profile{spec: spec, norm: math.Sqrt(ss)}
}

// pairStat is the lead/lag evidence between two profiles.
type pairStat struct {
	lag  int     // best lag in steps (>= 0: a leads b)
	r    float64 // correlation at that lag (signed)
	p    float64 // surrogate p-value of max |r| over lags 0..maxLag
	rev  float64 // best |r| over negative lags (b leads a)
	revL int
}

// relate measures how well a leads b: r(l) = corr(a_t, b_{t+l}) for
// l in 0..maxLag, with a p-value from circular-shift surrogates of b, drawn
// with a seed derived from the run seed and the pair. Both series were
// selected because they changed in the window, so the surrogates keep b's
// onset (onsetB, segment coordinates) inside the window [winLo, winHi): the
// null is "b changed at some other time of the window", and a link is
// significant only when the series move together beyond the coincidence of
// two onsets. Shifts within maxLag of the observed alignment are left out:
// the maximum over lags would find the same alignment again.
func (x *xcorrer) relate(a, b profile, pairKey uint64, onsetB, winLo, winHi int) pairStat {
	st := pairStat{p: 1}
	if a.norm == 0 || b.norm == 0 {
		return st
	}
	m, L := x.m, x.maxLag
	for i := range x.buf {
		x.buf[i] = cmplx.Conj(a.spec[i]) * b.spec[i]
	}
	x.plan.transform(x.buf, true)
	scale := 1 / (float64(m) * a.norm * b.norm)
	for i := range x.r {
		x.r[i] = real(x.buf[i]) * scale
	}
	obs := -1.0
	for l := 0; l <= L; l++ {
		if v := math.Abs(x.r[l]); v > obs {
			obs, st.lag, st.r = v, l, x.r[l]
		}
	}
	for l := 1; l <= L; l++ {
		if v := math.Abs(x.r[(m-l)%m]); v > st.rev {
			st.rev, st.revL = v, l
		}
	}
	// Sliding maximum of |r| over windows [s, s+L] (circular).
	x.slidingMax(L + 1)
	x.shifts = x.shifts[:0]
	for s := L + 1; s < m-L; s++ {
		// Shifts whose lag windows overlap the observed one would only
		// find the same alignment again.
		if o := (onsetB + s) % m; o >= winLo && o < winHi {
			x.shifts = append(x.shifts, s)
		}
	}
	nShift := len(x.shifts)
	if nShift < 19 {
		return st
	}
	rng := rand.New(rand.NewPCG(x.seed, pairKey))
	count, ge := 0, 0
	var sum, sum2 float64
	take := func(s int) {
		// A shift of b by -s moves the lag-window [0, L] to [s, s+L].
		v := x.smax[(m-s)%m]
		count++
		sum += v
		sum2 += v * v
		if v >= obs {
			ge++
		}
	}
	if nShift <= maxSurrogates {
		for _, s := range x.shifts {
			take(s)
		}
	} else {
		// A seeded sample of distinct shifts: a stride walk from a random
		// start.
		stride := nShift / maxSurrogates
		off := rng.IntN(nShift)
		for i := 0; i < maxSurrogates; i++ {
			take(x.shifts[(off+i*stride)%nShift])
		}
	}
	pEmp := float64(1+ge) / float64(1+count)
	st.p = pEmp
	if ge == 0 && count > 1 {
		// Beyond every surrogate: a Gumbel tail fitted to the surrogate
		// maxima gives a p-value finer than 1/(count+1).
		mean := sum / float64(count)
		sd := math.Sqrt(math.Max(0, sum2/float64(count)-mean*mean))
		if sd > 0 {
			beta := sd * math.Sqrt(6) / math.Pi
			mu := mean - 0.5772156649*beta
			pg := -math.Expm1(-math.Exp(-(obs - mu) / beta))
			st.p = math.Max(1e-12, math.Min(pEmp, pg))
		}
	}
	return st
}

// slidingMax fills smax[s] = max |r[(s+j) mod m]| for j in [0, w), with a
// monotone deque over |r| (one pass, no allocation).
func (x *xcorrer) slidingMax(w int) {
	m := x.m
	if len(x.abs) != m {
		x.abs = make([]float64, m)
		x.dq = make([]int, m+w)
	}
	if len(x.dq) < m+w {
		x.dq = make([]int, m+w)
	}
	abs := x.abs
	for i, v := range x.r {
		if v < 0 {
			v = -v
		}
		abs[i] = v
	}
	dq := x.dq
	head, tail := 0, 0 // dq[head:tail] holds indices with decreasing |r|
	for i := 0; i < m+w-1; i++ {
		k := i
		if k >= m {
			k -= m
		}
		v := abs[k]
		for tail > head {
			j := dq[tail-1]
			if j >= m {
				j -= m
			}
			if abs[j] > v {
				break
			}
			tail--
		}
		dq[tail] = i
		tail++
		if dq[head] <= i-w {
			head++
		}
		if s := i - w + 1; s >= 0 && s < m {
			j := dq[head]
			if j >= m {
				j -= m
			}
			x.smax[s] = abs[j]
		}
	}
}

// hashKey is FNV-1a of a string, for per-pair seeds.
func hashKey(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
