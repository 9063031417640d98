package web

import (
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// showAgenda serves a page of the coming events, soonest first; ?apres=
// names the last event of the page before.
func (s *Server) showAgenda(w http.ResponseWriter, r *http.Request) {
	at, err := cursorParam(r, laterParam)
	if err != nil {
		s.serveError(w, r, http.StatusBadRequest, err)
		return
	}
	events, next, err := s.posts.UpcomingEvents(r.Context(), s.posts.Now(),
		timeline.Page{Limit: listItems, After: at})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := visitorFrom(r).lang
	pg := newPager(lang, "/agenda", laterParam, "agenda", at, next)
	s.render(w, r, http.StatusOK, "agenda", tr(lang, "agenda.heading"),
		listView{Posts: events, Pager: pg})
}
