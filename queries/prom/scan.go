package prom

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner is a minimal streaming JSON tokenizer over an io.Reader. It reads
// into one reusable buffer and hands out byte slices that stay valid only
// until the next call, so that decoding a point allocates nothing.
type scanner struct {
	r       io.Reader
	buf     []byte
	i, n    int   // unread bytes are buf[i:n]
	off     int64 // bytes discarded before buf[0], for error positions
	eof     bool
	rerr    error // the reader's error other than io.EOF
	scratch []byte
	keyBuf  []byte // the last object key, stable across refills
}

// errSyntax marks malformed JSON; readErr marks a failure of the reader
// itself (a reset connection), which the caller may retry.
var errSyntax = errors.New("malformed JSON")

type readError struct{ err error }

func (e *readError) Error() string { return "reading the response: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

func newScanner(r io.Reader, size int) *scanner {
	return &scanner{r: r, buf: make([]byte, size)}
}

func (s *scanner) syntax(format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", errSyntax, s.off+int64(s.i), fmt.Sprintf(format, args...))
}

// fill reads more bytes, keeping buf[i:n]. It reports false when nothing more
// can be read.
func (s *scanner) fill() bool {
	if s.eof {
		return false
	}
	if s.i > 0 {
		copy(s.buf, s.buf[s.i:s.n])
		s.off += int64(s.i)
		s.n -= s.i
		s.i = 0
	}
	if s.n == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.n])
		s.buf = nb
	}
	for {
		m, err := s.r.Read(s.buf[s.n:])
		s.n += m
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.rerr = err
			}
			return m > 0
		}
		if m > 0 {
			return true
		}
	}
}

// unexpectedEnd is the error for input that stops too early.
func (s *scanner) unexpectedEnd() error {
	if s.rerr != nil {
		return &readError{s.rerr}
	}
	return s.syntax("unexpected end of input")
}

// peek returns the next non-space byte without consuming it.
func (s *scanner) peek() (byte, error) {
	for {
		for s.i < s.n {
			switch c := s.buf[s.i]; c {
			case ' ', '\t', '\n', '\r':
				s.i++
			default:
				return c, nil
			}
		}
		if !s.fill() {
			return 0, s.unexpectedEnd()
		}
	}
}

// atEnd reports whether only white space is left.
func (s *scanner) atEnd() (bool, error) {
	_, err := s.peek()
	if err == nil {
		return false, nil
	}
	if s.rerr != nil {
		return false, &readError{s.rerr}
	}
	return true, nil
}

func (s *scanner) expect(c byte) error {
	got, err := s.peek()
	if err != nil {
		return err
	}
	if got != c {
		return s.syntax("expected %q, found %q", c, got)
	}
	s.i++
	return nil
}

// more is called inside an array or object after an element: it consumes a
// comma and reports true, or consumes the closing byte and reports false.
func (s *scanner) more(closing byte) (bool, error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case ',':
		s.i++
		return true, nil
	case closing:
		s.i++
		return false, nil
	}
	return false, s.syntax("expected ',' or %q, found %q", closing, c)
}

// open consumes '[' or '{' and reports whether the container is empty (and
// then consumes its closing byte too).
func (s *scanner) open(c, closing byte) (empty bool, err error) {
	if err := s.expect(c); err != nil {
		return false, err
	}
	next, err := s.peek()
	if err != nil {
		return false, err
	}
	if next == closing {
		s.i++
		return true, nil
	}
	return false, nil
}

// openNullable is open for a container that may also be null: it consumes
// null, or the opening byte, and reports whether elements follow (false for
// null and for an empty container, whose closing byte it consumes too).
func (s *scanner) openNullable(c, closing byte) (ok bool, err error) {
	next, err := s.peek()
	if err != nil {
		return false, err
	}
	if next == 'n' {
		_, err := s.literal()
		return false, err
	}
	empty, err := s.open(c, closing)
	return err == nil && !empty, err
}

// text reads a string value and copies it out of the buffer.
func (s *scanner) text() (string, error) {
	b, err := s.str()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// key reads an object key and its colon. The key is copied aside first:
// reading the colon may refill the buffer, which moves the bytes str()
// pointed at (a key ending exactly at a read boundary would otherwise come
// back as the next bytes of the body).
func (s *scanner) key() ([]byte, error) {
	k, err := s.str()
	if err != nil {
		return nil, err
	}
	s.keyBuf = append(s.keyBuf[:0], k...)
	if err := s.expect(':'); err != nil {
		return nil, err
	}
	return s.keyBuf, nil
}

// ensure makes at least k unread bytes available when the input has them.
func (s *scanner) ensure(k int) bool {
	for s.n-s.i < k {
		if !s.fill() {
			return false
		}
	}
	return true
}

// str reads a JSON string and returns its unescaped bytes, valid until the
// next call on s.
func (s *scanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	s.scratch = s.scratch[:0]
	direct := true
	for {
		j := s.i
		for j < s.n {
			c := s.buf[j]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			j++
		}
		if j == s.n {
			direct = false
			s.scratch = append(s.scratch, s.buf[s.i:j]...)
			s.i = j
			if !s.fill() {
				return nil, s.unexpectedEnd()
			}
			continue
		}
		switch c := s.buf[j]; {
		case c == '"':
			if direct {
				b := s.buf[s.i:j]
				s.i = j + 1
				return b, nil
			}
			s.scratch = append(s.scratch, s.buf[s.i:j]...)
			s.i = j + 1
			return s.scratch, nil
		case c == '\\':
			direct = false
			s.scratch = append(s.scratch, s.buf[s.i:j]...)
			s.i = j
			if err := s.escape(); err != nil {
				return nil, err
			}
		default:
			s.i = j
			return nil, s.syntax("control character %#x in string", c)
		}
	}
}

// escape decodes one backslash escape at s.i into s.scratch.
func (s *scanner) escape() error {
	if !s.ensure(2) {
		return s.unexpectedEnd()
	}
	c := s.buf[s.i+1]
	switch c {
	case '"', '\\', '/':
		s.scratch = append(s.scratch, c)
	case 'b':
		s.scratch = append(s.scratch, '\b')
	case 'f':
		s.scratch = append(s.scratch, '\f')
	case 'n':
		s.scratch = append(s.scratch, '\n')
	case 'r':
		s.scratch = append(s.scratch, '\r')
	case 't':
		s.scratch = append(s.scratch, '\t')
	case 'u':
		if !s.ensure(6) {
			return s.unexpectedEnd()
		}
		r, ok := hex4(s.buf[s.i+2 : s.i+6])
		if !ok {
			return s.syntax("bad \\u escape")
		}
		s.i += 6
		if utf16.IsSurrogate(r) {
			if s.ensure(6) && s.buf[s.i] == '\\' && s.buf[s.i+1] == 'u' {
				if r2, ok := hex4(s.buf[s.i+2 : s.i+6]); ok {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						s.i += 6
						s.scratch = utf8.AppendRune(s.scratch, d)
						return nil
					}
				}
			}
			r = utf8.RuneError
		}
		s.scratch = utf8.AppendRune(s.scratch, r)
		return nil
	default:
		return s.syntax("bad escape \\%c", c)
	}
	s.i += 2
	return nil
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func isNumByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// number reads the bytes of a JSON number, valid until the next call on s.
func (s *scanner) number() ([]byte, error) {
	if _, err := s.peek(); err != nil {
		return nil, err
	}
	s.scratch = s.scratch[:0]
	direct := true
	for {
		j := s.i
		for j < s.n && isNumByte(s.buf[j]) {
			j++
		}
		if j < s.n || s.eof {
			var b []byte
			if direct {
				b = s.buf[s.i:j]
			} else {
				s.scratch = append(s.scratch, s.buf[s.i:j]...)
				b = s.scratch
			}
			s.i = j
			if len(b) == 0 {
				if j < s.n {
					return nil, s.syntax("unexpected %q", s.buf[j])
				}
				return nil, s.unexpectedEnd()
			}
			return b, nil
		}
		direct = false
		s.scratch = append(s.scratch, s.buf[s.i:j]...)
		s.i = j
		if !s.fill() && s.rerr != nil {
			return nil, &readError{s.rerr}
		}
	}
}

// literal consumes true, false or null.
func (s *scanner) literal() (byte, error) {
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	var word string
	switch c {
	case 't':
		word = "true"
	case 'f':
		word = "false"
	case 'n':
		word = "null"
	default:
		return 0, s.syntax("unexpected %q", c)
	}
	if !s.ensure(len(word)) {
		return 0, s.unexpectedEnd()
	}
	if string(s.buf[s.i:s.i+len(word)]) != word {
		return 0, s.syntax("unexpected %q", s.buf[s.i])
	}
	s.i += len(word)
	return c, nil
}

// skip consumes one value of any kind. Nesting is tracked with a counter, not
// recursion, so hostile input cannot exhaust the stack.
func (s *scanner) skip() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{' || c == '[':
	case c == 't' || c == 'f' || c == 'n':
		_, err := s.literal()
		return err
	default:
		_, err := s.number()
		return err
	}
	depth := 0
	for {
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch c {
		case '"':
			if _, err := s.str(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		s.i++
		if depth == 0 {
			return nil
		}
	}
}

// pow10 holds the powers of ten exactly representable as float64.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat parses a sample value: a JSON string such as "1.5", "NaN",
// "+Inf" (Prometheus) or a bare number.
//
// The common forms, [-]digits[.digits] with at most 15 significant digits,
// are parsed here exactly: the digits form an integer m < 2^53 and the value
// is m / 10^k with both operands exact, so the one division rounds
// correctly (Clinger's fast path), and it is the same float64 as
// strconv.ParseFloat. Everything else goes to strconv.
func parseFloat(b []byte) (float64, error) {
	i, neg := 0, false
	if len(b) > 0 && b[0] == '-' {
		neg, i = true, 1
	}
	var m uint64
	digits, frac, dot := 0, 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 || c != '0' {
				digits++
			}
			m = m*10 + uint64(c-'0')
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return strconv.ParseFloat(string(b), 64)
		}
	}
	start := 0
	if neg {
		start = 1
	}
	// Empty, a lone sign, "1." or ".5" (strconv's business), too many digits.
	if len(b) == start || b[start] == '.' || b[len(b)-1] == '.' || digits > 15 || frac > 22 {
		return strconv.ParseFloat(string(b), 64)
	}
	v := float64(m)
	if frac > 0 {
		v /= pow10[frac]
	}
	if neg {
		v = -v
	}
	return v, nil
}

// parseMillis converts a JSON number of Unix seconds ("1700000000.123") to
// milliseconds without going through float64 in the common case.
func parseMillis(b []byte) (int64, error) {
	neg := false
	i := 0
	if len(b) > 0 && b[0] == '-' {
		neg = true
		i++
	}
	var sec int64
	digits := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if digits > 12 {
			return parseMillisSlow(b)
		}
		sec = sec*10 + int64(b[i]-'0')
		digits++
	}
	if digits == 0 {
		return 0, fmt.Errorf("bad timestamp %q", b)
	}
	var ms int64
	if i < len(b) && b[i] == '.' {
		i++
		frac := 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			switch d := int64(b[i] - '0'); {
			case frac < 3:
				ms = ms*10 + d
			case frac == 3 && d >= 5:
				ms++ // round half up on the fourth decimal
			}
			frac++
		}
		for ; frac < 3; frac++ {
			ms *= 10
		}
	}
	if i != len(b) {
		return parseMillisSlow(b)
	}
	v := sec*1000 + ms
	if neg {
		v = -v
	}
	return v, nil
}

func parseMillisSlow(b []byte) (int64, error) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != f || f > 1e15 || f < -1e15 {
		return 0, fmt.Errorf("bad timestamp %q", b)
	}
	ms := f * 1000
	if ms < 0 {
		return int64(ms - 0.5), nil
	}
	return int64(ms + 0.5), nil
}
