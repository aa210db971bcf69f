package scenarios

import (
	"testing"
	"time"
)

// TestCausality checks, for every scenario and seeds 1-5, that no step of
// the answer chain shows in the raw series before the root's signal, and
// that the root shows close to its stated time. A step the story calls
// immediate (pools wait as soon as the database is gone) may show in the
// same scrape interval as the root, but after the root's own scrape: the
// exporter of the trigger sees it first, never later.
func TestCausality(t *testing.T) {
	seeds := []int64{1, 2, 3, 4, 5}
	if testing.Short() {
		seeds = seeds[:2]
	}
	for _, in := range List() {
		for _, seed := range seeds {
			d := gen(t, in.Name, seed)
			k := d.Key
			if k.Quiet {
				continue
			}
			from, to := d.Window.Start(), d.End
			root, ok := d.Find(k.Root.Signal, from, to)
			if !ok {
				t.Errorf("%s/%d: root signal %s %s never shows", in.Name, seed, k.Root.Signal.Metric, k.Root.Signal.Change)
				continue
			}
			if dt := root.Sub(k.Root.At); dt < 0 || dt > k.Tolerance {
				t.Errorf("%s/%d: root shows at %s, stated %s", in.Name, seed, root.Format(time.TimeOnly), k.Root.At.Format(time.TimeOnly))
			}
			for _, st := range k.Chain[1:] {
				at, ok := d.Find(st.Signal, from, to)
				if !ok {
					t.Errorf("%s/%d: %s (%s %s) never shows", in.Name, seed, st.Note, st.Signal.Metric, st.Signal.Change)
					continue
				}
				if at.Before(root) {
					t.Errorf("%s/%d: %s (%s %s) shows at %s, before the root %s (%s)", in.Name, seed, st.Note,
						st.Signal.Metric, st.Signal.Change, at.Format(time.TimeOnly), root.Format(time.TimeOnly), k.Root.Signal.Metric)
				}
			}
		}
	}
}
