package drill

import (
	"context"
	"errors"
	"fmt"

	"github.com/causeway-sre/causeway/incident"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/bundle"
	"github.com/causeway-sre/causeway/scenarios/source"
)

// PrepareScenario builds the drill of a catalog scenario: it generates the
// scenario for seed, runs the bank (nil: the default bank) over its window
// with the embedded engine, and analyses the result. It does CPU work for a
// few seconds: call it from a command (tuidrill's Options.Prepare), not
// from a UI loop. A run whose queries all failed is an error.
func PrepareScenario(ctx context.Context, name string, seed int64, bank *queries.Bank, opts queries.RunOptions) (*Session, error) {
	src, w, data, err := source.New(name, seed)
	if err != nil {
		return nil, fmt.Errorf("drill: %w", err)
	}
	if bank == nil {
		bank = queries.DefaultBank()
	}
	rep := incident.Investigate(ctx, src, bank, w, opts)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("drill: %w", err)
	}
	if err := allFailed(rep.Result); err != nil {
		return nil, err
	}
	return NewScenarioSession(data, rep.Bank, rep.Result, rep.Findings)
}

// PrepareBundle builds the drill of a recorded bundle: its recorded run is
// analysed again (nothing is queried). name is shown to the trainee (the
// file name); difficulty "" means medium.
func PrepareBundle(name string, b *bundle.Bundle, difficulty string) (*Session, error) {
	if b == nil {
		return nil, errors.New("drill: no bundle")
	}
	if b.Bank == nil {
		return nil, fmt.Errorf("drill: bundle %s holds no query bank", name)
	}
	res := b.Result()
	rep := incident.Analyze(b.Bank, res)
	return NewBundleSession(name, b, rep.Result, rep.Findings, difficulty)
}

func allFailed(res *queries.Result) error {
	if res == nil || len(res.Queries) == 0 {
		return nil
	}
	for _, q := range res.Queries {
		if q.Err == nil {
			return nil
		}
	}
	return fmt.Errorf("drill: every query failed (first: %w)", res.Queries[0].Err)
}
