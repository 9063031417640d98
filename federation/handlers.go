package federation

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/federation/httpsig"
	"github.com/ess-lyon/portal/timeline"
)

// ContentType is the media type of every document the portal serves.
const ContentType = `application/activity+json; charset=utf-8`

// WantsActivity tells whether a request asks for ActivityStreams rather
// than a page: application/activity+json, or ld+json with the
// ActivityStreams profile (or none), preferred by its q-value over HTML.
func WantsActivity(r *http.Request) bool {
	var as, page float64 = -1, -1
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, err := strconv.ParseFloat(params["q"], 64); err == nil {
			q = v
		}
		switch {
		case mt == "application/activity+json",
			mt == "application/ld+json" && (params["profile"] == "" ||
				strings.Contains(params["profile"], "https://www.w3.org/ns/activitystreams")):
			as = max(as, q)
		case mt == "text/html", mt == "application/xhtml+xml", mt == "*/*", mt == "text/*":
			page = max(page, q)
		}
	}
	return as > 0 && as >= page
}

// Routes mounts the federation-only endpoints: discovery, inboxes,
// collections, activities and the instance actor. The addresses shared with
// pages (actors and posts) are served by ServeActor and ServePost, which
// the caller mounts behind content negotiation.
func (s *Service) Routes(r chi.Router) {
	r.Get("/.well-known/webfinger", s.serveWebFinger)
	r.Get("/.well-known/host-meta", s.serveHostMeta)
	r.Get("/.well-known/host-meta.json", s.serveHostMetaJSON)
	r.Get("/.well-known/nodeinfo", s.serveNodeInfoIndex)
	r.Get("/nodeinfo/{version}", s.serveNodeInfo)
	r.Get("/authorize_interaction", s.serveInteraction)
	r.Post("/inbox", s.ServeInbox)
	r.Get("/actor", s.serveInstanceActor)
	r.Post("/actor/inbox", s.ServeInbox)
	r.Post("/@{name}/inbox", s.ServeInbox)
	r.Group(func(r chi.Router) {
		r.Use(s.authorizedFetch)
		r.Get("/@{name}/outbox", s.serveOutbox)
		r.Get("/@{name}/followers", s.serveFollowers)
		r.Get("/@{name}/following", s.serveFollowing)
		r.Get("/@{name}/featured", s.serveFeatured)
		r.Get("/activities/{id}", s.serveActivity)
	})
}

// ServeActor answers GET /@{name} with the actor document.
func (s *Service) ServeActor(w http.ResponseWriter, r *http.Request) {
	s.authorizedFetch(http.HandlerFunc(s.serveActor)).ServeHTTP(w, r)
}

func (s *Service) serveActor(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	a, err := s.posts.LocalActor(r.Context(), name)
	if err != nil || a.Kind == timeline.KindInstance {
		writeError(w, http.StatusNotFound, "no such actor")
		return
	}
	if name != a.Username {
		redirectCanonical(w, r, s.cfg.ActorURI(a))
		return
	}
	s.writeActor(w, r, a)
}

func (s *Service) serveInstanceActor(w http.ResponseWriter, r *http.Request) {
	a, err := s.posts.LocalActor(r.Context(), s.instanceUsername())
	if err != nil {
		writeError(w, http.StatusNotFound, "no instance actor")
		return
	}
	s.writeActor(w, r, a)
}

func (s *Service) writeActor(w http.ResponseWriter, r *http.Request, a *timeline.Actor) {
	keys, err := s.localKeys(r.Context(), a)
	if err != nil {
		s.serverError(w, err)
		return
	}
	doc, err := s.actorDocument(a, keys)
	if err != nil {
		s.serverError(w, err)
		return
	}
	writeDocument(w, http.StatusOK, doc)
}

// ServePost answers GET /@{name}/{id} with the post's document, or a
// Tombstone with 410 Gone once deleted.
func (s *Service) ServePost(w http.ResponseWriter, r *http.Request) {
	s.authorizedFetch(http.HandlerFunc(s.servePost)).ServeHTTP(w, r)
}

func (s *Service) servePost(w http.ResponseWriter, r *http.Request) {
	raw := chi.URLParam(r, "id")
	id, _ := strconv.ParseInt(raw, 10, 64)
	p, err := s.posts.Post(r.Context(), id)
	// One address per post: /@x/01 is not /@x/1, whose id is the only one.
	name := chi.URLParam(r, "name")
	if err != nil || !p.Local || !strings.EqualFold(p.Actor.Username, name) ||
		strconv.FormatInt(id, 10) != raw {
		writeError(w, http.StatusNotFound, "no such post")
		return
	}
	if name != p.Actor.Username {
		redirectCanonical(w, r, s.cfg.PostURI(p.Actor, p))
		return
	}
	doc, err := s.postDocument(p.Actor, p)
	if err != nil {
		s.serverError(w, err)
		return
	}
	status := http.StatusOK
	if p.Deleted() {
		status = http.StatusGone
	}
	writeDocument(w, status, doc)
}

func (s *Service) serveActivity(w http.ResponseWriter, r *http.Request) {
	act := new(activity)
	uri := s.cfg.Base() + "/activities/" + chi.URLParam(r, "id")
	err := s.db.NewSelect().Model(act).Where("uri = ?", uri).Scan(r.Context())
	if err != nil {
		writeError(w, http.StatusNotFound, "no such activity")
		return
	}
	doc, err := s.current(r.Context(), act)
	if errors.Is(err, errDeleted) {
		writeDocument(w, http.StatusGone, Document{"@context": ldContext, "id": uri,
			"type": "Tombstone", "formerType": act.Type})
		return
	}
	if err != nil {
		s.serverError(w, err)
		return
	}
	writeDocument(w, http.StatusOK, doc)
}

// authorizedFetch refuses unsigned GETs when the portal runs in secure
// mode, as Mastodon's does; the instance actor and discovery stay open so
// that others can fetch the key that signs their request.
func (s *Service) authorizedFetch(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.cfg.AuthorizedFetch {
			next.ServeHTTP(w, r)
			return
		}
		_, err := httpsig.Verify(r.Context(), r, nil, s.resolveKey, httpsig.Options{Scheme: s.cfg.scheme()})
		if err != nil {
			s.metrics.SignatureFailures.Add(1)
			writeError(w, http.StatusUnauthorized, "signature required")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// redirectCanonical sends a request for another spelling of a document's
// address, such as /@Repair-Cafe, to the document's id, keeping the query:
// every document is served at exactly its id, which others check and store.
func redirectCanonical(w http.ResponseWriter, r *http.Request, id string) {
	if r.URL.RawQuery != "" {
		id += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, id, http.StatusMovedPermanently)
}

func writeDocument(w http.ResponseWriter, status int, doc Document) {
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Vary", "Accept")
	w.WriteHeader(status)
	_, _ = w.Write(doc.JSON())
}

func writeJSON(w http.ResponseWriter, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// serverError logs the cause once and tells the client only that it failed.
func (s *Service) serverError(w http.ResponseWriter, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.Error("serving federation request", "error", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}

// serveInteraction is the remote-interaction endpoint WebFinger advertises.
// The portal has no accounts of followers of its own, so it can only show
// a local actor or post; anything else is explained, not fetched.
func (s *Service) serveInteraction(w http.ResponseWriter, r *http.Request) {
	uri := r.URL.Query().Get("uri")
	if _, ok := s.cfg.parseLocal(uri); ok {
		http.Redirect(w, r, uri, http.StatusFound)
		return
	}
	writeError(w, http.StatusBadRequest,
		"this portal has no personal accounts: follow from your own server")
}
