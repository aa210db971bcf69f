//go:build cwdebug

package correlate_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"os"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/internal/testenv"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/prom"
	"github.com/causeway-sre/causeway/scenarios"
	"github.com/causeway-sre/causeway/scenarios/source"
)

func TestDumpKube(t *testing.T) {
	sc, err := scenarios.Get("spot-interruption")
	if err != nil {
		t.Fatal(err)
	}
	d := sc.Generate(1)
	var om bytes.Buffer
	if err := scenarios.WriteOpenMetrics(&om, d); err != nil {
		t.Fatal(err)
	}
	url := testenv.Prometheus(t, om.Bytes())
	src, err := prom.New(prom.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	w, err := queries.ParseWindow(queries.WindowSpec{From: d.Window.From.Format(time.RFC3339), To: d.Window.To.Format(time.RFC3339)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	bank := queries.DefaultBank()
	res := queries.Run(context.Background(), src, bank, w, queries.RunOptions{MaxParallel: 2})
	node := d.Key.Root.Entity["node"]
	pods := map[string]string{}
	for _, s := range d.Series {
		if s.Name() == "kube_pod_info" && s.Labels["node"] == node {
			pods[s.Labels["pod"]] = s.Labels["namespace"]
		}
	}
	interrupted := d.Key.Root.At.UTC().Truncate(time.Second)
	evicted := d.Key.Chain[1].At.UTC().Truncate(time.Second)
	res.Events = append(res.Events, queries.Event{Time: interrupted, Type: "Warning", Reason: "SpotInterrupted", Kind: "Node", Name: node, Entity: map[string]string{"node": node}})
	for pod, ns := range pods {
		res.Events = append(res.Events, queries.Event{Time: evicted, Type: "Normal", Reason: "Evicted", Kind: "Pod", Namespace: ns, Name: pod, Entity: map[string]string{"namespace": ns, "pod": pod}})
	}
	in := incident.Input(bank, res)
	save(t, "/tmp/cw/kube-prom.gob", in)
	// The embedded engine, same events.
	esrc, ew, _, err := source.New("spot-interruption", 1)
	if err != nil {
		t.Fatal(err)
	}
	eres := queries.Run(context.Background(), esrc, bank, ew, queries.RunOptions{MaxParallel: 2})
	eres.Events = res.Events
	save(t, "/tmp/cw/kube-embedded.gob", incident.Input(bank, eres))
}

func save(t *testing.T, path string, in *correlate.Input) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := gob.NewEncoder(f).Encode(in); err != nil {
		t.Fatal(err)
	}
}
