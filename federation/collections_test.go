package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// fetchDocument GETs the address uri from h, as another server would, and
// decodes what it answers with 200.
func fetchDocument(t *testing.T, h http.Handler, uri string) (*httptest.ResponseRecorder,
	map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, uri, nil)
	req.Header.Set("Accept", "application/activity+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var doc map[string]any
	if rec.Code == http.StatusOK || rec.Code == http.StatusGone {
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("GET %s: %v in %s", uri, err, rec.Body)
		}
	}
	return rec, doc
}

// TestOutboxPages follows an outbox from the collection through every
// page's next link, as a crawler would, while the organisation keeps
// publishing: every activity comes once, newest first, and every page is
// served at the address that is its id.
func TestOutboxPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, org := newTestServiceOn(t, db, nil)
		h := testRouter(s)
		ctx := context.Background()
		// Activities share their time: the order must not depend on it.
		at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		s.posts.SetClock(func() time.Time { return at })
		publish := func(title string) *timeline.Post {
			p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: title}
			if err := s.posts.CreatePost(ctx, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		var want []string
		var first *timeline.Post
		for i := range 2*collectionPage + 3 {
			p := publish(fmt.Sprint("Brève ", i))
			want = append([]string{s.cfg.PostURI(org, p)}, want...)
			if first == nil {
				first = p
			}
		}
		first.Title = "Brève corrigée" // an edit is not another item
		if err := s.posts.UpdatePost(ctx, first); err != nil {
			t.Fatal(err)
		}

		outbox := s.cfg.ActorURI(org) + "/outbox"
		rec, coll := fetchDocument(t, h, outbox)
		if rec.Code != http.StatusOK || coll["type"] != "OrderedCollection" ||
			coll["id"] != outbox || coll["totalItems"] != float64(len(want)) ||
			coll["first"] != outbox+"?page=true" || coll["orderedItems"] != nil {
			t.Fatalf("GET %s: %d %s", outbox, rec.Code, rec.Body)
		}

		var got []string
		seen := map[string]bool{}
		var sizes []int
		for next, _ := coll["first"].(string); next != ""; next, _ = coll["next"].(string) {
			if len(sizes) > 10 {
				t.Fatal("the outbox's pages never end")
			}
			rec, coll = fetchDocument(t, h, next)
			if rec.Code != http.StatusOK || coll["id"] != next ||
				coll["type"] != "OrderedCollectionPage" || coll["partOf"] != outbox {
				t.Fatalf("GET %s: %d %s", next, rec.Code, rec.Body)
			}
			items, _ := coll["orderedItems"].([]any)
			sizes = append(sizes, len(items))
			for _, item := range items {
				act, _ := item.(map[string]any)
				obj, _ := act["object"].(map[string]any)
				id, _ := act["id"].(string)
				if act["type"] != "Create" || seen[id] {
					t.Errorf("page %s lists %v %s again or unexpected", next, act["type"], id)
				}
				seen[id] = true
				got = append(got, fmt.Sprint(obj["id"]))
			}
			publish("Publiée pendant la lecture") // after every page read so far
		}
		if !slices.Equal(got, want) {
			t.Errorf("the pages list:\n%v\nwant, newest first:\n%v", got, want)
		}
		if !slices.Equal(sizes, []int{collectionPage, collectionPage, 3}) {
			t.Errorf("pages of %v activities, want %d, %d, 3", sizes, collectionPage,
				collectionPage)
		}
	})
}

// TestPortalOutboxListsEachShareOnce checks that the portal's outbox lists
// its Announce of a featured post once, not also the copy sent to
// group-aware followers.
func TestPortalOutboxListsEachShareOnce(t *testing.T) {
	s, org := newTestService(t, nil)
	ctx := context.Background()
	p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "À la une"}
	if err := s.posts.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.posts.Feature(ctx, p.ID, 1); err != nil {
		t.Fatal(err)
	}
	h := testRouter(s)
	outbox := "https://lyon.test/@" + timeline.PortalUsername + "/outbox"
	if _, coll := fetchDocument(t, h, outbox); coll["totalItems"] != 1.0 {
		t.Errorf("the portal's outbox counts %v items, want 1", coll["totalItems"])
	}
	_, page := fetchDocument(t, h, outbox+"?page=true")
	items, _ := page["orderedItems"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["object"] != s.cfg.PostURI(org, p) {
		t.Errorf("the portal's outbox lists %v, want the Announce of %s", items,
			s.cfg.PostURI(org, p))
	}
	if _, ok := page["next"]; ok {
		t.Errorf("a single page links a next one: %v", page["next"])
	}
}

// TestOutboxAddresses checks that an outbox address the portal does not
// write leads to the one it does, so that no document is served under
// another address than its id, and that a cursor that is not one is
// refused, never a server error.
func TestOutboxAddresses(t *testing.T) {
	s, org := newTestService(t, nil)
	h := testRouter(s)
	outbox := s.cfg.ActorURI(org) + "/outbox"
	for query, want := range map[string]string{
		"?page=true&max_id=7": "?max_id=7&page=true",
		"?max_id=007&page=1":  "?max_id=7&page=true",
		"?max_id=7":           "?max_id=7&page=true",
		"?page=true&lang=fr":  "?page=true",
		"?page=1":             "",
		"?foo=bar":            "",
	} {
		rec, _ := fetchDocument(t, h, outbox+query)
		if rec.Code != http.StatusFound || rec.Header().Get("Location") != outbox+want {
			t.Errorf("GET outbox%s: %d to %q, want 302 to %q", query, rec.Code,
				rec.Header().Get("Location"), outbox+want)
		}
	}
	for _, query := range []string{"?max_id=abc&page=true", "?max_id=0&page=true",
		"?max_id=-4&page=true", "?max_id=99999999999999999999&page=true",
		"?max_id=&page=true", "?max_id=1e3&page=true"} {
		if rec, _ := fetchDocument(t, h, outbox+query); rec.Code != http.StatusBadRequest {
			t.Errorf("GET outbox%s: %d, want 400", query, rec.Code)
		}
	}
	last := outbox + "?max_id=9223372036854775807&page=true"
	if rec, _ := fetchDocument(t, h, last); rec.Code != http.StatusOK {
		t.Errorf("GET the page before the largest id: %d, want 200", rec.Code)
	}
}

// TestOutboxServesPostsAsTheyAreNow: the outbox and the activity's own
// address carry the post's current text after an edit, and nothing of it
// after a deletion, where the activity answers 410.
func TestOutboxServesPostsAsTheyAreNow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, org := newTestServiceOn(t, db, nil)
		h := testRouter(s)
		ctx := context.Background()
		p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Numéro de téléphone",
			BodyMarkdown: "Appelez le 06 12 34 56 78."}
		if err := s.posts.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.BodyMarkdown = "Écrivez-nous plutôt."
		if err := s.posts.UpdatePost(ctx, p); err != nil {
			t.Fatal(err)
		}

		outbox := s.cfg.ActorURI(org) + "/outbox?page=true"
		_, page := fetchDocument(t, h, outbox)
		items, _ := page["orderedItems"].([]any)
		if len(items) != 1 {
			t.Fatalf("outbox lists %d items, want the one Create: %v", len(items), page)
		}
		create := items[0].(map[string]any)
		listed := fmt.Sprint(create["object"])
		if strings.Contains(listed, "06 12") || !strings.Contains(listed, "Écrivez-nous") {
			t.Errorf("outbox shows the post as first written: %s", listed)
		}
		activity, _ := create["id"].(string)
		rec, doc := fetchDocument(t, h, activity)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "06 12") ||
			doc["id"] != activity {
			t.Errorf("GET %s: %d %s", activity, rec.Code, rec.Body)
		}

		if err := s.posts.DeletePost(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		_, page = fetchDocument(t, h, outbox)
		if items, _ := page["orderedItems"].([]any); len(items) != 0 {
			t.Errorf("outbox still lists a deleted post: %v", items)
		}
		rec, doc = fetchDocument(t, h, activity)
		if rec.Code != http.StatusGone || doc["type"] != "Tombstone" ||
			strings.Contains(rec.Body.String(), "Écrivez-nous") {
			t.Errorf("GET %s after deletion: %d %s", activity, rec.Code, rec.Body)
		}
	})
}

// TestCollectionsAtTheirOwnAddress: a collection asked for under another
// spelling of its actor's name is sent to its id, query kept.
func TestCollectionsAtTheirOwnAddress(t *testing.T) {
	s, org := newTestService(t, nil)
	h := testRouter(s)
	upper := "https://lyon.test/@" + strings.ToUpper(org.Username)
	for _, c := range []string{"/outbox?page=true", "/followers", "/following", "/featured"} {
		req := httptest.NewRequest(http.MethodGet, upper+c, nil)
		req.Header.Set("Accept", "application/activity+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if want := s.cfg.ActorURI(org) + c; rec.Code != http.StatusMovedPermanently ||
			rec.Header().Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 301 to %q", upper+c, rec.Code,
				rec.Header().Get("Location"), want)
		}
	}
}
