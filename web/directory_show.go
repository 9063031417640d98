package web

import "net/http"

// showDirectory serves the directory of the local organisations.
func (s *Server) showDirectory(w http.ResponseWriter, r *http.Request) {
	orgs, err := s.posts.Organisations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "directory", tr(visitorFrom(r).lang, "directory.heading"), orgs)
}
