// Package tuidrill is the view of `causeway drill`: a briefing, a visible
// clock, the window's charts and timeline with the ranking and the chains
// hidden; the trainee picks signals, marks the root cause at the time
// cursor, builds the chain, may take hints, commits, and reads the debrief
// (score parts, the answer, what was missed, the evidence of each link).
//
// The lead's command builds a drill.Session (package drill) and calls Run:
//
//	out, err := tuidrill.Run(ctx, tuidrill.Options{Session: sess, ExportDir: "."})
//
// or, to show the drill at once while the bank runs, passes Prepare
// instead of Session. Nothing in Update or View does I/O: preparing and
// exporting run in commands.
package tuidrill

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/causeway-sre/causeway/drill"
)

// Options say which drill to play and where its scorecard goes.
type Options struct {
	// Session is the drill to play. When nil, Prepare builds it (in a
	// command, while a "preparing" screen shows).
	Session *drill.Session
	// Prepare builds the session: typically generating a scenario, running
	// the bank over it and analysing the result.
	Prepare func(ctx context.Context) (*drill.Session, error)
	// ExportDir is where `x` writes the scorecard (default: the current
	// directory), as causeway-drill-NAME-YYYYMMDD-HHMMSS.md.
	ExportDir string
	// ExportPath, when set (--export FILE), is written with the scorecard as
	// soon as the trainee commits, and is where `x` writes too.
	ExportPath string
	// NoColor draws without colour (NO_COLOR is honoured as well).
	NoColor bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Outcome is what a played drill leaves behind.
type Outcome struct {
	// Committed is false when the trainee quit before committing; the
	// other fields are then zero.
	Committed bool
	Scorecard drill.Scorecard
	Debrief   drill.Debrief
	// Exported is the last path the scorecard was written to ("" if none).
	Exported string
}

func (o *Options) defaults() error {
	if o.Session == nil && o.Prepare == nil {
		return errors.New("drill: no session to play")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ExportDir == "" {
		o.ExportDir = "."
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		o.NoColor = true
	}
	return nil
}

// Run plays the drill in the terminal and returns when the trainee quits.
// The terminal is restored on every way out.
func Run(ctx context.Context, opts Options) (Outcome, error) {
	if err := opts.defaults(); err != nil {
		return Outcome{}, err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	m := New(ctx, opts)
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	final, err := tea.NewProgram(m, popts...).Run()
	if err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return Outcome{}, fmt.Errorf("drill: %w", context.Cause(ctx))
		}
		return Outcome{}, fmt.Errorf("drill: %w", err)
	}
	fm, ok := final.(Model)
	if !ok {
		return Outcome{}, nil
	}
	if fm.fatal != nil {
		return Outcome{}, fm.fatal
	}
	return fm.Outcome(), nil
}

// DefaultExportName is the file name `x` writes: causeway-drill-NAME-STAMP.md.
func DefaultExportName(name string, at time.Time) string {
	return fmt.Sprintf("causeway-drill-%s-%s.md", slug(name), at.UTC().Format("20060102-150405"))
}

var unsafe = regexp.MustCompile(`[^a-z0-9]+`)

func slug(name string) string {
	name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	s := strings.Trim(unsafe.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		return "drill"
	}
	return s
}
