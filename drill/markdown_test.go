package drill

import (
	"github.com/causeway-sre/causeway/internal/testenv"

	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testenv.Golden(t, name, got, *update)
}

func scorecards(t *testing.T) map[string][]byte {
	t.Helper()
	key := spotKey()
	meta := Meta{Name: "spot-interruption", Difficulty: "medium", Skill: "tie pod loss to a node that went away",
		Briefing: "5xx on ingress web, 10:05 UTC"}
	out := map[string][]byte{}
	for name, a := range map[string]Attempt{
		"partial": attempt(ptr(pick("pods", "", at(5, 0))), []Pick{pick("memory", "", at(1, 0)), pick("edge", "", at(5, 30))}, 2, 14*time.Minute),
		"exact": attempt(ptr(pick("nodes", "ip-10-0-1-5", at(4, 0))),
			[]Pick{pick("pods", "", at(5, 0)), pick("edge", "", at(5, 30))}, 0, 3*time.Minute),
		"quiet": attempt(nil, nil, 0, 2*time.Minute),
	} {
		k := key
		if name == "quiet" {
			k = Key{Quiet: true, Source: SourceScenario}
		}
		sc := Score(k, a, DefaultConfig())
		var b bytes.Buffer
		if err := WriteMarkdown(&b, sc, NewDebrief(sc, spotFindings()), meta); err != nil {
			t.Fatal(err)
		}
		out[name] = b.Bytes()
	}
	return out
}

func TestWriteMarkdown(t *testing.T) {
	for name, md := range scorecards(t) {
		golden(t, "scorecard-"+name+".md", md)
		for i, l := range strings.Split(string(md), "\n") {
			if len([]rune(l)) > MarkdownWidth && strings.Contains(strings.TrimSpace(l), " ") && !strings.HasPrefix(l, "|") {
				t.Errorf("%s line %d is %d wide: %q", name, i+1, len([]rune(l)), l)
			}
		}
	}
}

// TestMarkdownLint runs markdownlint-cli2 with its default rules on the
// fixture scorecards.
func TestMarkdownLint(t *testing.T) { lintMarkdown(t, scorecards(t)) }

// lintMarkdown runs markdownlint-cli2 with its default rules (no
// configuration file: the files are linted in a temporary directory).
func lintMarkdown(t *testing.T, docs map[string][]byte) {
	t.Helper()
	if testing.Short() {
		t.Skip("markdownlint: skipped in -short mode")
	}
	npx, err := exec.LookPath("npx")
	if err != nil {
		t.Skip("markdownlint: npx is not installed")
	}
	dir := t.TempDir()
	var files []string
	for name, md := range docs {
		p := filepath.Join(dir, name+".md")
		if err := os.WriteFile(p, md, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Base(p))
	}
	cmd := exec.Command(npx, append([]string{"--yes", "markdownlint-cli2"}, files...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("markdownlint-cli2 failed: %v\n%s", err, out)
	}
}
