package web

import (
	"context"
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// deletePost deletes a post, which leaves a tombstone answering 410, and
// its uploaded image, and goes back to the workspace.
func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.editablePost(r)
	if err == nil {
		err = s.removePost(r.Context(), p)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/espace", http.StatusSeeOther)
}

// DeletePost deletes the local post numbered id as the workspace does:
// for the command line, which acts for the operator.
func (s *Server) DeletePost(ctx context.Context, id int64) error {
	p, err := s.posts.Post(ctx, id)
	if err != nil {
		return err
	}
	return s.removePost(ctx, p)
}

// removePost deletes a local post, which tells its followers' servers, and
// then its uploaded image if nothing else shows it: the one way editors
// and admins alike delete a post.
func (s *Server) removePost(ctx context.Context, p *timeline.Post) error {
	if err := s.posts.DeletePost(ctx, p.ID); err != nil {
		return err
	}
	s.releaseImage(ctx, p.ImageURL)
	return nil
}
