package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/ess-lyon/portal/timeline"
)

// errorView is what the error page shows.
type errorView struct {
	Status int
	Text   string
}

// errorStatuses are the statuses the catalogue has a title and text for.
var errorStatuses = map[int]bool{400: true, 403: true, 404: true, 410: true, 413: true,
	422: true, 429: true, 500: true}

// serveError answers with the error page for status. It is the one place
// that logs a failure, once: server errors, and forms the CSRF guards
// refused, as warnings, since a misconfigured origin or cookie refuses
// them all. Other statuses are the visitor's doing, and err may be nil for
// them.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, status int, err error) {
	switch {
	case status >= http.StatusInternalServerError:
		s.log.Error("serving page", "method", r.Method, "path", r.URL.Path,
			"status", status, "error", err)
	case refusedForm(err):
		s.log.Warn("refusing form", "method", r.Method, "path", r.URL.Path,
			"status", status, "reason", err)
	}
	key := "error.other"
	if errorStatuses[status] {
		key = "error." + strconv.Itoa(status)
	}
	lang := visitorFrom(r).lang
	view := errorView{Status: status, Text: tr(lang, key+".text")}
	s.render(w, r, status, "error", tr(lang, key+".title"), view)
}

// fail answers with the error page that fits a domain error: 404 for what
// does not exist, 403 for what is not allowed, 500 otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, timeline.ErrNotFound):
		s.serveError(w, r, http.StatusNotFound, err)
	case errors.Is(err, timeline.ErrForbidden):
		s.serveError(w, r, http.StatusForbidden, err)
	default:
		s.serveError(w, r, http.StatusInternalServerError, err)
	}
}
