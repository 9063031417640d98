package web

import (
	"errors"
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// updatePost saves an edited post and shows it, or shows the form again,
// 422, with what is wrong.
func (s *Server) updatePost(w http.ResponseWriter, r *http.Request) {
	org, p, err := s.editablePost(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	form := readPostForm(r, p.Kind)
	form.ImageURL = p.ImageURL
	edited := *p
	err = s.savePost(r, form, &edited, s.posts.UpdatePost)
	if errors.Is(err, timeline.ErrInvalid) {
		s.renderPostForm(w, r, http.StatusUnprocessableEntity, org, p, form, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if edited.ImageURL != p.ImageURL {
		s.releaseImage(r.Context(), p.ImageURL) // replaced or removed
	}
	http.Redirect(w, r, postPath(org.Username, p.ID), http.StatusSeeOther)
}
