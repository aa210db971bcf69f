package kube

import (
	"fmt"
	"sort"
)

// Disagreements compares the nodes the metrics show (seriesNodes, e.g. the
// node label of kube_node_info over the window) with the nodes the API server
// has now, and returns one report line per disagreement: a node the series
// still show but the API no longer has (deleted or replaced, e.g. a spot
// interruption), and a node the API is deleting. It returns nothing when the
// node list failed (NodesListed false): then nothing can be said.
func Disagreements(snap *Snapshot, seriesNodes []string) []string {
	if snap == nil || !snap.NodesListed {
		return nil
	}
	api := make(map[string]*Node, len(snap.Nodes))
	for i := range snap.Nodes {
		api[snap.Nodes[i].Name] = &snap.Nodes[i]
	}
	names := make([]string, 0, len(seriesNodes))
	dup := map[string]bool{}
	for _, n := range seriesNodes {
		if n != "" && !dup[n] {
			dup[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []string
	for _, name := range names {
		n, ok := api[name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("node %s appears in the metrics but the Kubernetes API no longer has it (deleted or replaced)", name))
		case n.Deleting != nil:
			out = append(out, fmt.Sprintf("node %s appears in the metrics and the Kubernetes API is deleting it (since %s)", name, n.Deleting.Format("15:04:05Z07:00")))
		}
	}
	return out
}
