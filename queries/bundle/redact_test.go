package bundle

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/causeway-sre/causeway/queries"
)

func TestRedact(t *testing.T) {
	b := New(liveRun(t), testBank(), "v1", t0)
	b.Answer = &Answer{Query: "db_up", Family: "database", Entity: map[string]string{"instance": "mysql-0.db:9104"}}
	before := encode(t, b)
	r := Redact(b, "salt-1")
	if !bytes.Equal(before, encode(t, b)) {
		t.Fatal("Redact modified its input")
	}
	out := string(encode(t, r))
	all := r.Bank.Queries[0].PromQL + r.Bank.Queries[1].PromQL
	for _, q := range r.Queries {
		all += q.Expr
	}
	for _, s := range r.Series {
		for k, v := range s.Labels {
			all += k + "=" + v + " "
		}
		for k, v := range s.Entity {
			all += k + "=" + v + " "
		}
	}
	for _, e := range r.Events {
		all += e.Namespace + " " + e.Name + " " + e.Message + " " + e.Source + " "
		for _, v := range e.Entity {
			all += v + " "
		}
	}
	for _, secret := range []string{"mysql-0", "web-7d9f8b6c4", "x2x9z", "api-5c6d", "ip-10-0-1", "shop-front", "prom.example", `"shop`, "=shop", "=web ", "pw"} {
		if strings.Contains(all, secret) {
			t.Errorf("redacted bundle still holds %q:\n%s", secret, all)
		}
	}
	_ = out
	// Consistency: one name, one alias, everywhere.
	alias := func(m map[string]string, k string) string { return m[k] }
	var podAlias, nsAlias string
	for _, s := range r.Series {
		if s.Query == "pod_memory" {
			if s.Labels["pod"] != s.Entity["pod"] || s.Labels["namespace"] != s.Entity["namespace"] {
				t.Errorf("labels and entity disagree: %v %v", s.Labels, s.Entity)
			}
			if podAlias == "" {
				podAlias, nsAlias = alias(s.Labels, "pod"), alias(s.Labels, "namespace")
			}
			if !regexp.MustCompile(`^app-\d+-[a-z0-9]{9}-[a-z0-9]{5}$`).MatchString(s.Labels["pod"]) {
				t.Errorf("pod alias %q does not keep the pod name's shape", s.Labels["pod"])
			}
			if !regexp.MustCompile(`^node-\d+$`).MatchString(s.Labels["node"]) {
				t.Errorf("node alias %q", s.Labels["node"])
			}
		}
		if s.Query == "db_up" {
			if !regexp.MustCompile(`^host-\d+:9104$`).MatchString(s.Labels["instance"]) {
				t.Errorf("instance alias %q should keep its port", s.Labels["instance"])
			}
			if r.Answer.Entity["instance"] != s.Labels["instance"] {
				t.Errorf("answer entity %v does not match the series' alias %q", r.Answer.Entity, s.Labels["instance"])
			}
		}
	}
	ev := r.Events[0]
	if ev.Name != podAlias || ev.Entity["pod"] != podAlias || ev.Namespace != nsAlias || !strings.Contains(ev.Message, "pod "+podAlias+" on node-") {
		t.Errorf("event not redacted consistently with the series (pod %s, ns %s): %+v", podAlias, nsAlias, ev)
	}
	// Two pods of one workload share the workload alias.
	var prefixes []string
	for _, s := range r.Series {
		if s.Query == "pod_memory" {
			p := s.Labels["pod"]
			prefixes = append(prefixes, p[:strings.IndexByte(p[4:], '-')+4])
		}
	}
	if len(prefixes) == 2 && prefixes[0] != prefixes[1] {
		t.Errorf("pods of one deployment got different workload aliases: %v", prefixes)
	}
	// The same salt gives the same aliases; another salt others.
	if !bytes.Equal(encode(t, Redact(b, "salt-1")), encode(t, r)) {
		t.Error("redaction is not deterministic")
	}
	if bytes.Equal(encode(t, Redact(b, "salt-2")), encode(t, r)) {
		t.Error("the salt changes nothing")
	}
	// A redacted bundle still replays.
	res := queries.Run(context.Background(), r.Source(), r.Bank, r.Window, queries.RunOptions{MaxSeries: 2})
	if res.Queries[0].Err != nil || res.Queries[0].Series != 1 {
		t.Errorf("redacted replay: %+v", res.Queries[0])
	}
	if r.SourceName != "prometheus (redacted)" {
		t.Errorf("source = %q", r.SourceName)
	}
}

func TestPodParts(t *testing.T) {
	for pod, want := range map[string][2]string{
		"web-7d9f8b6c4-x2x9z": {"web", "7d9f8b6c4-x2x9z"},
		"mysql-0":             {"mysql", "0"},
		"node-exporter-x2x9z": {"node-exporter", "x2x9z"},
		"standalone":          {"standalone", ""},
		"my-app":              {"my-app", ""},
	} {
		if p, s := podParts(pod); p != want[0] || s != want[1] {
			t.Errorf("podParts(%q) = %q, %q; want %q", pod, p, s, want)
		}
	}
}

func TestRedactText(t *testing.T) {
	r := &redactor{aliases: map[string]string{"web": "app-1", "web-1": "app-1-0", "10.0.0.1": "host-1"}, byPrefix: map[string][]string{}}
	for v := range r.aliases {
		r.byPrefix[v[:2]] = append(r.byPrefix[v[:2]], v)
	}
	r.byPrefix["we"] = []string{"web-1", "web"}
	for in, want := range map[string]string{
		"pod web-1 of web on 10.0.0.1:80": "pod app-1-0 of app-1 on host-1:80",
		"webhook web_requests 10.0.0.12":  "webhook web_requests 10.0.0.12",
		`x{pod="web-1",ns=~"web|api"}`:    `x{pod="app-1-0",ns=~"app-1|api"}`,
	} {
		got := r.expr(in)
		if strings.HasPrefix(in, "pod") || strings.HasPrefix(in, "webhook") {
			got = r.text(in)
		}
		if got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
	if got := r.expr(`web_total{a="web"} / web`); got != `web_total{a="app-1"} / web` {
		t.Errorf("expr outside strings was touched: %q", got)
	}
}
