package markup

import (
	"html"
	"regexp"
	"strconv"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// bluemondayRel is the rel attribute bluemonday writes on every link it keeps,
// since the policy lets no rel through from the input. portalRel adds
// noopener, which bluemonday only adds along with target="_blank": it keeps a
// link safe should a template ever open it in a new tab.
const (
	bluemondayRel = ` rel="nofollow noreferrer"`
	portalRel     = ` rel="nofollow noopener noreferrer"`
)

// headingTag matches the start of an h1-h6 start or end tag.
var headingTag = regexp.MustCompile(`(?i)<(/?)h([1-6])\b`)

// Sanitize passes any HTML (a remote note's content, a rendered Markdown
// post) through the portal's single policy and returns HTML that is safe to
// show and to send. It never fails: what the policy does not allow is dropped.
//
// Sanitize is idempotent: Sanitize(Sanitize(s)) == Sanitize(s). Invalid UTF-8
// becomes U+FFFD. It is safe for concurrent use.
func Sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	out := pass(s)
	// One pass is not always a fixed point: the HTML5 parser that balances
	// the fragment builds trees its own serialisation does not reproduce
	// (a heading inside a heading, an element fostered out of a table), so
	// parsing the output again moves things once more. Real content settles
	// in one pass, misnested markup in two or three; what still moves after
	// maxPasses is left as its text, which is stable by construction.
	for range maxPasses {
		next := pass(out)
		if next == out {
			return out
		}
		out = next
	}
	return html.EscapeString(PlainText(out, 0))
}

// maxPasses bounds the passes Sanitize makes to reach a fixed point. The
// fuzzer has not found an input that needs more than three.
const maxPasses = 8

// pass is one run of the policy and the balancing parser.
func pass(s string) string {
	out := policy.Sanitize(clampHeadings(s))

	// Text and attribute values come out with their quotes escaped, so this
	// literal can only be the attribute bluemonday itself wrote.
	return balance(strings.ReplaceAll(out, bluemondayRel, portalRel))
}

// balance closes the elements a fragment leaves open and drops stray end
// tags, by parsing it as the HTML5 parser does and writing it back:
// bluemonday filters tags one by one, so "<b>never closed" or a lone
// "<table>" from a remote reply would otherwise spill over the rest of the
// page. Parsing adds nothing the policy did not allow, only end tags.
func balance(fragment string) string {
	if !strings.Contains(fragment, "<") {
		return fragment
	}
	body := &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := xhtml.ParseFragment(strings.NewReader(fragment), body)
	if err != nil {
		return html.EscapeString(fragment) // the parser does not fail on text
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := xhtml.Render(&b, n); err != nil {
			return html.EscapeString(fragment)
		}
	}
	return b.String()
}

// clampHeadings renames h1 to h2 and h5-h6 to h4, so that headings fit the
// levels the policy allows. It runs before the policy, which still parses
// and filters whatever comes out of it.
func clampHeadings(s string) string {
	return headingTag.ReplaceAllStringFunc(s, func(tag string) string {
		m := headingTag.FindStringSubmatch(tag)
		level, _ := strconv.Atoi(m[2]) // the pattern makes it a digit 1-6
		level = min(max(level, 2), 4)
		return "<" + m[1] + "h" + strconv.Itoa(level)
	})
}

// Escape is [html.EscapeString]: it escapes <, >, &, ' and ", for building
// small fragments around text in packages that do not import html.
func Escape(s string) string {
	return html.EscapeString(s)
}
