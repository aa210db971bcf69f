//go:build cwdebug

package correlate

var lastAnalysis *analysis

func debugHook(a *analysis) { lastAnalysis = a }
