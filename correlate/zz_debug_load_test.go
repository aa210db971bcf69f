//go:build cwdebug

package correlate

import (
	"fmt"
	"strings"
	"encoding/gob"
	"os"
	"testing"
)

func TestDebugLoad(t *testing.T) {
	for _, path := range []string{"/tmp/cw/kube-prom.gob", "/tmp/cw/kube-embedded.gob"} {
		f, err := os.Open(path)
		if err != nil {
			t.Skip(err)
		}
		var in Input
		if err := gob.NewDecoder(f).Decode(&in); err != nil {
			t.Fatal(err)
		}
		f.Close()
		for _, ev := range []bool{true, false} {
			cp := in
			if !ev {
				cp.Events = nil
			}
			f := Analyze(&cp)
			t.Logf("== %s events=%v: %s", path, ev, f.Summary)
			for i, r := range f.RootCauses {
				if i < 5 {
					t.Logf("  root %.3f %s %v: %s", r.Score, r.Query, r.Entity, r.Why)
				}
			}
			for i, ch := range f.Chains {
				if i < 2 {
					t.Logf("  chain %.3f", ch.Score)
					for _, s := range ch.Steps {
						m := ""
						if s.Link != nil {
							m = s.Link.Method
						}
						t.Logf("     [%s] %s", m, s.Evidence)
					}
				}
			}
		}
	}
}

func TestDebugSeries(t *testing.T) {
	q, sub := os.Getenv("Q"), os.Getenv("SUB")
	for _, path := range []string{"/tmp/cw/kube-prom.gob", "/tmp/cw/kube-embedded.gob"} {
		f, err := os.Open(path)
		if err != nil {
			t.Skip(err)
		}
		var in Input
		if err := gob.NewDecoder(f).Decode(&in); err != nil {
			t.Fatal(err)
		}
		f.Close()
		t.Logf("== %s N=%d B=%d step=%s", path, in.N, in.Baseline, in.Step)
		for _, s := range in.Signals {
			if s.Query != q || (sub != "" && !strings.Contains(labelString(s.Labels, nil), sub)) {
				continue
			}
			var sb strings.Builder
			for i, v := range s.Values {
				if i%2 == 0 {
					fmt.Fprintf(&sb, "%.3g ", v)
				}
			}
			t.Logf("%s %s\n%s", s.Query, labelString(s.Labels, nil), sb.String())
		}
	}
}
