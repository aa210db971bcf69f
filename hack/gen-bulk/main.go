// Command gen-bulk writes the large incident data of scenarios/bulk as
// OpenMetrics, for hack/bench-e2e.sh:
//
//	go run ./hack/gen-bulk -series 10000 -o data.om -bank bank.yaml -key key.json
//
// The key file is the answer key of the planted incident (JSON).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/causeway-sre/causeway/scenarios/bulk"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen-bulk:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen-bulk", flag.ContinueOnError)
	var o bulk.Options
	var out, bankPath, keyPath, start string
	fs.IntVar(&o.Series, "series", bulk.DefaultSeries, "container memory series (pods)")
	fs.IntVar(&o.Points, "points", bulk.DefaultPoints, "samples per series")
	fs.DurationVar(&o.Step, "step", bulk.DefaultStep, "sample interval")
	fs.Int64Var(&o.Seed, "seed", 1, "random seed")
	fs.Float64Var(&o.Affected, "affected", bulk.DefaultAffected, "fraction of pods whose memory rises")
	fs.StringVar(&start, "start", bulk.DefaultStart.Format(time.RFC3339), "first sample time (RFC 3339)")
	fs.StringVar(&out, "o", "-", "OpenMetrics output file (- for stdout)")
	fs.StringVar(&bankPath, "bank", "", "also write the benchmark bank YAML here")
	fs.StringVar(&keyPath, "key", "", "also write the answer key JSON here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	o.Start = t
	key, err := o.Incident()
	if err != nil {
		return err
	}
	if bankPath != "" {
		if err := os.WriteFile(bankPath, bulk.Bank, 0o644); err != nil {
			return fmt.Errorf("writing the bank: %w", err)
		}
	}
	if keyPath != "" {
		b, err := json.MarshalIndent(key, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(keyPath, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("writing the key: %w", err)
		}
	}
	if out == "-" {
		return bulk.Generate(stdout, o)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 4<<20)
	if err := bulk.Generate(w, o); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
