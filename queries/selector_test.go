package queries

import (
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

func TestInjectSelector(t *testing.T) {
	tests := []struct {
		name, expr, sel, want string
	}{
		{"plain", `up`, `namespace="web"`, `up{namespace="web"}`},
		{"braces", `up`, `{namespace="web"}`, `up{namespace="web"}`},
		{"several matchers", `up{job="a"}`, `namespace="web",pod=~"api-.*"`, `up{job="a",namespace="web",pod=~"api-.*"}`},
		{"all-empty matcher", `up`, `pod=~".*"`, `up{pod=~".*"}`},
		{"negative matcher", `up`, `namespace!="kube-system"`, `up{namespace!="kube-system"}`},
		{"range selector", `rate(x_total[5m])`, `namespace="web"`, `rate(x_total{namespace="web"}[5m])`},
		{"binary op both sides", `a / on (pod) b`, `namespace="web"`, `a{namespace="web"} / on (pod) b{namespace="web"}`},
		{"offset kept", `x - x offset 1m`, `namespace="web"`, `x{namespace="web"} - x{namespace="web"} offset 1m`},
		{"subquery", `max_over_time(rate(x_total[1m])[30m:1m])`, `namespace="web"`, `max_over_time(rate(x_total{namespace="web"}[1m])[30m:1m])`},
		{"aggregation and unless", `sum by (node) (a) unless on (node) max by (node) (b offset 5m)`, `cluster="eu"`,
			`sum by (node) (a{cluster="eu"}) unless on (node) max by (node) (b{cluster="eu"} offset 5m)`},
		{"name matcher selector", `{__name__="up"}`, `namespace="web"`, `{__name__="up",namespace="web"}`},
		{"functions with strings untouched", `label_replace(up, "a", "$1", "b", "(.*)")`, `namespace="web"`,
			`label_replace(up{namespace="web"}, "a", "$1", "b", "(.*)")`},
		{"same matcher not doubled", `up{namespace="web"}`, `namespace="web"`, `up{namespace="web"}`},
		{"conflicting matcher is an AND", `up{namespace="a"}`, `namespace="b"`, `up{namespace="a",namespace="b"}`},
		{"number only", `1 + 1`, `namespace="web"`, `1 + 1`},
		{"empty selector is a no-op", `up  +  1`, ``, `up  +  1`},
		{"string pasting would break this", `x{a="}"}`, `namespace="web"`, `x{a="}",namespace="web"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InjectSelector(tt.expr, tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("InjectSelector(%q, %q) = %q, want %q", tt.expr, tt.sel, got, tt.want)
			}
			// The output parses again, and injecting twice changes nothing.
			again, err := InjectSelector(got, tt.sel)
			if err != nil || again != got && tt.sel != "" {
				t.Fatalf("second injection: %q, %v", again, err)
			}
		})
	}
}

func TestInjectSelectorErrors(t *testing.T) {
	tests := []struct{ name, expr, sel, want string }{
		{"unterminated", `up`, `namespace="web`, "bad selector"},
		{"no operator", `up`, `namespace`, "bad selector"},
		{"metric name", `up`, `__name__="x"`, "metric name"},
		{"metric name outside braces", `up`, `x{a="b"}`, "bad selector"},
		{"bad regex", `up`, `pod=~"("`, "bad selector"},
		{"bad expr", `sum(`, `a="b"`, "parse promql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := InjectSelector(tt.expr, tt.sel)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
		})
	}
}

func TestInjectSelectorDefaultBank(t *testing.T) {
	// Every default query still parses with a selector, and every selector
	// in it carries the matcher.
	w := checkWindow
	for _, q := range DefaultBank().Queries {
		got, err := Prepare(q, w, `cluster="eu-1"`)
		if err != nil {
			t.Fatalf("%s: %v", q.ID, err)
		}
		node, err := newParser().ParseExpr(got)
		if err != nil {
			t.Fatalf("%s: re-parse: %v", q.ID, err)
		}
		for _, sel := range parserSelectors(node) {
			found := false
			for _, m := range sel {
				if m.Name == "cluster" && m.Value == "eu-1" {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: a selector lacks the matcher: %v", q.ID, sel)
			}
		}
	}
}

func parserSelectors(node parser.Expr) [][]*labels.Matcher { return parser.ExtractSelectors(node) }
