package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/timeline"
)

// actorPosts is how many posts a page of an organisation's page lists.
const actorPosts = 30

// actorView is an organisation's page, or the portal's.
type actorView struct {
	Actor     *timeline.Actor
	Handle    string // @name@host, to follow it from the fediverse
	Followers *int64 // nil when the count is not known
	Posts     []*timeline.Post
	Pager     pager
	IsPortal  bool // the portal's page lists the featured posts it shares
}

// showActor serves the page of a local organisation or of the portal, with
// a page of its posts; ?avant= names the last post of the page before.
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
	if name != a.Username {
		redirectCanonical(w, r, actorURL(a))
		return
	}
	at, err := cursorParam(r, olderParam)
	if err != nil {
		s.serveError(w, r, http.StatusBadRequest, err)
		return
	}

	view, err := s.loadActor(r.Context(), visitorFrom(r).lang, a, at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "actor", a.DisplayName(), view)
}

func (s *Server) loadActor(ctx context.Context, lang string, a *timeline.Actor,
	at timeline.Cursor) (*actorView, error) {
	v := &actorView{Actor: a, Handle: "@" + a.Username + "@" + s.host,
		IsPortal: a.Kind == timeline.KindPortal}
	var next timeline.Cursor
	var err error
	page := timeline.Page{Limit: actorPosts, After: at}
	if v.IsPortal {
		v.Posts, next, err = s.posts.FeaturedPosts(ctx, page)
	} else {
		v.Posts, next, err = s.posts.ActorPosts(ctx, a.ID, page)
	}
	if err != nil {
		return nil, err
	}
	v.Pager = newPager(lang, actorURL(a), olderParam, "org", at, next)

	if s.cfg.Followers != nil {
		n, err := s.cfg.Followers(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("counting followers of %s: %w", a.Username, err)
		}
		v.Followers = &n
	}
	return v, nil
}
