package markup

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// policy is the portal's one HTML policy, for local and remote content alike.
// It is built once: a bluemonday Policy is safe for concurrent use as long as
// nobody changes it after construction, and nothing here does.
//
// What it does not list is dropped: the tag goes and its text stays, except
// for script, style, iframe, object, noscript and the like, whose content goes
// too. Comments are dropped. So are, on purpose:
//
//   - img: a remote note's inline image would make every reader's browser
//     call a server we do not know (a tracking pixel, a leak of readers' IP
//     addresses). Pictures travel as attachments, which the federation
//     package fetches and stores itself. Markdown images become links (see
//     markdown.go).
//   - h1, h5, h6: the page around a post owns the h1 (the post's title).
//     [Sanitize] moves h1 to h2 and h5-h6 to h4 before the policy runs, so
//     the heading's text and its role survive.
//   - style, on* attributes, id, target, and every element that runs code,
//     loads something or submits something: script, iframe, object, embed,
//     form and its controls, svg, math, base, meta, link.
var policy = newPolicy()

// textPolicy keeps no element at all. [PlainText] uses it to reach the text
// of a fragment, with the content of script, style and the like skipped.
var textPolicy = bluemonday.StrictPolicy()

// microformatClasses matches a class attribute made only of the classes that
// Mastodon and its peers put on mentions, hashtags and shortened links. The
// portal's stylesheet styles these; any other class could borrow the look of
// the portal's own interface, so the whole attribute is dropped.
var microformatClasses = regexp.MustCompile(
	`^\s*` + microformat + `(?:\s+` + microformat + `)*\s*$`)

const microformat = `(?:h-card|mention|hashtag|u-url|invisible|ellipsis)`

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	// Paragraphs and line breaks: the shape of every post, local or remote.
	p.AllowElements("p", "br")

	// Emphasis, as Markdown, Mastodon and Misskey write it.
	p.AllowElements("strong", "b", "em", "i", "u", "s", "del")

	// Quotes, lists and a thematic break: the structure editors write.
	p.AllowElements("blockquote", "ul", "ol", "li", "hr")

	// A list that resumes at 3 ("3. suite" after a paragraph) keeps its
	// numbering.
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,6}$`)).OnElements("ol")

	// Section headings inside a post; see h1 in the comment on policy.
	p.AllowElements("h2", "h3", "h4")

	// Code, for the odd technical post (a command, a configuration line).
	p.AllowElements("code", "pre")

	// Tables, for Markdown's GFM tables (opening hours, a programme). The
	// align attribute carries column alignment, which style would otherwise
	// carry along with the whole of CSS.
	p.AllowElements("table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("align").
		Matching(regexp.MustCompile(`^(?:left|center|right)$`)).
		OnElements("th", "td")

	allowLinks(p)

	// Mastodon's microformats: mentions and hashtags are spans and links with
	// these classes, and long URLs hide their middle in "invisible" and
	// "ellipsis" spans. A span without them is harmless and stays bare.
	p.AllowAttrs("class").Matching(microformatClasses).OnElements("span", "a")

	return p
}

// allowLinks lets links through to the web and to mail, nowhere else.
//
// Relative links are dropped: a remote note's relative link would resolve
// against the portal, and a local one would break once the post federates.
// The rel attribute is the portal's own (see [Sanitize]): nofollow so that
// spam gains nothing, noreferrer so that readers' paths stay private. target
// is not allowed, so whether a link opens a new tab is the template's choice.
func allowLinks(p *bluemonday.Policy) {
	p.AllowAttrs("href").OnElements("a")
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
}
