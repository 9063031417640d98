package federation

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/timeline"
)

// collectionPage is how many items a page of the outbox holds, and how
// many featured posts the featured collection lists.
const collectionPage = 20

// collection is an OrderedCollection that holds all its items, or only
// their count once the caller deletes them.
func collection(id string, total int, items []any) Document {
	d := Document{"@context": ldContext, "id": id, "type": "OrderedCollection",
		"totalItems": total}
	if items == nil {
		items = []any{}
	}
	d["orderedItems"] = items
	return d
}

func (s *Service) collectionActor(w http.ResponseWriter, r *http.Request) *timeline.Actor {
	name := chi.URLParam(r, "name")
	a, err := s.posts.LocalActor(r.Context(), name)
	if err != nil || a.Kind == timeline.KindInstance {
		writeError(w, http.StatusNotFound, "no such actor")
		return nil
	}
	if name != a.Username {
		// /@Repair-Cafe/outbox is /@repair-cafe/outbox, served at its id.
		collection := r.URL.Path[strings.LastIndex(r.URL.Path, "/"):]
		redirectCanonical(w, r, s.cfg.ActorURI(a)+collection)
		return nil
	}
	return a
}

// serveOutbox serves an actor's public activities, newest first, paged as
// Mastodon pages its own: the collection gives the count and links its
// first page, ?page=true; each page links the next, ?max_id=N&page=true,
// which holds the activities before the one numbered N, the last it holds.
// Rows are numbered in the order they are stored, so a page read later
// still starts where the one before ended. Any other query string is sent
// to the address the portal writes for it, so that every document's id is
// the address it is served at.
func (s *Service) serveOutbox(w http.ResponseWriter, r *http.Request) {
	a := s.collectionActor(w, r)
	if a == nil {
		return
	}
	id := s.cfg.ActorURI(a) + "/outbox"
	paged, maxID, err := outboxQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if want := outboxPageQuery(paged, maxID); r.URL.RawQuery != want {
		http.Redirect(w, r, strings.TrimSuffix(id+"?"+want, "?"), http.StatusFound)
		return
	}
	if !paged {
		s.serveOutboxCollection(w, r, a, id)
		return
	}
	s.serveOutboxPage(w, r, a, id, maxID)
}

// outboxQuery reads an outbox's query string: whether it asks for a page,
// and before which activity (0 for the first page).
func outboxQuery(q url.Values) (paged bool, maxID int64, err error) {
	if !q.Has("max_id") {
		return q.Get("page") == "true", 0, nil
	}
	maxID, err = strconv.ParseInt(q.Get("max_id"), 10, 64)
	if err != nil || maxID <= 0 {
		return false, 0, errors.New("max_id must be a positive number")
	}
	return true, maxID, nil
}

// outboxPageQuery is the query string of the outbox's collection, its
// first page or the page before maxID, as the portal writes it.
func outboxPageQuery(paged bool, maxID int64) string {
	switch {
	case !paged:
		return ""
	case maxID == 0:
		return "page=true"
	}
	return "max_id=" + strconv.FormatInt(maxID, 10) + "&page=true"
}

// outbox selects the activities an actor's outbox lists: what it
// published and shared, to the public, without the copies of its shares
// that group-aware followers get in their own form.
func (s *Service) outbox(model any, actorID int64) *bun.SelectQuery {
	return s.db.NewSelect().Model(model).Where("actor_id = ?", actorID).
		Where("type IN ('Create', 'Announce')").Where("audience != ?", toGroupAware)
}

func (s *Service) serveOutboxCollection(w http.ResponseWriter, r *http.Request,
	a *timeline.Actor, id string) {
	total, err := s.outbox((*activity)(nil), a.ID).Count(r.Context())
	if err != nil {
		s.serverError(w, err)
		return
	}
	writeDocument(w, http.StatusOK, Document{"@context": ldContext, "id": id,
		"type": "OrderedCollection", "totalItems": total,
		"first": id + "?" + outboxPageQuery(true, 0)})
}

// serveOutboxPage serves the page of activities before maxID, or the
// latest ones when it is 0. It reads one more than a page holds, to link
// the next page only when there is one.
func (s *Service) serveOutboxPage(w http.ResponseWriter, r *http.Request, a *timeline.Actor,
	id string, maxID int64) {
	var acts []activity
	q := s.outbox(&acts, a.ID).OrderExpr("id DESC").Limit(collectionPage + 1)
	if maxID > 0 {
		q = q.Where("id < ?", maxID)
	}
	if err := q.Scan(r.Context()); err != nil {
		s.serverError(w, err)
		return
	}
	page := Document{"@context": ldContext, "id": id + "?" + outboxPageQuery(true, maxID),
		"type": "OrderedCollectionPage", "partOf": id}
	if len(acts) > collectionPage {
		acts = acts[:collectionPage]
		page["next"] = id + "?" + outboxPageQuery(true, acts[len(acts)-1].ID)
	}
	items := make([]any, 0, len(acts))
	for i := range acts {
		doc, err := s.current(r.Context(), &acts[i])
		if errors.Is(err, errDeleted) {
			continue // the page is one shorter; its links stay right
		}
		if err != nil {
			s.serverError(w, err)
			return
		}
		items = append(items, embedded(doc))
	}
	page["orderedItems"] = items
	writeDocument(w, http.StatusOK, page)
}

// serveFollowers gives the count of followers; like Mastodon's default it
// does not list who they are.
func (s *Service) serveFollowers(w http.ResponseWriter, r *http.Request) {
	s.serveFollows(w, r, "followee_id", "followers")
}

func (s *Service) serveFollowing(w http.ResponseWriter, r *http.Request) {
	s.serveFollows(w, r, "follower_id", "following")
}

func (s *Service) serveFollows(w http.ResponseWriter, r *http.Request, column, name string) {
	a := s.collectionActor(w, r)
	if a == nil {
		return
	}
	n, err := s.db.NewSelect().Model((*follow)(nil)).Where("? = ?", chiIdent(column), a.ID).
		Where("accepted").Count(r.Context())
	if err != nil {
		s.serverError(w, err)
		return
	}
	d := collection(s.cfg.ActorURI(a)+"/"+name, int(n), nil)
	delete(d, "orderedItems")
	writeDocument(w, http.StatusOK, d)
}

// serveFeatured lists pinned posts: for the portal actor, the featured
// timeline the committees curate.
func (s *Service) serveFeatured(w http.ResponseWriter, r *http.Request) {
	a := s.collectionActor(w, r)
	if a == nil {
		return
	}
	// The latest featured posts, as pinned posts: Mastodon reads a featured
	// collection's items inline, as a handful of pins, and follows no page
	// of it. The whole curated timeline is the portal actor's outbox of
	// Announces, which is paged.
	var posts []*timeline.Post
	if a.Kind == timeline.KindPortal {
		var err error
		posts, _, err = s.posts.FeaturedPosts(r.Context(), timeline.Page{Limit: collectionPage})
		if err != nil {
			s.serverError(w, err)
			return
		}
	}
	items := make([]any, 0, len(posts))
	for _, p := range posts {
		if !p.Local {
			items = append(items, p.URI)
			continue
		}
		doc, err := s.postDocument(p.Actor, p)
		if err != nil {
			s.serverError(w, err)
			return
		}
		items = append(items, embedded(doc))
	}
	writeDocument(w, http.StatusOK, collection(s.cfg.ActorURI(a)+"/featured", len(items), items))
}
