package federation

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ess-lyon/portal/federation/httpsig"
)

// TestInboxAsksToRetryWhenItsDatabaseFails: a failure of the portal's own
// database is no fault of the sender, who must retry, so it is not a 401.
func TestInboxAsksToRetryWhenItsDatabaseFails(t *testing.T) {
	s, _ := newTestService(t, nil)
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"https://a.example/1","type":"Like","actor":"https://a.example/u",` +
		`"object":"https://lyon.test/@maison-ess/1"}`)
	req := httptest.NewRequest(http.MethodPost, "https://lyon.test/inbox", bytes.NewReader(body))
	if err := httpsig.SignRequest(req, body, "https://a.example/u#main-key", key,
		time.Now()); err != nil {
		t.Fatal(err)
	}
	s.db.Close()
	rec := httptest.NewRecorder()
	s.ServeInbox(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d (%s), want 503", rec.Code, rec.Body)
	}
}

// TestPruneInboxKeepsCountedReactions: old activities go, but for counted
// reactions, which an Undo may name, and Flags not yet turned into reports;
// a Flag whose report is open goes, its report stays in the timeline.
func TestPruneInboxKeepsCountedReactions(t *testing.T) {
	s, _ := newTestService(t, nil)
	ctx := t.Context()
	old := time.Now().Add(-40 * 24 * time.Hour)
	for i, outcome := range []string{"stored note", "counted like_count", "",
		flagOutcomeLegacy, flagOutcomeOpened} {
		typ := "Create"
		if outcome == flagOutcomeLegacy || outcome == flagOutcomeOpened {
			typ = "Flag"
		}
		item := &inboxItem{URI: "https://a.example/" + string(rune('a'+i)), Type: typ,
			ActorURI: "https://a.example/u", Body: "{}", ReceivedAt: old, Outcome: outcome}
		if outcome != "" {
			item.ProcessedAt = old
		}
		if _, err := s.db.NewInsert().Model(item).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PruneInbox(ctx, time.Now().Add(-inboxRetention))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want the old stored note and the opened report's Flag", n, err)
	}
}
