package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ess-lyon/portal/timeline"
)

// errBadCredentials is a failed login, whatever was wrong.
var errBadCredentials = errors.New("web: wrong login or password")

// submitLogin signs a visitor in and sends them to their workspace. Past
// the limits of loginLimits in loginWindow, it answers 429 without
// checking the password.
func (s *Server) submitLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	login := strings.ToLower(strings.TrimSpace(r.PostFormValue("login")))
	addr := clientAddr(r)
	try, blocked, err := s.beginAttempt(ctx, s.posts.Now(), loginLimits(login, addr))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int(loginWindow.Seconds())))
		s.serveError(w, r, http.StatusTooManyRequests, nil)
		return
	}

	user, err := s.authenticate(ctx, login, r.PostFormValue("password"))
	if errors.Is(err, errBadCredentials) {
		msg := &formError{Message: tr(visitorFrom(r).lang, "login.failed")}
		s.renderLogin(w, r, http.StatusUnauthorized, login, msg)
		return // the attempt stays counted, as a failure
	}
	if err == nil {
		err = s.signIn(w, r, user)
	}
	if err == nil {
		err = errors.Join(s.endAttempt(ctx, try), s.forgiveLogin(ctx, login, addr))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/espace", http.StatusSeeOther)
}

// authenticate returns the user with that login and password, or
// errBadCredentials. An unknown login costs the same hashing as a wrong
// password, so that timing does not tell which logins exist.
func (s *Server) authenticate(ctx context.Context, login, password string) (*timeline.User, error) {
	user, err := s.posts.UserByLogin(ctx, login)
	if errors.Is(err, timeline.ErrNotFound) {
		timeline.CheckPassword(s.dummyHash, password)
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if !timeline.CheckPassword(user.PasswordHash, password) {
		return nil, errBadCredentials
	}
	return user, nil
}

// signIn starts a session in the visitor's language, sets its cookie, and
// drops the login form's token, which has served its purpose, and any
// session the browser had. The session token is always new, so a token
// planted before login opens nothing.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, user *timeline.User) error {
	if old := visitorFrom(r).session; old != nil {
		if err := s.endSession(r.Context(), old); err != nil {
			return err
		}
	}
	token, err := s.startSession(r.Context(), user.ID, visitorFrom(r).lang)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(sessionCookie, token, sessionLifetime))
	http.SetCookie(w, s.cookie(loginCSRFCookie, "", -1))
	return nil
}
