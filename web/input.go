package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Neither database stores a NUL character in text, and no address or form
// of the portal has a use for one: a request that holds one is refused as
// the visitor's mistake before anything asks the database about it.

// errNUL is a form value holding a NUL character.
var errNUL = errors.New("web: NUL character in a form value")

// checkPath answers 404 for an address whose decoded path holds a NUL
// character: no page has one.
func (s *Server) checkPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.ContainsRune(r.URL.Path, 0) {
			s.serveError(w, withGuest(r), http.StatusNotFound, nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// redirectCanonical sends a request for another spelling of a page's
// address, such as /@Repair-Cafe, to the one the portal links to, keeping
// the query: a page has one address, lest it be shared, cached or counted
// twice.
func redirectCanonical(w http.ResponseWriter, r *http.Request, path string) {
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, path, http.StatusMovedPermanently)
}

// hasNUL tells whether any value of a parsed form holds a NUL character.
func hasNUL(form url.Values) bool {
	for _, vs := range form {
		for _, v := range vs {
			if strings.ContainsRune(v, 0) {
				return true
			}
		}
	}
	return false
}
