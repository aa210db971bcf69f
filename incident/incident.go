// Package incident ties a run of the query bank to its analysis: it turns a
// queries.Result into correlate's input and keeps both side by side, which is
// what the report, the TUI, bundles and drills all work from.
package incident

import (
	"context"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/queries"
)

// Report is one analysed incident window.
type Report struct {
	Bank     *queries.Bank
	Result   *queries.Result
	Findings *correlate.Findings
}

// Investigate runs the bank over the window on src and analyses the result.
func Investigate(ctx context.Context, src queries.Source, bank *queries.Bank, w queries.Window, opts queries.RunOptions) *Report {
	res := queries.Run(ctx, src, bank, w, opts)
	return Analyze(bank, res)
}

// Analyze correlates an existing result (e.g. replayed from a bundle).
func Analyze(bank *queries.Bank, res *queries.Result) *Report {
	in := Input(bank, res)
	return &Report{Bank: bank, Result: res, Findings: correlate.Analyze(in)}
}

// Input converts a run's result to correlate's input. Series of topology
// queries become topology facts; the rest become signals. Values are shared,
// not copied.
func Input(bank *queries.Bank, res *queries.Result) *correlate.Input {
	w := res.Window
	in := &correlate.Input{
		Start:    w.Start(),
		Step:     w.Step,
		N:        w.Points(),
		Baseline: w.BaselinePoints(),
		Causes:   map[string][]string{},
		Seed:     1,
	}
	byID := make(map[string]queries.Query, len(bank.Queries))
	for _, q := range bank.Queries {
		byID[q.ID] = q
		if len(q.Causes) > 0 {
			in.Causes[q.ID] = q.Causes
		}
	}
	in.Signals = make([]correlate.Signal, 0, len(res.Series))
	for _, s := range res.Series {
		q := byID[s.Query]
		if q.Role == queries.RoleTopology {
			in.Topology = append(in.Topology, s.Labels)
			continue
		}
		in.Signals = append(in.Signals, correlate.Signal{
			Query:  s.Query,
			Family: s.Family,
			Kind:   correlate.Kind(s.Kind),
			Unit:   q.Unit,
			Entity: s.Entity,
			Labels: s.Labels,
			Values: s.Values,
		})
	}
	for _, e := range res.Events {
		in.Events = append(in.Events, correlate.Event{
			Time:    e.Time,
			Reason:  e.Reason,
			Message: e.Message,
			Type:    e.Type,
			Family:  EventFamily(e.Reason),
			Entity:  e.Entity,
			Source:  e.Source,
		})
	}
	return in
}

// EventFamily maps a Kubernetes event reason to the bank family it speaks of,
// or "" when it is not one the analysis knows.
func EventFamily(reason string) string {
	switch reason {
	case "OOMKilled", "OOMKilling", "SystemOOM":
		return "oom"
	case "SpotInterrupted", "SpotInterruption", "SpotRebalanceRecommendation", "RebalanceRecommendation",
		"InstanceTerminating", "InstanceStopping", "TerminatingOnInterruption", "NodeNotReady",
		"RemovingNode", "PreemptScheduled", "DisruptionTerminating", "NodeNotSchedulable", "Rebooted",
		"NodeCreated", "NodeDeleting", "Tainted", "TerminationByKubelet", "Terminated", "Shutdown",
		"MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable":
		return "nodes"
	case "Evicted", "EvictionThresholdMet", "BackOff", "Killing", "FailedScheduling", "Preempted",
		"TaintManagerEviction", "Unhealthy", "Failed", "FailedCreate", "ScalingReplicaSet", "CrashLoopBackOff",
		"ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "EvictionByEvictionAPI",
		"DeletionByTaintManager", "PreemptionByScheduler", "Error":
		return "pods"
	}
	return ""
}
