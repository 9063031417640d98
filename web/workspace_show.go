package web

import (
	"context"
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// workspacePosts is how many of an organisation's posts a page of the
// workspace lists.
const workspacePosts = 20

// orgPosts is one organisation of the workspace: the user's role on it and
// a page of its posts.
type orgPosts struct {
	Actor *timeline.Actor
	Role  timeline.Role
	Posts []*timeline.Post
	Pager pager
}

// workspaceView is the workspace: every organisation the user publishes
// for, or the page of one of them where its older posts are.
type workspaceView struct {
	Orgs []orgPosts
	One  bool // one organisation's page, reached from the whole workspace
}

// showWorkspace lists the organisations the user publishes for, with their
// latest posts and what can be done with them.
func (s *Server) showWorkspace(w http.ResponseWriter, r *http.Request) {
	lang := visitorFrom(r).lang
	orgs, err := s.loadWorkspace(r.Context(), lang, currentUser(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "workspace", tr(lang, "workspace.heading"),
		workspaceView{Orgs: orgs})
}

// showWorkspaceOrg serves one organisation of the workspace with a page of
// its posts; ?avant= names the last post of the page before.
func (s *Server) showWorkspaceOrg(w http.ResponseWriter, r *http.Request) {
	at, err := cursorParam(r, olderParam)
	if err != nil {
		s.serveError(w, r, http.StatusBadRequest, err)
		return
	}
	org, err := s.editableOrg(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := visitorFrom(r).lang
	op, err := s.loadOrgPosts(r.Context(), lang, currentUser(r).ID, org, at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "workspace", tr(lang, "workspace.heading"),
		workspaceView{Orgs: []orgPosts{op}, One: true})
}

func (s *Server) loadWorkspace(ctx context.Context, lang string, userID int64) ([]orgPosts,
	error) {
	members, err := s.posts.Memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]orgPosts, 0, len(members))
	for _, m := range members {
		op, err := s.orgPage(ctx, lang, m.Actor, m.Role, timeline.Cursor{})
		if err != nil {
			return nil, err
		}
		out = append(out, op)
	}
	return out, nil
}

// loadOrgPosts reads the user's role on a and the page of a's posts at at.
func (s *Server) loadOrgPosts(ctx context.Context, lang string, userID int64,
	a *timeline.Actor, at timeline.Cursor) (orgPosts, error) {
	role, err := s.posts.RoleOn(ctx, userID, a.ID)
	if err != nil {
		return orgPosts{}, err
	}
	return s.orgPage(ctx, lang, a, role, at)
}

// orgPage reads the page of a's posts at at, whose older posts are on a's
// own page of the workspace.
func (s *Server) orgPage(ctx context.Context, lang string, a *timeline.Actor,
	role timeline.Role, at timeline.Cursor) (orgPosts, error) {
	posts, next, err := s.posts.ActorPosts(ctx, a.ID,
		timeline.Page{Limit: workspacePosts, After: at})
	if err != nil {
		return orgPosts{}, err
	}
	pg := newPager(lang, "/espace/"+a.Username, olderParam, "workspace", at, next)
	return orgPosts{Actor: a, Role: role, Posts: posts, Pager: pg}, nil
}
