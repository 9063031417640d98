package federation

import (
	"context"
	"crypto"
	"database/sql"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	ap "github.com/go-ap/activitypub"

	"github.com/ess-lyon/portal/federation/httpsig"
	"github.com/ess-lyon/portal/federation/safehttp"
	"github.com/ess-lyon/portal/timeline"
	"github.com/ess-lyon/portal/timeline/markup"
)

// Errors of fetching remote documents.
var (
	ErrGone       = errors.New("federation: remote document is gone")
	ErrNotAP      = errors.New("federation: remote answer is not an ActivityStreams document")
	ErrFetch      = errors.New("federation: remote server did not give the document")
	ErrWrongActor = errors.New("federation: document is not the actor it claims")
	// errStore marks a failure of the portal's own database while checking
	// a request: the sender is not at fault and should retry, so the inbox
	// answers 503, not 401.
	errStore = errors.New("federation: database unavailable")
)

// actorRefresh is how long a fetched actor is trusted before it is fetched
// again on use.
const actorRefresh = 24 * time.Hour

// keyRefetchInterval is the least time between two fetches of a known key.
const keyRefetchInterval = time.Minute

const acceptAP = `application/activity+json, application/ld+json; ` +
	`profile="https://www.w3.org/ns/activitystreams"`

// fetch GETs an ActivityStreams document, signed by the instance actor so
// that servers in secure mode answer, and checks its size and type.
func (s *Service) fetch(ctx context.Context, uri string) ([]byte, error) {
	if _, err := safehttp.CheckURL(uri, safehttp.Options{AllowLoopback: s.cfg.Insecure}); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, fmt.Errorf("building request for %s: %w", uri, err)
	}
	req.Header.Set("Accept", acceptAP)
	if err := s.signAsInstance(ctx, req); err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFetch, uri, err)
	}
	body, err := safehttp.ReadBody(resp, safehttp.MaxDocumentSize)
	switch {
	case resp.StatusCode == http.StatusGone || resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%w: %s answered %d", ErrGone, uri, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: %s answered %d", ErrFetch, uri, resp.StatusCode)
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", uri, err)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/activity+json" && mt != "application/ld+json" &&
		mt != "application/json" {
		return nil, fmt.Errorf("%w: %s is %q", ErrNotAP, uri, mt)
	}
	return body, nil
}

// signAsInstance signs a GET as the instance actor.
func (s *Service) signAsInstance(ctx context.Context, req *http.Request) error {
	inst, err := s.posts.LocalActor(ctx, s.instanceUsername())
	if err != nil {
		return fmt.Errorf("finding the instance actor: %w", err)
	}
	return s.sign(ctx, req, nil, inst)
}

// instanceUsername is the instance actor's username in the actors table;
// it is published as the domain, which could clash with an organisation.
func (s *Service) instanceUsername() string { return "instance.actor" }

// remoteActor returns a remote actor and where to deliver to it, from the
// store when fetched recently, else from its server.
func (s *Service) remoteActor(ctx context.Context, uri string, refresh bool) (
	*timeline.Actor, *apActor, error) {
	if a, row, err := s.storedActor(ctx, uri); err == nil &&
		(!refresh && time.Since(row.FetchedAt) < actorRefresh) {
		return a, row, nil
	}
	body, err := s.fetch(ctx, uri)
	if err != nil {
		return nil, nil, err
	}
	return s.storeActorDocument(ctx, uri, body)
}

func (s *Service) storedActor(ctx context.Context, uri string) (*timeline.Actor, *apActor, error) {
	a, err := s.posts.RemoteActor(ctx, uri)
	if err != nil {
		return nil, nil, err
	}
	row := new(apActor)
	if err := s.db.NewSelect().Model(row).Where("actor_id = ?", a.ID).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("reading actor %s: %w", uri, err)
	}
	return a, row, nil
}

// storeActorDocument reads an actor document fetched from uri, checks it
// is the actor at uri, and stores it.
func (s *Service) storeActorDocument(ctx context.Context, uri string, body []byte) (
	*timeline.Actor, *apActor, error) {
	if err := checkShape(body); err != nil {
		return nil, nil, err
	}
	item, err := ap.UnmarshalJSON(body)
	if err != nil || item == nil {
		return nil, nil, fmt.Errorf("%w: actor %s", ErrMalformed, uri)
	}
	actor, err := ap.ToActor(item)
	if err != nil || !ap.ActorTypes.Contains(item.GetType()) {
		return nil, nil, fmt.Errorf("%w: %s is a %s", ErrWrongActor, uri, item.GetType())
	}
	if actor.ID.String() != uri || actor.Inbox == nil {
		return nil, nil, fmt.Errorf("%w: %s answers as %s", ErrWrongActor, uri, actor.ID)
	}
	a, row := s.translateActor(actor)
	if err := s.posts.UpsertRemoteActor(ctx, a); err != nil {
		// Requests signed by a new actor arrive together: another one may
		// have stored the actor since UpsertRemoteActor looked. Once more,
		// it finds it and updates it.
		if err := s.posts.UpsertRemoteActor(ctx, a); err != nil {
			return nil, nil, err
		}
	}
	row.ActorID = a.ID
	_, err = s.db.NewInsert().Model(row).On("CONFLICT (actor_id) DO UPDATE").
		Set("type = EXCLUDED.type, inbox = EXCLUDED.inbox").
		Set("shared_inbox = EXCLUDED.shared_inbox, outbox = EXCLUDED.outbox").
		Set("followers_url = EXCLUDED.followers_url, key_id = EXCLUDED.key_id").
		Set("public_key_pem = EXCLUDED.public_key_pem, fetched_at = EXCLUDED.fetched_at").
		Exec(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: storing actor %s: %w", errStore, uri, err)
	}
	return a, row, nil
}

// translateActor turns a remote actor document into the domain's actor and
// the federation's delivery row.
func (s *Service) translateActor(actor *ap.Actor) (*timeline.Actor, *apActor) {
	uri := actor.ID.String()
	u, _ := url.Parse(uri)
	a := &timeline.Actor{URI: uri, Domain: u.Host, Username: text(actor.PreferredUsername),
		Name: text(actor.Name), Summary: markup.Sanitize(text(actor.Summary)),
		Kind: remoteKind(string(actor.Type)), URL: itemID(actor.URL)}
	if a.Username == "" {
		a.Username = lastSegment(u.Path)
	}
	if a.URL == "" {
		a.URL = uri
	}
	if icon, err := ap.ToObject(actor.Icon); err == nil && icon != nil {
		a.IconURL = itemID(icon.URL)
	}
	row := &apActor{Type: string(actor.Type), Inbox: itemID(actor.Inbox),
		Outbox: itemID(actor.Outbox), FollowersURL: itemID(actor.Followers),
		KeyID: actor.PublicKey.ID.String(), PublicKeyPEM: actor.PublicKey.PublicKeyPem,
		FetchedAt: time.Now().UTC()}
	if actor.Endpoints != nil {
		row.SharedInbox = itemID(actor.Endpoints.SharedInbox)
	}
	if !sameOrigin(row.SharedInbox, uri) {
		row.SharedInbox = "" // a shared inbox elsewhere would misdirect deliveries
	}
	return a, row
}

func remoteKind(t string) timeline.Kind {
	switch t {
	case "Group":
		return timeline.KindGroup
	case "Organization":
		return timeline.KindOrganisation
	case "Service", "Application":
		return timeline.KindService
	}
	return timeline.KindPerson
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

// resolveKey is the inbox's httpsig.KeyResolver: it finds the public key
// with keyID and the actor that owns it, fetching the actor when the key is
// unknown or when asked to refresh after a failed verification.
func (s *Service) resolveKey(ctx context.Context, keyID string, refresh bool) (
	crypto.PublicKey, string, error) {
	row := new(apActor)
	err := s.db.NewSelect().Model(row).Where("key_id = ?", keyID).
		Where("private_key_pem = ''").Limit(1).Scan(ctx)
	// Anyone can send a bad signature naming any key: refetch a known key
	// at most once a minute, so the inbox cannot be used to hammer a server.
	if err == nil && (!refresh || time.Since(row.FetchedAt) < keyRefetchInterval) {
		return s.keyOf(ctx, row)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("%w: %w", errStore, err)
	}
	actorURI, err := s.keyOwner(ctx, keyID)
	if err != nil {
		return nil, "", err
	}
	_, row, err = s.remoteActor(ctx, actorURI, true)
	if err != nil {
		return nil, "", err
	}
	if row.KeyID != keyID {
		return nil, "", fmt.Errorf("%w: %s does not publish key %s", httpsig.ErrKeyUnavailable,
			actorURI, keyID)
	}
	return s.keyOf(ctx, row)
}

// keyOwner tells which actor a key identifier belongs to. Most servers use
// the actor's URI with a fragment; others serve the key at its own URI,
// naming its owner.
func (s *Service) keyOwner(ctx context.Context, keyID string) (string, error) {
	u, err := url.Parse(keyID)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: key id %q", httpsig.ErrKeyUnavailable, keyID)
	}
	if u.Fragment != "" {
		u.Fragment = ""
		return u.String(), nil
	}
	body, err := s.fetch(ctx, keyID)
	if err != nil {
		return "", err
	}
	var key ap.PublicKey
	if err := key.UnmarshalJSON(body); err == nil && key.Owner != "" && key.PublicKeyPem != "" {
		return key.Owner.String(), nil
	}
	return keyID, nil // the key's URI is the actor's own
}

func (s *Service) keyOf(ctx context.Context, row *apActor) (crypto.PublicKey, string, error) {
	a, err := s.posts.Actor(ctx, row.ActorID)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", errStore, err)
	}
	pub, err := httpsig.ParsePublicKeyPEM(row.PublicKeyPEM)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", httpsig.ErrKeyUnavailable, err)
	}
	return pub, a.URI, nil
}
