// Package tui is Causeway's interactive face: a Bubble Tea program that runs
// the query bank over a window, shows the progress, then the ranked chains
// and root causes beside stacked charts on one time axis with one cursor.
//
// The root model only routes: keys go to the focused view, asynchronous
// results to the view that owns them. Each view is its own package
// (tui/chart, tui/ranking, tui/timeline, tui/progress, tui/form,
// tui/cmdline, tui/evidence) with the bubbles component shape.
package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
)

// Options say what to investigate and how to show it.
type Options struct {
	// Source answers the queries. When nil, the form asks for an address
	// and NewSource turns it into a source.
	Source queries.Source
	// NewSource builds a source from an address typed in the form
	// (e.g. a Prometheus URL). Optional.
	NewSource func(addr string) (queries.Source, error)
	// Bank is the query bank (required).
	Bank *queries.Bank
	// Window to analyse. The zero Window means: ask with the form.
	Window queries.Window
	// WindowSpec holds the window as the user wrote it (flags), to
	// prefill the form and to re-evaluate `:step`; may be empty.
	WindowSpec queries.WindowSpec
	// RunOptions tune the runs (MaxParallel, MaxSeries, Selector). RunID
	// and OnProgress are set by the TUI.
	RunOptions queries.RunOptions
	// Title names the session in the header (default: the source's name).
	Title string
	// Mouse enables mouse reporting (off by default: it breaks copy-paste).
	Mouse bool
	// NoColor draws without colour (NO_COLOR is honoured as well).
	NoColor bool
	// ExportDir is where exports go; shown to the user.
	ExportDir string
	// Export writes the markdown postmortem of a report and returns its path.
	Export func(r *incident.Report) (path string, err error)
	// Live is true for sources that have data up to now (Prometheus);
	// follow mode and "0 back to now" need it.
	Live bool
	// Follow is the refresh interval of follow mode (default 30s).
	Follow time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Enrich, when set, adds to each run's result what other sources know
	// about its window: the cluster's events and warnings (Kubernetes), a
	// bundle's recorded ones. It is called in the run's command right after
	// the queries and before the analysis, with the run's context (esc
	// cancels it), never from Update or View. res.Window is the window
	// fetched (a follow run's is only the new part). Optional.
	Enrich EnrichFunc
	// SourceAddr is the address the Source was opened from (a Prometheus
	// URL). When every query fails, the form offers it for correction if
	// NewSource is set. Optional.
	SourceAddr string
}

// EnrichFunc adds to a run's result (events, warnings) in place.
type EnrichFunc func(ctx context.Context, res *queries.Result)

func (o *Options) defaults() error {
	if o.Bank == nil || len(o.Bank.Queries) == 0 {
		return errors.New("tui: no query bank")
	}
	if o.Source == nil && o.NewSource == nil {
		return errors.New("tui: no source")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Follow <= 0 {
		o.Follow = 30 * time.Second
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		o.NoColor = true
	}
	return nil
}

// Run starts the TUI and returns when the user quits. The terminal is
// restored on every way out: quit, error, ctrl-c mid-query, or ctx done.
func Run(ctx context.Context, opts Options) error {
	if err := opts.defaults(); err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop() // cancels a run still in flight
	m := New(opts, func() (context.Context, context.CancelFunc) { return context.WithCancel(ctx) })
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if _, err := tea.NewProgram(m, popts...).Run(); err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return fmt.Errorf("tui: %w", context.Cause(ctx))
		}
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}
