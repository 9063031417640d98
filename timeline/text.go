package timeline

import (
	"strings"
	"unicode"
)

// MaxRemoteName is the most characters of a remote actor's display name
// kept: pages list names in narrow columns, and another server may send
// any length.
const MaxRemoteName = 100

// isBidiOverride tells whether r is one of the embedding, override and
// isolate characters (U+202A–U+202E, U+2066–U+2069): in a name or a title
// they reverse or reorder the text around them on the page, and no name
// or title needs them.
func isBidiOverride(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// stripBidiOverrides removes the characters isBidiOverride names.
func stripBidiOverrides(s string) string {
	return strings.Map(func(r rune) rune {
		if isBidiOverride(r) {
			return -1
		}
		return r
	}, s)
}

// blank tells whether s shows nothing: only spaces and zero-width
// characters (U+200B–U+200D, U+2060, U+FEFF), which a title or a name
// made of would leave an empty link on the page.
func blank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		invisible := unicode.IsSpace(r) || r >= '\u200B' && r <= '\u200D' ||
			r == '\u2060' || r == '\uFEFF' || isBidiOverride(r)
		return !invisible
	}) < 0
}

// ellipsize cuts s to at most max characters, the last one "…" when it
// was cut, so that readers see that the text goes on.
func ellipsize(s string, max int) string {
	if truncateRunes(s, max) == s {
		return s
	}
	return strings.TrimRightFunc(truncateRunes(s, max-1), unicode.IsSpace) + "…"
}
