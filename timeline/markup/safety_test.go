package markup

import (
	"fmt"
	"html"
	"net/url"
	"strings"

	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// forbiddenElements must never appear in the output, whatever the input.
var forbiddenElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "svg": true,
	"math": true, "style": true, "form": true, "base": true, "meta": true, "link": true,
}

// allowedAttrs lists, per element the policy allows, the attributes it may
// carry. An element missing from it is a policy leak, even if harmless.
var allowedAttrs = map[string][]string{
	"p": nil, "br": nil, "strong": nil, "b": nil, "em": nil, "i": nil, "u": nil,
	"s": nil, "del": nil, "blockquote": nil, "ul": nil, "li": nil, "hr": nil,
	"h2": nil, "h3": nil, "h4": nil, "code": nil, "pre": nil, "table": nil,
	"thead": nil, "tbody": nil, "tr": nil,
	"ol":   {"start"},
	"th":   {"align"},
	"td":   {"align"},
	"span": {"class"},
	"a":    {"href", "rel", "class"},
}

// dangerousSchemes are the URL schemes that run code or carry a document.
var dangerousSchemes = map[string]bool{"javascript": true, "vbscript": true, "data": true}

// unsafeParts returns a description of everything executable or outside the
// policy in fragment. It looks twice: at the tree a browser builds inside a
// <div>, and at the raw tags, since a tree parser drops tags such as <body
// onload=...> whose attributes a real page would merge into its own body.
func unsafeParts(fragment string) []string {
	ctx := &nethtml.Node{Type: nethtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := nethtml.ParseFragment(strings.NewReader(fragment), ctx)
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	found := unknownTags(fragment)
	for _, n := range nodes {
		found = append(found, walkUnsafe(n)...)
	}
	return found
}

// unknownTags returns the start and end tags in fragment that name an element
// outside the policy.
func unknownTags(fragment string) []string {
	var found []string
	z := nethtml.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case nethtml.ErrorToken:
			return found
		case nethtml.StartTagToken, nethtml.EndTagToken, nethtml.SelfClosingTagToken:
			name, _ := z.TagName()
			if _, ok := allowedAttrs[string(name)]; !ok {
				found = append(found, "tag outside the policy "+string(z.Raw()))
			}
		}
	}
}

// walkUnsafe checks n and its descendants.
func walkUnsafe(n *nethtml.Node) []string {
	var found []string
	switch n.Type {
	case nethtml.CommentNode:
		found = append(found, fmt.Sprintf("comment %q", n.Data))
	case nethtml.ElementNode:
		found = append(found, elementProblems(n)...)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		found = append(found, walkUnsafe(c)...)
	}
	return found
}

// elementProblems checks one element and its attributes.
func elementProblems(n *nethtml.Node) []string {
	var found []string
	allowed, known := allowedAttrs[n.Data]
	if forbiddenElements[n.Data] {
		found = append(found, "forbidden element <"+n.Data+">")
	} else if !known {
		found = append(found, "element outside the policy <"+n.Data+">")
	}
	for _, a := range n.Attr {
		found = append(found, attrProblems(n.Data, a, allowed)...)
	}
	return found
}

// attrProblems checks one attribute of element el.
func attrProblems(el string, a nethtml.Attribute, allowed []string) []string {
	var found []string
	key := strings.ToLower(a.Key)
	where := fmt.Sprintf("<%s %s=%q>", el, a.Key, a.Val)
	if strings.HasPrefix(key, "on") {
		found = append(found, "event handler "+where)
	}
	if key == "style" {
		found = append(found, "style attribute "+where)
	}
	if key == "href" || key == "src" {
		if s := urlScheme(a.Val); dangerousSchemes[s] {
			found = append(found, "dangerous URL "+where)
		} else if s != "http" && s != "https" && s != "mailto" {
			found = append(found, "URL scheme outside the policy "+where)
		}
	}
	if a.Namespace != "" || !contains(allowed, key) {
		found = append(found, "attribute outside the policy "+where)
	}
	return found
}

// urlScheme returns the lowercased scheme of a URL as a lenient browser might
// read it: entities decoded (again), percent-escapes decoded, and every
// control character and space removed. It returns "" when there is none.
func urlScheme(raw string) string {
	s := raw
	for range 3 {
		s = html.UnescapeString(s)
	}
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	s = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
	scheme, _, ok := strings.Cut(strings.ToLower(s), ":")
	if !ok {
		return ""
	}
	return scheme
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
