package web

import (
	"context"
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// Lengths of the moderation page's lists: the open reports, newest first,
// and the ones resolved last, for the record.
const (
	moderationOpen     = 50
	moderationResolved = 20
)

// moderationView is the moderation page: the open reports, each with its
// form, and the ones resolved last.
type moderationView struct {
	Open     []*reportItem
	Count    int // open reports, more than Open holds when the list is cut
	Resolved []*timeline.Report
	Notice   string     // what was just done, in the visitor's language
	Error    *formError // an error about a report the list does not show
}

// reportItem is an open report and the state of its form.
type reportItem struct {
	Report *timeline.Report
	Note   string // the note sent, shown again beside its error
	Error  string
}

// isAdmin tells whether a user handles reports.
func isAdmin(u *timeline.User) bool { return u != nil && u.Admin }

// moderationNotices are the messages the moderation page shows after an
// action, by the value of its ?fait= parameter.
var moderationNotices = map[string]string{
	"resolu": "moderation.resolved_notice", "supprime": "moderation.deleted_notice",
}

// showModeration serves the moderation page to admins.
func (s *Server) showModeration(w http.ResponseWriter, r *http.Request) {
	if !isAdmin(currentUser(r)) {
		s.serveError(w, r, http.StatusForbidden, nil)
		return
	}
	view, err := s.loadModeration(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if key, ok := moderationNotices[r.URL.Query().Get("fait")]; ok {
		view.Notice = tr(visitorFrom(r).lang, key)
	}
	s.renderModeration(w, r, http.StatusOK, view)
}

func (s *Server) renderModeration(w http.ResponseWriter, r *http.Request, status int,
	view *moderationView) {
	s.render(w, r, status, "moderation", tr(visitorFrom(r).lang, "moderation.heading"), view)
}

// loadModeration reads the open reports and the ones resolved last.
func (s *Server) loadModeration(ctx context.Context) (*moderationView, error) {
	open, err := s.posts.OpenReports(ctx, moderationOpen)
	if err != nil {
		return nil, err
	}
	count, err := s.posts.CountOpenReports(ctx)
	if err != nil {
		return nil, err
	}
	resolved, err := s.posts.ResolvedReports(ctx, moderationResolved)
	if err != nil {
		return nil, err
	}
	view := &moderationView{Count: count, Resolved: resolved}
	for _, rep := range open {
		view.Open = append(view.Open, &reportItem{Report: rep})
	}
	return view, nil
}

// attachError shows msg, and the note sent, beside the report's form, or
// above the list when the list does not show the report.
func (v *moderationView) attachError(id int64, note, msg string) {
	for _, it := range v.Open {
		if it.Report.ID == id {
			it.Note, it.Error = note, msg
			return
		}
	}
	v.Error = &formError{Message: msg}
}
