package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// Every POST must carry, in the form field "csrf", a token that only a page
// of the portal could have written: a form forged on another site cannot
// read it.
//
// A signed-in visitor's token is their session's, stored with it. Before
// signing in there is no session, so the login form uses a double-submit
// token instead: showing the form sets a random value in the portal_csrf
// cookie and copies it into the form, and the POST must bring both, equal.
// Another site can make a browser post to the portal, but cannot read that
// cookie nor set it (it is HttpOnly and SameSite=Lax, so not even sent on a
// cross-site POST), so it cannot write the matching value in its form. The
// scheme assumes no other host under the portal's domain sets cookies.
//
// As a second, independent guard, a POST whose Origin header names another
// origin is refused whatever its token.
const (
	csrfField       = "csrf"
	loginCSRFCookie = "portal_csrf"
)

// The limits on a posted form: one image and the text fields around it.
const (
	maxFormBytes = maxImageBytes + 1<<20
	formMemory   = 1 << 20 // parts beyond this wait in temporary files
)

var (
	errCrossOrigin = errors.New("web: POST from another origin")
	errBadToken    = errors.New("web: missing or wrong form token")
)

// checkCSRF parses the form of every request but GET and HEAD and refuses
// it, 403, without the visitor's token or from another origin, and 400
// when a value holds a NUL character.
func (s *Server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if status, err := s.verifyForm(w, r); err != nil {
			s.serveError(w, r, status, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// verifyForm checks a POST's origin, token and values, and returns the
// status to answer with when they do not pass. Its errors say why, to be
// logged, but never hold a token.
func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) (int, error) {
	if o := r.Header.Get("Origin"); o != "" && !s.sameOrigin(o, r) {
		return http.StatusForbidden, fmt.Errorf("%w: %s, not %s nor the Host %s",
			errCrossOrigin, o, s.origin, r.Host)
	}
	if err := parseForm(w, r); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, err
		}
		return http.StatusBadRequest, err
	}

	if err := checkToken(expectedToken(r), r.PostFormValue(csrfField)); err != nil {
		return http.StatusForbidden, err
	}
	if hasNUL(r.Form) {
		return http.StatusBadRequest, errNUL
	}
	return 0, nil
}

// checkToken compares the token sent with the one expected, and tells which
// was missing when one was: with no expected token, the browser sent no
// session nor login cookie, as when Secure cookies meet plain HTTP.
func checkToken(want, got string) error {
	switch {
	case want == "":
		return fmt.Errorf("%w: no session nor login form cookie", errBadToken)
	case got == "":
		return fmt.Errorf("%w: none in the form", errBadToken)
	case subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1:
		return fmt.Errorf("%w: not the expected one", errBadToken)
	}
	return nil
}

// refusedForm tells whether err is a POST that the CSRF guards refused.
func refusedForm(err error) bool {
	return errors.Is(err, errCrossOrigin) || errors.Is(err, errBadToken)
}

// sameOrigin tells whether a POST's Origin is the portal: its public
// origin, or the host the request was sent to (a trial on 127.0.0.1 before
// the public domain is set up). A browser sets Host to the site it posts
// to, so a forged form on another site never matches either.
func (s *Server) sameOrigin(origin string, r *http.Request) bool {
	if strings.EqualFold(origin, s.origin) {
		return true
	}
	_, host, ok := strings.Cut(origin, "://")
	return ok && r.Host != "" && strings.EqualFold(host, r.Host)
}

// expectedToken is the session's token, or the login form's cookie before
// signing in.
func expectedToken(r *http.Request) string {
	if v := visitorFrom(r); v.session != nil {
		return v.session.CSRFToken
	}
	if c, err := r.Cookie(loginCSRFCookie); err == nil {
		return c.Value
	}
	return ""
}

// parseForm reads a urlencoded or multipart body, at most maxFormBytes.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(formMemory)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return fmt.Errorf("reading form: %w", err)
	}
	return nil
}
