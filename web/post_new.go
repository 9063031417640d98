package web

import (
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// newPost serves the empty form for a news item (?type=news) or an event
// (?type=event).
func (s *Server) newPost(w http.ResponseWriter, r *http.Request) {
	org, err := s.editableOrg(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := postForm{Kind: kindParam(r.URL.Query().Get("type")), TimeZone: timeline.DefaultTimeZone}
	s.renderPostForm(w, r, http.StatusOK, org, nil, form, nil)
}
