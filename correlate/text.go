package correlate

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

const maxTimeline = 400

// name renders a signal as query{k=v,...} from its entity labels.
func name(query string, entity map[string]string) string {
	if len(entity) == 0 {
		return query
	}
	return query + labelString(entity, nil)
}

// groupName names a group: the signal, or "query for 3 pods of web".
func (a *analysis) groupName(g *group) string {
	if len(g.members) == 1 {
		s := &a.sigs[g.members[0]]
		return name(s.query, s.entity)
	}
	what := fmt.Sprintf("%d series", len(g.members))
	if g.parent >= 0 {
		what = fmt.Sprintf("%d pods of %s", len(g.members), a.tp.shortName(g.parent))
	}
	if len(g.entity) > 0 {
		return fmt.Sprintf("%s%s for %s", g.query, labelString(g.entity, nil), what)
	}
	return fmt.Sprintf("%s for %s", g.query, what)
}

func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v == math.Trunc(v) && math.Abs(v) < 1e12:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) >= 1e6 || math.Abs(v) < 1e-3:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	dec := max(0, 2-int(math.Floor(math.Log10(math.Abs(v)))))
	return strconv.FormatFloat(v, 'f', dec, 64)
}

func clock(t time.Time) string { return t.UTC().Format("15:04:05") }

func dur(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func pct(before, after float64) string {
	if before == 0 || math.IsNaN(before) || math.IsNaN(after) {
		return ""
	}
	p := (after - before) / math.Abs(before) * 100
	return fmt.Sprintf("%+.0f%%, ", p)
}

// change describes what the group's signal did, in words.
func (a *analysis) change(g *group) string {
	d := &a.dets[g.members[0]]
	total := 0
	for _, m := range g.members {
		total += a.dets[m].count
	}
	switch d.shape {
	case "events":
		base := "none in the baseline"
		if d.before > 0 {
			base = fmt.Sprintf("baseline %s per step", num(d.before))
		}
		return fmt.Sprintf("had %d event%s (%s)", total, plural(total), base)
	case "flap":
		return fmt.Sprintf("changed state %d times", total)
	case "vanished":
		return "stopped reporting"
	case "appeared":
		return fmt.Sprintf("appeared at %s", num(d.after))
	case "spike":
		return fmt.Sprintf("spiked to %s (baseline %s, z=%.1f)", num(d.after), num(d.before), d.z)
	case "dip":
		return fmt.Sprintf("dipped to %s (baseline %s, z=%.1f)", num(d.after), num(d.before), d.z)
	case "drop-to-zero":
		return fmt.Sprintf("dropped to zero from %s", num(d.before))
	case "rise-to-limit":
		return fmt.Sprintf("rose to its limit (%s, baseline %s)", num(d.after), num(d.before))
	}
	if g.kind == State {
		return fmt.Sprintf("changed from %s to %s", num(d.before), num(d.after))
	}
	verb := "rose"
	if d.shape == "step-down" {
		verb = "fell"
	}
	return fmt.Sprintf("%s from %s to %s (%sz=%.1f)", verb, num(d.before), num(d.after), pct(d.before, d.after), d.z)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (a *analysis) describeFirst(g *group) string {
	s := fmt.Sprintf("%s %s at %s", a.groupName(g), a.change(g), clock(a.in.Time(g.onset)))
	if note := a.eventNote(g); note != "" {
		s += " (" + note + ")"
	}
	return s
}

func pText(p float64) string {
	switch {
	case p < 0.001:
		return "p<0.001"
	case p < 0.01:
		return "p<0.01"
	}
	return fmt.Sprintf("p=%.2f", p)
}

// describeLink is the one-sentence evidence of a link.
func (a *analysis) describeLink(from, to *group, e *edge) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s at %s; ", a.groupName(from), a.verb(from), clock(a.in.Time(from.onset)))
	if e.lag == 0 {
		sb.WriteString("in the same step ")
	} else {
		fmt.Fprintf(&sb, "%s later ", dur(time.Duration(e.lag)*a.step))
	}
	fmt.Fprintf(&sb, "%s %s", a.groupName(to), a.change(to))
	var why []string
	if e.sig {
		why = append(why, fmt.Sprintf("r=%.2f at lag %s, %s", e.r, dur(time.Duration(e.xlag)*a.step), pText(e.p)))
	}
	switch {
	case e.topo >= 1:
		why = append(why, "same entity")
	case e.topo >= 0.5:
		why = append(why, "tied by topology")
	case e.topo > 0:
		why = append(why, "same namespace")
	}
	if e.event {
		why = append(why, "events on objects tied to the earlier change: "+strings.TrimPrefix(a.eventNote(to), "Kubernetes: "))
	} else if note := a.eventNote(to); note != "" {
		why = append(why, note)
	}
	if e.prior {
		why = append(why, "the bank lists "+from.family+" as a cause of "+to.family)
	}
	if !e.sig && !e.event {
		why = append(why, "no significant correlation; linked by onset order")
	}
	fmt.Fprintf(&sb, " (%s)", strings.Join(why, "; "))
	return sb.String()
}

// verb is a short past-tense summary used for the leading side of a link.
func (a *analysis) verb(g *group) string {
	d := &a.dets[g.members[0]]
	switch d.shape {
	case "events":
		return "fired"
	case "flap":
		return "flapped"
	case "vanished":
		return "stopped reporting"
	case "appeared":
		return "appeared"
	case "spike":
		return "spiked"
	case "dip":
		return "dipped"
	case "drop-to-zero":
		return "dropped to zero"
	case "rise-to-limit":
		return "hit its limit"
	case "step-down":
		if g.kind == State {
			return "changed"
		}
		return "fell"
	}
	if g.kind == State {
		return "changed"
	}
	return "rose"
}

// why explains a root-cause candidate.
func (a *analysis) why(g *group) string {
	s := fmt.Sprintf("%s %s at %s", a.groupName(g), a.change(g), clock(a.in.Time(g.onset)))
	if note := a.eventNote(g); note != "" {
		s += " (" + note + ")"
	}
	switch {
	case g.explains > 0 && g.in < 0.3:
		return fmt.Sprintf("%s, before %d later change%s it is linked to", s, g.explains, plural(g.explains))
	case g.explains > 0:
		return fmt.Sprintf("%s and is linked to %d later change%s, but may itself follow an earlier one", s, g.explains, plural(g.explains))
	}
	return s + "; nothing later is linked to it"
}

// timeline lists change points, metric events and Kubernetes events in time
// order.
func (a *analysis) timeline() []TimelineEntry {
	var out []TimelineEntry
	for _, g := range a.groups {
		s := &a.sigs[g.members[0]]
		if s.idx < 0 {
			continue // Kubernetes events are listed one by one below
		}
		if g.kind == Gauge {
			out = append(out, TimelineEntry{
				Time: a.in.Time(g.onset), Source: "metric", Query: g.query, Family: g.family,
				Entity: g.entity, Text: a.groupName(g) + " " + a.change(g),
			})
			continue
		}
		for _, m := range g.members {
			ms, md := &a.sigs[m], &a.dets[m]
			for k, t := range md.events {
				if k >= 20 {
					break
				}
				text := name(ms.query, ms.entity)
				switch {
				case g.kind == State:
					text += " changed state"
				case ms.values[t] > 1:
					text += fmt.Sprintf(": %s events", num(ms.values[t]))
				default:
					text += ": event"
				}
				out = append(out, TimelineEntry{
					Time: a.in.Time(t), Source: "metric", Query: ms.query, Family: ms.family,
					Entity: ms.entity, Text: text,
				})
			}
		}
	}
	end := a.in.Time(a.n - 1).Add(a.step)
	from := a.in.Time(a.b)
	for _, e := range a.in.Events {
		if e.Time.Before(from) || !e.Time.Before(end) {
			continue
		}
		text := e.Reason
		if e.Message != "" {
			text += ": " + e.Message
		}
		if len(e.Entity) > 0 {
			text += " " + labelString(e.Entity, nil)
		}
		out = append(out, TimelineEntry{
			Time: e.Time, Source: "kubernetes", Query: "event:" + e.Reason, Family: e.Family,
			Entity: e.Entity, Text: text,
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if !x.Time.Equal(y.Time) {
			return x.Time.Before(y.Time)
		}
		if x.Source != y.Source {
			return x.Source < y.Source
		}
		return x.Text < y.Text
	})
	if len(out) > maxTimeline {
		out = out[:maxTimeline]
	}
	return out
}

// summarise decides whether the window is quiet and says what was found.
func (a *analysis) summarise(f *Findings) {
	strongest := 0.0
	var top *group
	for _, g := range a.groups {
		if g.score > strongest {
			strongest, top = g.score, g
		}
	}
	note := ""
	if len(a.notes) > 0 {
		note = " (" + strings.Join(a.notes, "; ") + ")"
	}
	incident := false
	for _, g := range a.groups {
		incident = incident || (g.incident && g.up < 0 && len(a.kids[g.order]) > 0) || (g.incident && g.sustained && g.z >= a.loneZ())
	}
	if len(f.Chains) == 0 && !incident {
		f.Quiet = true
		f.Chains = nil
		f.RootCauses = nil
		f.Summary = fmt.Sprintf("no incident found: nothing stands out in %d series; %d minor change%s, none part of a larger story",
			len(a.sigs), len(a.anoms), plural(len(a.anoms))) + note
		return
	}
	if len(f.Chains) == 0 {
		f.Summary = fmt.Sprintf("%s %s at %s, but no chain of changes follows it; %d of %d series changed",
			a.groupName(top), a.change(top), clock(a.in.Time(top.onset)), len(a.anoms), len(a.sigs)) + note
		return
	}
	ch := f.Chains[0]
	fams := make([]string, len(ch.Steps))
	for i, s := range ch.Steps {
		fams[i] = s.Family
	}
	first := ch.Steps[0]
	f.Summary = fmt.Sprintf("likely root cause: %s at %s, leading %s (chain score %.2f); %d of %d series changed",
		name(first.Query, first.Entity), clock(first.Onset), strings.Join(fams, " -> "), ch.Score,
		len(a.anoms), len(a.sigs)) + note
}
