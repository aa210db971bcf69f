package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by the Makefile's -ldflags; "dev" otherwise.
var (
	version = "dev"
	commit  = ""
)

func (a *app) runVersion(_ context.Context, args []string) error {
	fs := a.newFlagSet("version", "causeway version")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	c := commit
	if c == "" {
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, s := range info.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 7 {
					c = s.Value[:7]
				}
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	fmt.Fprintf(a.stdout, "causeway %s (commit %s, %s, %s/%s)\n", version, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
