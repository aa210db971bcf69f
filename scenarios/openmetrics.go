package scenarios

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// family is one OpenMetrics MetricFamily: its name, its OpenMetrics type and
// its series.
type family struct {
	name, typ string
	series    []*Series
}

// omFamily maps a series to its OpenMetrics family name and type. The
// metric name Prometheus stores after a backfill is always the series'
// own name: a counter named foo_total is family foo of type counter; a
// counter without _total (nginx_ingress_controller_requests,
// problem_counter) and untyped samples become type unknown.
func omFamily(s *Series) (string, string) {
	n := s.Name()
	switch s.Type {
	case Counter:
		if f, ok := strings.CutSuffix(n, "_total"); ok {
			return f, "counter"
		}
		return n, "unknown"
	case Histogram:
		for _, suf := range []string{"_bucket", "_count", "_sum"} {
			if f, ok := strings.CutSuffix(n, suf); ok {
				return f, "histogram"
			}
		}
		return n, "unknown"
	case Gauge:
		return n, "gauge"
	default:
		return n, "unknown"
	}
}

// WriteOpenMetrics writes d's series as OpenMetrics text: each family
// contiguous under its # TYPE line, each series' samples in time order,
// timestamps in seconds, ending with # EOF. The output loads with
// `promtool tsdb create-blocks-from openmetrics`.
func WriteOpenMetrics(w io.Writer, d *Data) error {
	if d == nil {
		return fmt.Errorf("write openmetrics: no data")
	}
	fams := map[string]*family{}
	for i := range d.Series {
		s := &d.Series[i]
		if len(s.Samples) == 0 {
			continue
		}
		name, typ := omFamily(s)
		f, ok := fams[name]
		if !ok {
			f = &family{name: name, typ: typ}
			fams[name] = f
		} else if f.typ != typ {
			return fmt.Errorf("write openmetrics: family %s is both %s and %s", name, f.typ, typ)
		}
		f.series = append(f.series, s)
	}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	bw := bufio.NewWriterSize(w, 1<<16)
	for _, n := range names {
		f := fams[n]
		sortFamily(f)
		fmt.Fprintf(bw, "# TYPE %s %s\n", f.name, f.typ)
		for _, s := range f.series {
			prefix := seriesPrefix(s)
			for _, smp := range s.Samples {
				bw.WriteString(prefix)
				bw.WriteString(strconv.FormatFloat(smp.V, 'g', -1, 64))
				bw.WriteByte(' ')
				bw.WriteString(omTimestamp(smp.T))
				bw.WriteByte('\n')
			}
		}
	}
	bw.WriteString("# EOF\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write openmetrics: %w", err)
	}
	return nil
}

// sortFamily orders a family's series: by labels without le, then (for
// histograms) buckets by le, then _count, then _sum.
func sortFamily(f *family) {
	type k struct {
		group string
		part  int
		le    float64
		key   string
	}
	keys := make(map[*Series]k, len(f.series))
	for _, s := range f.series {
		l := make(map[string]string, len(s.Labels))
		for n, v := range s.Labels {
			if n != "le" && n != "__name__" {
				l[n] = v
			}
		}
		kk := k{group: labelKey(l), key: s.key()}
		name := s.Name()
		switch {
		case strings.HasSuffix(name, "_bucket"):
			kk.le, _ = strconv.ParseFloat(s.Labels["le"], 64)
		case strings.HasSuffix(name, "_count"):
			kk.part = 1
		case strings.HasSuffix(name, "_sum"):
			kk.part = 2
		}
		keys[s] = kk
	}
	sort.SliceStable(f.series, func(i, j int) bool {
		a, b := keys[f.series[i]], keys[f.series[j]]
		if a.group != b.group {
			return a.group < b.group
		}
		if a.part != b.part {
			return a.part < b.part
		}
		if a.le != b.le {
			return a.le < b.le
		}
		return a.key < b.key
	})
}

func seriesPrefix(s *Series) string {
	names := make([]string, 0, len(s.Labels))
	for n := range s.Labels {
		if n != "__name__" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(s.Name())
	if len(names) > 0 {
		b.WriteByte('{')
		for i, n := range names {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n)
			b.WriteString(`="`)
			b.WriteString(escapeLabel(s.Labels[n]))
			b.WriteByte('"')
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(v string) string { return labelEscaper.Replace(v) }

func omTimestamp(ms int64) string {
	sec, frac := ms/1000, ms%1000
	if frac < 0 {
		sec, frac = sec-1, frac+1000
	}
	if frac == 0 {
		return strconv.FormatInt(sec, 10)
	}
	return fmt.Sprintf("%d.%03d", sec, frac)
}
