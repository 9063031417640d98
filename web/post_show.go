package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/charter"
	"github.com/ess-lyon/portal/timeline"
)

// maxReplies is how many replies a post's page shows.
const maxReplies = 50

// postView is a post's page.
type postView struct {
	Post     *timeline.Post
	Replies  []*timeline.Post
	Featured bool
	EditURL  string // set when the visitor may edit the post
	// Decisions are the committee's decisions on the post, with the
	// charter articles they cite: the charter says they are public.
	Decisions []decisionView
}

// decisionView is one committee decision as the post's page shows it.
type decisionView struct {
	*charter.Decision
	Articles []string
}

// showPost serves a local post's page, or 410 Gone once it is deleted.
func (s *Server) showPost(w http.ResponseWriter, r *http.Request) {
	p, err := s.localPost(r.Context(), chi.URLParam(r, "name"), chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if chi.URLParam(r, "name") != p.Actor.Username {
		redirectCanonical(w, r, postPath(p.Actor.Username, p.ID))
		return
	}
	if p.Deleted() {
		s.serveError(w, r, http.StatusGone, nil)
		return
	}

	view, err := s.loadPost(r.Context(), p, visitorFrom(r).user)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "post", p.Title, view)
}

// localPost returns the local post with id published by the actor name,
// deleted or not, or timeline.ErrNotFound. Its image is the portal's path
// when it is one (see [Server.mediaPath]).
func (s *Server) localPost(ctx context.Context, name, id string) (*timeline.Post, error) {
	n, err := parsePostID(id)
	if err != nil {
		return nil, err
	}
	p, err := s.posts.Post(ctx, n)
	if err != nil {
		return nil, err
	}
	if !p.Local || p.Actor == nil || !strings.EqualFold(p.Actor.Username, name) {
		return nil, fmt.Errorf("post %d of %s: %w", n, name, timeline.ErrNotFound)
	}
	p.ImageURL = s.mediaPath(p.ImageURL)
	return p, nil
}

// parsePostID reads the number of a post in an address, written as the
// portal writes it: another spelling of the same number, such as 01 or +1,
// is no address of the post, and gives timeline.ErrNotFound.
func parsePostID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return 0, fmt.Errorf("post %q: %w", id, timeline.ErrNotFound)
	}
	return n, nil
}

func (s *Server) loadPost(ctx context.Context, p *timeline.Post,
	user *timeline.User) (*postView, error) {
	path := postPath(p.Actor.Username, p.ID)
	v := &postView{Post: p}
	var err error
	if v.Replies, err = s.posts.Replies(ctx, s.cfg.Base+path, maxReplies); err != nil {
		return nil, err
	}
	if v.Featured, err = s.posts.IsFeatured(ctx, p.ID); err != nil {
		return nil, err
	}
	decisions, err := s.committee.Decisions(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range decisions {
		v.Decisions = append(v.Decisions, decisionView{d, strings.Split(d.Articles, ",")})
	}
	if user != nil {
		// RoleOn fails with ErrForbidden for a user with no role: no link.
		if _, err := s.posts.RoleOn(ctx, user.ID, p.ActorID); err == nil {
			v.EditURL = "/espace/" + p.Actor.Username + "/" + strconv.FormatInt(p.ID, 10) +
				"/modifier"
		}
	}
	return v, nil
}
