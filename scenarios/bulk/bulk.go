// Package bulk generates LARGE incident data as OpenMetrics text, for
// benchmarks at the scale of a real cluster: one container memory series per
// pod over many namespaces and nodes, kube_pod_info topology, and a few cause
// signals (two MySQL servers seen by mysqld_exporter, restart counters).
//
// A planted incident makes the data checkable: the MySQL server
// Incident().Instance restarts at Incident().RestartAt, and about 40 s later
// the memory of ~5% of the pods of the workloads using it rises by a half.
// Unrelated noise (a slow drift, a few step changes on other pods at other
// times) keeps the analysis honest.
//
// Generate streams: it holds one series' state at a time, never the samples,
// so 30,000 series x 1,440 points cost a few KB of memory.
package bulk

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Bank is a small query bank for the benchmark: the default bank's
// container memory query (one series per pod: the large one) and the MySQL
// cause signals, with the priors that tie a database to memory.
//
//go:embed bank.yaml
var Bank []byte

// Options shape the generated data. The zero value of a field means its
// default.
type Options struct {
	// Series is the number of container memory series (pods); default 10,000.
	Series int
	// Start is the first sample's time (default 2026-03-10T06:00:00Z); it is
	// truncated to the second.
	Start time.Time
	// Step is the sample interval (default 15s, at least 1s, whole seconds).
	Step time.Duration
	// Points is the number of samples per series (default 1,440: 6 h at 15 s,
	// a 3 h window after a 3 h baseline).
	Points int
	// RestartAt is the grid point of the database restart (default
	// Points*2/3: one hour into the second half).
	RestartAt int
	// Affected is the fraction of all pods whose memory rises after the
	// restart, all of them from workloads using the restarted database
	// (default 0.05).
	Affected float64
	// TopologyEvery is the number of grid points between two kube_pod_info
	// samples (default 16: every 4 min at 15 s, inside Prometheus' 5 min
	// lookback, so the topology reads as present at every step while the
	// file stays a fraction of the memory series' size).
	TopologyEvery int
	// Seed makes the data reproducible: the same options give the same
	// bytes.
	Seed int64
}

// Defaults of Options.
const (
	DefaultSeries   = 10000
	DefaultPoints   = 1440
	DefaultStep     = 15 * time.Second
	DefaultAffected = 0.05
)

// DefaultStart is the first sample's time when Options.Start is zero.
var DefaultStart = time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC)

// Layout constants: pods per workload, workloads per namespace, pods per node.
const (
	podsPerWorkload = 10
	workloadsPerNS  = 20
	podsPerNode     = 30
	// dbUsers: one workload in dbUsers uses the restarted database (the
	// others use the healthy one).
	dbUsers = 4
	// onsetLag is the delay from the restart to the memory rise.
	onsetLag = 40 * time.Second
)

// Incident is the answer key of the planted incident.
type Incident struct {
	// Query, Job and Instance name the root cause as the benchmark bank
	// reports it (db_restarts of the mysql exporter).
	Query, Job, Instance string
	// Pod is the Kubernetes pod of the restarted database.
	Namespace, Pod string
	// RestartAt is the time of the restart; MemoryAt the time the first
	// memory rises are sampled.
	RestartAt, MemoryAt time.Time
	// Affected is the number of pods whose memory rises.
	Affected int
	// Start and End are the first and last sample times; Step their interval.
	Start, End time.Time
	Step       time.Duration
}

func (o Options) withDefaults() (Options, error) {
	if o.Series == 0 {
		o.Series = DefaultSeries
	}
	if o.Points == 0 {
		o.Points = DefaultPoints
	}
	if o.Step == 0 {
		o.Step = DefaultStep
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	o.Start = o.Start.Truncate(time.Second)
	if o.Affected == 0 {
		o.Affected = DefaultAffected
	}
	if o.TopologyEvery == 0 {
		o.TopologyEvery = 16
	}
	if o.RestartAt == 0 {
		o.RestartAt = o.Points * 2 / 3
	}
	switch {
	case o.Series < podsPerWorkload*dbUsers:
		return o, fmt.Errorf("bulk: %d series: want at least %d", o.Series, podsPerWorkload*dbUsers)
	case o.TopologyEvery < 1:
		return o, fmt.Errorf("bulk: topology every %d points: want at least 1", o.TopologyEvery)
	case o.Points < 16:
		return o, fmt.Errorf("bulk: %d points: want at least 16", o.Points)
	case o.Step < time.Second || o.Step%time.Second != 0:
		return o, fmt.Errorf("bulk: step %s: want whole seconds", o.Step)
	case o.RestartAt < 8 || o.RestartAt > o.Points-8:
		return o, fmt.Errorf("bulk: restart at point %d: want 8 to %d", o.RestartAt, o.Points-8)
	case o.Affected < 0 || o.Affected > 1/float64(dbUsers) || math.IsNaN(o.Affected):
		return o, fmt.Errorf("bulk: affected fraction %g: want 0 to %g", o.Affected, 1/float64(dbUsers))
	}
	return o, nil
}

// pod is the fixed description of one pod, derived from its index.
type pod struct {
	namespace, workload, name, node string
	usesDB                          bool // uses the database that restarts
	affected                        bool // its memory rises after the restart
}

func (o Options) nodes() int { return max(1, (o.Series+podsPerNode-1)/podsPerNode) }

func (o Options) pod(i int) pod {
	w := i / podsPerWorkload
	ns := w / workloadsPerNS
	p := pod{
		namespace: "ns-" + strconv.Itoa(ns),
		workload:  "svc-" + strconv.Itoa(w),
		// A mix of prime strides spreads a workload's pods over nodes.
		node:   "node-" + strconv.Itoa((i*7919+w*31)%o.nodes()),
		usesDB: w%dbUsers == 0,
	}
	p.name = p.workload + "-" + strconv.Itoa(i%podsPerWorkload)
	if p.usesDB {
		// Among the pods of db users (1 in dbUsers of all), this share is hit:
		// Affected of all pods.
		r := rand.New(rand.NewPCG(uint64(o.Seed), uint64(i)<<1|1))
		p.affected = r.Float64() < o.Affected*dbUsers
	}
	return p
}

// Incident returns the answer key for o, without generating anything.
func (o Options) Incident() (Incident, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Incident{}, err
	}
	n := 0
	for i := range o.Series {
		if o.pod(i).affected {
			n++
		}
	}
	restart := o.Start.Add(time.Duration(o.RestartAt) * o.Step)
	first := o.RestartAt + int((onsetLag+o.Step-1)/o.Step)
	return Incident{
		Query: "db_restarts", Job: "mysql", Instance: dbInstances[0],
		Namespace: "db", Pod: "mysql-0",
		RestartAt: restart, MemoryAt: o.Start.Add(time.Duration(first) * o.Step),
		Affected: n,
		Start:    o.Start, End: o.Start.Add(time.Duration(o.Points-1) * o.Step), Step: o.Step,
	}, nil
}

var dbInstances = []string{"mysql-0.db:9104", "mysql-1.db:9104"}

// writer is a bufio.Writer with the error kept and number formatting that
// does not allocate.
type writer struct {
	w   *bufio.Writer
	buf []byte
}

func (w *writer) str(s string) { _, _ = w.w.WriteString(s) }

func (w *writer) sample(series string, v float64, ts int64) {
	b := append(w.buf[:0], series...)
	b = append(b, ' ')
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		b = strconv.AppendInt(b, int64(v), 10)
	} else {
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, '\n')
	w.buf = b
	_, _ = w.w.Write(b)
}

// Generate writes the data of opts to w as OpenMetrics: every family
// contiguous under its # TYPE line, each series' samples in time order,
// timestamps in seconds, ending with "# EOF". It loads with
// `promtool tsdb create-blocks-from openmetrics`.
func Generate(w io.Writer, opts Options) error {
	o, err := opts.withDefaults()
	if err != nil {
		return err
	}
	if w == nil {
		return errors.New("bulk: no writer")
	}
	out := &writer{w: bufio.NewWriterSize(w, 1<<20)}
	t0 := o.Start.Unix()
	step := int64(o.Step / time.Second)
	ts := func(j int) int64 { return t0 + int64(j)*step }

	out.str("# HELP container_memory_working_set_bytes Current working set of the container in bytes.\n")
	out.str("# TYPE container_memory_working_set_bytes gauge\n")
	first := o.RestartAt + int((onsetLag+o.Step-1)/o.Step)
	for i := range o.Series {
		p := o.pod(i)
		series := `container_memory_working_set_bytes{namespace="` + p.namespace + `",pod="` + p.name +
			`",container="app",image="app:1"}`
		r := rand.New(rand.NewPCG(uint64(o.Seed), uint64(i)<<1))
		base := 64e6 + r.Float64()*900e6
		drift := (r.Float64() - 0.5) * 0.05 / float64(o.Points) // up to 2.5% over the span
		noise := 0.004 + r.Float64()*0.01
		// A few unrelated pods step up or down at a random time (a deploy,
		// a cache warming): noise the analysis must not blame on the DB.
		stepAt, stepBy := -1, 0.0
		if !p.affected && r.Float64() < 0.005 {
			stepAt = 8 + r.IntN(o.Points-16)
			stepBy = 0.2 + r.Float64()*0.4
			if r.IntN(2) == 0 {
				stepBy = -stepBy / 2
			}
		}
		onset, rise, ramp := -1, 0.0, 1
		if p.affected {
			onset = first + r.IntN(2)
			rise = 0.4 + r.Float64()*0.4
			ramp = 2 + r.IntN(4)
		}
		ar := 0.0
		for j := range o.Points {
			ar = 0.8*ar + r.NormFloat64()*noise
			level := 1 + drift*float64(j) + ar
			if stepAt >= 0 && j >= stepAt {
				level += stepBy
			}
			if onset >= 0 && j >= onset {
				level += rise * min(1, float64(j-onset+1)/float64(ramp))
			}
			out.sample(series, math.Round(base*max(level, 0.05)), ts(j))
		}
	}

	writeTopology(out, o)
	writeDB(out, o, ts)
	out.str("# EOF\n")
	return out.w.Flush()
}

// writeTopology writes kube_pod_info (pod -> node, owner) for every pod and
// the database pods, constant 1 every TopologyEvery points and at the last
// point.
func writeTopology(out *writer, o Options) {
	out.str("# HELP kube_pod_info Information about pod.\n")
	out.str("# TYPE kube_pod_info gauge\n")
	t0 := o.Start.Unix()
	step := int64(o.Step / time.Second)
	line := func(ns, name, node, owner string) {
		series := `kube_pod_info{namespace="` + ns + `",pod="` + name + `",node="` + node +
			`",created_by_kind="ReplicaSet",created_by_name="` + owner + `"}`
		for j := range o.Points {
			if j%o.TopologyEvery == 0 || j == o.Points-1 {
				out.sample(series, 1, t0+int64(j)*step)
			}
		}
	}
	for i := range o.Series {
		p := o.pod(i)
		line(p.namespace, p.name, p.node, p.workload+"-5d8f7c")
	}
	for k := range dbInstances {
		line("db", "mysql-"+strconv.Itoa(k), "node-db-"+strconv.Itoa(k), "mysql")
	}
}

// writeDB writes what mysqld_exporter and kube-state-metrics say of the two
// MySQL servers: mysql_up and uptime per instance, the container restart
// counter and container info per pod. mysql-0 restarts at RestartAt.
func writeDB(out *writer, o Options, ts func(int) int64) {
	restart := o.RestartAt
	down := func(k, j int) bool { return k == 0 && (j == restart || j == restart+1) }
	step := int64(o.Step / time.Second)

	out.str("# HELP mysql_up Whether the MySQL server is up.\n# TYPE mysql_up gauge\n")
	for k, inst := range dbInstances {
		series := `mysql_up{job="mysql",instance="` + inst + `"}`
		for j := range o.Points {
			v := 1.0
			if down(k, j) {
				v = 0
			}
			out.sample(series, v, ts(j))
		}
	}
	out.str("# HELP mysql_global_status_uptime Generic metric from SHOW GLOBAL STATUS.\n# TYPE mysql_global_status_uptime gauge\n")
	for k, inst := range dbInstances {
		series := `mysql_global_status_uptime{job="mysql",instance="` + inst + `"}`
		boot := ts(0) - int64(11+k)*86400
		for j := range o.Points {
			if down(k, j) {
				continue // the exporter cannot read the status while it is down
			}
			if k == 0 && j > restart {
				boot = ts(restart+1) - step/2
			}
			out.sample(series, float64(ts(j)-boot), ts(j))
		}
	}
	out.str("# HELP kube_pod_container_info Information about a container in a pod.\n# TYPE kube_pod_container_info gauge\n")
	for k := range dbInstances {
		series := `kube_pod_container_info{namespace="db",pod="mysql-` + strconv.Itoa(k) +
			`",container="mysql",image="docker.io/library/mysql:8.0.36"}`
		for j := range o.Points {
			out.sample(series, 1, ts(j))
		}
	}
	out.str("# HELP kube_pod_container_status_restarts The number of container restarts per container.\n# TYPE kube_pod_container_status_restarts counter\n")
	for k := range dbInstances {
		series := `kube_pod_container_status_restarts_total{namespace="db",pod="mysql-` + strconv.Itoa(k) +
			`",container="mysql",uid="0d6f4c2a-` + strconv.Itoa(k) + `"}`
		n := 2.0
		for j := range o.Points {
			if k == 0 && j == restart+1 {
				n++
			}
			out.sample(series, n, ts(j))
		}
	}
}
