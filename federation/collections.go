package federation

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/timeline"
)

// collectionPage is how many items a collection page holds.
const collectionPage = 20

// collection is an OrderedCollection of all its items on one page when
// they are few, or of its count and first page otherwise.
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
	a, err := s.posts.LocalActor(r.Context(), chi.URLParam(r, "name"))
	if err != nil || a.Kind == timeline.KindInstance {
		writeError(w, http.StatusNotFound, "no such actor")
		return nil
	}
	return a
}

// serveOutbox lists the actor's latest public activities.
func (s *Service) serveOutbox(w http.ResponseWriter, r *http.Request) {
	a := s.collectionActor(w, r)
	if a == nil {
		return
	}
	q := s.db.NewSelect().Model((*activity)(nil)).Where("actor_id = ?", a.ID).Where("audience != ?", toGroupAware).
		Where("type IN ('Create', 'Announce')")
	total, err := q.Count(r.Context())
	if err != nil {
		s.serverError(w, err)
		return
	}
	var acts []activity
	err = s.db.NewSelect().Model(&acts).Where("actor_id = ?", a.ID).
		Where("type IN ('Create', 'Announce')").Where("audience != ?", toGroupAware).
		OrderExpr("id DESC").
		Limit(collectionPage).Scan(r.Context())
	if err != nil {
		s.serverError(w, err)
		return
	}
	items := make([]any, 0, len(acts))
	for _, act := range acts {
		if doc, err := decodeDocument(act.Body); err == nil {
			items = append(items, embedded(doc))
		}
	}
	writeDocument(w, http.StatusOK, collection(s.cfg.ActorURI(a)+"/outbox", int(total), items))
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
