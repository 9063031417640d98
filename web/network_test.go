package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// remoteAuthor stores an account of city.example named name, followed by
// the local actor follower when follower is not nil. The follow goes in
// federation's table, as an accepted Follow leaves it.
func (p *portal) remoteAuthor(db *bun.DB, username, name string,
	follower *timeline.Actor) *timeline.Actor {
	p.t.Helper()
	ctx := context.Background()
	a := &timeline.Actor{URI: "https://city.example/users/" + username,
		Domain: "city.example", Username: username, Kind: timeline.KindPerson, Name: name,
		URL: "https://city.example/@" + username}
	if err := p.posts.UpsertRemoteActor(ctx, a); err != nil {
		p.t.Fatalf("storing remote actor: %v", err)
	}
	if follower == nil {
		return a
	}
	_, err := db.NewRaw("INSERT INTO ap_follows (follower_id, followee_id, uri, accepted, "+
		"created_at) VALUES (?, ?, ?, ?, ?)", follower.ID, a.ID,
		"https://portal.test/follows/"+username, true, p.clock.Now()).Exec(ctx)
	if err != nil {
		p.t.Fatalf("storing follow: %v", err)
	}
	return a
}

// remoteBy stores a post of a; its original is at its URI with "/page"
// added.
func (p *portal) remoteBy(a *timeline.Actor, post *timeline.Post) *timeline.Post {
	p.t.Helper()
	post.ActorID = a.ID
	post.URL = post.URI + "/page"
	if post.Kind == "" {
		post.Kind = timeline.Note
	}
	if err := p.posts.UpsertRemotePost(context.Background(), post); err != nil {
		p.t.Fatalf("storing remote post: %v", err)
	}
	return post
}

// TestNetworkPage shows the posts of a followed account, its hostile name
// and title as text, and nothing else: no local post, no reply, no post of
// an account nobody follows.
func TestNetworkPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("jardin")
		p.news(org, "Nouvelle locale")
		name := `<script>alert("name")</script>` + strings.Repeat("Coopérative", 20)
		amap := p.remoteAuthor(db, "amap", name, org)
		other := p.remoteAuthor(db, "autre", "Autre", nil)

		start := time.Date(2026, 12, 5, 19, 0, 0, 0, time.UTC)
		p.remoteBy(amap, &timeline.Post{Kind: timeline.Event,
			URI: "https://city.example/e/1", Title: "Fête des voisins", BodyHTML: "<p>Venez</p>",
			StartsAt: start, EndsAt: start.Add(2 * time.Hour), PlaceName: "Place Sathonay"})
		p.remoteBy(amap, &timeline.Post{Kind: timeline.News, URI: "https://city.example/a/1",
			Title:    `<img src=x onerror=alert("title")>`,
			BodyHTML: `<p>Texte <b>gras</b><script>alert("body")</script></p>`})
		p.remoteBy(amap, &timeline.Post{URI: "https://city.example/n/2",
			InReplyTo: "https://elsewhere.example/n/1", BodyHTML: "<p>Réponse cachée</p>"})
		p.remoteBy(other, &timeline.Post{URI: "https://city.example/n/3",
			BodyHTML: "<p>Compte non suivi</p>"})

		c := p.client()
		res := c.get("/reseau")
		wantStatus(t, "GET /reseau", res, http.StatusOK)
		for _, bad := range executable(t, res.body) {
			t.Errorf("/reseau: %s", bad)
		}
		body := mainOf(res.body)
		for _, want := range []string{
			"<h1>Le réseau</h1>", "pas été relues par les comités",
			`&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;Coopérative`,
			`<span class="handle">@amap@city.example</span>`,
			`href="https://city.example/@amap"`,
			`<h2>&lt;img src=x onerror=alert(&#34;title&#34;)&gt;</h2>`,
			"<p>Texte <b>gras</b></p>",
			`<a href="https://city.example/a/1/page">Voir l&#39;original</a>`,
			"<h2>Fête des voisins</h2>", "samedi 5 décembre 2026, 20\u00a0h\u00a000",
			"Place Sathonay",
		} {
			indexOf(t, body, want)
		}
		for _, absent := range []string{"Nouvelle locale", "Réponse cachée", "Compte non suivi"} {
			if strings.Contains(body, absent) {
				t.Errorf("/reseau shows %q", absent)
			}
		}
		if indexOf(t, body, "gras") > indexOf(t, body, "Fête des voisins") {
			t.Error("the older post comes first")
		}
		indexOf(t, res.body, `<a href="/reseau" aria-current="page">Le réseau</a>`)
		indexOf(t, c.get("/").body, `<a href="/reseau">Le réseau</a>`)

		en := c.get("/reseau?lang=en")
		wantStatus(t, "GET /reseau in English", en, http.StatusOK)
		for _, want := range []string{"<h1>Network</h1>", "have not reviewed them",
			`<a href="https://city.example/a/1/page">See the original</a>`,
			`<a href="/reseau" aria-current="page">Network</a>`} {
			indexOf(t, en.body, want)
		}
	})
}

// TestNetworkEmpty says so when the portal follows nobody.
func TestNetworkEmpty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		indexOf(t, p.client().get("/reseau").body, "Aucune publication des comptes suivis")
	})
}

// originalRE finds the links to the originals on a page of the network.
var originalRE = regexp.MustCompile(`<a href="(https://city\.example/[^"]+/page)">`)

// TestNetworkPages pages through more posts than a page holds, some
// published in the same instant, newest first, each once.
func TestNetworkPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		amap := p.remoteAuthor(db, "amap", "AMAP", p.org("jardin"))
		var want []string // newest first
		at := testStart.Add(-time.Hour)
		for i := range 45 {
			published := at.Add(time.Duration(min(i, 10)) * time.Minute) // 10 to 44 tie
			post := p.remoteBy(amap, &timeline.Post{PublishedAt: published,
				URI: fmt.Sprintf("https://city.example/n/%d", i), BodyHTML: "<p>note</p>"})
			want = append([]string{post.URL}, want...)
		}

		c := p.client()
		var got []string
		path, pages := "/reseau", 0
		for ; path != ""; pages++ {
			if pages == 5 {
				t.Fatal("the pages never end")
			}
			res := c.get(path)
			wantStatus(t, "GET "+path, res, http.StatusOK)
			for _, m := range originalRE.FindAllStringSubmatch(res.body, -1) {
				got = append(got, m[1])
			}
			path = ""
			if m := nextRE.FindStringSubmatch(res.body); m != nil {
				path = html.UnescapeString(m[1])
				indexOf(t, m[0], ">Plus anciennes<")
			}
		}
		if pages != 3 {
			t.Errorf("%d pages, want 3 of at most %d posts", pages, listItems)
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages listed %d posts:\n%v\nwant %d:\n%v", len(got), got, len(want), want)
		}
	})
}
