package drill

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/causeway-sre/causeway/correlate"
	"github.com/causeway-sre/causeway/queries"
	"github.com/causeway-sre/causeway/queries/bundle"
	"github.com/causeway-sre/causeway/scenarios"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func at(min, sec int) time.Time {
	return t0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
}

// spotKey is a spot interruption: the node goes, its pods with it, then the
// edge serves 5xx.
func spotKey() Key {
	return KeyFromScenario(scenarios.AnswerKey{
		Root: scenarios.Step{Family: "nodes", Entity: map[string]string{"node": "ip-10-0-1-5"}, At: at(4, 0), Note: "spot interruption notice"},
		Chain: []scenarios.Step{
			{Family: "nodes", Entity: map[string]string{"node": "ip-10-0-1-5"}, At: at(4, 0)},
			{Family: "pods", Entity: map[string]string{"namespace": "web"}, At: at(5, 0)},
			{Family: "edge", Entity: map[string]string{"ingress": "web"}, At: at(5, 30)},
		},
		Distractors: []scenarios.Step{{Family: "memory", Entity: map[string]string{"pod": "batch-1"}, At: at(1, 0), Note: "a batch job's nightly growth"}},
		Tolerance:   time.Minute,
	})
}

func pick(fam, node string, t time.Time) Pick {
	e := map[string]string{}
	if node != "" {
		e["node"] = node
	}
	return Pick{Query: fam + "_q", Family: fam, Entity: e, Time: t}
}

func attempt(root *Pick, chain []Pick, hints int, took time.Duration) Attempt {
	start := t0.Add(time.Hour)
	return Attempt{Root: root, Chain: chain, Hints: hints, Started: start, Committed: start.Add(took)}
}

func ptr(p Pick) *Pick { return &p }

func TestScore(t *testing.T) {
	key := spotKey()
	cfg := DefaultConfig() // medium: par 10m, step 15s, tolerance 1m
	right := pick("nodes", "ip-10-0-1-5", at(4, 15))
	tests := []struct {
		name  string
		a     Attempt
		parts [5]float64 // root, chain, timing, speed, hints
		total int
		grade string
	}{
		{"exact", attempt(ptr(right), []Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 0, 4*time.Minute),
			[5]float64{40, 25, 20, 15, 0}, 100, "A"},
		{"exact, chain repeating the root", attempt(ptr(right), []Pick{right, pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 0, 4*time.Minute),
			[5]float64{40, 25, 20, 15, 0}, 100, "A"},
		{"right family, wrong entity", attempt(ptr(pick("nodes", "ip-10-0-9-9", at(4, 0))), []Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 0, 4*time.Minute),
			[5]float64{20, 25, 20, 7.5, 0}, 73, "C"},
		{"a consequence taken for the cause", attempt(ptr(pick("pods", "", at(5, 0))), []Pick{pick("edge", "", at(5, 30))}, 0, 4*time.Minute),
			// chain pods→edge vs nodes→pods→edge: LCS 2, 2·2/5 = 0.8; marked 1m late: within tolerance.
			[5]float64{12, 20, 20, 4.5, 0}, 57, "D"},
		{"wrong", attempt(ptr(pick("memory", "", at(0, 0))), []Pick{pick("oom", "", at(2, 0))}, 0, 4*time.Minute),
			// 4m early: 3m beyond the 1m tolerance, falloff max(150s, 2m) = 150s -> 0.
			[5]float64{0, 0, 0, 0, 0}, 0, "F"},
		{"nothing marked", attempt(nil, nil, 0, time.Minute),
			[5]float64{0, 0, 0, 0, 0}, 0, "F"},
		{"exact with two hints", attempt(ptr(right), []Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 2, 4*time.Minute),
			[5]float64{40, 25, 20, 15, -10}, 90, "A"},
		{"exact with three hints", attempt(ptr(right), []Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 3, 4*time.Minute),
			[5]float64{40, 25, 20, 15, -20}, 80, "B"},
		{"exact, twice par", attempt(ptr(right), []Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 0, 20*time.Minute),
			[5]float64{40, 25, 20, 7.5, 0}, 93, "A"},
		{"exact, far over par", attempt(ptr(right), []Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 0, 45*time.Minute),
			[5]float64{40, 25, 20, 0, 0}, 85, "B"},
		{"right cause, time 2m late", attempt(ptr(pick("nodes", "ip-10-0-1-5", at(6, 0))), []Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 0, 4*time.Minute),
			// 1m beyond tolerance over a 150s falloff: 1 - 60/150 = 0.6.
			[5]float64{40, 25, 12, 15, 0}, 92, "A"},
		{"simultaneous links in either order", attempt(ptr(right), []Pick{pick("edge", "", at(5, 30)), pick("pods", "", at(5, 0))}, 0, 4*time.Minute),
			// pods (10:05) and edge (10:05:30) lie within the 1m tolerance.
			[5]float64{40, 25, 20, 15, 0}, 100, "A"},
		{"an extra link", attempt(ptr(right), []Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30)), pick("memory", "", at(1, 0))}, 0, 4*time.Minute),
			// LCS 3 of 4 picked and 3 in the key: 2·3/7.
			[5]float64{40, 21.4, 20, 15, 0}, 96, "A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := Score(key, tt.a, cfg)
			names := []string{PartRoot, PartChain, PartTiming, PartSpeed, PartHints}
			for i, n := range names {
				if got := sc.Part(n).Points; got != tt.parts[i] {
					t.Errorf("%s = %v, want %v (%s)", n, got, tt.parts[i], sc.Part(n).Detail)
				}
			}
			if sc.Total != tt.total || sc.Grade != tt.grade {
				t.Errorf("total %d %s, want %d %s", sc.Total, sc.Grade, tt.total, tt.grade)
			}
			if again := Score(key, tt.a, cfg); !reflect.DeepEqual(sc, again) {
				t.Error("Score is not deterministic")
			}
		})
	}
}

// Links that happened together may be given in either order.
func TestScoreChainSimultaneousLinks(t *testing.T) {
	node := map[string]string{"node": "n1"}
	key := KeyFromScenario(scenarios.AnswerKey{
		Root: scenarios.Step{Family: "nodes", Entity: node, At: at(4, 0)},
		Chain: []scenarios.Step{
			{Family: "nodes", Entity: node, At: at(4, 0)},
			{Family: "pods", At: at(4, 20)},
			{Family: "edge", At: at(4, 20)},
			{Family: "nodes", Entity: node, At: at(6, 0)},
		},
		Tolerance: 90 * time.Second,
	})
	root := ptr(Pick{Family: "nodes", Entity: node, Time: at(4, 0)})
	for _, order := range [][]string{{"pods", "edge", "nodes"}, {"edge", "pods", "nodes"}} {
		var chain []Pick
		for _, f := range order {
			chain = append(chain, Pick{Family: f})
		}
		if p := Score(key, attempt(root, chain, 0, time.Minute), Config{}).Part(PartChain); p.Fraction != 1 {
			t.Errorf("order %v: chain %v (%s)", order, p.Fraction, p.Detail)
		}
	}
	// The node going away two minutes later is not simultaneous, and the
	// root comes first.
	chain := []Pick{{Family: "pods"}, {Family: "nodes"}, {Family: "edge"}}
	if p := Score(key, attempt(root, chain, 0, time.Minute), Config{}).Part(PartChain); p.Fraction == 1 {
		t.Errorf("a wrong order scored full marks: %s", p.Detail)
	}
	chain = []Pick{{Family: "pods"}, {Family: "nodes"}, {Family: "edge"}}
	root = ptr(Pick{Family: "edge", Time: at(4, 0)})
	if p := Score(key, attempt(root, chain, 0, time.Minute), Config{}).Part(PartChain); p.Fraction == 1 {
		t.Errorf("a wrong order scored full marks: %s", p.Detail)
	}
}

func TestScoreOrdersAnswers(t *testing.T) {
	key := spotKey()
	chain := []Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}
	exact := Score(key, attempt(ptr(pick("nodes", "ip-10-0-1-5", at(4, 0))), chain, 0, 3*time.Minute), Config{}).Total
	partial := Score(key, attempt(ptr(pick("nodes", "other", at(4, 0))), chain, 0, 3*time.Minute), Config{}).Total
	wrong := Score(key, attempt(ptr(pick("database", "", at(4, 0))), nil, 0, 3*time.Minute), Config{}).Total
	if !(exact > partial && partial > wrong) {
		t.Fatalf("want exact > partial > wrong, got %d, %d, %d", exact, partial, wrong)
	}
	if wrong > 30 {
		t.Errorf("a wrong answer scored %d, want <= 30", wrong)
	}
}

func TestScoreQuiet(t *testing.T) {
	key := KeyFromScenario(scenarios.AnswerKey{Quiet: true})
	sc := Score(key, attempt(nil, nil, 0, 2*time.Minute), Config{})
	if sc.Total != 100 {
		t.Errorf("quiet, nothing marked: %d, want 100 (%+v)", sc.Total, sc.Parts)
	}
	if sc.Part(PartTiming).Applicable {
		t.Error("timing scored on a quiet key")
	}
	sc = Score(key, attempt(ptr(pick("memory", "", at(1, 0))), nil, 0, 2*time.Minute), Config{})
	if sc.Total > 30 {
		t.Errorf("quiet, something marked: %d, want <= 30", sc.Total)
	}
}

func TestScoreWithoutOnset(t *testing.T) {
	key, err := KeyFromSaved(&bundle.Answer{Family: "database", Entity: map[string]string{"instance": "mysql-0"}, Chain: []string{"database", "connections", "edge"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := attempt(ptr(Pick{Family: "database", Entity: map[string]string{"pod": "mysql-0"}, Time: at(3, 0)}),
		[]Pick{{Family: "connections"}, {Family: "edge"}}, 0, time.Minute)
	sc := Score(key, a, Config{})
	if sc.Part(PartTiming).Applicable {
		t.Error("timing scored without an onset")
	}
	if sc.Total != 100 {
		t.Errorf("total %d, want 100 (parts scaled without timing): %+v", sc.Total, sc.Parts)
	}
}

func TestLCS(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a b c", "a b c", 3}, {"a c", "a b c", 2}, {"c b a", "a b c", 1}, {"x y", "a b", 0}, {"a b a", "b a", 2},
	} {
		if got := LCS(strings.Fields(tt.a), strings.Fields(tt.b)); got != tt.want {
			t.Errorf("LCS(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestEntityMatch(t *testing.T) {
	for _, tt := range []struct {
		want, got map[string]string
		ok        bool
	}{
		{nil, map[string]string{"pod": "x"}, true},
		{map[string]string{"node": "n1"}, map[string]string{"node": "n1", "zone": "a"}, true},
		{map[string]string{"node": "n1"}, map[string]string{"node": "n2"}, false},
		{map[string]string{"node": "n1", "namespace": "web"}, map[string]string{"namespace": "web", "node": "n2"}, false},
		// No label in common: the signal cannot tell, benefit of the doubt.
		{map[string]string{"node": "n1"}, map[string]string{"message_type": "spot_interrupted"}, true},
		{map[string]string{"node": "n1"}, nil, true},
		// ingress-nginx renames the ingress's namespace.
		{map[string]string{"namespace": "web", "ingress": "web"}, map[string]string{"namespace": "ingress-nginx", "exported_namespace": "web", "ingress": "web"}, true},
		{map[string]string{"namespace": "web", "ingress": "web"}, map[string]string{"namespace": "shop", "ingress": "web"}, false},
	} {
		if got := entityMatch(tt.want, tt.got); got != tt.ok {
			t.Errorf("entityMatch(%v, %v) = %v, want %v", tt.want, tt.got, got, tt.ok)
		}
	}
}

func TestHint(t *testing.T) {
	key := spotKey()
	want := []string{
		"Look at the nodes signals.",
		"It started between 10:00 and 10:05 UTC.",
		"The cause shows on node=ip-10-0-1-5.",
	}
	for i, w := range want {
		if got := Hint(key, i+1); got != w {
			t.Errorf("Hint %d = %q, want %q", i+1, got, w)
		}
	}
	if Hint(key, 0) != "" || Hint(key, MaxHints+1) != "" {
		t.Error("hints out of range should be empty")
	}
	if h := Hint(KeyFromScenario(scenarios.AnswerKey{Quiet: true}), 3); !strings.Contains(h, "no root cause") {
		t.Errorf("quiet hint 3 = %q", h)
	}
	if cfg := DefaultConfig(); cfg.HintCost(1) != 5 || cfg.HintCost(3) != 10 || cfg.HintCost(7) != 10 || cfg.HintCost(0) != 0 {
		t.Error("hint costs do not escalate as configured")
	}
}

// spotFindings is an analysis of the spot interruption window.
func spotFindings() *correlate.Findings {
	node := map[string]string{"node": "ip-10-0-1-5"}
	return &correlate.Findings{
		Anomalies: []correlate.Anomaly{
			{Signal: 0, Query: "node_not_ready", Family: "nodes", Entity: node, Onset: at(4, 0), Shape: "step-up", Z: 12},
			{Signal: 1, Query: "pods_not_ready", Family: "pods", Entity: map[string]string{"namespace": "web"}, Onset: at(5, 0), Shape: "step-up", Z: 9},
			{Signal: 2, Query: "ingress_5xx", Family: "edge", Entity: map[string]string{"ingress": "web"}, Onset: at(5, 30), Shape: "spike", Z: 7},
			{Signal: 3, Query: "container_memory", Family: "memory", Entity: map[string]string{"pod": "batch-1"}, Onset: at(1, 0), Shape: "step-up", Z: 4},
		},
		Chains: []correlate.Chain{{Score: 0.9, Steps: []correlate.Step{
			{Query: "node_not_ready", Family: "nodes", Entity: node, Onset: at(4, 0), Evidence: "node ip-10-0-1-5 NotReady"},
			{Query: "pods_not_ready", Family: "pods", Entity: map[string]string{"namespace": "web"}, Onset: at(5, 0), Lag: time.Minute,
				Evidence: "3 web pods lost their node", Link: &correlate.Link{Lag: time.Minute, R: 0.88, P: 0.002, Topology: true, Method: "event-response"}},
		}}},
	}
}

func TestDebrief(t *testing.T) {
	key := spotKey()
	a := attempt(ptr(pick("pods", "", at(5, 0))), []Pick{pick("memory", "", at(1, 0))}, 1, 12*time.Minute)
	sc := Score(key, a, DefaultConfig())
	d := NewDebrief(sc, spotFindings())
	if len(d.Steps) != 3 {
		t.Fatalf("%d steps, want 3", len(d.Steps))
	}
	if d.Steps[1].Evidence != "3 web pods lost their node" {
		t.Errorf("link evidence of pods: %q", d.Steps[1].Evidence)
	}
	// Without the analysis's text, the link's numbers.
	st := spotFindings().Chains[0].Steps[1]
	st.Evidence = ""
	if got := stepEvidence(st, true); got != "pods_not_ready on namespace=web changed at 10:05:00 UTC; link: lag 1m, r = 0.88, p = 0.002, same topology, by event-response" {
		t.Errorf("link numbers: %q", got)
	}
	if !strings.Contains(d.Steps[2].Evidence, "ingress_5xx spike") {
		t.Errorf("edge evidence should fall back to its anomaly: %q", d.Steps[2].Evidence)
	}
	if d.Steps[0].Picked || !d.Steps[1].Picked || d.Steps[2].Picked {
		t.Errorf("picked flags: %v %v %v", d.Steps[0].Picked, d.Steps[1].Picked, d.Steps[2].Picked)
	}
	missed := strings.Join(d.Missed, "\n")
	for _, want := range []string{"consequence", "Links not in your chain: nodes, edge", "Not part of this incident: memory", "Hints: 1 taken (5 points)", "over par"} {
		if !strings.Contains(missed, want) {
			t.Errorf("missed lacks %q:\n%s", want, missed)
		}
	}
	if len(d.Distractors) != 1 {
		t.Errorf("distractors: %v", d.Distractors)
	}
	clean := NewDebrief(Score(key, attempt(ptr(pick("nodes", "ip-10-0-1-5", at(4, 0))),
		[]Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 0, time.Minute), Config{}), nil)
	if len(clean.Missed) != 0 {
		t.Errorf("a perfect drill missed %v", clean.Missed)
	}
}

func TestKeyFromFindings(t *testing.T) {
	k, err := KeyFromFindings(spotFindings())
	if err != nil {
		t.Fatal(err)
	}
	if k.Root.Family != "nodes" || k.Root.Query != "node_not_ready" || !k.Root.At.Equal(at(4, 0)) || len(k.Chain) != 2 || k.Source != SourceAnalysis {
		t.Errorf("key from findings: %+v", k)
	}
	if k, _ := KeyFromFindings(&correlate.Findings{Quiet: true}); !k.Quiet {
		t.Error("quiet findings should give a quiet key")
	}
	if _, err := KeyFromFindings(nil); err == nil {
		t.Error("nil findings: want an error")
	}
}

func TestKeyFromSaved(t *testing.T) {
	k, err := KeyFromSaved(&bundle.Answer{Family: "nodes", Entity: map[string]string{"node": "ip-10-0-1-5"}, Chain: []string{"nodes", "pods", "edge"}}, spotFindings())
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Families(); !reflect.DeepEqual(got, []string{"nodes", "pods", "edge"}) {
		t.Errorf("families %v", got)
	}
	if !k.Root.At.Equal(at(4, 0)) || k.Root.Query != "node_not_ready" || !k.Chain[2].At.Equal(at(5, 30)) {
		t.Errorf("times from findings: %+v", k)
	}
	if _, err := KeyFromSaved(nil, nil); err == nil {
		t.Error("nil answer: want an error")
	}
	if _, err := KeyFromSaved(&bundle.Answer{}, nil); err == nil {
		t.Error("answer without family: want an error")
	}
}

func TestBriefing(t *testing.T) {
	bank := &queries.Bank{Queries: []queries.Query{{ID: "ingress_5xx", Title: "Ingress 5xx ratio", Family: "edge"}}}
	w := queries.Window{From: t0, To: t0.Add(time.Hour), Step: 15 * time.Second}
	got := Briefing(bank, spotFindings(), spotKey(), w)
	if got != "Ingress 5xx ratio rose on web, 10:05 UTC" {
		t.Errorf("briefing %q", got)
	}
	// An edge-rooted key: the edge must not be named; pods are the symptom.
	edgeKey := Key{Root: KeyStep{Family: "edge"}}
	got = Briefing(bank, spotFindings(), edgeKey, w)
	if strings.Contains(got, "5xx") || !strings.Contains(got, "pods_not_ready") {
		t.Errorf("briefing revealed the cause or missed the pods: %q", got)
	}
	if got := Briefing(nil, nil, spotKey(), w); got != "Something paged between 10:00 and 11:00 UTC; nothing more is known." {
		t.Errorf("briefing without findings: %q", got)
	}
}

func TestSelect(t *testing.T) {
	cat := []scenarios.Info{
		{Name: "spot-interruption", Difficulty: scenarios.Medium, Skill: "node loss"},
		{Name: "db-restart", Difficulty: scenarios.Easy, Skill: "database restarts"},
		{Name: "noisy-neighbour", Difficulty: scenarios.Hard, Skill: "contention"},
		{Name: "oom-loop", Difficulty: scenarios.Easy, Skill: "memory limits"},
	}
	names := func(xs []scenarios.Info) (out []string) {
		for _, x := range xs {
			out = append(out, x.Name)
		}
		return out
	}
	if got := names(List(cat)); !reflect.DeepEqual(got, []string{"db-restart", "oom-loop", "spot-interruption", "noisy-neighbour"}) {
		t.Errorf("List order %v", got)
	}
	a, err := Select(cat, 42, "")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := Select(cat, 42, ""); a.Name != b.Name {
		t.Error("Select is not deterministic")
	}
	seen := map[string]bool{}
	for seed := range int64(40) {
		in, err := Select(cat, seed, "EASY")
		if err != nil {
			t.Fatal(err)
		}
		if in.Difficulty != scenarios.Easy {
			t.Fatalf("seed %d picked %s (%s)", seed, in.Name, in.Difficulty)
		}
		seen[in.Name] = true
	}
	if len(seen) != 2 {
		t.Errorf("40 seeds picked %v, want both easy drills", seen)
	}
	if _, err := Select(cat, 1, "extreme"); err == nil {
		t.Error("unknown difficulty: want an error")
	}
	if _, err := Select(nil, 1, "hard"); err == nil {
		t.Error("empty catalog: want an error")
	}
	var b strings.Builder
	if err := WriteList(&b, cat); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "NAME") || !strings.Contains(b.String(), "spot-interruption  medium      node loss") {
		t.Errorf("list:\n%s", b.String())
	}
}

func TestSessionSignals(t *testing.T) {
	bank := &queries.Bank{Queries: []queries.Query{
		{ID: "pod_node", Role: queries.RoleTopology},
		{ID: "node_not_ready", Title: "Node not ready", Family: "nodes"},
		{ID: "pods_not_ready", Title: "Pods not ready", Family: "pods"},
		{ID: "ingress_5xx", Title: "Ingress 5xx ratio", Family: "edge"},
		{ID: "container_memory", Title: "Container memory", Family: "memory", Unit: "bytes"},
	}}
	res := &queries.Result{Window: queries.Window{From: t0, To: t0.Add(time.Hour), Step: 30 * time.Second}}
	for _, q := range []string{"pod_node", "node_not_ready", "pods_not_ready", "ingress_5xx", "container_memory", "container_memory"} {
		res.Series = append(res.Series, queries.Series{Query: q, Entity: map[string]string{"x": q}})
	}
	s := &Session{Name: "t", Difficulty: "hard", Bank: bank, Result: res, Findings: spotFindings(), Key: spotKey()}
	sig := s.Signals()
	var got []string
	for _, x := range sig {
		got = append(got, x.Query)
	}
	// Anomalies name signals 0..3 (topology left out), listed by family.
	if want := []string{"ingress_5xx", "container_memory", "node_not_ready", "pods_not_ready"}; !reflect.DeepEqual(got, want) {
		t.Errorf("signals %v, want %v", got, want)
	}
	if sig[1].Unit != "bytes" || !sig[1].Changed || sig[1].Title != "Container memory" {
		t.Errorf("signal fields: %+v", sig[1])
	}
	if c := s.Config(); c.Step != 30*time.Second || c.Par != 15*time.Minute {
		t.Errorf("config %+v", c)
	}
	s.Findings = nil
	if n := len(s.Signals()); n != 5 {
		t.Errorf("without findings: %d signals, want the 5 non-topology series", n)
	}
}
