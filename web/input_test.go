package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// errorTitles are the French titles of the error pages tests expect.
var errorTitles = map[int]string{400: "Requête incorrecte", 404: "Page introuvable"}

// TestNULRefused: PostgreSQL cannot store a NUL byte, so one in an address
// or a form must be refused as the visitor's mistake, not fail as a 500.
func TestNULRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p, org, c, token := editor(t, db)
		post := p.news(org, "Horaires")
		edit := "/espace/cafe/" + strconv.FormatInt(post.ID, 10) + "/modifier"
		news := url.Values{csrfField: {token}, "type": {"news"}, "title": {"a\x00b"}}
		tests := []struct {
			name   string
			res    func() *response
			status int
		}{
			{"organisation page", func() *response { return c.get("/@%00") }, 404},
			{"organisation page, NUL last", func() *response { return c.get("/@cafe%00") }, 404},
			{"post page", func() *response { return c.get("/@%00/1") }, 404},
			{"workspace", func() *response { return c.get("/espace/%00/nouveau") }, 404},
			{"new post form", func() *response {
				return c.postMultipart("/espace/%00/nouveau", news, nil)
			}, 404},
			{"title", func() *response {
				return c.postMultipart("/espace/cafe/nouveau", news, nil)
			}, 400},
			{"edited title", func() *response {
				return c.post(edit, url.Values{csrfField: {token}, "title": {"x\x00"}})
			}, 400},
		}
		for _, tt := range tests {
			res := tt.res()
			wantStatus(t, tt.name, res, tt.status)
			indexOf(t, res.body, errorTitles[tt.status])
		}

		// The login form, as a visitor who is not signed in sends it.
		anon := p.client()
		form := url.Values{"login": {"a\x00b"}, "password": {testPassword},
			csrfField: {anon.token("/connexion")}}
		res := anon.post("/connexion", form)
		wantStatus(t, "login", res, http.StatusBadRequest)
		indexOf(t, res.body, "Requête incorrecte")

		if got := p.reload(post); got.Title != "Horaires" {
			t.Errorf("title %q after refused edits, want Horaires", got.Title)
		}
		posts, _, err := p.posts.ActorPosts(context.Background(), org.ID, timeline.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(posts) != 1 {
			t.Errorf("%d posts, want 1: a refused form created one", len(posts))
		}
		if strings.Contains(p.logs.String(), "level=ERROR") {
			t.Errorf("a refused request was logged as an error:\n%s", p.logs)
		}
	})
}
