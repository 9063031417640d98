package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ess-lyon/portal/timeline"
)

// langCookie keeps the language a visitor chose, signed in or not.
const langCookie = "lang"

// visitor is who asks for a page: their language and, once signed in, their
// session and account.
type visitor struct {
	lang    string
	session *session       // nil until signed in
	user    *timeline.User // nil until signed in
}

type contextKey int

const visitorKey contextKey = 0

// visitorFrom returns the visitor that identify put in the request's
// context, or an anonymous French one.
func visitorFrom(r *http.Request) *visitor {
	if v, ok := r.Context().Value(visitorKey).(*visitor); ok {
		return v
	}
	return &visitor{lang: defaultLang}
}

// identify finds the visitor's session and language and passes them on in
// the request's context. A ?lang= parameter switches the language, which
// is then kept in a cookie and in the session. Running it twice is harmless.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Value(visitorKey).(*visitor); ok {
			next.ServeHTTP(w, r)
			return
		}
		v, err := s.lookUpVisitor(r)
		if err == nil {
			err = s.switchLang(w, r, v)
		}
		r = r.WithContext(context.WithValue(r.Context(), visitorKey, v))
		if err != nil {
			s.serveError(w, r, http.StatusInternalServerError, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withGuest returns r with a visitor found without asking the database:
// their language from the URL or its cookie, and no session. It serves the
// pages refused before the session is looked up.
func withGuest(r *http.Request) *http.Request {
	var cookieLang string
	if c, err := r.Cookie(langCookie); err == nil {
		cookieLang = c.Value
	}
	v := &visitor{lang: pickLang(r.URL.Query().Get("lang"), cookieLang)}
	return r.WithContext(context.WithValue(r.Context(), visitorKey, v))
}

// lookUpVisitor reads the session cookie and picks the language: the one
// asked for in the URL, else the cookie's, else the session's, else French.
func (s *Server) lookUpVisitor(r *http.Request) (*visitor, error) {
	v := &visitor{}
	var cookieLang, sessionLang string
	if c, err := r.Cookie(langCookie); err == nil {
		cookieLang = c.Value
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.signedIn(r.Context(), v, c.Value); err != nil {
			v.lang = defaultLang
			return v, err
		}
	}
	if v.session != nil {
		sessionLang = v.session.Lang
	}
	v.lang = pickLang(r.URL.Query().Get("lang"), cookieLang, sessionLang)
	return v, nil
}

// signedIn fills v with the session of token and its user, if both exist.
func (s *Server) signedIn(ctx context.Context, v *visitor, token string) error {
	sess, err := s.findSession(ctx, token)
	if errors.Is(err, errNoSession) {
		return nil
	}
	if err != nil {
		return err
	}
	user, err := s.posts.User(ctx, sess.UserID)
	if errors.Is(err, timeline.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading user of session: %w", err)
	}
	v.session, v.user = sess, user
	return nil
}

// switchLang keeps a language asked for with ?lang= for the next pages.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request, v *visitor) error {
	lang := r.URL.Query().Get("lang")
	if !knownLang(lang) {
		return nil
	}
	http.SetCookie(w, s.cookie(langCookie, lang, 365*24*time.Hour))
	if v.session != nil && v.session.Lang != lang {
		return s.setSessionLang(r.Context(), v.session, lang)
	}
	return nil
}
