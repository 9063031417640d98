package web

import (
	"errors"
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// createPost publishes a new post for the organisation and shows it, or
// shows the form again, 422, with what is wrong.
func (s *Server) createPost(w http.ResponseWriter, r *http.Request) {
	org, err := s.editableOrg(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	form := readPostForm(r, kindParam(r.FormValue("type")))
	p := &timeline.Post{ActorID: org.ID, Kind: form.Kind}
	err = s.savePost(r, form, p, s.posts.CreatePost)
	if errors.Is(err, timeline.ErrInvalid) {
		s.renderPostForm(w, r, http.StatusUnprocessableEntity, org, nil, form, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, postPath(org.Username, p.ID), http.StatusSeeOther)
}
