package web

import (
	"context"
	"net/http"

	"github.com/ess-lyon/portal/charter"
	"github.com/ess-lyon/portal/timeline"
)

// committeeItems is how many posts each list of the committee page holds.
const committeeItems = 30

// committeeView is the committee's page: its lists of posts, each with the
// form for a decision on it.
type committeeView struct {
	Sections []committeeSection
	Articles []charter.Article
	Done     bool       // a decision was just recorded
	Error    *formError // an error about a post none of the lists shows
}

// committeeSection is a list of posts under a heading.
type committeeSection struct {
	ID      string
	Heading string
	Items   []decisionItem
}

// decisionItem is a post and the state of its decision form.
type decisionItem struct {
	Post     *timeline.Post
	Featured bool
	Error    string
}

// isCommittee tells whether a user takes editorial decisions.
func isCommittee(u *timeline.User) bool { return u.Committee || u.Admin }

// showCommittee serves the committee's page to its members and admins.
func (s *Server) showCommittee(w http.ResponseWriter, r *http.Request) {
	if !isCommittee(currentUser(r)) {
		s.serveError(w, r, http.StatusForbidden, nil)
		return
	}
	view, err := s.loadCommittee(r.Context(), visitorFrom(r).lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view.Done = r.URL.Query().Get("fait") == "1"
	s.renderCommittee(w, r, http.StatusOK, view)
}

func (s *Server) renderCommittee(w http.ResponseWriter, r *http.Request, status int,
	view *committeeView) {
	s.render(w, r, status, "committee", tr(visitorFrom(r).lang, "committee.heading"), view)
}

// loadCommittee lists the featured posts, then the coming events and the
// recent news not featured.
func (s *Server) loadCommittee(ctx context.Context, lang string) (*committeeView, error) {
	featured, _, err := s.posts.FeaturedPosts(ctx, timeline.Page{Limit: committeeItems})
	if err != nil {
		return nil, err
	}
	events, _, err := s.posts.UpcomingEvents(ctx, s.posts.Now(),
		timeline.Page{Limit: committeeItems})
	if err != nil {
		return nil, err
	}
	news, _, err := s.posts.LatestNews(ctx, timeline.Page{Limit: committeeItems})
	if err != nil {
		return nil, err
	}

	onTop := make(map[int64]bool, len(featured))
	for _, p := range featured {
		onTop[p.ID] = true
	}
	section := func(id string, posts []*timeline.Post, featured bool) committeeSection {
		sec := committeeSection{ID: id, Heading: tr(lang, "committee."+id)}
		for _, p := range posts {
			if onTop[p.ID] == featured {
				sec.Items = append(sec.Items, decisionItem{Post: p, Featured: featured})
			}
		}
		return sec
	}
	return &committeeView{
		Sections: []committeeSection{section("featured", featured, true),
			section("events", events, false), section("news", news, false)},
		Articles: s.charter.Articles,
	}, nil
}

// attachError shows msg beside the post's form, or above the lists when
// none shows the post.
func (v *committeeView) attachError(postID int64, msg string) {
	for i := range v.Sections {
		for j := range v.Sections[i].Items {
			if v.Sections[i].Items[j].Post.ID == postID {
				v.Sections[i].Items[j].Error = msg
				return
			}
		}
	}
	v.Error = &formError{Message: msg}
}
