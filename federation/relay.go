package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ess-lyon/portal/federation/safehttp"
	"github.com/ess-lyon/portal/timeline"
)

// Relay styles the portal can subscribe to.
const (
	// RelayMastodon: the instance actor follows the public collection at
	// the relay, which forwards other servers' activities as they are.
	RelayMastodon = "mastodon"
	// RelayLitePub: the instance actor follows the relay's actor, which
	// Announces what it relays.
	RelayLitePub = "litepub"
)

// SubscribeRelay makes the instance actor subscribe to the relay whose
// actor is at relayActor, in the given style. The subscription counts once
// the relay accepts it; from then on the portal's public posts go to the
// relay too.
func (s *Service) SubscribeRelay(ctx context.Context, relayActor, style string) error {
	inst, err := s.posts.LocalActor(ctx, s.instanceUsername())
	if err != nil {
		return fmt.Errorf("finding the instance actor: %w", err)
	}
	if style == RelayLitePub {
		return s.Follow(ctx, inst, relayActor)
	}
	if style != RelayMastodon {
		return fmt.Errorf("federation: unknown relay style %q", style)
	}
	return s.sendFollow(ctx, inst, relayActor, PublicAddress)
}

// isRelay tells whether uri is a relay the instance actor subscribed to
// and that accepted.
func (s *Service) isRelay(ctx context.Context, uri string) bool {
	return s.countRelays(ctx, "ra.uri = ?", uri) > 0
}

// countRelays counts the accepted subscriptions of the instance actor to
// relays whose actor row matches where.
func (s *Service) countRelays(ctx context.Context, where string, arg any) int64 {
	n, err := s.db.NewSelect().Model((*follow)(nil)).
		Join("JOIN actors AS fa ON fa.id = follow.follower_id").
		Join("JOIN actors AS ra ON ra.id = follow.followee_id").
		Where("fa.local").Where("fa.kind = ?", timeline.KindInstance).
		Where(where, arg).Where("follow.accepted").Count(ctx)
	if err != nil {
		s.log.Error("reading relay subscriptions", "error", err)
		return 0
	}
	return n
}

// relayOnHost tells whether the instance actor subscribed to a relay on
// the server of uri: a portal acting as a relay delivers its own actors'
// posts, signed by them, and those are wanted like relayed ones.
func (s *Service) relayOnHost(ctx context.Context, uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return false
	}
	return s.countRelays(ctx, "ra.domain = ?", u.Host) > 0
}

// onRelayed handles an activity a relay forwarded on behalf of another
// actor: its object is fetched from its origin, never taken from the relay.
func (s *Service) onRelayed(ctx context.Context, in *incoming) (string, error) {
	if in.typ != "Create" && in.typ != "Update" && in.typ != "Announce" {
		return "ignored: relayed " + in.typ, nil
	}
	raw := in.raw["object"]
	if t := rawString(objectField(raw, "type")); t == "Create" || t == "Update" {
		raw = objectField(raw, "object")
	}
	ro, err := s.objectOf(ctx, &incoming{}, raw)
	if err != nil {
		return "", err
	}
	return s.storeRemote(ctx, ro, itemID(ro.obj.AttributedTo), true)
}

// onMove follows an actor to its new account: local actors that followed
// the old one follow the new one, if the new one names the old as an
// alias.
func (s *Service) onMove(ctx context.Context, in *incoming) (string, error) {
	if firstID(in.raw["object"]) != in.actor {
		return "", refuse("move of another actor")
	}
	target := firstID(in.raw["target"])
	body, err := s.fetch(ctx, target)
	if err != nil {
		return "", err
	}
	var doc struct {
		AlsoKnownAs json.RawMessage `json:"alsoKnownAs"`
	}
	if json.Unmarshal(body, &doc) != nil || !containsID(doc.AlsoKnownAs, in.actor) {
		return "", refuse("%s does not name %s as an alias", target, in.actor)
	}
	old, err := s.posts.RemoteActor(ctx, in.actor)
	if err != nil {
		return "ignored: unknown actor", nil
	}
	var follows []follow
	err = s.db.NewSelect().Model(&follows).Where("followee_id = ?", old.ID).Scan(ctx)
	if err != nil {
		return "", fmt.Errorf("listing follows of %s: %w", in.actor, err)
	}
	for _, f := range follows {
		local, err := s.posts.Actor(ctx, f.FollowerID)
		if err != nil || !local.Local {
			continue
		}
		if err := s.Follow(ctx, local, target); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("moved: %d follows carried over", len(follows)), nil
}

func containsID(raw json.RawMessage, id string) bool {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return firstID(raw) == id
	}
	for _, item := range list {
		if firstID(item) == id {
			return true
		}
	}
	return false
}

// groupAware is the software that follows groups and expects their
// Announces to wrap the Create, as FEP-1b12 describes.
var groupAware = map[string]bool{
	"lemmy": true, "mbin": true, "kbin": true, "nodebb": true, "friendica": true,
	"lotide": true, "piefed": true, "discourse": true,
}

// learnSoftware records which software the actor's server runs, from its
// NodeInfo, once per server. Failures are only logged: the portal then
// sends the form every server understands.
func (s *Service) learnSoftware(ctx context.Context, actorURI string) {
	u, err := url.Parse(actorURI)
	if err != nil {
		return
	}
	p := new(peer)
	if s.db.NewSelect().Model(p).Where("host = ?", u.Host).Scan(ctx) == nil && p.Software != "" {
		return
	}
	name, err := s.nodeInfoSoftware(ctx, u.Scheme+"://"+u.Host)
	if err != nil {
		s.log.Debug("reading nodeinfo", "host", u.Host, "error", err)
		return
	}
	_, err = s.db.NewInsert().Model(&peer{Host: u.Host, Software: name}).
		On("CONFLICT (host) DO UPDATE").Set("software = EXCLUDED.software").Exec(ctx)
	s.logPeerErr(u.Host, err)
}

func (s *Service) nodeInfoSoftware(ctx context.Context, origin string) (string, error) {
	var index struct {
		Links []jrdLink `json:"links"`
	}
	if err := s.getJSON(ctx, origin+"/.well-known/nodeinfo", &index); err != nil {
		return "", err
	}
	for _, l := range index.Links {
		if !strings.Contains(l.Rel, "nodeinfo.diaspora.software/ns/schema/2") ||
			!sameOrigin(l.Href, origin+"/") {
			continue
		}
		var info struct {
			Software struct {
				Name string `json:"name"`
			} `json:"software"`
		}
		if err := s.getJSON(ctx, l.Href, &info); err != nil {
			return "", err
		}
		return strings.ToLower(info.Software.Name), nil
	}
	return "", fmt.Errorf("%w: no nodeinfo 2.x link at %s", ErrFetch, origin)
}

func (s *Service) getJSON(ctx context.Context, uri string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return fmt.Errorf("building request for %s: %w", uri, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrFetch, uri, err)
	}
	body, err := safehttp.ReadBody(resp, 256<<10)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s answered %d", ErrFetch, uri, resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMalformed, uri, err)
	}
	return nil
}
