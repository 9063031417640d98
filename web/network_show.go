package web

import (
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// showNetwork serves a page of "Le réseau": the posts of the remote
// accounts the portal and its organisations follow, newest first; ?avant=
// names the last post of the page before. Their text is another server's:
// the template shows only the sanitized body as HTML, and links to the
// original.
func (s *Server) showNetwork(w http.ResponseWriter, r *http.Request) {
	at, err := cursorParam(r, olderParam)
	if err != nil {
		s.serveError(w, r, http.StatusBadRequest, err)
		return
	}
	posts, next, err := s.posts.FollowedPosts(r.Context(),
		timeline.Page{Limit: listItems, After: at})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := visitorFrom(r).lang
	pg := newPager(lang, "/reseau", olderParam, "network", at, next)
	s.render(w, r, http.StatusOK, "network", tr(lang, "network.heading"),
		listView{Posts: posts, Pager: pg})
}
