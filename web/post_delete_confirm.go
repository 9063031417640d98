package web

import "net/http"

// confirmDelete asks before deleting a post: the deletion reaches every
// follower's server and cannot be undone, so it takes a second, deliberate
// step (and needs no script).
func (s *Server) confirmDelete(w http.ResponseWriter, r *http.Request) {
	org, p, err := s.editablePost(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "delete", tr(visitorFrom(r).lang, "delete.heading"),
		struct {
			Org  string
			Post any
		}{org.Username, p})
}
