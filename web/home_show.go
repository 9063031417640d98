package web

import (
	"context"
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// How many items each list of the homepage shows.
const (
	homeItems  = 6
	homeTeaser = 8
)

// homeView is the homepage, in the order it shows things.
type homeView struct {
	Featured      []*timeline.Post
	Events        []*timeline.Post
	News          []*timeline.Post
	Organisations []*timeline.Actor
	Teaser        []*timeline.Actor // the first organisations, as a taste of the directory
}

// showHome serves the homepage: featured posts first, then coming events
// soonest first, then the latest news, then a glimpse of the directory.
func (s *Server) showHome(w http.ResponseWriter, r *http.Request) {
	view, err := s.loadHome(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", tr(visitorFrom(r).lang, "nav.home"), view)
}

func (s *Server) loadHome(ctx context.Context) (*homeView, error) {
	v := new(homeView)
	var err error
	page := timeline.Page{Limit: homeItems}
	if v.Featured, _, err = s.posts.FeaturedPosts(ctx, page); err != nil {
		return nil, err
	}
	if v.Events, _, err = s.posts.UpcomingEvents(ctx, s.posts.Now(), page); err != nil {
		return nil, err
	}
	if v.News, _, err = s.posts.LatestNews(ctx, page); err != nil {
		return nil, err
	}
	if v.Organisations, err = s.posts.Organisations(ctx); err != nil {
		return nil, err
	}
	v.Teaser = v.Organisations[:min(len(v.Organisations), homeTeaser)]
	return v, nil
}
