package federation_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
)

// TestMoveCarriesFollowsOver: a followed account that moves, as Mastodon's
// "move to another account" does, is followed at its new address once the
// new account names the old one as an alias; a Move the new account does
// not confirm, or sent for someone else, changes nothing.
func TestMoveCarriesFollowsOver(t *testing.T) {
	const (
		newHome  = "https://server36.example/users/alice"
		stranger = "https://server37.example/users/mallory"
	)
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db, newFediverse())
		w.fedi.addActor(alice, "Person")
		w.fedi.addActor(bob, "Person")
		w.fedi.addActor(stranger, "Person") // names no alias
		var doc map[string]any
		if err := json.Unmarshal(w.fedi.actorDocument(newHome, "Person"), &doc); err != nil {
			t.Fatal(err)
		}
		doc["alsoKnownAs"] = []string{alice}
		w.fedi.addObject(newHome, mustMarshal(doc))
		if err := w.follow(alice); err != nil {
			t.Fatal(err)
		}

		move := func(id, actor, object, target string) string {
			status, outcome := w.deliver(actor, mustMarshal(map[string]any{
				"@context": asContext, "id": actor + "#moves/" + id, "type": "Move",
				"actor": actor, "object": object, "target": target}))
			if status != http.StatusAccepted {
				t.Errorf("Move %s: status %d, want 202", id, status)
			}
			return outcome
		}
		if got := move("unconfirmed", alice, alice, stranger); got !=
			"refused: "+stranger+" does not name "+alice+" as an alias" {
			t.Errorf("Move to an account that does not confirm: %q", got)
		}
		if got := move("for-someone-else", bob, alice, newHome); got != "refused: move of another actor" {
			t.Errorf("Move of alice sent by bob: %q", got)
		}
		if w.followsAt(newHome) || w.followsAt(stranger) {
			t.Fatal("a refused Move made asso follow someone")
		}

		if got := move("genuine", alice, alice, newHome); got != "moved: 1 follows carried over" {
			t.Errorf("genuine Move: %q", got)
		}
		if !w.followsAt(newHome) {
			t.Error("asso does not follow alice at her new address")
		}
	})
}
