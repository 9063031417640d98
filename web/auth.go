package web

import (
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// requireUser sends visitors who are not signed in to the login page, and
// keeps every page behind it out of shared caches.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if visitorFrom(r).user == nil {
			http.Redirect(w, r, "/connexion", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// currentUser is the signed-in user; only pages behind requireUser call it.
func currentUser(r *http.Request) *timeline.User {
	return visitorFrom(r).user
}
