package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/scenarios"
	"github.com/causeway-sre/causeway/scenarios/source"
)

// scenarioSource is the --scenario source: the embedded engine over a
// generated scenario, with the scenario's own window.
func scenarioSource(name string, seed int64) (queries.Source, queries.Window, error) {
	src, w, _, err := source.New(name, seed)
	if err != nil {
		return nil, queries.Window{}, err
	}
	return src, w, nil
}

func (a *app) runScenarios(_ context.Context, args []string) error {
	var openMetrics bool
	var out string
	var seed int64
	fs := a.newFlagSet("scenarios", "causeway scenarios | causeway scenarios export NAME --openmetrics [-o FILE] [--seed N]")
	fs.BoolVar(&openMetrics, "openmetrics", false, "export as OpenMetrics text (for promtool tsdb create-blocks-from openmetrics)")
	fs.StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	fs.Int64Var(&seed, "seed", source.DefaultSeed, "seed of the simulation")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tDIFFICULTY\tSTORY")
		for _, s := range scenarios.List() {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Difficulty, s.Story)
		}
		return tw.Flush()
	case fs.Arg(0) == "export":
		if fs.NArg() != 2 {
			return usagef("scenarios export: name one scenario (see 'causeway scenarios')")
		}
		if !openMetrics {
			return usagef("scenarios export: say the format: --openmetrics")
		}
		sc, err := scenarios.Get(fs.Arg(1))
		if err != nil {
			return usageError{err}
		}
		d := sc.Generate(seed)
		if err := writeOutput(a.stdout, out, func(w io.Writer) error { return scenarios.WriteOpenMetrics(w, d) }); err != nil {
			return err
		}
		if out != "" {
			fmt.Fprintf(a.stderr, "causeway: wrote %s (%d series; window %s to %s)\n", out, len(d.Series),
				d.Window.From.Format("2006-01-02T15:04:05Z"), d.Window.To.Format("2006-01-02T15:04:05Z"))
		}
		return nil
	default:
		return usagef("scenarios: unknown subcommand %q (want: export)", fs.Arg(0))
	}
}
