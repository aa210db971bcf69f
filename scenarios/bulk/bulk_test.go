package bulk

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDeterministicPerSeed(t *testing.T) {
	sum := func(o Options) [32]byte {
		h := sha256.New()
		if err := Generate(h, o); err != nil {
			t.Fatal(err)
		}
		var s [32]byte
		copy(s[:], h.Sum(nil))
		return s
	}
	o := Options{Series: 200, Points: 120, Seed: 7}
	if sum(o) != sum(o) {
		t.Fatal("the same options gave different bytes")
	}
	o2 := o
	o2.Seed = 8
	if sum(o) == sum(o2) {
		t.Fatal("a different seed gave the same bytes")
	}
}

// TestOpenMetricsShape checks what promtool needs: each family contiguous
// under one # TYPE line, samples of a series in time order, timestamps in
// whole seconds on the grid, and # EOF last; and that the answer key matches
// the data (the pods that rise, the restart).
func TestOpenMetricsShape(t *testing.T) {
	o := Options{Series: 400, Points: 240, Seed: 3}
	var buf bytes.Buffer
	if err := Generate(&buf, o); err != nil {
		t.Fatal(err)
	}
	key, err := o.Incident()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if lines[len(lines)-1] != "# EOF" {
		t.Fatalf("last line %q, want # EOF", lines[len(lines)-1])
	}
	typed := map[string]bool{}
	family := ""
	last := map[string]int64{}
	first := map[string]float64{}
	peak := map[string]float64{}
	memory := 0
	restartSeen := false
	for _, l := range lines[:len(lines)-1] {
		if strings.HasPrefix(l, "# HELP ") {
			continue
		}
		if f, ok := strings.CutPrefix(l, "# TYPE "); ok {
			name := strings.Fields(f)[0]
			if typed[name] {
				t.Fatalf("family %s is not contiguous", name)
			}
			typed[name], family = true, name
			continue
		}
		sp := strings.LastIndexByte(l, ' ')
		series, tsText := l[:sp], l[sp+1:]
		vp := strings.LastIndexByte(series, ' ')
		series, vText := series[:vp], series[vp+1:]
		name := series[:strings.IndexByte(series, '{')]
		if name != family && strings.TrimSuffix(name, "_total") != family {
			t.Fatalf("sample %q outside its family %s", l, family)
		}
		ts, err := strconv.ParseInt(tsText, 10, 64)
		if err != nil {
			t.Fatalf("timestamp of %q: %v", l, err)
		}
		if (ts-key.Start.Unix())%int64(key.Step/time.Second) != 0 || ts < key.Start.Unix() || ts > key.End.Unix() {
			t.Fatalf("timestamp %d off the grid", ts)
		}
		if prev, ok := last[series]; ok && ts <= prev {
			t.Fatalf("%s: samples out of order", series)
		}
		last[series] = ts
		v, err := strconv.ParseFloat(vText, 64)
		if err != nil {
			t.Fatalf("value of %q: %v", l, err)
		}
		if name == "container_memory_working_set_bytes" {
			if _, ok := first[series]; !ok {
				first[series] = v
				memory++
			}
			if ts < key.RestartAt.Unix() {
				first[series] = max(first[series], v)
			} else {
				peak[series] = max(peak[series], v)
			}
		}
		if name == "mysql_up" && v == 0 && ts == key.RestartAt.Unix() && strings.Contains(series, key.Instance) {
			restartSeen = true
		}
	}
	if memory != o.Series {
		t.Errorf("%d memory series, want %d", memory, o.Series)
	}
	if !restartSeen {
		t.Errorf("mysql_up of %s is not 0 at the restart %s", key.Instance, key.RestartAt)
	}
	risen := 0
	for s, before := range first {
		if peak[s] > before*1.3 {
			risen++
		}
	}
	// The answer key's pods, plus at most the few unrelated step-ups.
	if risen < key.Affected || risen > key.Affected+o.Series/50 {
		t.Errorf("%d memory series rose by 30%% after the restart; the key says %d", risen, key.Affected)
	}
	if key.Affected < o.Series/40 || key.Affected > o.Series/10 {
		t.Errorf("%d affected pods of %d, want about 5%%", key.Affected, o.Series)
	}
}

// TestStreams checks that generating does not hold the samples: 3,000
// series x 1,440 points (4.3M samples) allocate far less than they weigh.
func TestStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := &countingWriter{}
	if err := Generate(n, Options{Series: 3000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > 64<<20 {
		t.Errorf("generating %d MB allocated %d MB: the samples are held, not streamed", n.n>>20, alloc>>20)
	}
	t.Logf("%d MB written, %d MB allocated", n.n>>20, alloc>>20)
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Series: 3},
		{Points: 10},
		{Step: 1500 * time.Millisecond},
		{RestartAt: 1439},
		{Affected: 0.9},
		{TopologyEvery: -1},
	} {
		if err := Generate(io.Discard, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
		if _, err := o.Incident(); err == nil {
			t.Errorf("%+v: Incident gave no error", o)
		}
	}
	if err := Generate(nil, Options{}); err == nil {
		t.Error("nil writer: no error")
	}
}

func TestBankParses(t *testing.T) {
	sc := bufio.NewScanner(bytes.NewReader(Bank))
	ids := 0
	for sc.Scan() {
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "- id:") {
			ids++
		}
	}
	if ids < 3 {
		t.Fatalf("%d queries in the embedded bank", ids)
	}
}
