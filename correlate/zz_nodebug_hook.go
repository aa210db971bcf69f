//go:build !cwdebug

package correlate

func debugHook(*analysis) {}
