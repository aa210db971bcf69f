package queries

import (
	"errors"
	"fmt"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// newParser returns the PromQL parser with the default (stable) options.
func newParser() parser.Parser { return parser.NewParser(parser.Options{}) }

// ParseSelector reads label matchers such as `namespace="web",pod=~"api-.*"`,
// with or without surrounding braces. Matching on the metric name is refused.
func ParseSelector(selector string) ([]*labels.Matcher, error) {
	s := strings.TrimSpace(selector)
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if s == "" {
		return nil, nil
	}
	// A fixed metric name lets matchers that all match the empty string
	// (pod=~".*") through the parser's "at least one non-empty matcher" rule;
	// it is dropped again below.
	const anchor = "causeway_selector_anchor"
	ms, err := newParser().ParseMetricSelector(anchor + "{" + s + "}")
	if err != nil {
		return nil, fmt.Errorf("bad selector %q: %s", selector, oneLine(err))
	}
	out := make([]*labels.Matcher, 0, len(ms))
	for _, m := range ms {
		if m.Name == labels.MetricName {
			if m.Type == labels.MatchEqual && m.Value == anchor {
				continue
			}
			return nil, fmt.Errorf("bad selector %q: matching on the metric name (__name__) is not allowed", selector)
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bad selector %q: no label matchers", selector)
	}
	return out, nil
}

// InjectSelector adds the matchers of selector to every vector selector of
// expr, including the ones inside range selectors, subqueries and both sides
// of binary operations, and returns the re-printed query. An empty selector
// returns expr unchanged.
func InjectSelector(expr, selector string) (string, error) {
	if strings.TrimSpace(selector) == "" {
		return expr, nil
	}
	ms, err := ParseSelector(selector)
	if err != nil {
		return "", err
	}
	node, err := newParser().ParseExpr(expr)
	if err != nil {
		return "", fmt.Errorf("parse promql: %s", oneLine(err))
	}
	addMatchers(node, ms)
	return node.String(), nil
}

// addMatchers appends ms to every VectorSelector under node. A MatrixSelector
// holds its VectorSelector as a child, so it is reached the same way.
func addMatchers(node parser.Node, ms []*labels.Matcher) {
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		for _, m := range ms {
			if !hasMatcher(vs.LabelMatchers, m) {
				vs.LabelMatchers = append(vs.LabelMatchers, m)
			}
		}
		return nil
	})
}

func hasMatcher(ms []*labels.Matcher, m *labels.Matcher) bool {
	for _, x := range ms {
		if x.Name == m.Name && x.Type == m.Type && x.Value == m.Value {
			return true
		}
	}
	return false
}

// oneLine flattens a (possibly multi-error) parser error into one line.
func oneLine(err error) string {
	var perrs parser.ParseErrors
	if errors.As(err, &perrs) && len(perrs) > 0 {
		parts := make([]string, 0, len(perrs))
		for _, e := range perrs {
			parts = append(parts, e.Err.Error())
		}
		return strings.Join(parts, "; ")
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
