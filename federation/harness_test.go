package federation_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/federation"
	"github.com/ess-lyon/portal/federation/httpsig"
	"github.com/ess-lyon/portal/migrations"
	"github.com/ess-lyon/portal/timeline"
)

// This file is the harness the inbox tests share: a "world" made of a
// Service on a real database, with the local organisation "asso", whose
// HTTP client reaches the fake fediverse of fediverse_test.go.

const (
	testDomain = "lyon.test"
	assoURI    = "https://lyon.test/@asso"
	inboxURL   = "https://lyon.test/inbox"
	asContext  = "https://www.w3.org/ns/activitystreams"
)

// world is a portal under test: a Service on a real database, whose other
// servers are the fake fediverse, and the local organisation "asso".
type world struct {
	t     testing.TB
	db    *bun.DB
	posts *timeline.Store
	svc   *federation.Service
	fedi  *fediverse
	asso  *timeline.Actor
}

// newWorld starts a Service for lyon.test on db. It creates the portal's
// actors and "asso" when the database does not hold them yet, and asso's
// keys, so that nothing in a test pays for generating them.
func newWorld(t testing.TB, db *bun.DB, fedi *fediverse) *world {
	t.Helper()
	ctx := context.Background()
	posts := timeline.New(db)
	svc, err := federation.New(federation.Config{Domain: testDomain, Insecure: false,
		Software: "portail-ess", Version: "test"}, db, posts, migrations.QueueDriver(db),
		federation.Options{HTTPClient: fedi.client(), PollInterval: 20 * time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("creating service: %v", err)
	}
	if err := svc.EnsureActors(ctx); err != nil {
		t.Fatalf("creating the portal's actors: %v", err)
	}
	w := &world{t: t, db: db, posts: posts, svc: svc, fedi: fedi}
	w.asso, err = posts.LocalActor(ctx, "asso")
	if err != nil {
		w.asso = &timeline.Actor{Username: "asso", Name: "Asso de quartier",
			LegalForm: "association", City: "Lyon"}
		if err := posts.CreateLocalActor(ctx, w.asso); err != nil {
			t.Fatalf("creating asso: %v", err)
		}
	}
	w.assoDocument()
	return w
}

// assoDocument GETs asso's actor document, which also makes its keys.
func (w *world) assoDocument() map[string]any {
	r := chi.NewRouter()
	r.Get("/@{name}", w.svc.ServeActor)
	req := httptest.NewRequest(http.MethodGet, assoURI, nil)
	req.Header.Set("Accept", "application/activity+json")
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	var doc map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
		w.t.Fatalf("GET %s: %d %s", assoURI, rec.Code, rec.Body)
	}
	return doc
}

// start runs the job queue until the test ends.
func (w *world) start() {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := w.svc.Start(ctx); err != nil {
		cancel()
		w.t.Fatalf("starting queue: %v", err)
	}
	w.t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = w.svc.Stop(stop)
		cancel()
	})
}

// signed builds the POST of body to the shared inbox, signed with the key
// the test holds for actor ("" leaves it unsigned).
func signed(t testing.TB, actor string, body []byte) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, inboxURL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/activity+json")
	if actor == "" {
		return req
	}
	err := httpsig.SignRequest(req, body, actor+"#main-key", keyOf(actor), time.Now())
	if err != nil {
		t.Fatalf("signing as %s: %v", actor, err)
	}
	return req
}

// inboxAnswer is the inbox's answer to one POST.
type inboxAnswer struct {
	status int
	msg    string
	panic  any
}

// send gives req to the inbox. A panic is caught and returned, so that the
// test can say which document caused it.
func (w *world) send(req *http.Request) (ans inboxAnswer) {
	defer func() {
		if p := recover(); p != nil {
			ans = inboxAnswer{status: -1, panic: p}
		}
	}()
	rec := httptest.NewRecorder()
	w.svc.ServeInbox(rec, req)
	var m struct{ Message string }
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return inboxAnswer{status: rec.Code, msg: m.Message}
}

// storedID returns the ap_inbox row of an activity, by its id or, for an
// activity without one, by the hash of its body, as the inbox names it.
func (w *world) storedID(body []byte) (int64, error) {
	var doc struct{ ID any }
	_ = json.Unmarshal(body, &doc)
	uri, _ := doc.ID.(string)
	if uri == "" {
		sum := sha256.Sum256(body)
		uri = "urn:sha256:" + hex.EncodeToString(sum[:])
	}
	var id int64
	err := w.db.NewSelect().Table("ap_inbox").Column("id").Where("uri = ?", uri).
		Scan(context.Background(), &id)
	if err != nil {
		return 0, fmt.Errorf("finding stored activity %s: %w", uri, err)
	}
	return id, nil
}

// process runs ProcessInbox on the stored activity, catching a panic.
func (w *world) process(body []byte) (outcome string, err error) {
	defer func() {
		if p := recover(); p != nil {
			outcome, err = "", fmt.Errorf("PANIC: %v", p)
		}
	}()
	id, err := w.storedID(body)
	if err != nil {
		return "", err
	}
	return w.svc.ProcessInbox(context.Background(), id)
}

// deliver sends body signed by actor and processes it when accepted. It
// returns the HTTP status and the outcome, or the refusal's message.
func (w *world) deliver(actor string, body []byte) (int, string) {
	w.t.Helper()
	return w.deliverRequest(signed(w.t, actor, body), body)
}

// deliverWith is deliver with a signature by any key under any key id.
func (w *world) deliverWith(keyID string, key crypto.Signer, body []byte) (int, string) {
	w.t.Helper()
	req := signed(w.t, "", body)
	if err := httpsig.SignRequest(req, body, keyID, key, time.Now()); err != nil {
		w.t.Fatal(err)
	}
	return w.deliverRequest(req, body)
}

func (w *world) deliverRequest(req *http.Request, body []byte) (int, string) {
	ans := w.send(req)
	if ans.panic != nil {
		return ans.status, fmt.Sprintf("PANIC: %v", ans.panic)
	}
	if ans.status != http.StatusAccepted {
		return ans.status, ans.msg
	}
	outcome, err := w.process(body)
	if err != nil {
		return ans.status, "error: " + err.Error()
	}
	return ans.status, outcome
}

// follow makes asso follow actor through the portal's own paths: a Follow
// sent (queued, not delivered) and the Accept the actor answers with,
// received through the inbox. It returns why it could not.
func (w *world) follow(actor string) error {
	ctx := context.Background()
	if w.following(actor) {
		return nil
	}
	if err := w.svc.Follow(ctx, w.asso, actor); err != nil {
		return err
	}
	var followURI string
	err := w.db.NewSelect().Table("ap_follows").Column("ap_follows.uri").
		Join("JOIN actors ON actors.id = ap_follows.followee_id").
		Where("actors.uri = ?", actor).Scan(ctx, &followURI)
	if err != nil {
		return fmt.Errorf("reading the follow of %s: %w", actor, err)
	}
	accept := mustMarshal(map[string]any{"@context": asContext,
		"id": actor + "#accepts/" + lastSegment(followURI), "type": "Accept",
		"actor": actor, "object": map[string]any{"id": followURI, "type": "Follow",
			"actor": assoURI, "object": actor}})
	if status, outcome := w.deliver(actor, accept); outcome != "follow confirmed" {
		return fmt.Errorf("accept of %s: %d %s", actor, status, outcome)
	}
	return nil
}

// following tells whether asso follows actor, accepted.
func (w *world) following(actor string) bool {
	n, err := w.db.NewSelect().Table("ap_follows").
		Join("JOIN actors ON actors.id = ap_follows.followee_id").
		Where("actors.uri = ?", actor).Where("ap_follows.accepted").
		Count(context.Background())
	return err == nil && n > 0
}

// count returns the number of rows of table.
func (w *world) count(table string) int {
	w.t.Helper()
	n, err := w.db.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		w.t.Fatalf("counting %s: %v", table, err)
	}
	return int(n)
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // test documents are plain maps and strings
	}
	return b
}

// followsAt tells whether asso has asked to follow actor, accepted or not.
func (w *world) followsAt(actor string) bool {
	n, err := w.db.NewSelect().Table("ap_follows").
		Join("JOIN actors ON actors.id = ap_follows.followee_id").
		Where("actors.uri = ?", actor).Count(context.Background())
	return err == nil && n > 0
}
