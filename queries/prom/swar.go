package prom

import (
	"encoding/binary"
	"math/bits"
	"strconv"
)

// Digits eight at a time (SWAR: SIMD within a register). A query_range body
// is mostly digits: a 10-digit timestamp and a 9-digit byte count per point.
// Reading them a byte at a time costs a compare, a branch and a multiply per
// digit; these read eight bytes as one little-endian word, find where the
// run of digits ends with a few masks, and fold up to eight digits with three
// multiplications (Lemire, "Fast numeric parsing", simdjson).

// leadingDigits is the number of ASCII digits at the start of the eight bytes
// of x (the first byte is the lowest): 0 to 8. A byte c is a digit when its
// high nibble is 3 and so is the high nibble of c+6 ('0'..'9' only). The add
// can carry into the next byte only from a byte >= 0xFA, itself not a digit,
// so the first non-digit is always found right.
func leadingDigits(x uint64) int {
	const hi, three, six = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	nd := (x&hi ^ three) | ((x+six)&hi ^ three)
	return bits.TrailingZeros64(nd) >> 3
}

// parse8 folds eight ASCII digits (first digit in the lowest byte; zero bytes
// count as leading zeros) into their value.
func parse8(x uint64) uint64 {
	x = (x & 0x0F0F0F0F0F0F0F0F) * (10<<8 + 1) >> 8
	x = (x & 0x00FF00FF00FF00FF) * (100<<16 + 1) >> 16
	return (x & 0x0000FFFF0000FFFF) * (10000<<32 + 1) >> 32
}

// pow10u holds the powers of ten that fit a uint64.
var pow10u = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// digitRun reads the run of ASCII digits that starts at b[j]: its length n
// and, when n <= 19, its value v (past 19 digits v has wrapped around and
// means nothing).
func digitRun(b []byte, j int) (v uint64, n int) {
	for j+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[j:])
		k := leadingDigits(x)
		v = v*pow10u[k] + parse8(x<<(64-8*uint(k)))
		n += k
		if k < 8 {
			return v, n
		}
		j += 8
	}
	for ; j < len(b) && b[j]-'0' < 10; j++ {
		v = v*10 + uint64(b[j]-'0')
		n++
	}
	return v, n
}

// stamp is the text a server writes for one grid point's timestamp when the
// grid is in whole seconds ("1773122400"), with the `,"` that follows it: 8
// to 16 bytes, compared as two words instead of parsed. A point whose
// timestamp is written any other way ("1773122400.000") does not match and
// is parsed.
type stamp struct {
	lo, hi, mask uint64 // the first 8 bytes; the rest (masked), little-endian
	n            int    // the bytes compared
}

// match reports whether b starts with the stamp; b has at least 16 bytes.
func (s *stamp) match(b []byte) bool {
	return binary.LittleEndian.Uint64(b) == s.lo && binary.LittleEndian.Uint64(b[8:])&s.mask == s.hi
}

// maxStamps bounds the table (32 bytes a point); longer grids are parsed.
const maxStamps = 1 << 16

// stamps is the stamp of every point of g, or nil when g is not in whole
// seconds or a timestamp's text does not fit 8 to 16 bytes.
func stamps(g grid) []stamp {
	if g.start%1000 != 0 || g.step%1000 != 0 || g.n > maxStamps {
		return nil
	}
	out := make([]stamp, g.n)
	var buf [32]byte
	for i := range out {
		t := strconv.AppendInt(buf[:0], (g.start+int64(i)*g.step)/1000, 10)
		t = append(t, ',', '"')
		if len(t) < 8 || len(t) > 16 {
			return nil
		}
		var rest [8]byte
		r := copy(rest[:], t[8:])
		out[i] = stamp{
			lo:   binary.LittleEndian.Uint64(t),
			hi:   binary.LittleEndian.Uint64(rest[:]),
			mask: 1<<(8*uint(r)) - 1, // all ones for r = 8 (a shift by 64 is 0)
			n:    len(t),
		}
	}
	return out
}
