package web

import (
	"context"
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// workspacePosts is how many of each organisation's latest posts the
// workspace lists.
// TODO: page through older posts, which cannot be edited from here yet.
const workspacePosts = 50

// orgPosts is one organisation of the workspace: the user's role on it and
// its latest posts.
type orgPosts struct {
	Actor *timeline.Actor
	Role  timeline.Role
	Posts []*timeline.Post
}

// showWorkspace lists the organisations the user publishes for, with their
// posts and what can be done with them.
func (s *Server) showWorkspace(w http.ResponseWriter, r *http.Request) {
	orgs, err := s.loadWorkspace(r.Context(), currentUser(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "workspace", tr(visitorFrom(r).lang, "workspace.heading"), orgs)
}

func (s *Server) loadWorkspace(ctx context.Context, userID int64) ([]orgPosts, error) {
	members, err := s.posts.Memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]orgPosts, 0, len(members))
	for _, m := range members {
		posts, _, err := s.posts.ActorPosts(ctx, m.ActorID, timeline.Page{Limit: workspacePosts})
		if err != nil {
			return nil, err
		}
		out = append(out, orgPosts{Actor: m.Actor, Role: m.Role, Posts: posts})
	}
	return out, nil
}
