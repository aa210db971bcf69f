package queries

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestLoadBankErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each must appear, in order, one per error line
	}{
		{"unknown field", `queries:
  - id: a
    family: pods
    promqll: up
    promql: up
`, []string{"b.yaml:4: query a: unknown field \"promqll\""}},
		{"missing id", `queries:
  - family: pods
    promql: up
`, []string{"b.yaml:2: query #1: missing id"}},
		{"missing family and promql", `queries:
  - id: a
    kind: gauge
`, []string{"b.yaml:2: query a: missing family", "b.yaml:2: query a: missing promql"}},
		{"bad id", `queries:
  - id: Bad-ID
    family: pods
    promql: up
`, []string{`b.yaml:2: query "Bad-ID": bad id "Bad-ID"`}},
		{"duplicate id", `queries:
  - id: a
    family: pods
    promql: up
  - id: a
    family: pods
    promql: up
`, []string{"b.yaml:5: query a: duplicate id (first defined at line 2)"}},
		{"bad kind", `queries:
  - id: a
    family: pods
    kind: counter
    promql: up
`, []string{`b.yaml:4: query a: kind "counter": want gauge, events or state`}},
		{"bad role", `queries:
  - id: a
    family: pods
    role: join
    promql: up
`, []string{`b.yaml:4: query a: role "join"`}},
		{"promql does not parse, line inside the block", `queries:
  - id: a
    family: pods
    promql: |
      sum by (pod) (
        rate(x[$__rate_interval]
      )
`, []string{"b.yaml:7: query a: promql does not parse"}},
		{"promql single line", `queries:
  - id: a
    family: pods
    promql: "sum(up"
`, []string{"b.yaml:4: query a: promql does not parse"}},
		{"unknown placeholder", `queries:
  - id: a
    family: pods
    promql: rate(x[$__rangee])
`, []string{"b.yaml:4: query a: unknown placeholder $__rangee"}},
		{"range vector result", `queries:
  - id: a
    family: pods
    promql: x[5m]
`, []string{"b.yaml:4: query a: promql gives a range vector"}},
		{"bad entity", `queries:
  - id: a
    family: pods
    entity: [pod, "not-a-label"]
    promql: up
`, []string{`b.yaml:4: query a: entity "not-a-label" is not a label name`}},
		{"entity not a list of strings", `queries:
  - id: a
    family: pods
    entity: [{a: b}]
    promql: up
`, []string{"b.yaml:4: query a: entity must be a list of strings"}},
		{"field twice", `queries:
  - id: a
    family: pods
    family: nodes
    promql: up
`, []string{`b.yaml:4: query a: field "family" given twice`}},
		{"id not a string", `queries:
  - id: [a]
    family: pods
    promql: up
`, []string{"b.yaml:2: query #1: id must be a string"}},
		{"query not a mapping", `queries:
  - up
`, []string{"b.yaml:2: query #1: each query must be a mapping"}},
		{"unknown top-level", `querys: []
`, []string{`b.yaml:1: unknown field "querys"`}},
		{"no queries", `queries: []
`, []string{"b.yaml:1: no queries"}},
		{"empty file", ``, []string{"b.yaml: empty bank"}},
		{"not a mapping", `- a
`, []string{"b.yaml:1: the bank must be a mapping"}},
		{"invalid yaml", "queries:\n  - id: a\n   family: x\n", []string{"b.yaml:1: invalid YAML: did not find expected '-' indicator"}},
		{"tab indentation", "queries:\n\t- id: a\n", []string{"b.yaml:2: invalid YAML"}},
		{"several errors reported together", `queries:
  - id: a
    family: pods
    promql: up
  - id: b
    family: pods
    kind: nope
    promql: up
  - id: c
    promql: up
`, []string{`b.yaml:7: query b: kind "nope"`, "b.yaml:9: query c: missing family"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := LoadBank("b.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error; bank %+v", b)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d error lines, want %d:\n%s", len(lines), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("error line %d = %q, want prefix %q", i, lines[i], w)
				}
			}
			var be *BankError
			if !errors.As(err, &be) || be.File != "b.yaml" {
				t.Errorf("error is not a *BankError: %T", err)
			}
		})
	}
}

func TestLoadBankOK(t *testing.T) {
	b, err := LoadBank("mine.yaml", []byte(`
# a comment
queries:
  - id: db_restarts
    title: Database restarts
    family: database
    kind: events
    unit: count
    entity: [namespace, instance]
    causes: [connections, memory]
    promql: |
      (x - x offset $__step) > 0
  - &base
    id: plain
    family: custom
    promql: up == 0
    entity: job
`))
	if err != nil {
		t.Fatal(err)
	}
	if b.Origin != "mine.yaml" || len(b.Queries) != 2 {
		t.Fatalf("bank %+v", b)
	}
	q := b.Queries[0]
	if q.ID != "db_restarts" || q.Kind != Events || q.Line != 4 || q.Unit != "count" ||
		strings.Join(q.Entity, ",") != "namespace,instance" || strings.Join(q.Causes, ",") != "connections,memory" {
		t.Fatalf("query %+v", q)
	}
	if p := b.Queries[1]; p.Kind != Gauge || p.Family != "custom" || strings.Join(p.Entity, ",") != "job" {
		t.Fatalf("defaults: %+v", p)
	}
}

func TestDefaultBank(t *testing.T) {
	b, err := LoadBank("bank.yaml", defaultBankYAML)
	if err != nil {
		t.Fatalf("embedded bank.yaml: %v", err)
	}
	d := DefaultBank()
	if d.Origin != "default" || len(d.Queries) != len(b.Queries) {
		t.Fatalf("DefaultBank: origin %q, %d queries", d.Origin, len(d.Queries))
	}
	d.Queries[0].Entity[0] = "changed"
	if DefaultBank().Queries[0].Entity[0] == "changed" {
		t.Fatal("DefaultBank shares its slices between callers")
	}

	families := map[string]bool{}
	known := map[string]bool{"pods": true, "nodes": true, "oom": true, "memory": true, "database": true, "connections": true, "edge": true}
	perStep := regexp.MustCompile(`\[\$__(step|interval)\]`)
	topology := 0
	for _, q := range b.Queries {
		if !known[q.Family] {
			t.Errorf("%s: family %q is not one of the seven", q.ID, q.Family)
		}
		if q.Title == "" {
			t.Errorf("%s: no title", q.ID)
		}
		for _, c := range q.Causes {
			if !known[c] {
				t.Errorf("%s: causes %q is not a family", q.ID, c)
			}
		}
		if q.Role == RoleTopology {
			topology++
			continue
		}
		families[q.Family] = true
		// A range of one step is empty when the step is not above the
		// scrape interval.
		if perStep.MatchString(q.PromQL) {
			t.Errorf("%s: uses a [$__step] range; use the offset pattern", q.ID)
		}
		if q.Kind == Events && !strings.Contains(q.PromQL, "offset $__step") {
			t.Errorf("%s: events query without the per-step offset pattern", q.ID)
		}
		if strings.Contains(q.PromQL, "container_memory") && !strings.Contains(q.PromQL, `container!="",image!=""`) {
			t.Errorf("%s: cAdvisor memory without container!=\"\",image!=\"\"", q.ID)
		}
	}
	for f := range known {
		if !families[f] {
			t.Errorf("no signal query for family %s", f)
		}
	}
	if topology < 3 {
		t.Errorf("%d topology queries, want pod->node, pod->workload, node->capacity", topology)
	}
}

func TestMarshalBankRoundTrip(t *testing.T) {
	b := DefaultBank()
	out, err := MarshalBank(b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "# causeway query bank (default)") {
		t.Fatalf("no header: %.80s", out)
	}
	back, err := LoadBank("printed.yaml", out)
	if err != nil {
		t.Fatalf("printed bank does not load: %v", err)
	}
	if len(back.Queries) != len(b.Queries) {
		t.Fatalf("%d queries, want %d", len(back.Queries), len(b.Queries))
	}
	for i, q := range back.Queries {
		want := b.Queries[i]
		if q.ID != want.ID || q.Family != want.Family || q.Kind != want.Kind || q.Role != want.Role ||
			strings.TrimSpace(q.PromQL) != strings.TrimSpace(want.PromQL) ||
			strings.Join(q.Entity, ",") != strings.Join(want.Entity, ",") ||
			strings.Join(q.Causes, ",") != strings.Join(want.Causes, ",") {
			t.Errorf("query %d changed:\n got %+v\nwant %+v", i, q, want)
		}
	}
}

func FuzzLoadBank(f *testing.F) {
	// A few default queries, not the whole bank: minimising a 27 kB input
	// takes the fuzzer minutes.
	small, err := MarshalBank(&Bank{Queries: DefaultBank().Queries[2:5]})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	f.Add([]byte("queries:\n  - id: a\n    family: pods\n    promql: up\n"))
	f.Add([]byte("queries:\n  - &a {id: a, family: f, promql: up}\n  - *a\n"))
	f.Add([]byte("queries: [{id: a, family: f, promql: 'rate(x[$__rate_interval])', entity: [a], causes: b}]"))
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("queries:\n  - id: a\n    promql: |\n      sum(\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := LoadBank("fuzz.yaml", data)
		if err != nil {
			if b != nil {
				t.Fatal("bank and error both returned")
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.yaml") {
					t.Fatalf("error line without the file name: %q", line)
				}
			}
			return
		}
		if len(b.Queries) == 0 {
			t.Fatal("a bank without queries loaded")
		}
		for _, q := range b.Queries {
			if _, err := Prepare(q, checkWindow, ""); err != nil {
				t.Fatalf("%s loaded but does not prepare: %v", q.ID, err)
			}
		}
	})
}
