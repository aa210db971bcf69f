package bundle

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/causeway-sre/causeway/queries"
)

// Label names whose values name things a bundle should not reveal, by the
// alias they get. A value gets one alias wherever it appears: in any label,
// in entities, in events (names and messages) and in the quoted strings of
// PromQL expressions.
var redactClasses = []struct {
	prefix string
	labels []string
}{
	{"node", []string{"node", "node_name", "kubernetes_node", "nodename", "provider_id"}},
	{"host", []string{"instance", "host", "hostname", "dimension_DBInstanceIdentifier", "dimension_LoadBalancer"}},
	{"app", []string{"deployment", "statefulset", "daemonset", "replicaset", "workload", "created_by_name",
		"owner_name", "destination_workload", "source_workload", "service", "exported_service", "job_name", "container"}},
	{"ingress", []string{"ingress", "exported_ingress"}},
	{"ns", []string{"namespace", "exported_namespace", "destination_workload_namespace", "source_workload_namespace"}},
}

// podLabels hold pod names: they keep their workload prefix's alias
// (web-7d9f8-abcde -> app-1-xxxxx-xxxxx).
var podLabels = []string{"pod", "exported_pod", "pod_name"}

// keep are values too common to hide, and that readers need.
var keep = map[string]bool{
	"default": true, "kube-system": true, "kube-public": true, "kube-node-lease": true,
}

// Redact returns a copy of b with namespaces, pods, nodes, instances, hosts
// and workload names replaced by aliases (ns-1, node-2, host-3:9100,
// app-4-xxxxx). The same name always gets the same alias; the salt decides
// the numbering and the pod suffixes, so bundles redacted with different
// salts cannot be matched to each other. b is not modified.
func Redact(b *Bundle, salt string) *Bundle {
	if b == nil {
		return nil
	}
	r := newRedactor(b, salt)
	out := &Bundle{
		Version:     b.Version,
		ToolVersion: b.ToolVersion,
		CreatedAt:   b.CreatedAt,
		Window:      b.Window,
		SourceName:  redactSource(b.SourceName),
		Warnings:    slices.Clone(b.Warnings),
	}
	for i, w := range out.Warnings {
		out.Warnings[i] = r.text(w)
	}
	if b.Bank != nil {
		out.Bank = &queries.Bank{Origin: b.Bank.Origin}
		for _, q := range b.Bank.Queries {
			q.PromQL = r.expr(q.PromQL)
			q.Entity = slices.Clone(q.Entity)
			q.Causes = slices.Clone(q.Causes)
			out.Bank.Queries = append(out.Bank.Queries, q)
		}
	}
	for _, q := range b.Queries {
		q.Expr = r.expr(q.Expr)
		q.Error = r.text(q.Error)
		ws := make([]string, len(q.Warnings))
		for i, w := range q.Warnings {
			ws[i] = r.text(w)
		}
		if q.Warnings == nil {
			ws = nil
		}
		q.Warnings = ws
		out.Queries = append(out.Queries, q)
	}
	for _, s := range b.Series {
		s.Labels = r.labels(s.Labels)
		s.Entity = r.labels(s.Entity)
		out.Series = append(out.Series, s) // values are shared: they hold no names
	}
	if b.Events != nil {
		out.Events = make([]queries.Event, 0, len(b.Events))
	}
	for _, e := range b.Events {
		e.Namespace = r.value(e.Namespace)
		e.Name = r.value(e.Name)
		e.Message = r.text(e.Message)
		e.Source = r.text(e.Source)
		e.Entity = r.labels(e.Entity)
		out.Events = append(out.Events, e)
	}
	if a := b.Answer; a != nil {
		out.Answer = &Answer{Query: a.Query, Family: a.Family, Entity: r.labels(a.Entity), Chain: slices.Clone(a.Chain)}
	}
	return out
}

func redactSource(s string) string {
	if s == "" {
		return ""
	}
	return strings.Fields(s)[0] + " (redacted)"
}

type redactor struct {
	salt    string
	aliases map[string]string
	// byPrefix indexes the names by their first two bytes for text search,
	// longest first.
	byPrefix map[string][]string
}

func newRedactor(b *Bundle, salt string) *redactor {
	r := &redactor{salt: salt, aliases: map[string]string{}, byPrefix: map[string][]string{}}
	class := map[string]string{}
	for _, c := range redactClasses {
		for _, l := range c.labels {
			class[l] = c.prefix
		}
	}
	for _, l := range podLabels {
		class[l] = "pod"
	}
	// Gather every sensitive value by class, in class priority order.
	found := map[string]map[string]bool{}
	add := func(key, v string) {
		c, ok := class[key]
		if !ok || keep[v] || len(v) < 2 {
			return
		}
		if found[c] == nil {
			found[c] = map[string]bool{}
		}
		found[c][v] = true
	}
	addAll := func(m map[string]string) {
		for k, v := range m {
			add(k, v)
		}
	}
	for _, s := range b.Series {
		addAll(s.Labels)
		addAll(s.Entity)
	}
	for _, e := range b.Events {
		addAll(e.Entity)
		add("namespace", e.Namespace)
		switch e.Kind {
		case "Pod":
			add("pod", e.Name)
		case "Node":
			add("node", e.Name)
		case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Service":
			add("workload", e.Name)
		case "Ingress":
			add("ingress", e.Name)
		}
	}
	if b.Answer != nil {
		addAll(b.Answer.Entity)
	}
	// Hosts with ports: the host part gets the alias, the port stays.
	for v := range found["host"] {
		if h, _, ok := splitPort(v); ok {
			found["host"][h] = true
			delete(found["host"], v)
			found["hostport"] = setAdd(found["hostport"], v)
		}
	}
	// Pods: their workload prefix is a workload name.
	for v := range found["pod"] {
		if p, _ := podParts(v); p != "" && p != v {
			found["app"] = setAdd(found["app"], p)
		}
	}
	for _, c := range []string{"node", "host", "app", "ingress", "ns"} {
		for i, v := range r.ordered(found[c]) {
			if _, done := r.aliases[v]; !done {
				r.aliases[v] = fmt.Sprintf("%s-%d", c, i+1)
			}
		}
	}
	for _, v := range r.ordered(found["pod"]) {
		if _, done := r.aliases[v]; done {
			continue
		}
		prefix, suffix := podParts(v)
		alias, ok := r.aliases[prefix]
		if !ok {
			alias = "pod-" + r.hash(prefix, 5)
		}
		if suffix != "" {
			alias += "-" + r.suffix(v, suffix)
		}
		r.aliases[v] = alias
	}
	for v := range found["hostport"] {
		h, port, _ := splitPort(v)
		r.aliases[v] = r.aliases[h] + ":" + port
	}
	for v := range r.aliases {
		if len(v) >= 2 {
			r.byPrefix[v[:2]] = append(r.byPrefix[v[:2]], v)
		}
	}
	for _, vs := range r.byPrefix {
		slices.SortFunc(vs, func(a, b string) int {
			if len(a) != len(b) {
				return len(b) - len(a)
			}
			return strings.Compare(a, b)
		})
	}
	return r
}

func setAdd(m map[string]bool, v string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[v] = true
	return m
}

// ordered sorts names by their salted hash, so aliases are numbered in an
// order that says nothing about the names.
func (r *redactor) ordered(set map[string]bool) []string {
	vs := slices.Collect(maps.Keys(set))
	slices.SortFunc(vs, func(a, b string) int {
		if c := strings.Compare(r.hash(a, 16), r.hash(b, 16)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return vs
}

// alphabet is Kubernetes' alphabet for generated name suffixes.
const alphabet = "bcdfghjklmnpqrstvwxz2456789"

func (r *redactor) hash(v string, n int) string {
	m := hmac.New(sha256.New, []byte(r.salt))
	m.Write([]byte(v))
	sum := m.Sum(nil)
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[int(sum[i%len(sum)])%len(alphabet)]
	}
	return string(out)
}

// suffix replaces each generated segment of a pod suffix with a salted
// one of the same length; ordinals (digits only) stay.
func (r *redactor) suffix(pod, suffix string) string {
	segs := strings.Split(suffix, "-")
	for i, s := range segs {
		if isDigits(s) {
			continue
		}
		segs[i] = r.hash(fmt.Sprintf("%s/%d", pod, i), len(s))
	}
	return strings.Join(segs, "-")
}

// podParts splits a pod name into its workload prefix and generated suffix:
// web-7d9f8b6c4-x2x9z (Deployment), mysql-0 (StatefulSet), agent-x2x9z
// (DaemonSet, Job). A name without a recognisable suffix is all prefix.
func podParts(pod string) (prefix, suffix string) {
	segs := strings.Split(pod, "-")
	n := len(segs)
	if n < 2 {
		return pod, ""
	}
	last := segs[n-1]
	switch {
	case isDigits(last):
		return strings.Join(segs[:n-1], "-"), last
	case len(last) == 5 && isAlnum(last):
		if n >= 3 && len(segs[n-2]) >= 6 && len(segs[n-2]) <= 10 && isAlnum(segs[n-2]) && hasDigit(segs[n-2]) {
			return strings.Join(segs[:n-2], "-"), segs[n-2] + "-" + last
		}
		return strings.Join(segs[:n-1], "-"), last
	}
	return pod, ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// splitPort splits "host:port" where port is numeric.
func splitPort(v string) (host, port string, ok bool) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 || !isDigits(v[i+1:]) || strings.Contains(v[:i], ":") {
		return "", "", false
	}
	return v[:i], v[i+1:], true
}

// value redacts a whole value: its alias, or the value with the names in
// it redacted.
func (r *redactor) value(v string) string {
	if a, ok := r.aliases[v]; ok {
		return a
	}
	return r.text(v)
}

func (r *redactor) labels(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if a, ok := r.aliases[v]; ok && k != "__name__" {
			v = a
		}
		out[k] = v
	}
	return out
}

func wordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// text replaces every known name that stands as a word of s (not inside a
// longer identifier) with its alias.
func (r *redactor) text(s string) string {
	if len(r.byPrefix) == 0 || len(s) < 2 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i+1 < len(s); {
		if i > 0 && wordByte(s[i-1]) {
			i++
			continue
		}
		matched := ""
		for _, v := range r.byPrefix[s[i:i+2]] {
			end := i + len(v)
			if end <= len(s) && s[i:end] == v && (end == len(s) || !wordByte(s[end])) {
				matched = v
				break
			}
		}
		if matched == "" {
			i++
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r.aliases[matched])
		i += len(matched)
		last = i
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// expr redacts the names in the string literals of a PromQL expression
// (label matcher values), leaving metric and label names alone.
func (r *redactor) expr(e string) string {
	var b strings.Builder
	for i := 0; i < len(e); {
		q := e[i]
		if q != '"' && q != '\'' && q != '`' {
			b.WriteByte(q)
			i++
			continue
		}
		j := i + 1
		for j < len(e) && e[j] != q {
			if e[j] == '\\' && q != '`' {
				j++
			}
			j++
		}
		end := min(j, len(e))
		b.WriteByte(q)
		b.WriteString(r.text(e[i+1 : end]))
		if j < len(e) {
			b.WriteByte(q)
		}
		i = j + 1
	}
	return b.String()
}
