package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/timeline"
)

// resolveReport marks a report resolved by the admin, with their note, or
// shows the page again, 422, with why it was refused.
func (s *Server) resolveReport(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	if !isAdmin(user) {
		s.serveError(w, r, http.StatusForbidden, nil)
		return
	}
	id, err := parseReportID(chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	note := r.PostFormValue("note")
	err = s.posts.ResolveReport(r.Context(), user, id, note)
	lang := visitorFrom(r).lang
	switch {
	case errors.Is(err, timeline.ErrInvalid):
		s.refuseResolve(w, r, id, note, fieldMessage(lang, err))
	case errors.Is(err, timeline.ErrExists):
		s.refuseResolve(w, r, id, note, tr(lang, "moderation.already"))
	case err != nil:
		s.fail(w, r, err)
	default:
		http.Redirect(w, r, "/moderation?fait=resolu", http.StatusSeeOther)
	}
}

// parseReportID reads a report's number from the URL, canonical as a
// post's must be.
func parseReportID(s string) (int64, error) {
	id, err := parsePostID(s)
	if err != nil {
		return 0, fmt.Errorf("report %q: %w", s, timeline.ErrNotFound)
	}
	return id, nil
}

// refuseResolve shows the moderation page again with msg beside the
// report's form.
func (s *Server) refuseResolve(w http.ResponseWriter, r *http.Request, id int64, note,
	msg string) {
	view, err := s.loadModeration(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view.attachError(id, note, msg)
	s.renderModeration(w, r, http.StatusUnprocessableEntity, view)
}
