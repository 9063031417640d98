package web

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/timeline"
)

// editableOrg returns the local actor named in the URL if the signed-in
// user has a role on it, and an error matching timeline.ErrForbidden if
// not. Admins are no exception: they act for an organisation only as its
// members.
func (s *Server) editableOrg(r *http.Request) (*timeline.Actor, error) {
	a, err := s.posts.LocalActor(r.Context(), chi.URLParam(r, "name"))
	if err != nil {
		return nil, err
	}
	if _, err := s.posts.RoleOn(r.Context(), currentUser(r).ID, a.ID); err != nil {
		return nil, err
	}
	return a, nil
}

// editablePost returns the organisation and the post named in the URL if
// the user may edit for the organisation and the post is a live post of
// that organisation: another organisation's post is forbidden even to
// someone who edits for both, through the wrong address. Its image is the
// portal's path when it is one, so that saving it stores the path.
func (s *Server) editablePost(r *http.Request) (*timeline.Actor, *timeline.Post, error) {
	a, err := s.editableOrg(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := parsePostID(chi.URLParam(r, "id"))
	if err != nil {
		return nil, nil, err
	}
	p, err := s.posts.Post(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if p.ActorID != a.ID {
		return nil, nil, fmt.Errorf("post %d is not %s's: %w", id, a.Username,
			timeline.ErrForbidden)
	}
	if p.Deleted() {
		return nil, nil, fmt.Errorf("post %d deleted: %w", id, timeline.ErrNotFound)
	}
	p.ImageURL = s.mediaPath(p.ImageURL)
	return a, p, nil
}
