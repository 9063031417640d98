package markup

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// converter turns Markdown into HTML. Built once; goldmark converters are
// safe for concurrent use.
//
// It is given html.WithUnsafe: raw HTML in the source goes through as it is,
// to [Sanitize], which is the one gate for everything shown. Without it,
// goldmark replaces a whole raw HTML block by a comment, and in Markdown
// such a block runs to the next blank line: text pasted from a web page or
// a word processor, "<div>…</div>" followed by a paragraph, silently lost
// that paragraph. The policy drops the tags it does not allow and keeps
// their text. Task lists are left out: their checkboxes are form controls.
var converter = goldmark.New(
	goldmark.WithExtensions(
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
	),
	goldmark.WithRendererOptions(
		gmhtml.WithUnsafe(),
		renderer.WithNodeRenderers(util.Prioritized(imageRenderer{}, 100)),
	),
)

// Markdown renders an editor's Markdown (CommonMark, with GFM tables,
// strikethrough and autolinks) and returns it through [Sanitize]. Raw HTML in
// the source is kept as far as the policy allows. Images become links to the image, with
// the alt text as the link's text (the policy allows no img).
//
// It never fails and is safe for concurrent use.
func Markdown(src string) string {
	var buf bytes.Buffer
	if err := converter.Convert([]byte(src), &buf); err != nil {
		// Unreachable in practice: writing to a bytes.Buffer cannot fail and
		// no renderer here returns an error. Keep the text rather than lose it.
		return "<p>" + Escape(src) + "</p>\n"
	}
	return Sanitize(buf.String())
}

// imageRenderer renders a Markdown image as a link to the image, so that the
// picture stays one click away and the words written for it stay in the text.
type imageRenderer struct{}

// RegisterFuncs implements [renderer.NodeRenderer].
func (imageRenderer) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindImage, renderImage)
}

// renderImage writes an image as <a href="destination">alt text</a>, or as its
// alt text alone inside a link, where a second link cannot nest.
func renderImage(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if insideLink(n) {
		return ast.WalkContinue, nil
	}
	if !entering {
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}

	dest := util.URLEscape(n.(*ast.Image).Destination, true)
	if gmhtml.IsDangerousURL(dest) {
		dest = nil // the policy drops a link with an empty href, keeping its text
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(dest))
	_, _ = w.WriteString(`">`)
	if !n.HasChildren() {
		_, _ = w.Write(util.EscapeHTML(dest))
	}
	return ast.WalkContinue, nil
}

// insideLink reports whether n has a link or an autolink among its ancestors.
func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if k := p.Kind(); k == ast.KindLink || k == ast.KindAutoLink {
			return true
		}
	}
	return false
}
