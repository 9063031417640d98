package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

func TestCSRF(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("cafe")
		alice := p.user("alice", nil)
		p.grant(alice, org, timeline.Editor)
		c := p.client()
		token := c.login("alice")

		news := func(csrf string) url.Values {
			return url.Values{"type": {"news"}, "title": {"Forgé"}, "body": {"x"},
				csrfField: {csrf}}
		}
		tests := []struct {
			name    string
			form    url.Values
			headers []string
			want    int
		}{
			{"no token", news(""), nil, http.StatusForbidden},
			{"wrong token", news(token + "x"), nil, http.StatusForbidden},
			{"another session's token", news(randomToken()), nil, http.StatusForbidden},
			{"other origin", news(token), []string{"Origin", "https://evil.example"},
				http.StatusForbidden},
			{"null origin", news(token), []string{"Origin", "null"}, http.StatusForbidden},
			{"own origin", news(token), []string{"Origin", p.srv.URL}, http.StatusSeeOther},
			{"no origin", news(token), nil, http.StatusSeeOther},
		}
		for _, tt := range tests {
			res := c.post("/espace/cafe/nouveau", tt.form, tt.headers...)
			wantStatus(t, tt.name, res, tt.want)
		}
		posts, _, err := p.posts.ActorPosts(context.Background(), org.ID, timeline.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(posts) != 2 {
			t.Errorf("%d posts created, want 2 (only the accepted requests)", len(posts))
		}

		// Logging out needs the token too.
		wantStatus(t, "logout without token", c.post("/deconnexion", url.Values{}),
			http.StatusForbidden)
		wantStatus(t, "still signed in", c.get("/espace"), http.StatusOK)
	})
}

func TestLoginCSRF(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	p := newPortal(t, db)
	p.user("alice", nil)
	form := url.Values{"login": {"alice"}, "password": {testPassword}}

	// A forged login form: no portal_csrf cookie, a made-up token.
	c := p.client()
	form.Set(csrfField, randomToken())
	wantStatus(t, "login without the form's cookie", c.post("/connexion", form),
		http.StatusForbidden)

	// The cookie, but not the token it holds.
	c.get("/connexion")
	wantStatus(t, "login with a wrong token", c.post("/connexion", form), http.StatusForbidden)

	// The cookie and its token, from another origin.
	form.Set(csrfField, c.token("/connexion"))
	wantStatus(t, "login from another origin",
		c.post("/connexion", form, "Origin", "https://evil.example"), http.StatusForbidden)
	wantStatus(t, "login from the form", c.post("/connexion", form), http.StatusSeeOther)
}

// TestOriginOfATrial: before the public domain is set up, an operator tries
// the portal at the address it listens on; posts from that address are the
// portal's own, posts from anywhere else are not.
func TestOriginOfATrial(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	p := newPortal(t, db, func(c *Config) { c.Base = "https://portail.example" })
	org := p.org("cafe")
	alice := p.user("alice", nil)
	p.grant(alice, org, timeline.Editor)
	c := p.client()
	token := c.login("alice")
	form := func() url.Values {
		return url.Values{"type": {"news"}, "title": {"Essai"}, "body": {"x"},
			csrfField: {token}}
	}
	wantStatus(t, "the listening address", c.post("/espace/cafe/nouveau", form(),
		"Origin", p.srv.URL), http.StatusSeeOther)
	wantStatus(t, "another site", c.post("/espace/cafe/nouveau", form(),
		"Origin", "http://evil.example"), http.StatusForbidden)
}

// TestCSRFRefusalLogged: a refused form is logged once, as a warning with
// its path and reason, so that an operator can tell a misconfigured origin
// from an attack; the token is never written.
func TestCSRFRefusalLogged(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	p := newPortal(t, db, func(c *Config) { c.Base = "https://portail.example" })
	org := p.org("cafe")
	alice := p.user("alice", nil)
	p.grant(alice, org, timeline.Editor)
	c := p.client()
	token := c.login("alice")
	form := url.Values{"type": {"news"}, "title": {"Essai"}, csrfField: {token}}
	tests := []struct {
		name    string
		form    url.Values
		headers []string
		reason  string
	}{
		{"other origin", form, []string{"Origin", "https://evil.example"},
			"POST from another origin: https://evil.example"},
		{"wrong token", url.Values{"title": {"Essai"}, csrfField: {token + "x"}}, nil,
			"missing or wrong form token"},
	}
	for _, tt := range tests {
		p.logs.Reset()
		res := c.post("/espace/cafe/nouveau", tt.form, tt.headers...)
		wantStatus(t, tt.name, res, http.StatusForbidden)
		logs := p.logs.String()
		if n := strings.Count(logs, "\n"); n != 1 {
			t.Errorf("%s: %d log lines, want 1:\n%s", tt.name, n, logs)
		}
		for _, want := range []string{"level=WARN", "path=/espace/cafe/nouveau", tt.reason} {
			if !strings.Contains(logs, want) {
				t.Errorf("%s: log lacks %q:\n%s", tt.name, want, logs)
			}
		}
		if strings.Contains(logs, token) {
			t.Errorf("%s: the form token was logged:\n%s", tt.name, logs)
		}
	}

	p.logs.Reset()
	wantStatus(t, "accepted form", c.post("/espace/cafe/nouveau", form), http.StatusSeeOther)
	if p.logs.Len() != 0 {
		t.Errorf("an accepted form was logged:\n%s", p.logs)
	}
}
