package drill

import (
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/causeway-sre/causeway/scenarios"
)

// ParseDifficulty validates a difficulty: "easy", "medium" or "hard"
// (any case); "" is "any".
func ParseDifficulty(s string) (scenarios.Difficulty, error) {
	switch d := scenarios.Difficulty(strings.ToLower(strings.TrimSpace(s))); d {
	case "", scenarios.Easy, scenarios.Medium, scenarios.Hard:
		return d, nil
	}
	return "", fmt.Errorf("drill: unknown difficulty %q (want easy, medium or hard)", s)
}

func difficultyRank(d scenarios.Difficulty) int {
	switch d {
	case scenarios.Easy:
		return 0
	case scenarios.Medium:
		return 1
	case scenarios.Hard:
		return 2
	}
	return 3
}

// List returns the drills of a catalog, easiest first, then by name.
func List(catalog []scenarios.Info) []scenarios.Info {
	out := append([]scenarios.Info(nil), catalog...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := difficultyRank(out[i].Difficulty), difficultyRank(out[j].Difficulty)
		if ri != rj {
			return ri < rj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// WriteList writes `causeway drill --list`: one drill a line with its
// difficulty and the skill it trains (never its story).
func WriteList(w io.Writer, catalog []scenarios.Info) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDIFFICULTY\tSKILL")
	for _, in := range List(catalog) {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", in.Name, in.Difficulty, in.Skill)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("drill: write list: %w", err)
	}
	return nil
}

// Select picks a drill at random from the catalog for `--random --seed N
// --difficulty D`: the same seed and catalog always give the same drill.
// difficulty "" picks from every drill.
func Select(catalog []scenarios.Info, seed int64, difficulty string) (scenarios.Info, error) {
	d, err := ParseDifficulty(difficulty)
	if err != nil {
		return scenarios.Info{}, err
	}
	var pool []scenarios.Info
	for _, in := range List(catalog) {
		if d == "" || in.Difficulty == d {
			pool = append(pool, in)
		}
	}
	if len(pool) == 0 {
		if d == "" {
			return scenarios.Info{}, fmt.Errorf("drill: the catalog is empty")
		}
		return scenarios.Info{}, fmt.Errorf("drill: no %s drill in the catalog", d)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed_d811))
	return pool[r.IntN(len(pool))], nil
}
