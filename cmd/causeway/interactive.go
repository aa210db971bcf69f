package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/postmortem"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/prom"
	"github.com/causeway-sre/causeway/scenarios"
	"github.com/causeway-sre/causeway/tui"
)

// runRoot is `causeway [source flags] [window flags]`: the TUI. A missing
// source or window is asked for by a form instead of failing.
func (a *app) runRoot(ctx context.Context, args []string) error {
	var sf sourceFlags
	var wf windowFlags
	var mouse, showVersion bool
	var follow time.Duration
	fs := a.newFlagSet("causeway", "causeway [source flags] [window flags]\n       causeway <command> [flags]   (causeway help lists commands)")
	sf.register(fs)
	wf.register(fs)
	fs.BoolVar(&mouse, "mouse", false, "enable the mouse (off: keeps the terminal's copy-paste)")
	fs.DurationVar(&follow, "refresh", 30*time.Second, "refresh interval of follow mode (F)")
	fs.BoolVar(&showVersion, "version", false, "print the version")
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprintln(a.stdout); a.usage(a.stdout) }
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if showVersion {
		return a.runVersion(ctx, nil)
	}
	if fs.NArg() > 0 {
		return usagef("unknown command %q (see causeway --help)", fs.Arg(0))
	}
	if err := a.needTerminal(); err != nil {
		return err
	}
	n, err := sf.resolve(a.getenv)
	if err != nil {
		return err
	}
	bank, err := loadBank(wf.bank)
	if err != nil {
		return err
	}
	opts := tui.Options{
		Bank:       bank,
		WindowSpec: wf.spec,
		RunOptions: wf.runOptions(&sf),
		Mouse:      mouse,
		Follow:     follow,
		Export:     a.exporter("."),
		ExportDir:  ".",
		Now:        a.now,
	}
	newProm := func(addr string) (queries.Source, error) {
		po := a.promOptions(&sf)
		po.URL = addr
		return prom.New(po)
	}
	if !sf.noKube && sf.bundle == "" && sf.scenario == "" {
		kt := &target{}
		kt.kube, kt.kubeWarning = openKube(&sf)
		opts.Enrich = kt.enrich
	}
	if n == 0 {
		// The form asks for the address and the window.
		opts.NewSource = newProm
		return tui.Run(ctx, opts)
	}
	if sf.prometheus != "" && !wf.given() {
		// A live source with no window: the form asks for it.
		src, err := prom.New(a.promOptions(&sf))
		if err != nil {
			return usageError{err}
		}
		opts.Source, opts.Live = src, true
		opts.NewSource, opts.SourceAddr = newProm, sf.prometheus
		return tui.Run(ctx, opts)
	}
	t, err := a.open(ctx, &sf, &wf)
	if err != nil {
		return err
	}
	opts.Source, opts.Window, opts.Bank, opts.RunOptions = t.src, t.window, t.bank, t.opts
	opts.Enrich = t.enrich
	opts.Live = sf.prometheus != ""
	if sf.prometheus != "" {
		opts.NewSource, opts.SourceAddr = newProm, sf.prometheus
	}
	return tui.Run(ctx, opts)
}

// runDemo is `causeway demo [SCENARIO]`: the TUI on an embedded scenario.
func (a *app) runDemo(ctx context.Context, args []string) error {
	var seed int64
	var mouse bool
	fs := a.newFlagSet("demo", "causeway demo [SCENARIO] [--seed N]")
	fs.Int64Var(&seed, "seed", 1, "seed of the simulation")
	fs.BoolVar(&mouse, "mouse", false, "enable the mouse")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	name := scenarios.DefaultScenario
	switch fs.NArg() {
	case 0:
	case 1:
		name = fs.Arg(0)
	default:
		return usagef("demo: name at most one scenario")
	}
	if err := a.needTerminal(); err != nil {
		return err
	}
	src, w, err := scenarioSource(name, seed)
	if err != nil {
		return usageError{err}
	}
	return tui.Run(ctx, tui.Options{
		Source:    src,
		Window:    w,
		Bank:      queries.DefaultBank(),
		Title:     "demo: " + name,
		Mouse:     mouse,
		Export:    a.exporter("."),
		ExportDir: ".",
		Now:       a.now,
	})
}

func (a *app) promOptions(sf *sourceFlags) prom.Options {
	return prom.Options{
		URL:                sf.prometheus,
		Headers:            sf.headers,
		BearerTokenFile:    sf.bearerTokenFile,
		TLSCA:              sf.tlsCA,
		InsecureSkipVerify: sf.tlsInsecure,
		Timeout:            sf.timeout,
		Compression:        sf.compression,
		MaxSamples:         sf.maxSamples,
	}
}

// exporter writes the markdown postmortem of a report into dir and returns
// the path: the TUI's `e`.
func (a *app) exporter(dir string) func(r *incident.Report) (string, error) {
	return func(r *incident.Report) (string, error) {
		name := fmt.Sprintf("causeway-postmortem-%s.md", a.now().UTC().Format("20060102-150405"))
		path := filepath.Join(dir, name)
		meta := postmortem.Meta{Source: r.Result.Source, GeneratedAt: a.now().UTC(), Version: version}
		f, err := os.Create(path)
		if err != nil {
			return "", err
		}
		if err := postmortem.Markdown(f, r, meta); err != nil {
			f.Close()
			return "", err
		}
		if err := f.Close(); err != nil {
			return "", err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return path, nil
		}
		return abs, nil
	}
}

// needTerminal refuses to start a TUI without one, with the command that
// works instead.
func (a *app) needTerminal() error {
	in, ok1 := a.stdin.(*os.File)
	out, ok2 := a.stdout.(*os.File)
	if !ok1 || !ok2 || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return usagef("the TUI needs a terminal; for a report without one use 'causeway report' (e.g. causeway report --scenario %s)", scenarios.DefaultScenario)
	}
	return nil
}
