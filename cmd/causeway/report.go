package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/postmortem"
)

func (a *app) runReport(ctx context.Context, args []string) error {
	var sf sourceFlags
	var wf windowFlags
	var format, out, tmpl string
	fs := a.newFlagSet("report", "causeway report [source flags] [window flags] [--format markdown|json] [-o FILE]")
	sf.register(fs)
	wf.register(fs)
	fs.StringVar(&format, "format", "markdown", "markdown or json")
	fs.StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	fs.StringVar(&tmpl, "template", "", "Go text/template file rendering the report (replaces --format)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("report: unexpected argument %q", fs.Arg(0))
	}
	var tmplText string
	switch {
	case tmpl != "":
		data, err := os.ReadFile(tmpl)
		if err != nil {
			return usagef("--template: %w", err)
		}
		tmplText = string(data)
	case format != "markdown" && format != "md" && format != "json":
		return usagef("--format: %q is not markdown or json", format)
	}
	t, err := a.open(ctx, &sf, &wf)
	if err != nil {
		return err
	}
	r := t.run(ctx)
	if err := allFailed(r.Result); err != nil {
		return err
	}
	meta := a.meta(t)
	render := func(w io.Writer) error {
		switch {
		case tmplText != "":
			return postmortem.Template(w, r, meta, tmplText)
		case format == "json":
			return postmortem.JSON(w, r, meta)
		default:
			return postmortem.Markdown(w, r, meta)
		}
	}
	if err := writeOutput(a.stdout, out, render); err != nil {
		return err
	}
	if out != "" {
		fmt.Fprintf(a.stderr, "causeway: wrote %s\n", out)
	}
	return warnFailures(a.stderr, r)
}

func (a *app) meta(t *target) postmortem.Meta {
	return postmortem.Meta{Source: t.src.Name(), GeneratedAt: a.now().UTC(), Version: version}
}

// writeOutput renders to path (atomically: a temporary file renamed into
// place) or to w when path is empty or "-".
func writeOutput(w io.Writer, path string, render func(io.Writer) error) error {
	if path == "" || path == "-" {
		return render(w)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".causeway-*")
	if err != nil {
		return usagef("-o %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if err := render(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// warnFailures lists failed queries on stderr: the report went out, but a
// person should know what it could not see.
func warnFailures(w io.Writer, r *incident.Report) error {
	failed := 0
	for _, q := range r.Result.Queries {
		if q.Err != nil {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(w, "causeway: %s of %d failed (listed in the report)\n", plural(failed, "query", "queries"), len(r.Result.Queries))
	}
	for _, warn := range r.Result.Warnings {
		fmt.Fprintf(w, "causeway: warning: %s\n", warn)
	}
	return nil
}
