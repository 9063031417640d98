package web

import (
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// listItems is how many posts a page of the agenda or of the news shows.
const listItems = 20

// listView is a page of a list of posts and the links to the others.
type listView struct {
	Posts []*timeline.Post
	Pager pager
}

// showNews serves a page of the local news, newest first; ?avant= names
// the last post of the page before.
func (s *Server) showNews(w http.ResponseWriter, r *http.Request) {
	at, err := cursorParam(r, olderParam)
	if err != nil {
		s.serveError(w, r, http.StatusBadRequest, err)
		return
	}
	news, next, err := s.posts.LatestNews(r.Context(), timeline.Page{Limit: listItems, After: at})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := visitorFrom(r).lang
	pg := newPager(lang, "/actualites", olderParam, "news", at, next)
	s.render(w, r, http.StatusOK, "news", tr(lang, "news.heading"),
		listView{Posts: news, Pager: pg})
}
