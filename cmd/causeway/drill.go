package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/causeway-sre/causeway/drill"
	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/bundle"
	"github.com/causeway-sre/causeway/scenarios"
	"github.com/causeway-sre/causeway/scenarios/source"
	tuidrill "github.com/causeway-sre/causeway/tui/drill"
)

// runDrill is `causeway drill [SCENARIO | --bundle FILE]`: training mode.
func (a *app) runDrill(ctx context.Context, args []string) error {
	var bundlePath, difficulty, export string
	var list, random bool
	var seed int64
	fs := a.newFlagSet("drill", "causeway drill [SCENARIO | --bundle FILE | --random [--seed N] [--difficulty D]] [--export FILE]\n       causeway drill --list")
	fs.StringVar(&bundlePath, "bundle", "", "drill on a recorded bundle (record one with 'causeway record --redact')")
	fs.BoolVar(&list, "list", false, "list the drills with their difficulty and the skill each trains")
	fs.BoolVar(&random, "random", false, "pick a scenario at random (with --seed, --difficulty)")
	fs.Int64Var(&seed, "seed", 1, "seed of the simulation (and of --random)")
	fs.StringVar(&difficulty, "difficulty", "", "easy, medium or hard")
	fs.StringVar(&export, "export", "", "write the scorecard as markdown to FILE when you commit")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if list {
		return drill.WriteList(a.stdout, scenarios.List())
	}
	if fs.NArg() > 1 {
		return usagef("drill: name at most one scenario")
	}
	name := fs.Arg(0)
	chosen := 0
	for _, on := range []bool{name != "", bundlePath != "", random} {
		if on {
			chosen++
		}
	}
	switch {
	case chosen > 1:
		return usagef("drill: choose one of SCENARIO, --bundle FILE or --random")
	case chosen == 0:
		return usagef("drill: name a scenario (see 'causeway drill --list'), --bundle FILE or --random")
	}
	if difficulty != "" {
		if _, err := drill.ParseDifficulty(difficulty); err != nil {
			return usageError{err}
		}
	}
	if random {
		info, err := drill.Select(scenarios.List(), seed, difficulty)
		if err != nil {
			return usageError{err}
		}
		name = info.Name
	}
	var prepare func(ctx context.Context) (*drill.Session, error)
	if bundlePath != "" {
		b, err := readBundle(bundlePath)
		if err != nil {
			return err
		}
		prepare = func(ctx context.Context) (*drill.Session, error) {
			res := queries.Run(ctx, b.Source(), b.Bank, b.Window, queries.RunOptions{})
			res.Events = append(res.Events, b.Events...)
			r := incident.Analyze(b.Bank, res)
			return drill.NewBundleSession(filepath.Base(bundlePath), b, res, r.Findings, difficulty)
		}
	} else {
		if _, err := scenarios.Get(name); err != nil {
			return usageError{err}
		}
		prepare = func(ctx context.Context) (*drill.Session, error) {
			src, w, d, err := source.New(name, seed)
			if err != nil {
				return nil, err
			}
			bank := queries.DefaultBank()
			r := incident.Investigate(ctx, src, bank, w, queries.RunOptions{})
			return drill.NewScenarioSession(d, bank, r.Result, r.Findings)
		}
	}
	if err := a.needTerminal(); err != nil {
		return err
	}
	out, err := tuidrill.Run(ctx, tuidrill.Options{Prepare: prepare, ExportPath: export, ExportDir: ".", Now: a.now})
	if err != nil {
		return err
	}
	if out.Committed {
		fmt.Fprintf(a.stdout, "drill %s: %d/100 (%s)\n", name+filepath.Base(bundlePath), out.Scorecard.Total, drill.Grade(out.Scorecard.Total))
		if out.Exported != "" {
			fmt.Fprintf(a.stdout, "scorecard: %s\n", out.Exported)
		}
	}
	return nil
}

func readBundle(path string) (*bundle.Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--bundle: %w", err)
	}
	defer f.Close()
	b, err := bundle.Read(f)
	if err != nil {
		return nil, usagef("--bundle %s: %w", path, err)
	}
	return b, nil
}
