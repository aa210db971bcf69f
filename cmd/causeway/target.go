package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/bundle"
	"github.com/causeway-sre/causeway/queries/kube"
	"github.com/causeway-sre/causeway/queries/prom"
)

// target is what one run works on: a source, a window, a bank, and
// optionally the Kubernetes API or a recorded bundle.
type target struct {
	src      queries.Source
	window   queries.Window
	bank     *queries.Bank
	opts     queries.RunOptions
	kube     *kube.Client
	recorded *bundle.Bundle
	scenario string
	// kubeWarning says why the cluster could not be read, when it matters.
	kubeWarning string
}

// open builds the target from the flags. needSource says whether a missing
// source is an error (it is for report and record; the TUI asks instead).
func (a *app) open(ctx context.Context, sf *sourceFlags, wf *windowFlags) (*target, error) {
	n, err := sf.resolve(a.getenv)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, usagef("no source: give --prometheus URL, --scenario NAME or --bundle FILE (see 'causeway scenarios')")
	}
	if wf.selector != "" {
		if _, err := queries.ParseSelector(wf.selector); err != nil {
			return nil, usagef("--selector: %w", err)
		}
	}
	t := &target{opts: wf.runOptions(sf)}
	switch {
	case sf.bundle != "":
		return a.openBundle(t, sf, wf)
	case sf.scenario != "":
		src, w, err := scenarioSource(sf.scenario, sf.seed)
		if err != nil {
			return nil, usageError{err}
		}
		t.src, t.window, t.scenario = src, w, sf.scenario
		if wf.given() || wf.spec.Step != "" || wf.spec.Baseline != "" {
			if t.window, err = a.window(wf, w); err != nil {
				return nil, err
			}
		}
	default:
		src, err := prom.New(a.promOptions(sf))
		if err != nil {
			return nil, usageError{err}
		}
		t.src = src
		if t.window, err = a.window(wf, queries.Window{}); err != nil {
			return nil, err
		}
		if !sf.noKube {
			t.kube, t.kubeWarning = openKube(sf)
		}
	}
	if t.bank, err = loadBank(wf.bank); err != nil {
		return nil, err
	}
	return t, nil
}

// window parses the window flags; def fills what the flags leave out when
// the source has a natural window (a scenario).
func (a *app) window(wf *windowFlags, def queries.Window) (queries.Window, error) {
	spec := wf.spec
	if !def.From.IsZero() {
		if spec.From == "" && spec.At == "" {
			spec.From = def.From.Format("2006-01-02T15:04:05Z07:00")
		}
		if spec.To == "" && spec.At == "" {
			spec.To = def.To.Format("2006-01-02T15:04:05Z07:00")
		}
	}
	if spec.From == "" && spec.At == "" {
		return queries.Window{}, usagef("no window: give --from (e.g. --from now-1h) or --at T --span D")
	}
	if spec.From != "" && spec.To == "" {
		spec.To = "now"
	}
	w, err := queries.ParseWindow(spec, a.now())
	if err != nil {
		return queries.Window{}, usageError{err}
	}
	return w, nil
}

func (a *app) openBundle(t *target, sf *sourceFlags, wf *windowFlags) (*target, error) {
	b, err := readBundle(sf.bundle)
	if err != nil {
		return nil, err
	}
	if wf.given() || wf.spec.Step != "" {
		fmt.Fprintln(a.stderr, "causeway: note: a bundle replays its recorded window; window flags are ignored")
	}
	if wf.bank != "" {
		fmt.Fprintln(a.stderr, "causeway: note: a bundle replays its recorded bank; --bank is ignored")
	}
	t.recorded = b
	t.src = b.Source()
	t.window = b.Window
	t.bank = b.Bank
	t.opts.Selector = "" // the recorded expressions already carry it
	return t, nil
}

// openKube connects to the cluster of the usual kubeconfig rules. With no
// kubeconfig at all (a Prometheus-only user) the run goes on silently; when
// the user named one, a failure is a warning row of the run.
func openKube(sf *sourceFlags) (*kube.Client, string) {
	c, err := kube.New(kube.Options{Kubeconfig: sf.kubeconfig, Context: sf.context, Namespace: sf.namespace})
	if err != nil {
		if sf.kubeconfig != "" || sf.context != "" || sf.namespace != "" {
			return nil, fmt.Sprintf("kubernetes: %v: the analysis goes on with Prometheus alone", err)
		}
		return nil, ""
	}
	return c, ""
}

// enrich adds what the cluster or the bundle knows about res's window: the
// events, pod terminations and node changes, and the warnings of reading
// them. The TUI calls it after each run (tui.Options.Enrich).
func (t *target) enrich(ctx context.Context, res *queries.Result) {
	if t.kubeWarning != "" {
		res.Warnings = append(res.Warnings, t.kubeWarning)
	}
	switch {
	case t.recorded != nil:
		res.Events = append(res.Events, t.recorded.Events...)
		res.Warnings = append(res.Warnings, t.recorded.Warnings...)
	case t.kube != nil:
		snap, err := t.kube.Read(ctx, res.Window.From, res.Window.To)
		if err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("kubernetes: %v", err))
		} else {
			res.Events = append(res.Events, snap.Events...)
			res.Warnings = append(res.Warnings, snap.Warnings...)
			res.Warnings = append(res.Warnings, kube.Disagreements(snap, seriesNodes(res))...)
		}
	}
	sort.SliceStable(res.Events, func(i, j int) bool { return res.Events[i].Time.Before(res.Events[j].Time) })
}

// run executes the bank, reads the cluster and analyses the result.
func (t *target) run(ctx context.Context) *incident.Report {
	res := queries.Run(ctx, t.src, t.bank, t.window, t.opts)
	t.enrich(ctx, res)
	return incident.Analyze(t.bank, res)
}

// seriesNodes lists the node names the metrics speak of.
func seriesNodes(res *queries.Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range res.Series {
		if n := s.Labels["node"]; n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// allFailed returns an error naming the common cause when no query of the
// run succeeded: the analysis has nothing to work on.
func allFailed(res *queries.Result) error {
	if len(res.Queries) == 0 {
		return nil
	}
	counts := map[string]int{}
	for _, q := range res.Queries {
		if q.Err == nil {
			return nil
		}
		counts[q.Err.Error()]++
	}
	best, n := "", 0
	for msg, c := range counts {
		if c > n || (c == n && msg < best) {
			best, n = msg, c
		}
	}
	if errors.Is(res.Queries[0].Err, context.Canceled) {
		return failedError{errors.New("interrupted")}
	}
	more := ""
	if len(counts) > 1 {
		more = fmt.Sprintf(" (and %s)", plural(len(counts)-1, "other error", "other errors"))
	}
	return failedError{fmt.Errorf("every query failed: %s%s", strings.TrimSpace(best), more)}
}
