package federation

import (
	"context"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/timeline"
)

// jrd is a WebFinger answer (RFC 7033).
type jrd struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []jrdLink `json:"links"`
}

type jrdLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// serveWebFinger answers acct: lookups, case-insensitively, and lookups by
// actor URL. Handles name the domain with its port when it has one, as
// the identifiers do. The self link is exactly the actor's id: Mastodon checks the
// round trip actor → acct: → actor to the letter.
func (s *Service) serveWebFinger(w http.ResponseWriter, r *http.Request) {
	resource := r.URL.Query().Get("resource")
	if resource == "" {
		writeError(w, http.StatusBadRequest, "resource is required")
		return
	}
	a, err := s.webfingerActor(r.Context(), resource)
	if err != nil {
		writeError(w, http.StatusNotFound, "no such account")
		return
	}
	id := s.cfg.ActorURI(a)
	username := a.Username
	if a.Kind == timeline.KindInstance {
		username = s.cfg.Domain
	}
	out := jrd{
		Subject: "acct:" + username + "@" + s.cfg.Domain,
		Aliases: []string{id},
		Links: []jrdLink{
			{Rel: "self", Type: "application/activity+json", Href: id},
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: id},
			{Rel: "http://ostatus.org/schema/1.0/subscribe",
				Template: s.cfg.Base() + "/authorize_interaction?uri={uri}"},
			{Rel: "https://w3id.org/fep/3b86/Follow",
				Template: s.cfg.Base() + "/authorize_interaction?uri={object}"},
			{Rel: "https://w3id.org/fep/3b86/Object",
				Template: s.cfg.Base() + "/authorize_interaction?uri={object}"},
		},
	}
	writeJSON(w, "application/jrd+json", out)
}

// webfingerActor finds the local actor a resource names: acct:user@host
// (host matched without case, with or without the port) or its URL.
func (s *Service) webfingerActor(ctx context.Context, resource string) (*timeline.Actor, error) {
	if acct, ok := strings.CutPrefix(strings.ToLower(resource), "acct:"); ok {
		user, host, _ := strings.Cut(strings.TrimPrefix(acct, "@"), "@")
		if host != strings.ToLower(s.cfg.Host()) && host != strings.ToLower(s.cfg.Domain) {
			return nil, timeline.ErrNotFound
		}
		if user == strings.ToLower(s.cfg.Host()) || user == strings.ToLower(s.cfg.Domain) {
			return s.posts.LocalActor(ctx, s.instanceUsername())
		}
		return s.posts.LocalActor(ctx, user)
	}
	return s.localActorAt(ctx, resource)
}

type xrd struct {
	XMLName xml.Name `xml:"http://docs.oasis-open.org/ns/xri/xrd-1.0 XRD"`
	Links   []xrdLink
}

type xrdLink struct {
	XMLName  xml.Name `xml:"Link"`
	Rel      string   `xml:"rel,attr"`
	Type     string   `xml:"type,attr,omitempty"`
	Template string   `xml:"template,attr"`
}

func (s *Service) webfingerTemplate() string {
	return s.cfg.Base() + "/.well-known/webfinger?resource={uri}"
}

// serveHostMeta points servers that start from host-meta at WebFinger.
func (s *Service) serveHostMeta(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.Header.Get("Accept"), "json") {
		s.serveHostMetaJSON(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xrd+xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(xrd{Links: []xrdLink{{Rel: "lrdd",
		Type: "application/xrd+xml", Template: s.webfingerTemplate()}}})
}

func (s *Service) serveHostMetaJSON(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, "application/json", map[string]any{"links": []jrdLink{{Rel: "lrdd",
		Type: "application/jrd+json", Template: s.webfingerTemplate()}}})
}

func (s *Service) serveNodeInfoIndex(w http.ResponseWriter, _ *http.Request) {
	links := []jrdLink{}
	for _, v := range []string{"2.0", "2.1"} {
		links = append(links, jrdLink{Rel: "http://nodeinfo.diaspora.software/ns/schema/" + v,
			Href: s.cfg.Base() + "/nodeinfo/" + v})
	}
	writeJSON(w, "application/json", map[string]any{"links": links})
}

// serveNodeInfo describes the server for fediverse statistics and
// software detection; it counts organisations as users and their posts.
func (s *Service) serveNodeInfo(w http.ResponseWriter, r *http.Request) {
	version := chi.URLParam(r, "version")
	if version != "2.0" && version != "2.1" {
		writeError(w, http.StatusNotFound, "unknown nodeinfo version")
		return
	}
	orgs, err := s.db.NewSelect().Table("actors").Where("local").
		Where("kind = ?", timeline.KindOrganisation).Count(r.Context())
	if err != nil {
		s.serverError(w, err)
		return
	}
	posts, err := s.db.NewSelect().Table("posts").Where("local").
		Where("deleted_at IS NULL").Count(r.Context())
	if err != nil {
		s.serverError(w, err)
		return
	}
	software := map[string]any{"name": strings.ToLower(s.cfg.Software), "version": s.cfg.Version}
	if version == "2.1" {
		software["homepage"] = s.cfg.Base()
	}
	profile := "http://nodeinfo.diaspora.software/ns/schema/" + version + "#"
	writeJSON(w, `application/json; profile="`+profile+`"`, map[string]any{
		"version":           version,
		"software":          software,
		"protocols":         []string{"activitypub"},
		"services":          map[string]any{"inbound": []string{}, "outbound": []string{}},
		"openRegistrations": false,
		"usage": map[string]any{"users": map[string]int64{"total": orgs},
			"localPosts": posts},
		"metadata": map[string]any{"nodeName": "Portail de l'ESS lyonnaise"},
	})
}
