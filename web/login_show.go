package web

import (
	"net/http"
)

// loginView is the login form.
type loginView struct {
	CSRF  string // the double-submit token, also in the portal_csrf cookie
	Login string
	Error *formError
}

// showLogin serves the login form, or sends a signed-in visitor to their
// workspace.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) {
	if visitorFrom(r).user != nil {
		http.Redirect(w, r, "/espace", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, "", nil)
}

// renderLogin shows the login form with the token of the visitor's
// portal_csrf cookie, setting the cookie first if there is none.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, login string,
	ferr *formError) {
	w.Header().Set("Cache-Control", "no-store")
	token := ""
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) == len(randomToken()) {
		token = c.Value
	} else {
		token = randomToken()
		http.SetCookie(w, s.cookie(loginCSRFCookie, token, 0))
	}
	view := loginView{CSRF: token, Login: login, Error: ferr}
	s.render(w, r, status, "login", tr(visitorFrom(r).lang, "login.heading"), view)
}
