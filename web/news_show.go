package web

import (
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// showNews serves the local news, newest first.
func (s *Server) showNews(w http.ResponseWriter, r *http.Request) {
	news, _, err := s.posts.LatestNews(r.Context(), timeline.Page{Limit: listItems})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "news", tr(visitorFrom(r).lang, "news.heading"), news)
}
