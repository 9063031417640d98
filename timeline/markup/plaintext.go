package markup

import (
	"html"
	"regexp"
	"strings"
)

// blockTag matches the start of a tag that separates words when a browser
// lays it out (a paragraph, a line break, a list item, a table cell...).
// Inline tags such as <em> do not, as in "<em>Lyon</em>, ville".
var blockTag = regexp.MustCompile(
	`(?i)</?(?:p|br|hr|div|li|dd|dt|h[1-6]|blockquote|pre|table|tr|td|th|ul|ol|dl|` +
		`section|article|header|footer|aside|nav|figure|figcaption|details|summary)\b`)

// ellipsis ends a text that [PlainText] cut.
const ellipsis = "…"

// PlainText returns the text of an HTML fragment, for summaries, meta
// descriptions and Mastodon's summary fields: tags removed (and the content
// of script, style and the like with them), entities decoded, whitespace
// folded to single spaces.
//
// If maxRunes > 0 and the text is longer, it is cut on a word boundary and
// ends with "…"; the result, "…" included, is at most maxRunes runes long. A
// single word longer than that is cut inside the word.
//
// The result is text, not HTML: escape it before putting it in HTML.
func PlainText(fragment string, maxRunes int) string {
	fragment = strings.ToValidUTF8(fragment, "\uFFFD")
	fragment = blockTag.ReplaceAllString(fragment, " $0")

	text := html.UnescapeString(textPolicy.Sanitize(fragment))
	text = strings.Join(strings.Fields(text), " ")
	return cut(text, maxRunes)
}

// cut shortens folded text (words separated by single spaces) to at most
// maxRunes runes, ellipsis included, preferring to end on a whole word.
func cut(text string, maxRunes int) string {
	runes := []rune(text)
	if maxRunes <= 0 || len(runes) <= maxRunes {
		return text
	}

	kept := runes[:maxRunes-1]
	if runes[maxRunes-1] != ' ' {
		if i := lastSpace(kept); i > 0 {
			kept = kept[:i]
		}
	}
	return strings.TrimRight(string(kept), " ,;:") + ellipsis
}

// lastSpace returns the index of the last ' ' in runes, or -1.
func lastSpace(runes []rune) int {
	for i := len(runes) - 1; i >= 0; i-- {
		if runes[i] == ' ' {
			return i
		}
	}
	return -1
}
