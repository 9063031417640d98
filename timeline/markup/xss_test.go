package markup

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// minVectors keeps the corpus from shrinking unnoticed.
const minVectors = 80

// TestXSSCorpus runs every vector of testdata/xss.txt through Sanitize and
// Markdown and checks that nothing executable comes out.
func TestXSSCorpus(t *testing.T) {
	vectors := readVectors(t, "testdata/xss.txt")
	if len(vectors) < minVectors {
		t.Fatalf("testdata/xss.txt has %d vectors, want at least %d", len(vectors), minVectors)
	}

	for i, v := range vectors {
		for _, f := range renderers {
			out := f.render(v)
			for _, p := range unsafeParts(out) {
				t.Errorf("vector %d %q: %s output %q: %s", i+1, v, f.name, out, p)
			}
			if again := Sanitize(out); again != out {
				t.Errorf("vector %d %q: Sanitize not idempotent on %s output\n got %q\nwant %q",
					i+1, v, f.name, again, out)
			}
		}
	}
	t.Logf("tried %d XSS vectors through Sanitize and Markdown", len(vectors))
}

// renderers are the two ways in for untrusted text.
var renderers = []struct {
	name   string
	render func(string) string
}{
	{"Sanitize", Sanitize},
	{"Markdown", Markdown},
}

// readVectors reads a corpus file: one vector a line, "#" comments and blank
// lines skipped, "go:" lines holding a Go-quoted string.
func readVectors(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("opening corpus: %v", err)
	}
	defer f.Close()

	var vectors []string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		v, ok := parseVector(t, sc.Text(), line)
		if ok {
			vectors = append(vectors, v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading corpus: %v", err)
	}
	return vectors
}

// parseVector decodes one corpus line, reporting false for a comment or a
// blank line.
func parseVector(t *testing.T, text string, line int) (string, bool) {
	t.Helper()
	if text == "" || strings.HasPrefix(text, "#") {
		return "", false
	}
	quoted, ok := strings.CutPrefix(text, "go:")
	if !ok {
		return text, true
	}
	v, err := strconv.Unquote(quoted)
	if err != nil {
		t.Fatalf("corpus line %d: %v", line, err)
	}
	return v, true
}
