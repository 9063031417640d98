package web

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// postLinkRE finds the links to local posts' pages, in the order a page
// lists them; nextRE finds its link to the next page.
var (
	postLinkRE = regexp.MustCompile(`href="(/@[a-z0-9._-]+/[0-9]+)"`)
	nextRE     = regexp.MustCompile(`<a href="([^"]+)" rel="next">([^<]*)</a>`)
)

// listPage is what one page of a list showed.
type listPage struct {
	path  string
	posts []string // the addresses of the posts it lists, in order
	body  string
}

// followPages reads the list at path and every page its "next" links lead
// to, as a visitor clicking them would, calling between after each page
// but the last. It fails on a page that is not 200, on a page with more
// than max posts, and on a list that does not end.
func followPages(t *testing.T, c *client, path string, max int, between func()) []listPage {
	t.Helper()
	var pages []listPage
	for range 50 {
		res := c.get(path)
		wantStatus(t, "GET "+path, res, http.StatusOK)
		pg := listPage{path: path, body: res.body}
		for _, m := range postLinkRE.FindAllStringSubmatch(mainOf(res.body), -1) {
			pg.posts = append(pg.posts, m[1])
		}
		if len(pg.posts) > max {
			t.Errorf("%s lists %d posts, more than a page's %d", path, len(pg.posts), max)
		}
		pages = append(pages, pg)
		m := nextRE.FindStringSubmatch(res.body)
		if m == nil {
			return pages
		}
		if between != nil {
			between()
		}
		path = html.UnescapeString(m[1])
	}
	t.Fatalf("the pages from %s never end", pages[0].path)
	return nil
}

// mainOf is the page's main content, without the navigation around it.
func mainOf(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if i := strings.Index(body, "</main>"); i >= 0 {
		body = body[:i]
	}
	return body
}

// allPosts joins what the pages listed, in order.
func allPosts(pages []listPage) []string {
	var out []string
	for _, pg := range pages {
		out = append(out, pg.posts...)
	}
	return out
}

// paths returns the page addresses of posts, in order.
func paths(posts []*timeline.Post) []string {
	out := make([]string, len(posts))
	for i, p := range posts {
		out[i] = postPath(p.Actor.Username, p.ID)
	}
	return out
}

// wantOnce fails unless the pages listed exactly want, in order: each post
// once, none skipped, none from elsewhere.
func wantOnce(t *testing.T, what string, pages []listPage, want []string) {
	t.Helper()
	if got := allPosts(pages); !slices.Equal(got, want) {
		t.Errorf("%s: %d pages listed %d posts:\n%v\nwant %d:\n%v", what, len(pages),
			len(got), got, len(want), want)
	}
}

// tied runs fn with the store's clock stopped, so that the posts fn
// publishes share their time and pages must tell them apart by id.
func (p *portal) tied(fn func()) {
	at := p.clock.Now()
	p.posts.SetClock(func() time.Time { return at })
	defer p.posts.SetClock(p.clock.Now)
	fn()
}

// newsItems publishes n news items of a, oldest first.
func (p *portal) newsItems(a *timeline.Actor, n int, prefix string) []*timeline.Post {
	var out []*timeline.Post
	for i := range n {
		post := p.news(a, fmt.Sprintf("%s %d", prefix, i))
		post.Actor = a
		out = append(out, post)
	}
	return out
}

// portalActor creates the portal's own actor, whose page lists the
// featured posts.
func (p *portal) portalActor() {
	p.t.Helper()
	_, err := p.posts.EnsureLocalActor(context.Background(), &timeline.Actor{
		Username: timeline.PortalUsername, Kind: timeline.KindPortal, Name: "ESS Lyon"})
	if err != nil {
		p.t.Fatal(err)
	}
}

func newestFirst(posts []*timeline.Post) []*timeline.Post {
	out := slices.Clone(posts)
	slices.Reverse(out)
	return out
}

// TestNewsPages pages through more news than a page holds, twenty of them
// published in the same instant so that a page ends inside the tie, while
// news keeps being published: the pages give every item once, newest first.
func TestNewsPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("jardin")
		posts := p.newsItems(org, 12, "avant")
		p.tied(func() { posts = append(posts, p.newsItems(org, 20, "ensemble")...) })
		posts = append(posts, p.newsItems(org, 13, "après")...)

		c := p.client()
		pages := followPages(t, c, "/actualites", listItems, func() {
			p.news(org, "Publiée pendant la lecture")
		})
		wantOnce(t, "news", pages, paths(newestFirst(posts)))
		if len(pages) != 3 {
			t.Fatalf("%d pages of news, want 3", len(pages))
		}
		if strings.Contains(pages[0].body, `class="pager"`) &&
			strings.Contains(pages[0].body, `>Les plus récentes<`) {
			t.Error("the first page links to itself as the first")
		}
		for _, pg := range pages[1:] {
			indexOf(t, pg.body, `<a href="/actualites">Les plus récentes</a>`)
			if !strings.Contains(pg.path, olderParam+"=") {
				t.Errorf("next page at %s, without ?%s=", pg.path, olderParam)
			}
		}
		indexOf(t, pages[0].body, `rel="next">Plus anciennes</a>`)
		english := c.get(pages[1].path + "&lang=en")
		indexOf(t, english.body, `rel="next">Older</a>`)
		indexOf(t, english.body, `>Newest</a>`)
	})
}

// TestAgendaPages pages through coming events, some starting at the same
// time, soonest first; an event added before the cursor while the visitor
// reads does not come back on a later page.
func TestAgendaPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("recyclerie")
		p.event(org, "Passé", testStart.Add(-48*time.Hour))
		same := time.Date(2026, 12, 12, 14, 0, 0, 0, time.UTC)
		var events []*timeline.Post
		for i := range 25 {
			start := same
			if i%3 == 0 {
				start = same.Add(time.Duration(i-12) * time.Hour)
			}
			e := p.event(org, fmt.Sprintf("Atelier %d", i), start)
			e.Actor = org
			events = append(events, e)
		}
		slices.SortStableFunc(events, func(a, b *timeline.Post) int {
			return cmp.Or(a.StartsAt.Compare(b.StartsAt), cmp.Compare(a.ID, b.ID))
		})

		pages := followPages(t, p.client(), "/agenda", listItems, func() {
			p.event(org, "Ajouté avant", same.Add(-24*time.Hour))
		})
		wantOnce(t, "agenda", pages, paths(events))
		if len(pages) != 2 {
			t.Fatalf("%d pages of events, want 2", len(pages))
		}
		indexOf(t, pages[0].body, `rel="next">Suivants</a>`)
		indexOf(t, pages[1].body, `<a href="/agenda">Les plus proches</a>`)
	})
}

// TestActorPages pages through an organisation's posts on its page, and
// through the featured posts on the portal's.
func TestActorPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("amap")
		var posts []*timeline.Post
		p.tied(func() { posts = p.newsItems(org, actorPosts+5, "brève") })
		c := p.client()
		pages := followPages(t, c, "/@amap", actorPosts, nil)
		wantOnce(t, "organisation's posts", pages, paths(newestFirst(posts)))
		if len(pages) != 2 {
			t.Errorf("%d pages of the organisation's posts, want 2", len(pages))
		}
		indexOf(t, pages[1].body, `<a href="/@amap">Les plus récentes</a>`)

		p.portalActor()
		for _, post := range posts[:actorPosts+1] {
			p.feature(post)
		}
		pages = followPages(t, c, "/@"+timeline.PortalUsername, actorPosts, nil)
		wantOnce(t, "featured posts", pages, paths(newestFirst(posts[:actorPosts+1])))
	})
}

// TestWorkspacePages checks that the workspace lists each organisation's
// latest posts and links to its own page, where every older post can be
// reached and edited; another organisation's page is not the user's.
func TestWorkspacePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org, other := p.org("cafe"), p.org("voisins")
		u := p.user("camille@example.org", nil)
		p.grant(u, org, timeline.Editor)
		var posts []*timeline.Post
		p.tied(func() { posts = p.newsItems(org, 2*workspacePosts+3, "note") })
		p.newsItems(other, 2, "ailleurs")

		c := p.client()
		c.login(u.Login)
		res := c.get("/espace")
		wantStatus(t, "GET /espace", res, http.StatusOK)
		next := nextRE.FindStringSubmatch(res.body)
		if next == nil || !strings.HasPrefix(next[1], "/espace/cafe?"+olderParam+"=") {
			t.Fatalf("the workspace links to %v, want cafe's older posts", next)
		}
		first := listPage{path: "/espace"}
		for _, m := range postLinkRE.FindAllStringSubmatch(mainOf(res.body), -1) {
			first.posts = append(first.posts, m[1])
		}
		rest := followPages(t, c, html.UnescapeString(next[1]), workspacePosts, nil)
		wantOnce(t, "workspace", append([]listPage{first}, rest...),
			paths(newestFirst(posts)))
		oldest := posts[0]
		indexOf(t, rest[len(rest)-1].body,
			fmt.Sprintf(`href="/espace/cafe/%d/modifier"`, oldest.ID))
		indexOf(t, rest[0].body, `<a href="/espace">Toutes mes organisations</a>`)
		indexOf(t, rest[0].body, `<a href="/espace/cafe">Les plus récentes</a>`)

		wantStatus(t, "another organisation's workspace", c.get("/espace/voisins"),
			http.StatusForbidden)
		wantStatus(t, "an unknown organisation's workspace", c.get("/espace/personne"),
			http.StatusNotFound)
	})
}

// TestBadCursors checks that a cursor the portal did not write is the
// visitor's mistake, answered 400 without a word in the error log, and
// that an empty one is the first page.
func TestBadCursors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("cafe")
		u := p.user("camille@example.org", nil)
		p.grant(u, org, timeline.Editor)
		p.news(org, "Une")
		p.portalActor()
		c := p.client()
		c.login(u.Login)
		lists := map[string]string{"/actualites": olderParam, "/agenda": laterParam,
			"/@cafe": olderParam, "/@portail": olderParam, "/espace/cafe": olderParam,
			"/reseau": olderParam}
		bad := []string{"x", "1_0", "1_-1", "_", "1_2_3", "9223372036854775807_1",
			"-9223372036854775808_1", "253402300800000000_1", "1_9223372036854775808",
			"\x00", "١٢_٣", "1e6_2", " 1_2"}
		for path, param := range lists {
			for _, v := range bad {
				target := path + "?" + url.Values{param: {v}}.Encode()
				res := c.get(target)
				wantStatus(t, target, res, http.StatusBadRequest)
				indexOf(t, res.body, "Requête incorrecte")
			}
			wantStatus(t, path+" with an empty cursor", c.get(path+"?"+param+"="),
				http.StatusOK)
			far := path + "?" + param + "=253402300799999999_1"
			wantStatus(t, far, c.get(far), http.StatusOK)
		}
		if strings.Contains(p.logs.String(), "level=ERROR") {
			t.Errorf("bad cursors were logged as errors:\n%s", p.logs)
		}
	})
}
