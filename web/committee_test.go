package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/charter"
	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

func TestCommitteeDecisions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("cafe")
		ev := p.event(org, "Soirée jeux", time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC))
		p.user("comite", func(u *timeline.User) { u.Committee = true })
		c := p.client()
		token := c.login("comite")

		page := c.get("/comite")
		wantStatus(t, "committee page", page, http.StatusOK)
		indexOf(t, page.body, "Soirée jeux")
		indexOf(t, page.body, `name="articles" value="3"`)

		id := strconv.FormatInt(ev.ID, 10)
		decide := func(kind string, articles ...string) *response {
			return c.post("/comite", url.Values{csrfField: {token}, "post_id": {id},
				"decision": {kind}, "articles": articles, "reason": {"Ouvert à tous"}})
		}
		tests := []struct {
			name     string
			res      func() *response
			status   int
			message  string
			featured bool
		}{
			{"no decision", func() *response { return decide("zzz", "3") }, 400, "", false},
			{"no article", func() *response { return decide("feature") }, 422,
				"Citez au moins un article de la charte.", false},
			{"unknown article", func() *response { return decide("feature", "99") }, 422,
				"Cet article n&#39;existe pas dans la charte.", false},
			{"feature", func() *response { return decide("feature", "1", "3") }, 303, "", true},
			{"feature twice", func() *response { return decide("feature", "3") }, 422,
				"Cette publication est déjà à la une.", true},
			{"unfeature", func() *response { return decide("unfeature", "5") }, 303, "", false},
			{"unfeature again", func() *response { return decide("unfeature", "5") }, 422,
				"pas ou plus à la une", false},
		}
		for _, tt := range tests {
			res := tt.res()
			wantStatus(t, tt.name, res, tt.status)
			if tt.message != "" {
				indexOf(t, res.body, tt.message)
			}
			got, err := p.posts.IsFeatured(context.Background(), ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.featured {
				t.Errorf("%s: featured = %v, want %v", tt.name, got, tt.featured)
			}
		}

		decisions, err := p.committee.Decisions(context.Background(), ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(decisions) != 2 || decisions[1].Articles != "1,3" ||
			decisions[0].Kind != charter.Unfeature {
			t.Errorf("decisions recorded: %+v, want feature (1,3) then unfeature", decisions)
		}
		indexOf(t, c.get("/comite?fait=1").body, "Décision enregistrée.")

		// The post's public page shows both decisions and the articles cited.
		page = p.client().get(postPath("cafe", ev.ID))
		unfeature := indexOf(t, page.body, "Retrait de la une")
		feature := indexOf(t, page.body, "Mise à la une")
		if unfeature > feature {
			t.Error("decisions are not listed newest first")
		}
		indexOf(t, page.body, `<a href="/charte#article-3">3</a>`)
		indexOf(t, page.body, "Ouvert à tous")
	})
}
