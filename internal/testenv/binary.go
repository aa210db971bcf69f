package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// CausewayBinary returns the causeway binary for tests that run it as a
// person would: the one CAUSEWAY_BIN names (e.g. from `make build`), or a
// fresh build of ./cmd/causeway in t.TempDir(). The caller decides whether a
// failed build fails or skips its test.
func CausewayBinary(t testing.TB) (string, error) {
	t.Helper()
	if bin := os.Getenv("CAUSEWAY_BIN"); bin != "" {
		return bin, nil
	}
	bin := filepath.Join(t.TempDir(), "causeway")
	build := exec.Command("go", "build", "-o", bin, "./cmd/causeway")
	build.Dir = RepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building ./cmd/causeway: %w\n%s", err, out)
	}
	return bin, nil
}
