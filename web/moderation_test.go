package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// reporterURI is the remote actor that sends the tests' reports.
const reporterURI = "https://social.example/actor"

// report stores an open report, sent by reporterURI, naming posts.
func (p *portal) report(comment string, posts ...*timeline.Post) *timeline.Report {
	p.t.Helper()
	ctx := context.Background()
	if _, err := p.posts.RemoteActor(ctx, reporterURI); err != nil {
		a := &timeline.Actor{URI: reporterURI, Domain: "social.example", Username: "social",
			Name: "Modération de Social"}
		if err := p.posts.UpsertRemoteActor(ctx, a); err != nil {
			p.t.Fatal(err)
		}
	}
	r := &timeline.Report{URI: reporterURI + "/flags/" + randomToken(),
		ReporterURI: reporterURI, Comment: comment}
	for _, post := range posts {
		r.Posts = append(r.Posts, &timeline.ReportedPost{PostID: post.ID})
	}
	if err := p.posts.CreateReport(ctx, r); err != nil {
		p.t.Fatalf("creating report: %v", err)
	}
	return r
}

// reportOpen tells whether the report r still waits for a moderator.
func (p *portal) reportOpen(r *timeline.Report) bool {
	p.t.Helper()
	got, err := p.posts.Report(context.Background(), r.ID)
	if err != nil {
		p.t.Fatal(err)
	}
	return got.Open()
}

// TestModerationPermissions has each kind of visitor try every moderation
// action on a report of a post of organisation A, and checks the status and
// what happened to the report and the post. Editors of A are no exception:
// the reports on their posts are for admins.
func TestModerationPermissions(t *testing.T) {
	const (
		ok    = http.StatusOK
		done  = http.StatusSeeOther
		no    = http.StatusForbidden
		login = -1 // redirected to the login page
	)
	actions := []string{"page", "resolve", "delete form", "delete"}
	tests := []struct {
		who  string
		want []int
	}{
		{"anonymous", []int{login, login, login, login}},
		{"editor of A", []int{no, no, no, no}},
		{"committee member", []int{no, no, no, no}},
		{"admin", []int{ok, done, ok, done}},
	}
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		a := p.org("org-a")
		users := map[string]*timeline.User{
			"editor of A":      p.user("edita", nil),
			"committee member": p.user("comite", func(u *timeline.User) { u.Committee = true }),
			"admin":            p.user("admin", func(u *timeline.User) { u.Admin = true }),
		}
		p.grant(users["editor of A"], a, timeline.Owner)

		for _, tt := range tests {
			t.Run(tt.who, func(t *testing.T) {
				post := p.news(a, "Publication signalée")
				rep := p.report("Spam", post)
				c := p.client()
				token := ""
				if u := users[tt.who]; u != nil {
					token = c.login(u.Login)
				}
				base := "/moderation/" + strconv.FormatInt(rep.ID, 10)
				del := base + "/supprimer/" + strconv.FormatInt(post.ID, 10)
				for i, res := range []*response{
					c.get("/moderation"),
					c.post(base+"/resoudre", url.Values{csrfField: {token}, "note": {"Vu"}}),
					c.get(del),
					c.post(del, url.Values{csrfField: {token}}),
				} {
					want := tt.want[i]
					if want == login {
						want = done
						if loc := res.header.Get("Location"); loc != "/connexion" {
							t.Errorf("%s: redirect to %q, want /connexion", actions[i], loc)
						}
					}
					if res.status != want {
						t.Errorf("%s: status %d, want %d", actions[i], res.status, want)
					}
				}
				allowed := tt.want[0] == ok
				if open := p.reportOpen(rep); open == allowed {
					t.Errorf("report open = %v, want %v", open, !allowed)
				}
				if deleted := p.reload(post).Deleted(); deleted != allowed {
					t.Errorf("post deleted = %v, want %v", deleted, allowed)
				}
			})
		}
	})
}

// TestModerationPage: an admin sees the open reports, newest first, with who
// sent them, links to the posts and the comment as text; the menu leads
// there for admins only, in both languages.
func TestModerationPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("cafe")
		older := p.news(org, "Vieille brève")
		newer := p.news(org, "Brève récente")
		p.report("Hors charte", older)
		p.report("<script>alert(1)</script>Arnaque\n\nDeuxième paragraphe", newer)
		p.user("admin", func(u *timeline.User) { u.Admin = true })
		p.user("comite", func(u *timeline.User) { u.Committee = true })

		c := p.client()
		c.login("comite")
		if strings.Contains(c.get("/comite").body, `href="/moderation"`) {
			t.Error("the committee's menu leads to the moderation page")
		}

		c = p.client()
		c.login("admin")
		page := c.get("/moderation")
		wantStatus(t, "moderation page", page, http.StatusOK)
		indexOf(t, page.body, `<a href="/moderation" aria-current="page">Modération</a>`)
		indexOf(t, page.body, "2 signalements en attente.")
		first := indexOf(t, page.body, `href="`+postPath("cafe", newer.ID)+`">Brève récente</a>`)
		second := indexOf(t, page.body, `href="`+postPath("cafe", older.ID)+`">Vieille brève</a>`)
		if first > second {
			t.Error("reports are not listed newest first")
		}
		indexOf(t, page.body, `rel="nofollow noopener">Modération de Social</a>`)
		indexOf(t, page.body, "&lt;script&gt;alert(1)&lt;/script&gt;Arnaque</p>")
		indexOf(t, page.body, "<p>Deuxième paragraphe</p>")
		if strings.Contains(page.body, "<script>") {
			t.Error("the comment's markup reached the page")
		}
		indexOf(t, c.get("/moderation?lang=en").body, "2 reports waiting.")
	})
}

// TestResolveReport: resolving needs the session's form token, and a
// note; it then leaves the open list for the resolved one, with who did it.
func TestResolveReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("cafe")
		rep := p.report("Spam", p.news(org, "Brève"))
		p.user("admin", func(u *timeline.User) { u.Name = "Alix"; u.Admin = true })
		c := p.client()
		token := c.login("admin")
		path := "/moderation/" + strconv.FormatInt(rep.ID, 10) + "/resoudre"

		tests := []struct {
			name    string
			form    url.Values
			headers []string
			status  int
			message string
		}{
			{"no token", url.Values{"note": {"Vu"}}, nil, 403, ""},
			{"wrong token", url.Values{csrfField: {token + "x"}, "note": {"Vu"}}, nil, 403, ""},
			{"other origin", url.Values{csrfField: {token}, "note": {"Vu"}},
				[]string{"Origin", "https://evil.example"}, 403, ""},
			{"no note", url.Values{csrfField: {token}, "note": {"  "}}, nil, 422,
				"Note\u00a0: obligatoire"},
			{"long note", url.Values{csrfField: {token}, "note": {strings.Repeat("é", 1001)}},
				nil, 422, "Note\u00a0: 1000 caractères au plus"},
		}
		for _, tt := range tests {
			res := c.post(path, tt.form, tt.headers...)
			wantStatus(t, tt.name, res, tt.status)
			if tt.message != "" {
				indexOf(t, res.body, `role="alert" id="e-`+strconv.FormatInt(rep.ID, 10)+`">`+
					tt.message)
			}
			if !p.reportOpen(rep) {
				t.Fatalf("%s: the report was resolved", tt.name)
			}
		}

		res := c.post(path, url.Values{csrfField: {token}, "note": {"Publication retirée"}})
		wantStatus(t, "resolving", res, http.StatusSeeOther)
		if loc := res.header.Get("Location"); loc != "/moderation?fait=resolu" {
			t.Errorf("redirect to %q", loc)
		}
		page := c.get("/moderation?fait=resolu")
		indexOf(t, page.body, "Signalement traité.")
		indexOf(t, page.body, "0 signalement en attente.")
		indexOf(t, page.body, "Traité par Alix le ")
		indexOf(t, page.body, "<p>Publication retirée</p>")
		if strings.Contains(page.body, path) {
			t.Error("the resolved report still has its form")
		}
		again := c.post(path, url.Values{csrfField: {token}, "note": {"Encore"}})
		wantStatus(t, "resolving again", again, http.StatusUnprocessableEntity)
		indexOf(t, again.body, "Ce signalement a déjà été traité.")
	})
}

// TestDeleteReportedPost: an admin deletes a reported post through the
// confirmation page, which leaves a tombstone, removes its image and keeps
// the report open; only the posts a report names can be deleted this way.
func TestDeleteReportedPost(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("cafe")
		image := filepath.Join(p.web.cfg.MediaDir, strings.Repeat("ab", 16)+".png")
		if err := os.WriteFile(image, pngImage(t), 0o600); err != nil {
			t.Fatal(err)
		}
		reported := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Signalée",
			ImageURL: "/media/" + filepath.Base(image), ImageAlt: "Une affiche"}
		if err := p.posts.CreatePost(context.Background(), reported); err != nil {
			t.Fatal(err)
		}
		other := p.news(org, "Innocente")
		rep := p.report("Spam", reported)
		p.user("admin", func(u *timeline.User) { u.Admin = true })
		c := p.client()
		token := c.login("admin")
		base := "/moderation/" + strconv.FormatInt(rep.ID, 10) + "/supprimer/"
		del := base + strconv.FormatInt(reported.ID, 10)

		page := c.get("/moderation")
		indexOf(t, page.body, `href="`+del+`">Supprimer la publication</a>`)
		confirm := c.get(del)
		wantStatus(t, "confirmation", confirm, http.StatusOK)
		form := formValues(t, confirm.body, del)
		indexOf(t, confirm.body, `<a href="/moderation">Annuler</a>`)

		otherPath := base + strconv.FormatInt(other.ID, 10)
		wantStatus(t, "another post", c.post(otherPath, url.Values{csrfField: {token}}),
			http.StatusNotFound)
		wantStatus(t, "without token", c.post(del, url.Values{}), http.StatusForbidden)
		if p.reload(other).Deleted() || p.reload(reported).Deleted() {
			t.Fatal("a post was deleted by a refused request")
		}

		res := c.post(del, form)
		wantStatus(t, "deleting", res, http.StatusSeeOther)
		if !p.reload(reported).Deleted() || !p.reportOpen(rep) {
			t.Errorf("after deleting: post deleted %v, report open %v; want both",
				p.reload(reported).Deleted(), p.reportOpen(rep))
		}
		if _, err := os.Stat(image); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the deleted post's image is still there: %v", err)
		}
		page = c.get("/moderation?fait=supprime")
		indexOf(t, page.body, "Publication supprimée.")
		indexOf(t, page.body, `<span class="badge">Supprimée</span>`)
		wantStatus(t, "deleting twice", c.post(del, form), http.StatusNotFound)
		wantStatus(t, "no such report", c.get("/moderation/999/supprimer/1"),
			http.StatusNotFound)
	})
}
