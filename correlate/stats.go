package correlate

import (
	"math"
	"sort"
)

// madScale turns a median absolute deviation into a standard-deviation
// estimate for normal noise.
const madScale = 1.4826

// median returns the median of a, reordering a in place. a must not be empty
// and must not hold NaN.
func median(a []float64) float64 {
	m, _, _ := medianMid(a)
	return m
}

// medianMid is median that also returns the middle values it averaged (lo
// == hi == the median for an odd length).
func medianMid(a []float64) (med, lo, hi float64) {
	n := len(a)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	k := n / 2
	hi = selectK(a, k)
	if n%2 == 1 {
		return hi, hi, hi
	}
	// The lower middle is the largest value left of k after selection.
	lo = a[0]
	for _, v := range a[1:k] {
		if v > lo {
			lo = v
		}
	}
	return (lo + hi) / 2, lo, hi
}

// selectK partially orders a so that a[k] holds the k-th smallest value,
// with everything left of k <= it and everything right of k >= it.
//
// It is a quickselect with a median-of-three pivot and a branch-free Lomuto
// partition: on real series (noise no branch predictor can learn) the
// classic Hoare partition mispredicts about every other comparison and was
// ~4x slower, the analysis' largest cost at 10,000 series (issue 9). Values
// equal to the pivot are gathered next to it in a second pass, only when
// there are some, so quantised series (counts, many ties) stay linear.
// Deterministic; a must not hold NaN.
func selectK(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for hi > lo {
		if hi-lo < 16 {
			insertion(a[lo : hi+1])
			return a[k]
		}
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		a[mid], a[hi] = a[hi], a[mid]
		p := a[hi]
		// [lo, i) < p, [i, j) >= p.
		i, eq := lo, 0
		for j := lo; j < hi; j++ {
			v := a[j]
			a[j] = a[i]
			a[i] = v
			i += b2i(v < p)
			eq += b2i(v == p)
		}
		a[i], a[hi] = a[hi], a[i]
		if k < i {
			hi = i - 1
			continue
		}
		// [i, e) == p.
		e := i + 1
		if eq > 0 {
			for j := e; j <= hi; j++ {
				v := a[j]
				a[j] = a[e]
				a[e] = v
				e += b2i(v == p)
			}
		}
		if k < e {
			return p
		}
		lo = e
	}
	return a[k]
}

// b2i is 1 for true; the compiler makes it a flag move, not a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func insertion(a []float64) {
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i - 1
		for j >= 0 && a[j] > v {
			a[j+1] = a[j]
			j--
		}
		a[j+1] = v
	}
}

// medianMAD returns the median of a and its median absolute deviation
// (unscaled). a is overwritten.
func medianMAD(a []float64) (med, mad float64) {
	if len(a) == 0 {
		return math.NaN(), math.NaN()
	}
	med = median(a)
	for i, v := range a {
		a[i] = math.Abs(v - med)
	}
	return med, median(a)
}

// zFromP converts a one-sided p-value into the equivalent normal z
// (the upper quantile), clamped to [0, 40].
func zFromP(p float64) float64 {
	switch {
	case math.IsNaN(p) || p >= 0.5:
		return 0
	case p <= 1e-300:
		return 37
	}
	// Acklam's rational approximation of the inverse normal CDF for the
	// lower tail, refined by one Newton step.
	const (
		c1 = -7.784894002430293e-03
		c2 = -3.223964580411365e-01
		c3 = -2.400758277161838e+00
		c4 = -2.549732539343734e+00
		c5 = 4.374664141464968e+00
		c6 = 2.938163982698783e+00
		d1 = 7.784695709041462e-03
		d2 = 3.224671290700398e-01
		d3 = 2.445134137142996e+00
		d4 = 3.754408661907416e+00
	)
	var x float64
	if p < 0.02425 {
		q := math.Sqrt(-2 * math.Log(p))
		x = (((((c1*q+c2)*q+c3)*q+c4)*q+c5)*q + c6) / ((((d1*q+d2)*q+d3)*q+d4)*q + 1)
	} else {
		const (
			a1 = -3.969683028665376e+01
			a2 = 2.209460984245205e+02
			a3 = -2.759285104469687e+02
			a4 = 1.383577518672690e+02
			a5 = -3.066479806614716e+01
			a6 = 2.506628277459239e+00
			b1 = -5.447609879822406e+01
			b2 = 1.615858368580409e+02
			b3 = -1.556989798598866e+02
			b4 = 6.680131188771972e+01
			b5 = -1.328068155288572e+01
		)
		q := p - 0.5
		r := q * q
		x = (((((a1*r+a2)*r+a3)*r+a4)*r+a5)*r + a6) * q / (((((b1*r+b2)*r+b3)*r+b4)*r+b5)*r + 1)
	}
	e := 0.5*math.Erfc(-x/math.Sqrt2) - p
	u := e * math.Sqrt(2*math.Pi) * math.Exp(x*x/2)
	x = x - u/(1+x*u/2)
	return math.Min(40, -x)
}

// pFromZ is the one-sided upper tail of the standard normal.
func pFromZ(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// poissonTail returns P(X >= k) for X ~ Poisson(mu).
func poissonTail(k float64, mu float64) float64 {
	if k <= 0 {
		return 1
	}
	if mu <= 0 {
		return 0
	}
	kk := math.Ceil(k)
	if kk <= mu {
		// The bulk: 1 - P(X < k), summed directly (k is small here or p is
		// large anyway).
		if kk > 1000 {
			return 0.5
		}
		s := 0.0
		for i := 0.0; i < kk; i++ {
			lg, _ := math.Lgamma(i + 1)
			s += math.Exp(-mu + i*math.Log(mu) - lg)
		}
		return math.Max(0, math.Min(1, 1-s))
	}
	// Upper tail: sum terms from k upwards in log space; they fall
	// geometrically once i > mu.
	lg, _ := math.Lgamma(kk + 1)
	logT := -mu + kk*math.Log(mu) - lg
	sum := 1.0
	t := 1.0
	for i := kk + 1; i < kk+2000; i++ {
		t *= mu / i
		sum += t
		if t < 1e-17*sum {
			break
		}
	}
	return math.Min(1, math.Exp(logT+math.Log(sum)))
}

// benjaminiHochberg returns the BH-adjusted q-values of ps.
func benjaminiHochberg(ps []float64) []float64 {
	n := len(ps)
	q := make([]float64, n)
	if n == 0 {
		return q
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	minQ := 1.0
	for r := n - 1; r >= 0; r-- {
		i := idx[r]
		v := ps[i] * float64(n) / float64(r+1)
		if v < minQ {
			minQ = v
		}
		q[i] = minQ
	}
	return q
}

// saturate maps a robust z (or its equivalent) to a 0..1 score that is
// comparable across units: 0.5 at z = 6, 0.92 at z = 20.
func saturate(z float64) float64 {
	if z <= 0 || math.IsNaN(z) {
		return 0
	}
	z2 := z * z
	return z2 / (z2 + 36)
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
