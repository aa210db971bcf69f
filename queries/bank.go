package queries

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"gopkg.in/yaml.v3"
)

//go:embed bank.yaml
var defaultBankYAML []byte

var defaultBank = sync.OnceValues(func() (*Bank, error) {
	b, err := LoadBank("bank.yaml", defaultBankYAML)
	if err != nil {
		return nil, err
	}
	b.Origin = "default"
	return b, nil
})

// DefaultBank returns a copy of the embedded default bank. The embedded file
// is parsed once and validated by the package's tests.
func DefaultBank() *Bank {
	b, err := defaultBank()
	if err != nil {
		panic("queries: the embedded bank.yaml is invalid: " + err.Error())
	}
	return b.Clone()
}

// DefaultBankSource returns the embedded default bank file as written, with
// its comments.
func DefaultBankSource() []byte { return bytes.Clone(defaultBankYAML) }

// Clone returns a deep copy of b.
func (b *Bank) Clone() *Bank {
	if b == nil {
		return nil
	}
	c := &Bank{Origin: b.Origin, Queries: make([]Query, len(b.Queries))}
	for i, q := range b.Queries {
		q.Entity = slices.Clone(q.Entity)
		q.Causes = slices.Clone(q.Causes)
		c.Queries[i] = q
	}
	return c
}

// Query returns the query with that id.
func (b *Bank) Query(id string) (Query, bool) {
	if b != nil {
		for _, q := range b.Queries {
			if q.ID == id {
				return q, true
			}
		}
	}
	return Query{}, false
}

// BankError is one problem of a bank file, located by file, line and query.
type BankError struct {
	File  string
	Line  int    // 0 when unknown
	Query string // the query id, "query #N" without one, "" for file-level problems
	Msg   string
}

func (e *BankError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Query != "" {
		b.WriteString("query " + e.Query + ": ")
	}
	b.WriteString(e.Msg)
	// One line per problem, whatever the file holds.
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(b.String())
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9_]+$`)
	yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	knownFields   = []string{"id", "title", "family", "kind", "unit", "entity", "promql", "causes", "role"}
)

// maxBankErrors bounds how many problems one load reports.
const maxBankErrors = 50

// checkWindow is the window placeholders are expanded with when a bank is
// validated.
var checkWindow = Window{
	From:     time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC),
	To:       time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC),
	Step:     30 * time.Second,
	Baseline: time.Hour,
}

// LoadBank parses and validates a bank file; name is used in errors. Every
// problem is reported as "FILE:LINE: query ID: message"; several problems are
// joined, one per line.
func LoadBank(name string, data []byte) (*Bank, error) {
	l := &bankLoader{file: name}
	b := l.load(data)
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	b.Origin = name
	return b, nil
}

type bankLoader struct {
	file string
	errs []error
}

func (l *bankLoader) fail(line int, query, format string, args ...any) {
	if len(l.errs) == maxBankErrors {
		l.errs = append(l.errs, &BankError{File: l.file, Msg: "too many errors, stopping"})
	}
	if len(l.errs) > maxBankErrors {
		return
	}
	l.errs = append(l.errs, &BankError{File: l.file, Line: line, Query: query, Msg: fmt.Sprintf(format, args...)})
}

func (l *bankLoader) load(data []byte) *Bank {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.fail(0, "", "empty bank: want a mapping with a queries: list")
			return nil
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLineError.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		l.fail(line, "", "invalid YAML: %s", msg)
		return nil
	}
	root := resolve(&doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = resolve(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		l.fail(root.Line, "", "the bank must be a mapping with a queries: list")
		return nil
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], resolve(root.Content[i+1])
		switch {
		case k.Value != "queries":
			l.fail(k.Line, "", "unknown field %q (want queries)", k.Value)
		case list != nil:
			l.fail(k.Line, "", "queries given twice")
		default:
			list = v
		}
	}
	if list == nil || (list.Kind == yaml.ScalarNode && list.Tag == "!!null") {
		if len(l.errs) == 0 {
			l.fail(root.Line, "", "no queries")
		}
		return nil
	}
	if list.Kind != yaml.SequenceNode {
		l.fail(list.Line, "", "queries must be a list")
		return nil
	}
	b := &Bank{}
	firstLine := map[string]int{}
	for i, item := range list.Content {
		q, ok := l.query(i+1, resolve(item))
		if !ok {
			continue
		}
		if first, dup := firstLine[q.ID]; dup {
			l.fail(q.Line, q.ID, "duplicate id (first defined at line %d)", first)
			continue
		}
		firstLine[q.ID] = q.Line
		b.Queries = append(b.Queries, q)
	}
	if len(list.Content) == 0 {
		l.fail(list.Line, "", "no queries")
	}
	return b
}

// query reads and validates one entry; ok is false when it had errors.
func (l *bankLoader) query(n int, node *yaml.Node) (Query, bool) {
	before := len(l.errs)
	q := Query{Line: node.Line}
	ref := "#" + strconv.Itoa(n)
	if node.Kind != yaml.MappingNode {
		l.fail(node.Line, ref, "each query must be a mapping (id:, family:, promql:, ...)")
		return q, false
	}
	// The id first, so that every later message can name the query.
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == "id" {
			if v := resolve(node.Content[i+1]); v.Kind == yaml.ScalarNode && v.Value != "" {
				ref = v.Value
				if !idPattern.MatchString(ref) {
					ref = strconv.Quote(ref)
				}
			}
		}
	}
	seen := map[string]bool{}
	idGiven, idBad := false, false
	var promqlNode *yaml.Node
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], resolve(node.Content[i+1])
		if seen[k.Value] {
			l.fail(k.Line, ref, "field %q given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "id":
			q.ID = l.str(ref, k.Value, v)
			idGiven, idBad = true, v.Kind != yaml.ScalarNode
		case "title":
			q.Title = l.str(ref, k.Value, v)
		case "family":
			q.Family = l.str(ref, k.Value, v)
		case "kind":
			q.Kind = Kind(l.str(ref, k.Value, v))
		case "unit":
			q.Unit = l.str(ref, k.Value, v)
		case "role":
			q.Role = l.str(ref, k.Value, v)
		case "promql":
			q.PromQL = l.str(ref, k.Value, v)
			promqlNode = v
		case "entity":
			q.Entity = l.list(ref, k.Value, v)
		case "causes":
			q.Causes = l.list(ref, k.Value, v)
		default:
			l.fail(k.Line, ref, "unknown field %q (known: %s)", k.Value, strings.Join(knownFields, ", "))
		}
	}

	switch {
	case idBad: // reported by str
	case !idGiven:
		l.fail(node.Line, ref, "missing id")
	case q.ID == "":
		l.fail(lineOf(node, "id"), ref, "empty id")
	case !idPattern.MatchString(q.ID):
		l.fail(lineOf(node, "id"), ref, "bad id %q: use lower-case letters, digits and _ ([a-z0-9_]+)", q.ID)
	}
	if strings.TrimSpace(q.Family) == "" {
		l.fail(node.Line, ref, "missing family")
	}
	switch q.Kind {
	case "":
		q.Kind = Gauge
	case Gauge, Events, State:
	default:
		l.fail(lineOf(node, "kind"), ref, "kind %q: want gauge, events or state", q.Kind)
	}
	switch q.Role {
	case RoleSignal, RoleTopology:
	default:
		l.fail(lineOf(node, "role"), ref, "role %q: want topology or nothing", q.Role)
	}
	for _, e := range q.Entity {
		if !model.LabelName(e).IsValidLegacy() {
			l.fail(lineOf(node, "entity"), ref, "entity %q is not a label name", e)
		}
	}
	for _, c := range q.Causes {
		if strings.TrimSpace(c) == "" {
			l.fail(lineOf(node, "causes"), ref, "causes has an empty entry")
		}
	}
	if strings.TrimSpace(q.PromQL) == "" {
		if promqlNode == nil {
			l.fail(node.Line, ref, "missing promql")
		} else {
			l.fail(promqlNode.Line, ref, "empty promql")
		}
	} else {
		l.checkPromQL(ref, q.PromQL, promqlNode)
	}
	return q, len(l.errs) == before
}

// checkPromQL parses the query after placeholder expansion and checks that a
// range query can evaluate it.
func (l *bankLoader) checkPromQL(ref, promql string, node *yaml.Node) {
	if u := unknownPlaceholders(promql); len(u) > 0 {
		l.fail(node.Line, ref, "unknown placeholder %s (known: $__range, $__range_s, $__step, $__step_s, $__interval, $__rate_interval)", u[0])
		return
	}
	expanded := Expand(promql, checkWindow)
	expr, err := newParser().ParseExpr(expanded)
	if err != nil {
		line := node.Line
		var perrs parser.ParseErrors
		if errors.As(err, &perrs) && len(perrs) > 0 {
			// Placeholders hold no newlines, so lines of the expansion are
			// lines of the file; block scalars start on the next line.
			body := strings.TrimRight(expanded, " \t\n")
			start := min(max(int(perrs[0].PositionRange.Start), 0), len(body))
			if node.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				line += 1 + strings.Count(expanded[:start], "\n")
			}
		}
		l.fail(line, ref, "promql does not parse: %s", oneLine(err))
		return
	}
	if t := expr.Type(); t != parser.ValueTypeVector && t != parser.ValueTypeScalar {
		l.fail(node.Line, ref, "promql gives a range vector (%s); a range query needs an instant vector or a scalar", t)
	}
}

// str decodes a scalar field.
func (l *bankLoader) str(ref, field string, v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		l.fail(v.Line, ref, "%s must be a string", field)
		return ""
	}
	if v.Tag == "!!null" {
		return ""
	}
	return v.Value
}

// list decodes a list of strings (a single string is taken as a list of one).
func (l *bankLoader) list(ref, field string, v *yaml.Node) []string {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			return nil
		}
		return []string{v.Value}
	case yaml.SequenceNode:
		out := make([]string, 0, len(v.Content))
		for _, e := range v.Content {
			e = resolve(e)
			if e.Kind != yaml.ScalarNode {
				l.fail(e.Line, ref, "%s must be a list of strings", field)
				return nil
			}
			out = append(out, e.Value)
		}
		return out
	}
	l.fail(v.Line, ref, "%s must be a list of strings", field)
	return nil
}

// resolve follows an alias to its anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// lineOf returns the line of a field's value in a query mapping.
func lineOf(node *yaml.Node, field string) int {
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == field {
			return node.Content[i+1].Line
		}
	}
	return node.Line
}

// MarshalBank writes b in the bank file format, readable by LoadBank.
func MarshalBank(b *Bank) ([]byte, error) {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	if b != nil {
		for _, q := range b.Queries {
			seq.Content = append(seq.Content, queryNode(q))
		}
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("queries"), seq}}
	if b != nil && b.Origin != "" {
		root.HeadComment = fmt.Sprintf("causeway query bank (%s), %d queries", b.Origin, len(b.Queries))
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, fmt.Errorf("encode bank: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode bank: %w", err)
	}
	return buf.Bytes(), nil
}

func queryNode(q Query) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) { m.Content = append(m.Content, scalar(k), v) }
	add("id", scalar(q.ID))
	if q.Title != "" {
		add("title", scalar(q.Title))
	}
	add("family", scalar(q.Family))
	add("kind", scalar(string(q.Kind)))
	if q.Role != "" {
		add("role", scalar(q.Role))
	}
	if q.Unit != "" {
		add("unit", scalar(q.Unit))
	}
	if len(q.Entity) > 0 {
		add("entity", flowList(q.Entity))
	}
	if len(q.Causes) > 0 {
		add("causes", flowList(q.Causes))
	}
	p := scalar(strings.TrimRight(q.PromQL, " \t\n") + "\n")
	p.Style = yaml.LiteralStyle
	add("promql", p)
	return m
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func flowList(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range items {
		n.Content = append(n.Content, scalar(s))
	}
	return n
}
