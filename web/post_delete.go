package web

import "net/http"

// deletePost deletes a post, which leaves a tombstone answering 410, and
// its uploaded image, and goes back to the workspace.
func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.editablePost(r)
	if err == nil {
		err = s.posts.DeletePost(r.Context(), p.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.releaseImage(r.Context(), p.ImageURL)
	http.Redirect(w, r, "/espace", http.StatusSeeOther)
}
