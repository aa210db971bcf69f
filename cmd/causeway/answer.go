package main

import (
	"strings"

	"github.com/causeway-sre/causeway/queries/bundle"
)

// parseAnswer reads --answer: families root first, separated by commas or
// '>', e.g. "database,connections,memory,oom" or "nodes>pods>edge".
func parseAnswer(s string) (*bundle.Answer, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '>' })
	var chain []string
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		for _, r := range f {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
				return nil, usagef("--answer: %q is not a family name ([a-z0-9_]+)", f)
			}
		}
		chain = append(chain, f)
	}
	if len(chain) == 0 {
		return nil, usagef("--answer: name at least the root cause's family")
	}
	return &bundle.Answer{Family: chain[0], Chain: chain}, nil
}
