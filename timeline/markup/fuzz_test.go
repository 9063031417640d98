package markup

import (
	"strings"
	"testing"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/; inputs the fuzzer once
// found failing stay there as regression tests.

// FuzzSanitize checks that Sanitize never panics, lets nothing executable
// through, and is idempotent.
func FuzzSanitize(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		checkSafe(t, "Sanitize", in, out)
		if again := Sanitize(out); again != out {
			t.Errorf("Sanitize not idempotent on %q\nonce  %q\ntwice %q", in, out, again)
		}
	})
}

// FuzzMarkdown checks that Markdown never panics, lets nothing executable
// through, and returns HTML that Sanitize leaves as it is.
func FuzzMarkdown(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		out := Markdown(src)
		checkSafe(t, "Markdown", src, out)
		if again := Sanitize(out); again != out {
			t.Errorf("Markdown output changes under Sanitize, input %q\nonce  %q\ntwice %q",
				src, out, again)
		}
	})
}

// checkSafe fails t if out, the result of fn on in, holds anything executable
// or outside the policy.
func checkSafe(t *testing.T, fn, in, out string) {
	t.Helper()
	if problems := unsafeParts(out); len(problems) > 0 {
		t.Errorf("%s(%q) = %q:\n%s", fn, in, out, strings.Join(problems, "\n"))
	}
}
