package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// TestPermissions has each kind of visitor try every action on a post of
// organisation A, and checks both the status and what happened to the post.
func TestPermissions(t *testing.T) {
	const (
		ok    = http.StatusOK
		done  = http.StatusSeeOther // a redirect after success, or to the login page
		no    = http.StatusForbidden
		login = -1 // redirected to the login page
	)
	// The actions, in the order they are tried.
	actions := []string{"new form", "create", "edit form", "edit", "edit via B", "committee page",
		"feature", "delete"}
	tests := []struct {
		who  string
		want []int // per action
	}{
		{"anonymous", []int{login, login, login, login, login, login, login, login}},
		{"editor of A", []int{ok, done, ok, done, no, no, no, done}},
		{"owner of A", []int{ok, done, ok, done, no, no, no, done}},
		{"editor of B", []int{no, no, no, no, no, no, no, no}},
		{"committee member", []int{no, no, no, no, no, ok, done, no}},
		{"admin", []int{no, no, no, no, no, ok, done, no}},
	}
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		a, b := p.org("org-a"), p.org("org-b")
		users := map[string]*timeline.User{
			"editor of A":      p.user("edita", nil),
			"owner of A":       p.user("owna", nil),
			"editor of B":      p.user("editb", nil),
			"committee member": p.user("comite", func(u *timeline.User) { u.Committee = true }),
			"admin":            p.user("admin", func(u *timeline.User) { u.Admin = true }),
		}
		p.grant(users["editor of A"], a, timeline.Editor)
		p.grant(users["owner of A"], a, timeline.Owner)
		p.grant(users["editor of B"], b, timeline.Editor)

		for _, tt := range tests {
			t.Run(tt.who, func(t *testing.T) {
				post := p.news(a, "Publication de A")
				c := p.client()
				token := ""
				if u := users[tt.who]; u != nil {
					token = c.login(u.Login)
				}
				for i, res := range p.tryAll(c, token, post) {
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
				p.checkEffects(t, post, tt.want[3] == done, tt.want[6] == done,
					tt.want[7] == done)
			})
		}
	})
}

// tryAll runs every action of TestPermissions on post as client c.
func (p *portal) tryAll(c *client, token string, post *timeline.Post) []*response {
	id := strconv.FormatInt(post.ID, 10)
	edit := url.Values{csrfField: {token}, "title": {"Modifié"}, "body": {"Nouveau texte"}}
	create := url.Values{csrfField: {token}, "type": {"news"}, "title": {"Créé"}, "body": {"x"}}
	feature := url.Values{csrfField: {token}, "post_id": {id}, "decision": {"feature"},
		"articles": {"3"}, "reason": {"Utile à tous"}}
	return []*response{
		c.get("/espace/org-a/nouveau?type=news"),
		c.post("/espace/org-a/nouveau", create),
		c.get("/espace/org-a/" + id + "/modifier"),
		c.post("/espace/org-a/"+id+"/modifier", edit),
		c.post("/espace/org-b/"+id+"/modifier", edit),
		c.get("/comite"),
		c.post("/comite", feature),
		c.post("/espace/org-a/"+id+"/supprimer", url.Values{csrfField: {token}}),
	}
}

// checkEffects checks that post was edited, featured and deleted exactly
// when the actions were allowed.
func (p *portal) checkEffects(t *testing.T, post *timeline.Post, edited, featured,
	deleted bool) {
	t.Helper()
	got := p.reload(post)
	if (got.Title == "Modifié") != edited {
		t.Errorf("title %q, edited should be %v", got.Title, edited)
	}
	if got.Deleted() != deleted {
		t.Errorf("deleted = %v, want %v", got.Deleted(), deleted)
	}
	var n int
	err := p.web.db.NewSelect().Table("charter_decisions").ColumnExpr("count(*)").
		Where("post_id = ?", post.ID).Scan(context.Background(), &n)
	if err != nil {
		t.Fatal(err)
	}
	if (n == 1) != featured {
		t.Errorf("%d decisions on the post, featured should be %v", n, featured)
	}
}
