// Package source wires an embedded scenario to the embedded PromQL engine:
// the `--scenario NAME` source of the commands. It lives apart from package
// scenarios so that neither scenarios nor queries/engine imports the other.
package source

import (
	"fmt"

	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/engine"
	"github.com/causeway-sre/causeway/scenarios"
)

// DefaultSeed is the seed used when the user names none.
const DefaultSeed int64 = 1

// New generates scenario name for seed and returns a source answering
// PromQL over it with the embedded engine, and the scenario's default
// window. Unknown names get an error listing the known ones.
func New(name string, seed int64) (*engine.Source, queries.Window, *scenarios.Data, error) {
	sc, err := scenarios.Get(name)
	if err != nil {
		return nil, queries.Window{}, nil, fmt.Errorf("scenario source: %w", err)
	}
	d := sc.Generate(seed)
	return FromData(d), d.Window, d, nil
}

// FromData serves generated data. Series that end before the data does get
// a staleness marker one scrape later, as in a Prometheus that scraped the
// cluster live (a promtool backfill has none: compare with Series).
func FromData(d *scenarios.Data) *engine.Source {
	return engine.New(fmt.Sprintf("scenario %s (seed %d)", d.Name, d.Seed), Series(d), engine.WithStaleMarkers(d.Interval))
}

// Series converts scenario series to the engine's neutral input type.
func Series(d *scenarios.Data) []engine.Series {
	out := make([]engine.Series, len(d.Series))
	for i, s := range d.Series {
		smp := make([]engine.Sample, len(s.Samples))
		for j, x := range s.Samples {
			smp[j] = engine.Sample{T: x.T, V: x.V}
		}
		out[i] = engine.Series{Labels: s.Labels, Samples: smp}
	}
	return out
}
