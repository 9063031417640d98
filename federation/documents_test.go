package federation

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations"
	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// newTestService returns a Service for lyon.test on a fresh SQLite
// database, with its own actors and one organisation.
func newTestService(t *testing.T, client *http.Client) (*Service, *timeline.Actor) {
	t.Helper()
	return newTestServiceOn(t, dbtest.Open(t, "sqlite"), client)
}

// newTestServiceOn is newTestService on a fresh database of any kind.
func newTestServiceOn(t *testing.T, db *bun.DB, client *http.Client) (*Service,
	*timeline.Actor) {
	t.Helper()
	posts := timeline.New(db)
	s, err := New(Config{Domain: "lyon.test", Software: "portail-ess", Version: "test"},
		db, posts, migrations.QueueDriver(db), Options{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureActors(context.Background()); err != nil {
		t.Fatal(err)
	}
	org := &timeline.Actor{Username: "maison-ess", Name: "Maison de l'ESS",
		LegalForm: "scic", Sector: "réemploi", Website: "https://maison-ess.example",
		City: "Lyon", PostalCode: "69007"}
	if err := posts.CreateLocalActor(context.Background(), org); err != nil {
		t.Fatal(err)
	}
	return s, org
}

func getJSON(t *testing.T, h http.Handler, path, accept string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", accept)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var m map[string]any
	if rec.Code < 300 {
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, rec.Body)
		}
	}
	return rec.Code, m
}

func testRouter(s *Service) http.Handler {
	r := chi.NewRouter()
	s.Routes(r)
	r.Get("/@{name}", s.ServeActor)
	r.Get("/@{name}/{id}", s.ServePost)
	return r
}

func TestActorDocumentHasWhatMastodonReads(t *testing.T) {
	s, _ := newTestService(t, nil)
	code, doc := getJSON(t, testRouter(s), "/@maison-ess", "application/activity+json")
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	want := map[string]any{
		"id": "https://lyon.test/@maison-ess", "type": "Organization",
		"preferredUsername": "maison-ess", "inbox": "https://lyon.test/@maison-ess/inbox",
		"featured": "https://lyon.test/@maison-ess/featured", "discoverable": true,
		"manuallyApprovesFollowers": false, "indexable": true,
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %v", k, doc[k], v)
		}
	}
	key, _ := doc["publicKey"].(map[string]any)
	if key["owner"] != doc["id"] || !strings.Contains(key["publicKeyPem"].(string), "PUBLIC KEY") {
		t.Errorf("publicKey = %v", key)
	}
	ep, _ := doc["endpoints"].(map[string]any)
	if ep["sharedInbox"] != "https://lyon.test/inbox" {
		t.Errorf("endpoints = %v", doc["endpoints"])
	}
	fields, _ := doc["attachment"].([]any)
	if len(fields) < 3 {
		t.Errorf("attachment = %v, want the ESS profile as PropertyValue", doc["attachment"])
	}
	ctx, _ := json.Marshal(doc["@context"])
	for _, term := range []string{"toot:discoverable", "schema:PropertyValue"} {
		if !strings.Contains(string(ctx), term) {
			t.Errorf("@context lacks %s", term)
		}
	}
}

func TestEventDocumentReadsWellOnMastodon(t *testing.T) {
	s, org := newTestService(t, nil)
	paris, _ := time.LoadLocation("Europe/Paris")
	p := &timeline.Post{ActorID: org.ID, Kind: timeline.Event, Title: "Repair café",
		Summary: "Réparons ensemble.", BodyMarkdown: "Venez **nombreux**.",
		StartsAt: time.Date(2030, 12, 14, 14, 0, 0, 0, paris),
		EndsAt:   time.Date(2030, 12, 14, 18, 0, 0, 0, paris), PlaceName: "La Maison",
		StreetAddress: "12 rue Gryphe", PostalCode: "69007", Locality: "Lyon"}
	if err := s.posts.CreatePost(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	code, doc := getJSON(t, testRouter(s), "/@maison-ess/1", "application/ld+json; "+
		`profile="https://www.w3.org/ns/activitystreams"`)
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if doc["type"] != "Event" || doc["startTime"] != "2030-12-14T13:00:00Z" ||
		doc["id"] != "https://lyon.test/@maison-ess/1" {
		t.Errorf("type %v startTime %v id %v", doc["type"], doc["startTime"], doc["id"])
	}
	summary, _ := doc["summary"].(string)
	for _, want := range []string{"samedi 14 décembre 2030", "14\u00a0h\u00a000", "La Maison", "Réparons"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary %q lacks %q", summary, want)
		}
	}
	loc, _ := doc["location"].(map[string]any)
	addr, _ := loc["address"].(map[string]any)
	if loc["type"] != "Place" || addr["postalCode"] != "69007" {
		t.Errorf("location = %v", doc["location"])
	}
}

func TestWebFingerRoundTrip(t *testing.T) {
	s, _ := newTestService(t, nil)
	h := testRouter(s)
	for _, res := range []string{"acct:maison-ess@lyon.test", "acct:Maison-ESS@LYON.test",
		"https://lyon.test/@maison-ess"} {
		code, doc := getJSON(t, h, "/.well-known/webfinger?resource="+res, "")
		if code != http.StatusOK {
			t.Errorf("%s: status %d", res, code)
			continue
		}
		links, _ := doc["links"].([]any)
		self, _ := links[0].(map[string]any)
		if self["href"] != "https://lyon.test/@maison-ess" || doc["subject"] !=
			"acct:maison-ess@lyon.test" {
			t.Errorf("%s: self %v subject %v", res, self["href"], doc["subject"])
		}
	}
	if code, _ := getJSON(t, h, "/.well-known/webfinger?resource=acct:nobody@lyon.test",
		""); code != http.StatusNotFound {
		t.Errorf("unknown account: status %d", code)
	}
	code, doc := getJSON(t, h, "/.well-known/webfinger?resource=acct:lyon.test@lyon.test", "")
	if code != http.StatusOK {
		t.Fatalf("instance actor: status %d", code)
	}
	_, inst := getJSON(t, h, "/actor", "application/activity+json")
	if inst["type"] != "Application" || inst["preferredUsername"] != "lyon.test" {
		t.Errorf("instance actor = %v (webfinger %v)", inst, doc)
	}
}

func TestDeletedPostIsATombstone(t *testing.T) {
	s, org := newTestService(t, nil)
	p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Brève"}
	ctx := context.Background()
	if err := s.posts.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.posts.DeletePost(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/@maison-ess/1", nil)
	req.Header.Set("Accept", "application/activity+json")
	rec := httptest.NewRecorder()
	testRouter(s).ServeHTTP(rec, req)
	if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), `"Tombstone"`) {
		t.Errorf("status %d body %s", rec.Code, rec.Body)
	}
	var n int
	err := s.db.NewSelect().Table("ap_activities").ColumnExpr("count(*)").
		Where("type IN ('Create','Delete')").Scan(ctx, &n)
	if err != nil || n != 2 {
		t.Errorf("stored activities = %d (%v), want a Create and a Delete", n, err)
	}
}

// TestKeyIDFollowsTheDomain: keys made under one domain are published and
// used under the domain the portal runs with now.
func TestKeyIDFollowsTheDomain(t *testing.T) {
	s, _ := newTestService(t, nil)
	getJSON(t, testRouter(s), "/@maison-ess", "application/activity+json") // makes its keys
	s.cfg.Domain = "ess-lyon.example"
	_, doc := getJSON(t, testRouter(s), "/@maison-ess", "application/activity+json")
	key, _ := doc["publicKey"].(map[string]any)
	if key["id"] != "https://ess-lyon.example/@maison-ess#main-key" {
		t.Errorf("key id = %v after a change of domain", key["id"])
	}
	_, inst := getJSON(t, testRouter(s), "/actor", "application/activity+json")
	if inst["name"] != "ess-lyon.example" {
		t.Errorf("instance actor name = %v", inst["name"])
	}
}

func TestWantsActivity(t *testing.T) {
	for accept, want := range map[string]bool{
		"application/activity+json": true,
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`: true,
		"application/ld+json":                                      true,
		"text/html,application/xhtml+xml,*/*;q=0.8":                false,
		"text/html, application/activity+json;q=0.1":               false,
		"application/activity+json;q=0":                            false,
		"application/activity+json, text/html;q=0.5":               true,
		`application/ld+json; profile="https://example.org/other"`: false,
		"": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "/@x", nil)
		r.Header.Set("Accept", accept)
		if got := WantsActivity(r); got != want {
			t.Errorf("Accept %q: %v, want %v", accept, got, want)
		}
	}
}

func TestNodeInfoAndHostMeta(t *testing.T) {
	s, _ := newTestService(t, nil)
	h := testRouter(s)
	code, index := getJSON(t, h, "/.well-known/nodeinfo", "")
	links, _ := index["links"].([]any)
	if code != http.StatusOK || len(links) != 2 {
		t.Fatalf("nodeinfo index: %d %v", code, index)
	}
	code, info := getJSON(t, h, "/nodeinfo/2.1", "")
	usage, _ := info["usage"].(map[string]any)
	users, _ := usage["users"].(map[string]any)
	if code != http.StatusOK || users["total"] != float64(1) || info["version"] != "2.1" {
		t.Errorf("nodeinfo 2.1: %d %v", code, info)
	}
	req := httptest.NewRequest(http.MethodGet, "/.well-known/host-meta", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(),
		`template="https://lyon.test/.well-known/webfinger?resource={uri}"`) {
		t.Errorf("host-meta: %s", rec.Body)
	}
}

// TestAddressSpellingsRedirectToTheID: every document is served at exactly
// its id, so an actor's or a post's address in another case answers 301 to
// the id, keeping the query, for GET and HEAD alike.
func TestAddressSpellingsRedirectToTheID(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, org := newTestServiceOn(t, db, nil)
		p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Horaires",
			BodyMarkdown: "Ouvert le samedi."}
		if err := s.posts.CreatePost(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(p.ID, 10)
		r := chi.NewRouter()
		r.Use(middleware.GetHead) // as cmd mounts it
		r.Mount("/", testRouter(s))

		for _, tc := range []struct{ path, want string }{
			{"/@Maison-ESS", "https://lyon.test/@maison-ess"},
			{"/@MAISON-ESS?page=true", "https://lyon.test/@maison-ess?page=true"},
			{"/@Maison-Ess/" + id, "https://lyon.test/@maison-ess/" + id},
			{"/@MAISON-ESS/" + id + "?x=1", "https://lyon.test/@maison-ess/" + id + "?x=1"},
		} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				req := httptest.NewRequest(method, tc.path, nil)
				req.Header.Set("Accept", "application/activity+json")
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)
				if rec.Code != http.StatusMovedPermanently ||
					rec.Header().Get("Location") != tc.want {
					t.Errorf("%s %s: %d to %q, want 301 to %q", method, tc.path, rec.Code,
						rec.Header().Get("Location"), tc.want)
				}
			}
		}
		if code, doc := getJSON(t, r, "/@maison-ess/"+id, "application/activity+json"); code !=
			http.StatusOK || doc["id"] != "https://lyon.test/@maison-ess/"+id {
			t.Errorf("canonical post: %d, id %v", code, doc["id"])
		}
	})
}
