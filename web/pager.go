package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ess-lyon/portal/timeline"
)

// The query parameters that carry a list's cursor: the last item shown,
// after which the next page starts. Lists newest first go "avant" (before)
// it; the agenda, soonest first, goes "apres" (after) it.
const (
	olderParam = "avant"
	laterParam = "apres"
)

// errBadCursor is a list's address whose cursor the portal did not write:
// a link cut short or typed by hand.
var errBadCursor = errors.New("web: not a list cursor")

// cursorParam reads the cursor in the query parameter name, the zero
// cursor (the first page) when it is absent or empty.
func cursorParam(r *http.Request, name string) (timeline.Cursor, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return timeline.Cursor{}, nil
	}
	c, err := timeline.ParseCursor(v)
	if err != nil {
		return c, fmt.Errorf("%w: %s=%q: %w", errBadCursor, name, v, err)
	}
	return c, nil
}

// pager links a page of a list to the next page and back to the first.
type pager struct {
	Next       string // the next page's address, "" on the last page
	First      string // the first page's address, "" on the first page
	NextLabel  string
	FirstLabel string
}

// newPager builds the links under a page of the list at path whose cursor
// goes in param: at is the page's own cursor, next the next page's. The
// labels are the catalogue's messages key+".next" and key+".first".
func newPager(lang, path, param, key string, at, next timeline.Cursor) pager {
	p := pager{NextLabel: tr(lang, key+".next"), FirstLabel: tr(lang, key+".first")}
	if !next.IsZero() {
		p.Next = path + "?" + url.Values{param: {next.String()}}.Encode()
	}
	if !at.IsZero() {
		p.First = path
	}
	return p
}
