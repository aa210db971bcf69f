// Command causeway investigates incidents: it runs a bank of PromQL queries
// over an incident window, aligns the results, ranks what moved first and
// proposes causal chains, in a TUI or as a postmortem report.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := newApp(os.Stdin, os.Stdout, os.Stderr).run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
