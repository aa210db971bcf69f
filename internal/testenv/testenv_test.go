package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("RepoRoot() = %s without go.mod: %v", root, err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testenv")); err != nil {
		t.Fatalf("RepoRoot() = %s, which does not hold internal/testenv", root)
	}
}

func TestPrometheusEmpty(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	// No data: the server still starts, answers and is stopped by Cleanup.
	u := Prometheus(t, nil)
	get(t, u+"/api/v1/status/buildinfo")
}
