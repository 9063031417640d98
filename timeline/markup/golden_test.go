package markup

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestMarkdownGolden renders each testdata/golden/*.md and compares the result
// with the .html file of the same name. Run with -update after a deliberate
// change, and read the diff.
func TestMarkdownGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/golden/*.md")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs found (err %v)", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			checkGolden(t, in, strings.TrimSuffix(in, ".md")+".html")
		})
	}
}

// checkGolden compares Markdown(in) with the golden file, or rewrites it.
func checkGolden(t *testing.T, in, golden string) {
	src, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	got := Markdown(string(src))
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("Markdown(%s) differs from %s\n got:\n%s\nwant:\n%s", in, golden, got, want)
	}
	if problems := unsafeParts(got); len(problems) > 0 {
		t.Errorf("Markdown(%s) is not safe: %v", in, problems)
	}
}
