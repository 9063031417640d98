package web

import (
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// listItems is how many posts the agenda and the news list show.
// TODO: page through older news and further events once there are more.
const listItems = 100

// showAgenda serves the coming events, soonest first.
func (s *Server) showAgenda(w http.ResponseWriter, r *http.Request) {
	events, _, err := s.posts.UpcomingEvents(r.Context(), s.posts.Now(),
		timeline.Page{Limit: listItems})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agenda", tr(visitorFrom(r).lang, "agenda.heading"), events)
}
