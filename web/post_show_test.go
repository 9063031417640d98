package web

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// TestPostNumberIsCanonical: a post has one address; the same number
// written another way is no page, lest it be shared, cached or counted
// twice.
func TestPostNumberIsCanonical(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("cafe")
		alice := p.user("alice", nil)
		p.grant(alice, org, timeline.Editor)
		post := p.news(org, "Horaires")
		id := strconv.FormatInt(post.ID, 10)
		c := p.client()
		c.login("alice")

		wantStatus(t, "the post's page", c.get("/@cafe/"+id), http.StatusOK)
		wantStatus(t, "its edit form", c.get("/espace/cafe/"+id+"/modifier"), http.StatusOK)
		for _, n := range []string{"0" + id, "00" + id, "+" + id, "%2B" + id, id + ".0",
			"0x" + strconv.FormatInt(post.ID, 16), "-0", "0"} {
			wantStatus(t, "/@cafe/"+n, c.get("/@cafe/"+n), http.StatusNotFound)
			wantStatus(t, "/espace/cafe/"+n+"/modifier", c.get("/espace/cafe/"+n+"/modifier"),
				http.StatusNotFound)
		}
	})
}
