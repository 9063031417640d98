package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/ess-lyon/portal/federation/safehttp"
	"github.com/ess-lyon/portal/timeline"
)

func chiIdent(s string) schema.Ident { return schema.Ident(s) }

// hostRE is a host name or address with an optional port, as in user@host.
var hostRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$`)

// ValidHost tells whether s is a host name or address with an optional
// port and nothing else: no scheme, no path. Domains and handles use it.
func ValidHost(s string) bool { return hostRE.MatchString(s) }

// EnsureActors creates the portal's own actors on first start: the portal
// Group whose featured timeline committees curate, and the instance actor
// that signs fetches. Both get their keys at once.
func (s *Service) EnsureActors(ctx context.Context) error {
	for _, a := range []*timeline.Actor{
		{Username: timeline.PortalUsername, Kind: timeline.KindPortal,
			Name: "Portail de l'ESS lyonnaise",
			Summary: "Le fil des actualités et des événements de l'économie sociale et " +
				"solidaire de Lyon, choisis par les comités de rédaction."},
		{Username: s.instanceUsername(), Kind: timeline.KindInstance, Name: s.cfg.Domain},
	} {
		got, err := s.posts.EnsureLocalActor(ctx, a)
		if err != nil {
			return fmt.Errorf("creating actor %s: %w", a.Username, err)
		}
		if _, err := s.localKeys(ctx, got); err != nil {
			return err
		}
	}
	return nil
}

// Follow makes a local actor follow a remote one, named by its URL or by
// user@host. The follow counts once the remote server accepts it.
func (s *Service) Follow(ctx context.Context, local *timeline.Actor, target string) error {
	uri, err := s.lookup(ctx, target)
	if err != nil {
		return err
	}
	return s.sendFollow(ctx, local, uri, uri)
}

// sendFollow records a pending follow of the actor at remoteURI and queues
// the Follow of object (the actor itself, or the public collection for a
// Mastodon-style relay) to its inbox, in one transaction.
func (s *Service) sendFollow(ctx context.Context, local *timeline.Actor,
	remoteURI, object string) error {
	remote, row, err := s.remoteActor(ctx, remoteURI, false)
	if err != nil {
		return err
	}
	id := s.newActivityURI()
	doc, err := s.buildActivity("Follow", id, s.cfg.ActorURI(local), object,
		[]string{remoteURI}, nil)
	if err != nil {
		return err
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		f := &follow{FollowerID: local.ID, FolloweeID: remote.ID, URI: id,
			CreatedAt: time.Now().UTC()}
		_, err := tx.NewInsert().Model(f).On("CONFLICT (follower_id, followee_id) DO UPDATE").
			Set("uri = EXCLUDED.uri").Exec(ctx)
		if err != nil {
			return fmt.Errorf("storing follow of %s: %w", remoteURI, err)
		}
		return s.enqueue(ctx, tx, local, doc, object, toInbox+row.Inbox)
	})
}

// lookup turns user@host (with or without a leading @ or acct:) into an
// actor URL through WebFinger; a URL is returned as it is.
func (s *Service) lookup(ctx context.Context, target string) (string, error) {
	if isHTTPURL(target) {
		return target, nil
	}
	acct := strings.TrimPrefix(strings.TrimPrefix(target, "acct:"), "@")
	user, host, ok := strings.Cut(acct, "@")
	if !ok || user == "" || !ValidHost(host) || strings.ContainsAny(user, "/?#@") {
		return "", fmt.Errorf("%w: %q is neither a URL nor user@host", ErrMalformed, target)
	}
	scheme := "https"
	if s.cfg.Insecure {
		scheme = "http"
	}
	wf := scheme + "://" + host + "/.well-known/webfinger?resource=" +
		url.QueryEscape("acct:"+acct)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wf, nil)
	if err != nil {
		return "", fmt.Errorf("building webfinger request: %w", err)
	}
	req.Header.Set("Accept", "application/jrd+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: webfinger %s: %v", ErrFetch, acct, err)
	}
	body, err := safehttp.ReadBody(resp, 64<<10)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: webfinger %s answered %d", ErrFetch, acct, resp.StatusCode)
	}
	var out jrd
	if err := json.Unmarshal(body, &out); err != nil {
		return "", fmt.Errorf("%w: webfinger %s: %v", ErrMalformed, acct, err)
	}
	for _, l := range out.Links {
		if l.Rel == "self" && isHTTPURL(l.Href) && strings.Contains(l.Type, "json") {
			return l.Href, nil
		}
	}
	return "", errors.New("federation: webfinger answer has no actor link")
}

// FollowerCount returns how many remote actors follow a local actor.
func (s *Service) FollowerCount(ctx context.Context, a *timeline.Actor) (int64, error) {
	n, err := s.db.NewSelect().Model((*follow)(nil)).Where("followee_id = ?", a.ID).
		Where("accepted").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting followers: %w", err)
	}
	return n, nil
}
