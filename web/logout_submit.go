package web

import "net/http"

// submitLogout ends the visitor's session and goes back to the homepage.
func (s *Server) submitLogout(w http.ResponseWriter, r *http.Request) {
	if sess := visitorFrom(r).session; sess != nil {
		if err := s.endSession(r.Context(), sess); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, s.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
