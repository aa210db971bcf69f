package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Exit codes promised by INTERFACES.md.
const (
	exitOK       = 0
	exitFailed   = 1 // the analysis ran but something failed
	exitBadInput = 2 // bad usage or bad input
)

// usageError is bad usage or bad input: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// failedError is a run that went through but failed: exit 1.
type failedError struct{ err error }

func (e failedError) Error() string { return e.err.Error() }
func (e failedError) Unwrap() error { return e.err }

// app holds the process's streams and clock so that commands can be tested
// without a terminal.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
	getenv         func(string) string
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, getenv: os.Getenv}
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

func (a *app) commands() []command {
	return []command{
		{"demo", "the TUI on an embedded incident scenario; no server needed", a.runDemo},
		{"report", "run the bank, correlate, write the postmortem (markdown or json)", a.runReport},
		{"record", "capture everything the analysis needs into one bundle file", a.runRecord},
		{"drill", "training mode: find the cause of an incident with the answer hidden", a.runDrill},
		{"scenarios", "list embedded scenarios, or export one as OpenMetrics", a.runScenarios},
		{"bank", "print the query bank; --check parses it and probes a source", a.runBank},
		{"version", "version, commit, Go version", a.runVersion},
	}
}

func (a *app) run(ctx context.Context, args []string) int {
	var err error
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name := args[0]
		found := false
		for _, c := range a.commands() {
			if c.name == name {
				err, found = c.run(ctx, args[1:]), true
				break
			}
		}
		if !found {
			if name == "help" {
				a.usage(a.stdout)
				return exitOK
			}
			err = usagef("unknown command %q (see causeway --help)", name)
		}
	} else {
		err = a.runRoot(ctx, args)
	}
	return a.exit(err)
}

func (a *app) exit(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, pflag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(a.stderr, "causeway: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitBadInput
	}
	return exitFailed
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, `causeway: investigate an incident window across many signals.

Usage:
  causeway [source flags] [window flags]      interactive TUI on that window
  causeway <command> [flags]

Commands:`)
	for _, c := range a.commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Run 'causeway <command> --help' for a command's flags.`)
}

// newFlagSet returns a flag set whose parse errors are usage errors and
// whose --help prints the command's usage to stdout.
func (a *app) newFlagSet(name, usage string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(a.stdout, "Usage: %s\n\nFlags:\n%s", usage, fs.FlagUsages())
	}
	return fs
}

func (a *app) parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err // pflag has printed the usage
		}
		return usageError{err}
	}
	return nil
}
