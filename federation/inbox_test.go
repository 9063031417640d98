package federation_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/federation"
	"github.com/ess-lyon/portal/federation/httpsig"
	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// Actors of the inbox tests, on two servers of the fake fediverse.
const (
	alice = "https://server35.example/users/alice"
	bob   = "https://server80.example/users/bob"
)

func note(actor, id, content string) []byte {
	return mustMarshal(map[string]any{"@context": asContext, "type": "Create",
		"id": actor + "/activities/" + id, "actor": actor,
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"},
		"object": map[string]any{"id": actor + "/notes/" + id, "type": "Note",
			"attributedTo": actor, "content": content}})
}

// withBody replaces the body a request carries, keeping its headers and
// so its signature.
func withBody(req *http.Request, body []byte) *http.Request {
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	return req
}

// TestInboxRefuses sends requests that the inbox must refuse, each wrong
// in one way, and checks the status, the reason given and that nothing
// was stored.
func TestInboxRefuses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db, newFediverse())
		w.fedi.addActor(alice, "Person")
		w.fedi.addActor(bob, "Person")
		for _, a := range []string{alice, bob} {
			if err := w.follow(a); err != nil {
				t.Fatal(err)
			}
		}
		deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
		long := "[" + strings.Repeat("1,", 99_999) + "1]"
		huge := strings.Repeat("x", federation.MaxInboxBody)
		for _, tc := range []struct {
			name   string
			req    func() *http.Request
			status int
			reason string
		}{
			{"unsigned", func() *http.Request {
				return signed(t, "", note(alice, "unsigned", "bonjour"))
			}, 401, "signature not verified"},
			{"key of another actor", func() *http.Request {
				return signed(t, bob, note(alice, "other-key", "bonjour"))
			}, 401, "belongs to " + bob},
			{"key id of the actor, key of another", func() *http.Request {
				return signedWith(t, alice+"#main-key", keyOf(bob), note(alice, "forged", "x"))
			}, 401, "bad signature"},
			{"tampered body", func() *http.Request {
				req := signed(t, alice, note(alice, "tampered", "bonjour"))
				return withBody(req, note(alice, "tampered", "bonsoir"))
			}, 401, "digest mismatch"},
			{"malformed JSON", func() *http.Request {
				return signed(t, alice, []byte(`{"type": "Create", "actor": "`+alice+`",`))
			}, 400, "malformed activity"},
			{"nested 100 deep", func() *http.Request {
				return signed(t, alice, activityWith(alice, "deep", deep))
			}, 400, "nested too deeply"},
			{"array of 100000 items", func() *http.Request {
				return signed(t, alice, activityWith(alice, "long", long))
			}, 400, "too long"},
			{"body over 1 MiB", func() *http.Request {
				return signed(t, alice, note(alice, "huge", huge))
			}, 413, "body too large"},
			{"id on another host than its actor", func() *http.Request {
				body := bytes.Replace(note(alice, "elsewhere", "bonjour"),
					[]byte(`"id":"`+alice+`/activities/`), []byte(`"id":"`+bob+`/`), 1)
				return signed(t, alice, body)
			}, 400, "activity id not on its actor's server"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				inbox, posts := w.count("ap_inbox"), w.count("posts")
				ans := w.send(tc.req())
				if ans.status != tc.status || !strings.Contains(ans.msg, tc.reason) {
					t.Errorf("got %d %q, want %d with %q", ans.status, ans.msg, tc.status,
						tc.reason)
				}
				if n := w.count("ap_inbox"); n != inbox {
					t.Errorf("ap_inbox holds %d rows, had %d", n, inbox)
				}
				if n := w.count("posts"); n != posts {
					t.Errorf("posts holds %d rows, had %d", n, posts)
				}
			})
		}

		// The same request, rightly signed, is accepted and stored: what
		// was refused above was refused for the reason tested.
		if status, outcome := w.deliver(alice, note(alice, "right", "bonjour")); status !=
			http.StatusAccepted || outcome != "stored note" {
			t.Errorf("control: got %d %q, want 202 stored note", status, outcome)
		}
	})
}

// activityWith returns a Create by actor whose "to" is the given JSON.
func activityWith(actor, id, to string) []byte {
	return []byte(`{"@context":"` + asContext + `","type":"Create","id":"` + actor +
		"/activities/" + id + `","actor":"` + actor + `","to":` + to +
		`,"object":{"id":"` + actor + "/notes/" + id + `","type":"Note","attributedTo":"` +
		actor + `","content":"x"}}`)
}

func signedWith(t testing.TB, keyID string, key crypto.Signer, body []byte) *http.Request {
	t.Helper()
	req := signed(t, "", body)
	if err := httpsig.SignRequest(req, body, keyID, key, time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// TestInboxStoresARepeatedActivityOnce sends one signed Like of a local
// post twenty times at once, as a server retrying and a relay repeating
// would: it is stored once, queued once and counted once.
func TestInboxStoresARepeatedActivityOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		w := newWorld(t, db, newFediverse())
		w.fedi.addActor(alice, "Person")
		post := &timeline.Post{ActorID: w.asso.ID, Kind: timeline.News, Title: "Brève"}
		if err := w.posts.CreatePost(ctx, post); err != nil {
			t.Fatal(err)
		}
		likeID := alice + "#likes/1"
		like := mustMarshal(map[string]any{"@context": asContext, "id": likeID,
			"type": "Like", "actor": alice, "object": fmt.Sprintf("%s/%d", assoURI, post.ID)})
		req := signed(t, alice, like)

		const n = 20
		answers := make([]inboxAnswer, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = w.send(withBody(req.Clone(ctx), like))
			}()
		}
		wg.Wait()
		for i, a := range answers {
			if a.status != http.StatusAccepted {
				t.Errorf("request %d: %d %s, want 202", i, a.status, a.msg)
			}
		}
		assertRows(t, w, "ap_inbox", "uri = ?", likeID, 1)
		assertRows(t, w, "river_job", "kind = ?", "ap_inbox", 1)

		w.start()
		outcome := waitProcessed(t, w, likeID)
		if outcome != "counted like_count" {
			t.Errorf("outcome %q, want counted like_count", outcome)
		}
		again, err := w.process(like)
		if err != nil || again != outcome {
			t.Errorf("processing again: %q, %v; want %q", again, err, outcome)
		}
		got, err := w.posts.Post(ctx, post.ID)
		if err != nil || got.LikeCount != 1 {
			t.Errorf("like count %v (%v), want 1", got, err)
		}
		if m := w.svc.Metrics(); m.ActivitiesProcessed.Load() != 1 {
			t.Errorf("%d activities processed, want 1", m.ActivitiesProcessed.Load())
		}
	})
}

func assertRows(t *testing.T, w *world, table, where string, arg any, want int) {
	t.Helper()
	n, err := w.db.NewSelect().Table(table).Where(where, arg).Count(context.Background())
	if err != nil || int(n) != want {
		t.Errorf("%s where %s: %d rows (%v), want %d", table, where, n, err, want)
	}
}

// waitProcessed waits for the queue to process the stored activity uri
// and returns its outcome.
func waitProcessed(t *testing.T, w *world, uri string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var row struct {
			Outcome     string
			ProcessedAt bun.NullTime
		}
		err := w.db.NewSelect().Table("ap_inbox").Column("outcome", "processed_at").
			Where("uri = ?", uri).Scan(context.Background(), &row.Outcome, &row.ProcessedAt)
		if err == nil && !row.ProcessedAt.IsZero() {
			return row.Outcome
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s not processed in time", uri)
	return ""
}

// TestCreateRefetchesForeignObject sends Creates whose embedded object
// says it comes from another server than the sender's: the portal must
// fetch it from there, and judge what it gets, not what was embedded.
func TestCreateRefetchesForeignObject(t *testing.T) {
	genuineID := "https://server80.example/users/bob/notes/genuine"
	missingID := "https://server80.example/users/bob/notes/missing"
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db, newFediverse())
		w.fedi.addActor(alice, "Person")
		w.fedi.addActor(bob, "Person")
		w.fedi.addObject(genuineID, mustMarshal(map[string]any{"@context": asContext,
			"id": genuineID, "type": "Note", "attributedTo": bob, "content": "genuine"}))
		for _, a := range []string{alice, bob} {
			if err := w.follow(a); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name, objectID, author, outcome string
		}{
			{"claims to be bob's note", genuineID, bob,
				`refused: object attributed to "` + bob + `", sent by ` + alice},
			{"claims an author of its own", genuineID, alice,
				`refused: object attributed to "` + bob + `", sent by ` + alice},
			{"names a note bob's server does not have", missingID, alice,
				"refused: object " + missingID + " is gone"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				posts := w.count("posts")
				create := mustMarshal(map[string]any{"@context": asContext, "type": "Create",
					"id":    alice + "/activities/" + strings.ReplaceAll(tc.name, " ", "-"),
					"actor": alice, "object": map[string]any{"id": tc.objectID,
						"type": "Note", "attributedTo": tc.author, "content": "forged"}})
				status, outcome := w.deliver(alice, create)
				if status != http.StatusAccepted || outcome != tc.outcome {
					t.Errorf("got %d %q, want 202 %q", status, outcome, tc.outcome)
				}
				if !w.fedi.fetched(tc.objectID) {
					t.Errorf("%s was not fetched from its server", tc.objectID)
				}
				if n := w.count("posts"); n != posts {
					t.Errorf("posts holds %d rows, had %d", n, posts)
				}
			})
		}

		// An object on its sender's own server is taken as embedded.
		before := w.fedi.getCount()
		if status, outcome := w.deliver(bob, note(bob, "own", "embedded")); status !=
			http.StatusAccepted || outcome != "stored note" {
			t.Errorf("bob's own note: got %d %q, want 202 stored note", status, outcome)
		}
		if n := w.fedi.getCount(); n != before {
			t.Errorf("bob's own note made %d fetches, want none", n-before)
		}
	})
}

// TestFollowIsAcceptedAndDelivered has the queue running: a Follow of asso
// is accepted, and the Accept, signed by asso, reaches the follower's
// inbox.
func TestFollowIsAcceptedAndDelivered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db, newFediverse())
		w.fedi.addActor(alice, "Person")
		w.start()
		followID := alice + "/follows/1"
		follow := mustMarshal(map[string]any{"@context": asContext, "id": followID,
			"type": "Follow", "actor": alice, "object": assoURI})
		if ans := w.send(signed(t, alice, follow)); ans.status != http.StatusAccepted {
			t.Fatalf("follow: %d %s", ans.status, ans.msg)
		}
		if outcome := waitProcessed(t, w, followID); outcome != "follow accepted" {
			t.Fatalf("outcome %q, want follow accepted", outcome)
		}
		d := waitDelivery(t, w.fedi, "https://server35.example/inbox")
		var accept struct {
			Type, Actor string
			Object      struct{ ID, Type, Actor, Object string }
		}
		if err := json.Unmarshal(d.body, &accept); err != nil {
			t.Fatal(err)
		}
		if accept.Type != "Accept" || accept.Actor != assoURI || accept.Object.ID != followID ||
			accept.Object.Type != "Follow" || accept.Object.Actor != alice {
			t.Errorf("delivered %s", d.body)
		}
		verifyFromAsso(t, w, d)
		if n, err := w.svc.FollowerCount(context.Background(), w.asso); err != nil || n != 1 {
			t.Errorf("asso has %d followers (%v), want 1", n, err)
		}
	})
}

func waitDelivery(t *testing.T, f *fediverse, inbox string) delivery {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range f.deliveries() {
			if d.req.URL.String() == inbox {
				return d
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing delivered to %s", inbox)
	return delivery{}
}

// verifyFromAsso checks a delivery's signature with the key asso
// publishes.
func verifyFromAsso(t *testing.T, w *world, d delivery) {
	t.Helper()
	doc := w.assoDocument()
	key, _ := doc["publicKey"].(map[string]any)
	pemText, _ := key["publicKeyPem"].(string)
	pub, err := httpsig.ParsePublicKeyPEM(pemText)
	if err != nil {
		t.Fatal(err)
	}
	res, err := httpsig.Verify(context.Background(), d.req, d.body,
		func(_ context.Context, keyID string, _ bool) (crypto.PublicKey, string, error) {
			if keyID != key["id"] {
				return nil, "", fmt.Errorf("unknown key %s", keyID)
			}
			return pub, assoURI, nil
		}, httpsig.Options{})
	if err != nil || res.Owner != assoURI {
		t.Errorf("delivery signature: %+v, %v", res, err)
	}
}

// TestSelfDeleteNeedsItsServersWord checks the one activity let through
// without a verified signature, an actor's Delete of itself when its key
// cannot be fetched: it passes only when the actor's own server says the
// actor is gone, or anyone could delete anyone with a key nobody serves.
func TestSelfDeleteNeedsItsServersWord(t *testing.T) {
	carol := "https://server66.example/users/carol"
	mallory := "https://server67.example/users/mallory"
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db, newFediverse())
		for _, a := range []string{alice, carol} {
			w.fedi.addActor(a, "Person")
			if err := w.follow(a); err != nil {
				t.Fatal(err)
			}
			if _, outcome := w.deliver(a, note(a, "1", "bonjour")); outcome != "stored note" {
				t.Fatalf("%s's note: %s", a, outcome)
			}
		}
		selfDelete := func(actor string) []byte {
			return mustMarshal(map[string]any{"@context": asContext, "type": "Delete",
				"id": actor + "#delete", "actor": actor, "object": actor})
		}

		actors, posts := w.count("actors"), w.count("posts")
		status, outcome := w.deliverWith(mallory+"#main-key", keyOf(mallory), selfDelete(alice))
		if status != http.StatusUnauthorized {
			t.Errorf("alice's Delete signed by an unknown key: %d %s, want 401", status, outcome)
		}
		if w.count("actors") != actors || w.count("posts") != posts {
			t.Errorf("alice or her post was deleted")
		}

		w.fedi.gone(carol)
		status, outcome = w.deliverWith(carol+"#rotated", keyOf(mallory), selfDelete(carol))
		if status != http.StatusAccepted || outcome != "actor deleted" {
			t.Errorf("carol's Delete once she is gone: %d %q, want 202 actor deleted",
				status, outcome)
		}
		if w.count("actors") != actors-1 || w.count("posts") != posts-1 {
			t.Errorf("carol or her post remains")
		}
	})
}

// TestActorUpdateByReference: an Update whose object is only the sender's
// own URI, as some servers send, refetches the profile; naming another
// actor changes nothing of that actor.
func TestActorUpdateByReference(t *testing.T) {
	mallory := "https://server67.example/users/mallory"
	update := func(actor, object string) []byte {
		return mustMarshal(map[string]any{"@context": asContext, "type": "Update",
			"id": actor + "#updates/" + lastSegment(object), "actor": actor, "object": object})
	}
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		w := newWorld(t, db, newFediverse())
		w.fedi.addActor(alice, "Person")
		w.fedi.addActor(mallory, "Person")
		if err := w.follow(alice); err != nil {
			t.Fatal(err)
		}
		name := func() string {
			a, err := w.posts.RemoteActor(ctx, alice)
			if err != nil {
				t.Fatal(err)
			}
			return a.Name
		}

		w.fedi.rename(alice, "Alice, réparatrice")
		if status, outcome := w.deliver(alice, update(alice, alice)); outcome != "actor updated" {
			t.Fatalf("alice's Update of herself: %d %q, want actor updated", status, outcome)
		}
		if got := name(); got != "Alice, réparatrice" {
			t.Errorf("alice's name = %q after her Update, want the refetched one", got)
		}

		w.fedi.rename(alice, "Alice, usurpée")
		if _, outcome := w.deliver(mallory, update(mallory, alice)); outcome == "actor updated" {
			t.Errorf("mallory's Update of alice: %q", outcome)
		}
		if got := name(); got != "Alice, réparatrice" {
			t.Errorf("alice's name = %q after mallory's Update, want it unchanged", got)
		}
	})
}
