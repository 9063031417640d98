package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
)

func TestLoginAndLogout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db, func(c *Config) {
			c.Base = strings.Replace(c.Base, "http:", "https:", 1)
			c.SecureCookies = true
		})
		p.user("alice", nil)
		c := p.client()

		res := c.tryLogin("alice", "not the password")
		wantStatus(t, "wrong password", res, http.StatusUnauthorized)
		indexOf(t, res.body, "Identifiant ou mot de passe incorrect")
		if cookieNamed(res, sessionCookie) != nil {
			t.Error("a failed login set a session cookie")
		}
		wantStatus(t, "unknown login", c.tryLogin("nobody", testPassword), http.StatusUnauthorized)

		res = c.tryLogin("Alice", testPassword)
		wantStatus(t, "right password", res, http.StatusSeeOther)
		if loc := res.header.Get("Location"); loc != "/espace" {
			t.Errorf("login redirects to %q, want /espace", loc)
		}
		checkSessionCookie(t, cookieNamed(res, sessionCookie))

		res = c.get("/espace")
		wantStatus(t, "workspace once signed in", res, http.StatusOK)
		indexOf(t, res.body, "Person alice")
		if got := res.header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
			t.Errorf("workspace Cache-Control = %q, want no-store", got)
		}

		token := c.token("/espace")
		res = c.post("/deconnexion", url.Values{csrfField: {token}})
		wantStatus(t, "logout", res, http.StatusSeeOther)
		if ck := cookieNamed(res, sessionCookie); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("logout does not delete the session cookie: %v", ck)
		}
		res = c.get("/espace")
		wantStatus(t, "workspace after logout", res, http.StatusSeeOther)
		if loc := res.header.Get("Location"); loc != "/connexion" {
			t.Errorf("redirect to %q, want /connexion", loc)
		}
		n, err := db.NewSelect().Model((*session)(nil)).Count(context.Background())
		if err != nil || n != 0 {
			t.Errorf("%d sessions left after logout (%v), want 0", n, err)
		}
	})
}

// checkSessionCookie checks the session cookie's flags.
func checkSessionCookie(t *testing.T, ck *http.Cookie) {
	t.Helper()
	if ck == nil {
		t.Fatal("no session cookie")
	}
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Errorf("session cookie HttpOnly=%v Secure=%v SameSite=%v Path=%q, "+
			"want true, true, Lax, /", ck.HttpOnly, ck.Secure, ck.SameSite, ck.Path)
	}
	if want := int(sessionLifetime.Seconds()); ck.MaxAge != want {
		t.Errorf("session cookie Max-Age = %d, want %d", ck.MaxAge, want)
	}
	if len(ck.Value) < 43 {
		t.Errorf("session token %q is too short", ck.Value)
	}
}

func cookieNamed(res *response, name string) *http.Cookie {
	for _, ck := range (&http.Response{Header: res.header}).Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func TestSessionStoredHashed(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	p := newPortal(t, db)
	p.user("alice", nil)
	c := p.client()
	res := c.tryLogin("alice", testPassword)
	token := cookieNamed(res, sessionCookie).Value

	var sess session
	if err := db.NewSelect().Model(&sess).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sess.TokenHash == token || sess.TokenHash != hashToken(token) {
		t.Errorf("stored %q for token %q, want its SHA-256", sess.TokenHash, token)
	}
	if got := sess.ExpiresAt.Sub(sess.CreatedAt); got != sessionLifetime {
		t.Errorf("session lasts %v, want %v", got, sessionLifetime)
	}

	// Past its expiry the session opens nothing.
	p.clock.advance(sessionLifetime + time.Minute)
	wantStatus(t, "expired session", c.get("/espace"), http.StatusSeeOther)
}

func TestLoginRateLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		p.user("alice", nil)
		p.user("bob", nil)

		// Five failures for alice from one address block alice there...
		attacker := p.clientFrom("127.0.0.2")
		for i := range loginFailures {
			res := attacker.tryLogin("alice", "guess")
			wantStatus(t, fmt.Sprintf("failure %d", i+1), res, http.StatusUnauthorized)
		}
		res := attacker.tryLogin("alice", testPassword)
		wantStatus(t, "sixth attempt", res, http.StatusTooManyRequests)
		if res.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		indexOf(t, res.body, "Trop de tentatives")
		// ...but not alice herself, signing in from elsewhere, which does
		// not forgive the attacker's failures.
		wantStatus(t, "alice from elsewhere", p.clientFrom("127.0.0.3").tryLogin("alice",
			testPassword), http.StatusSeeOther)
		wantStatus(t, "the attacker after alice signed in", attacker.tryLogin("alice", "guess"),
			http.StatusTooManyRequests)

		// Per address: failures on many accounts block the address.
		sprayer := p.clientFrom("127.0.0.4")
		for i := range loginAddressFailures {
			wantStatus(t, "spray", sprayer.tryLogin(fmt.Sprintf("a%d", i), "guess"),
				http.StatusUnauthorized)
		}
		wantStatus(t, "bob from the sprayer", sprayer.tryLogin("bob", testPassword),
			http.StatusTooManyRequests)
		wantStatus(t, "bob from elsewhere", p.clientFrom("127.0.0.5").tryLogin("bob",
			testPassword), http.StatusSeeOther)

		// Per account: guesses spread over many addresses block the account.
		for i := range loginAccountFailures {
			c := p.clientFrom(fmt.Sprintf("127.0.2.%d", i/loginFailures+1))
			wantStatus(t, "distributed guess", c.tryLogin("bob", "guess"), http.StatusUnauthorized)
		}
		wantStatus(t, "bob after a distributed guess", p.clientFrom("127.0.0.6").tryLogin("bob",
			testPassword), http.StatusTooManyRequests)

		// The window slides: a quarter of an hour later all may try again.
		p.clock.advance(loginWindow)
		wantStatus(t, "alice later", attacker.tryLogin("alice", testPassword),
			http.StatusSeeOther)
		wantStatus(t, "bob later", sprayer.tryLogin("bob", testPassword), http.StatusSeeOther)
	})
}

// TestLoginRateLimitIsShared shows that the failures live in the database:
// a second portal process on the same database (or the same portal after
// a restart) still refuses the account.
func TestLoginRateLimitIsShared(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		first := newPortal(t, db)
		first.user("alice", nil)
		for i := range loginFailures {
			wantStatus(t, fmt.Sprintf("failure %d", i+1),
				first.clientFrom("127.0.0.2").tryLogin("alice", "guess"), http.StatusUnauthorized)
		}
		second := newPortal(t, db)
		wantStatus(t, "alice on the second process", second.clientFrom("127.0.0.2").tryLogin("alice",
			testPassword), http.StatusTooManyRequests)
	})
}

// TestLoginRateLimitUnderConcurrentGuesses fires many guesses at once from
// one address: however they interleave, no more than loginFailures of them
// reach the password check.
func TestLoginRateLimitUnderConcurrentGuesses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		p.user("alice", nil)
		const guesses = 4 * loginFailures
		reqs := make([]func() (int, error), guesses)
		for i := range reqs {
			c := p.clientFrom("127.0.1.1")
			form := url.Values{"login": {"alice"}, "password": {"guess"},
				csrfField: {c.token("/connexion")}}
			reqs[i] = func() (int, error) {
				res, err := c.http.PostForm(p.srv.URL+"/connexion", form)
				if err != nil {
					return 0, err
				}
				res.Body.Close()
				return res.StatusCode, nil
			}
		}

		statuses := make(chan int, guesses)
		errs := make(chan error, guesses)
		for _, req := range reqs {
			go func() {
				status, err := req()
				statuses <- status
				errs <- err
			}()
		}
		checked := 0
		for range guesses {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			switch status := <-statuses; status {
			case http.StatusUnauthorized:
				checked++
			case http.StatusTooManyRequests:
			default:
				t.Errorf("a guess got status %d", status)
			}
		}
		if checked > loginFailures {
			t.Errorf("%d of %d concurrent guesses reached the password check, want at most %d",
				checked, guesses, loginFailures)
		}
		if checked == 0 {
			t.Error("no guess reached the password check")
		}
	})
}
