package web

import "net/http"

// editPost serves the form to edit a post, filled with what it holds.
func (s *Server) editPost(w http.ResponseWriter, r *http.Request) {
	org, p, err := s.editablePost(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPostForm(w, r, http.StatusOK, org, p, formFromPost(p), nil)
}
