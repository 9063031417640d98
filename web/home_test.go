package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

func TestHomeOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("recyclerie")
		late := p.event(org, "Grande braderie", time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC))
		soon := p.event(org, "Atelier réparation", time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC))
		p.event(org, "Fête passée", time.Date(2026, 11, 2, 17, 0, 0, 0, time.UTC))
		news := p.news(org, "Nouvelles du jardin")
		star := p.news(org, "Appel à bénévoles")
		p.feature(star)
		remote := p.remotePost("https://mastodon.example/@amap/42", "La récolte de l'AMAP")
		p.feature(remote)

		res := p.client().get("/")
		wantStatus(t, "GET /", res, http.StatusOK)
		body := res.body

		featured := indexOf(t, body, `id="featured-heading"`)
		events := indexOf(t, body, `id="events-heading"`)
		newsList := indexOf(t, body, `id="news-heading"`)
		order := []struct {
			what string
			at   int
		}{
			{"featured heading", featured},
			{"remote featured post", indexOf(t, body, "La récolte de l&#39;AMAP")},
			{"featured news", indexOf(t, body, postPath("recyclerie", star.ID))},
			{"events heading", events},
			{"sooner event", indexOf(t, body, postPath("recyclerie", soon.ID))},
			{"later event", indexOf(t, body, postPath("recyclerie", late.ID))},
			{"news heading", newsList},
			{"news", indexOf(t, body, postPath("recyclerie", news.ID))},
			{"directory teaser", indexOf(t, body, `id="directory-heading"`)},
		}
		for i := 1; i < len(order); i++ {
			if order[i-1].at >= order[i].at {
				t.Errorf("%s comes before %s", order[i].what, order[i-1].what)
			}
		}
		if strings.Contains(body, "Fête passée") {
			t.Error("a past event is listed")
		}
		for _, want := range []string{
			`href="https://mastodon.example/@amap/42"`, // remote posts link to their page
			`href="/@recyclerie"`,                      // items link to their organisation
			`<time datetime="2026-12-10T17:00:00Z">`,
		} {
			indexOf(t, body, want)
		}
	})
}

// remotePost stores a note from another server.
func (p *portal) remotePost(url, text string) *timeline.Post {
	p.t.Helper()
	ctx := context.Background()
	a := &timeline.Actor{URI: "https://mastodon.example/users/amap", Domain: "mastodon.example",
		Username: "amap", Kind: timeline.KindPerson, Name: "AMAP",
		URL: "https://mastodon.example/@amap"}
	if err := p.posts.UpsertRemoteActor(ctx, a); err != nil {
		p.t.Fatalf("storing remote actor: %v", err)
	}
	post := &timeline.Post{ActorID: a.ID, Kind: timeline.Note, URI: url + "/activity", URL: url,
		BodyHTML: "<p>" + text + "</p>"}
	if err := p.posts.UpsertRemotePost(ctx, post); err != nil {
		p.t.Fatalf("storing remote post: %v", err)
	}
	return post
}

func TestPublicPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db, func(c *Config) {
			c.Followers = func(context.Context, *timeline.Actor) (int64, error) { return 42, nil }
		})
		org := p.org("tiers-lieu")
		ev := p.event(org, "Concert solidaire", time.Date(2026, 12, 5, 19, 0, 0, 0, time.UTC))
		n := p.news(org, "Ouverture du café")
		_, err := p.posts.EnsureLocalActor(context.Background(), &timeline.Actor{
			Username: timeline.PortalUsername, Kind: timeline.KindPortal, Name: "ESS Lyon"})
		if err != nil {
			t.Fatal(err)
		}
		p.feature(n)
		host := strings.TrimPrefix(p.srv.URL, "http://")

		c := p.client()
		tests := []struct {
			path   string
			status int
			want   []string
		}{
			{"/annuaire", 200, []string{"Org tiers-lieu", "Association", "Alimentation", "Lyon",
				`href="https://tiers-lieu.example"`}},
			{"/agenda", 200, []string{"Concert solidaire", "samedi 5 décembre 2026, 20\u00a0h\u00a000"}},
			{"/actualites", 200, []string{"Ouverture du café"}},
			{"/charte", 200, []string{`id="article-1"`, `id="article-6"`, "Transparence"}},
			{"/@tiers-lieu", 200, []string{"<h1>Org tiers-lieu</h1>", "@tiers-lieu@" + host,
				"<dd>42</dd>", "Concert solidaire"}},
			{"/@portail", 200, []string{"Ouverture du café"}},
			{postPath("tiers-lieu", ev.ID), 200, []string{"<h1>Concert solidaire</h1>",
				"Maison des associations", `datetime="2026-12-05T19:00:00Z"`}},
			{postPath("tiers-lieu", n.ID), 200, []string{`class="badge"`, "<strong>Ouverture"}},
			{postPath("autre", n.ID), 404, nil},
			{"/@tiers-lieu/abc", 404, nil},
			{"/@inconnu", 404, []string{"Page introuvable"}},
			{"/nulle-part", 404, []string{"Page introuvable"}},
			{"/static/style.css", 200, []string{"--accent"}},
			{"/static/", 404, nil},
			{"/media/../server.go", 404, nil},
		}
		for _, tt := range tests {
			res := c.get(tt.path)
			wantStatus(t, tt.path, res, tt.status)
			for _, w := range tt.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("%s lacks %q", tt.path, w)
				}
			}
		}
	})
}

func TestFollowersErrorLoggedOnce(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	p := newPortal(t, db, func(c *Config) {
		c.Followers = func(context.Context, *timeline.Actor) (int64, error) {
			return 0, fmt.Errorf("follower store down")
		}
	})
	p.org("cafe")
	res := p.client().get("/@cafe")
	wantStatus(t, "organisation page", res, http.StatusInternalServerError)
	if n := strings.Count(p.logs.String(), "follower store down"); n != 1 {
		t.Errorf("the error was logged %d times, want once:\n%s", n, p.logs)
	}
	if strings.Contains(res.body, "follower store down") {
		t.Error("the error page shows the internal error")
	}
}

func TestDeletedPostIsGone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("cafe")
		n := p.news(org, "Fermeture")
		if err := p.posts.DeletePost(context.Background(), n.ID); err != nil {
			t.Fatal(err)
		}
		res := p.client().get(postPath("cafe", n.ID))
		wantStatus(t, "deleted post", res, http.StatusGone)
		if strings.Contains(res.body, "Fermeture") {
			t.Error("the page of a deleted post shows its title")
		}
	})
}
