//go:build cwdebug

package correlate_test

import (
	"encoding/gob"
	"os"
	"testing"

	"github.com/causeway-sre/causeway/correlate"
)

func TestDebugScale(t *testing.T) {
	f := correlate.Analyze(scaleInput(30000))
	t.Log(f.Summary)
	for i, r := range f.RootCauses {
		if i < 6 {
			t.Logf("%.3f %s %v: %s", r.Score, r.Query, r.Entity, r.Why)
		}
	}
}

func TestDumpScale(t *testing.T) {
	f, _ := os.Create("/tmp/cw/scale30k.gob")
	defer f.Close()
	gob.NewEncoder(f).Encode(scaleInput(30000))
}
