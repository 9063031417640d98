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

// TestAddressSpellingsRedirect: an organisation's or a post's address in
// another case answers 301 to the one the portal links to, keeping the
// query, rather than a second copy of the page.
func TestAddressSpellingsRedirect(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		org := p.org("repair-cafe")
		id := strconv.FormatInt(p.news(org, "Horaires").ID, 10)
		c := p.client()

		wantStatus(t, "/@repair-cafe", c.get("/@repair-cafe"), http.StatusOK)
		wantStatus(t, "/@repair-cafe/"+id, c.get("/@repair-cafe/"+id), http.StatusOK)
		for _, tc := range []struct{ path, want string }{
			{"/@Repair-Cafe", "/@repair-cafe"},
			{"/@REPAIR-CAFE?avant=x", "/@repair-cafe?avant=x"},
			{"/@Repair-Cafe/" + id, "/@repair-cafe/" + id},
			{"/@REPAIR-CAFE/" + id + "?lang=en", "/@repair-cafe/" + id + "?lang=en"},
		} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				req, err := http.NewRequest(method, p.srv.URL+tc.path, nil)
				if err != nil {
					t.Fatal(err)
				}
				res := c.do(req)
				wantStatus(t, method+" "+tc.path, res, http.StatusMovedPermanently)
				if got := res.header.Get("Location"); got != tc.want {
					t.Errorf("%s %s: Location %q, want %q", method, tc.path, got, tc.want)
				}
			}
		}
		wantStatus(t, "another organisation's post", c.get("/@Portail/"+id), http.StatusNotFound)
	})
}
