package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/causeway-sre/causeway/queries"
)

func (a *app) runBank(ctx context.Context, args []string) error {
	var sf sourceFlags
	var wf windowFlags
	var check bool
	fs := a.newFlagSet("bank", "causeway bank [--bank FILE] [--check [source flags] [window flags]]")
	sf.register(fs)
	wf.register(fs)
	fs.BoolVar(&check, "check", false, "parse every query; with a source, list the metrics it lacks")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("bank: unexpected argument %q", fs.Arg(0))
	}
	bank, err := loadBank(wf.bank)
	if err != nil {
		return err
	}
	if !check {
		out, err := queries.MarshalBank(bank)
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(out)
		return err
	}
	n, err := sf.resolve(a.getenv)
	if err != nil {
		return err
	}
	var lister queries.MetricLister
	var w queries.Window
	if n > 0 {
		t, err := a.open(ctx, &sf, &wf)
		if err != nil {
			return err
		}
		l, ok := t.src.(queries.MetricLister)
		if !ok {
			return usagef("bank --check: the source %s cannot list its metrics", t.src.Name())
		}
		lister, w = l, t.window
	}
	rows := queries.Check(ctx, bank, lister, w)
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "QUERY\tFAMILY\tSTATUS\tMISSING METRICS")
	bad, missing := 0, 0
	for _, r := range rows {
		status := "ok"
		switch {
		case r.Err != nil:
			status, bad = "error: "+r.Err.Error(), bad+1
		case lister != nil && len(r.Missing) == len(r.Metrics) && len(r.Metrics) > 0:
			status, missing = "no data", missing+1
		case len(r.Missing) > 0:
			status = "partial"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Query, r.Family, status, strings.Join(r.Missing, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\n%s, %d with errors", plural(len(rows), "query", "queries"), bad)
	if lister != nil {
		fmt.Fprintf(a.stdout, ", %d with none of their metrics on the source", missing)
	}
	fmt.Fprintln(a.stdout)
	if bad > 0 {
		return usagef("the bank has %s that do not parse", plural(bad, "query", "queries"))
	}
	return nil
}
