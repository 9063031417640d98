package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/timeline"
)

// actorPosts is how many posts an organisation's page lists.
const actorPosts = 30

// actorView is an organisation's page, or the portal's.
type actorView struct {
	Actor     *timeline.Actor
	Handle    string // @name@host, to follow it from the fediverse
	Followers *int64 // nil when the count is not known
	Posts     []*timeline.Post
	IsPortal  bool // the portal's page lists the featured posts it shares
}

// showActor serves the page of a local organisation or of the portal.
func (s *Server) showActor(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	a, err := s.posts.LocalActor(r.Context(), name)
	if err == nil && a.Kind != timeline.KindOrganisation && a.Kind != timeline.KindPortal {
		err = fmt.Errorf("actor %s is not shown to people: %w", name, timeline.ErrNotFound)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}

	view, err := s.loadActor(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "actor", a.DisplayName(), view)
}

func (s *Server) loadActor(ctx context.Context, a *timeline.Actor) (*actorView, error) {
	v := &actorView{Actor: a, Handle: "@" + a.Username + "@" + s.host,
		IsPortal: a.Kind == timeline.KindPortal}
	var err error
	if v.IsPortal {
		v.Posts, _, err = s.posts.FeaturedPosts(ctx, timeline.Page{Limit: actorPosts})
	} else {
		v.Posts, _, err = s.posts.ActorPosts(ctx, a.ID, timeline.Page{Limit: actorPosts})
	}
	if err != nil {
		return nil, err
	}

	if s.cfg.Followers != nil {
		n, err := s.cfg.Followers(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("counting followers of %s: %w", a.Username, err)
		}
		v.Followers = &n
	}
	return v, nil
}
