package main

import (
	"context"
	"fmt"
	"io"

	"github.com/causeway-sre/causeway/queries/bundle"
)

func (a *app) runRecord(ctx context.Context, args []string) error {
	var sf sourceFlags
	var wf windowFlags
	var out, answer string
	var redact bool
	fs := a.newFlagSet("record", "causeway record [source flags] [window flags] -o FILE [--redact] [--answer CHAIN]")
	sf.register(fs)
	wf.register(fs)
	fs.StringVarP(&out, "output", "o", "", "bundle file to write (required)")
	fs.BoolVar(&redact, "redact", false, "pseudonymise namespaces, pods, nodes and instances consistently")
	fs.StringVar(&answer, "answer", "", "the known answer for drills: families root first, e.g. 'database,connections,memory,oom'")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("record: unexpected argument %q", fs.Arg(0))
	}
	if out == "" {
		return usagef("record: -o FILE is required")
	}
	ans, err := parseAnswer(answer)
	if err != nil {
		return err
	}
	t, err := a.open(ctx, &sf, &wf)
	if err != nil {
		return err
	}
	r := t.run(ctx)
	if err := allFailed(r.Result); err != nil {
		return err
	}
	b := bundle.New(r.Result, r.Bank, version, a.now())
	b.Answer = ans
	if redact {
		b = bundle.Redact(b, "")
	}
	if err := writeOutput(a.stdout, out, func(w io.Writer) error { return bundle.Write(w, b) }); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "causeway: recorded %s, %s and %s to %s\n",
		plural(len(r.Result.Queries), "query", "queries"), plural(len(r.Result.Series), "series", "series"),
		plural(len(r.Result.Events), "event", "events"), out)
	return warnFailures(a.stderr, r)
}
