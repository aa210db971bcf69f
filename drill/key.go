package drill

import (
	"errors"
	"maps"
	"sort"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/queries/bundle"
	"github.com/causeway-sre/causeway/scenarios"
)

// KeyFromScenario converts a scenario's answer key.
func KeyFromScenario(k scenarios.AnswerKey) Key {
	conv := func(s scenarios.Step) KeyStep {
		return KeyStep{Family: s.Family, Entity: maps.Clone(s.Entity), At: s.At.UTC(), Note: s.Note}
	}
	key := Key{Quiet: k.Quiet, Tolerance: k.Tolerance, Source: SourceScenario}
	if !k.Quiet {
		key.Root = conv(k.Root)
	}
	for _, s := range k.Chain {
		key.Chain = append(key.Chain, conv(s))
	}
	if !k.Quiet && len(key.Chain) == 0 {
		key.Chain = []KeyStep{key.Root}
	}
	for _, s := range k.Distractors {
		key.Distractors = append(key.Distractors, conv(s))
	}
	return key
}

// KeyFromSaved converts the answer saved with a bundle. The saved answer
// holds no times: each step's onset is taken from the analysis (the
// earliest matching anomaly, in chain order); a step the analysis did not
// see keeps a zero time. f may be nil.
func KeyFromSaved(a *bundle.Answer, f *correlate.Findings) (Key, error) {
	if a == nil {
		return Key{}, errors.New("drill: the bundle has no saved answer")
	}
	if a.Family == "" {
		return Key{}, errors.New("drill: the saved answer names no root cause family")
	}
	var anoms []correlate.Anomaly
	if f != nil {
		anoms = f.Anomalies
	}
	root := KeyStep{Family: a.Family, Query: a.Query, Entity: maps.Clone(a.Entity), Note: "saved answer"}
	if an, ok := earliest(anoms, a.Query, a.Family, a.Entity, nil); ok {
		root.At = an.Onset.UTC()
		if root.Query == "" {
			root.Query = an.Query
		}
	}
	key := Key{Root: root, Chain: []KeyStep{root}, Source: SourceSaved}
	fams := a.Chain
	if len(fams) > 0 && fams[0] == a.Family {
		fams = fams[1:]
	}
	prev := root.At
	for _, fam := range fams {
		if fam == "" {
			continue
		}
		st := KeyStep{Family: fam}
		var after *correlate.Anomaly
		if !prev.IsZero() {
			after = &correlate.Anomaly{Onset: prev}
		}
		if an, ok := earliest(anoms, "", fam, nil, after); ok {
			st.At, st.Query, st.Entity = an.Onset.UTC(), an.Query, maps.Clone(an.Entity)
			prev = st.At
		}
		key.Chain = append(key.Chain, st)
	}
	return key, nil
}

// earliest returns the earliest anomaly of a family (and query and entity,
// when given) with an onset not before after's.
func earliest(anoms []correlate.Anomaly, query, family string, entity map[string]string, after *correlate.Anomaly) (correlate.Anomaly, bool) {
	var best correlate.Anomaly
	found := false
	for _, an := range anoms {
		if an.Family != family || (query != "" && an.Query != query) || !entityMatch(entity, an.Entity) {
			continue
		}
		if after != nil && an.Onset.Before(after.Onset) {
			continue
		}
		if !found || an.Onset.Before(best.Onset) {
			best, found = an, true
		}
	}
	return best, found
}

// KeyFromFindings takes Causeway's own top chain as the key, for a bundle
// recorded without an answer. Findings with no chain give their top root
// cause alone; quiet findings give a quiet key.
func KeyFromFindings(f *correlate.Findings) (Key, error) {
	if f == nil {
		return Key{}, errors.New("drill: no analysis to take the answer from")
	}
	key := Key{Source: SourceAnalysis}
	switch {
	case len(f.Chains) > 0 && len(f.Chains[0].Steps) > 0:
		for _, s := range f.Chains[0].Steps {
			key.Chain = append(key.Chain, KeyStep{Family: s.Family, Query: s.Query,
				Entity: maps.Clone(s.Entity), At: s.Onset.UTC(), Note: s.Evidence})
		}
		key.Root = key.Chain[0]
	case len(f.RootCauses) > 0:
		rc := f.RootCauses[0]
		key.Root = KeyStep{Family: rc.Family, Query: rc.Query, Entity: maps.Clone(rc.Entity), At: rc.Onset.UTC(), Note: rc.Why}
		key.Chain = []KeyStep{key.Root}
	default:
		key.Quiet = true
	}
	return key, nil
}

// sortedFamilies returns the distinct families of steps, sorted.
func sortedFamilies(steps []KeyStep) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range steps {
		if s.Family != "" && !seen[s.Family] {
			seen[s.Family] = true
			out = append(out, s.Family)
		}
	}
	sort.Strings(out)
	return out
}
