package federation

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/timeline"
)

// Audiences of an activity: who the fan-out delivers it to.
const (
	toFollowers       = "followers"            // the actor's followers
	toFollowersPortal = "followers+portal"     // and the portal actor's followers
	toInbox           = "inbox:"               // one inbox, named after the colon
	toGroupAware      = "followers-groupaware" // followers on group-aware software
)

var _ timeline.Hook = (*Service)(nil)

// PostChanged turns a change to a post into the activity that tells other
// servers, stored and queued in the change's own transaction.
func (s *Service) PostChanged(ctx context.Context, tx bun.Tx, p *timeline.Post,
	c timeline.Change) error {
	switch c {
	case timeline.Created, timeline.Updated:
		return s.publishPost(ctx, tx, p, map[timeline.Change]string{
			timeline.Created: "Create", timeline.Updated: "Update"}[c])
	case timeline.Deleted:
		return s.publishDelete(ctx, tx, p)
	case timeline.Featured:
		return s.publishAnnounce(ctx, tx, p)
	case timeline.Unfeatured:
		return s.publishUndoAnnounce(ctx, tx, p)
	}
	return nil
}

func (s *Service) publishPost(ctx context.Context, tx bun.Tx, p *timeline.Post,
	kind string) error {
	if !p.Local {
		return nil
	}
	doc, err := s.postDocument(p.Actor, p)
	if err != nil {
		return err
	}
	actorURI := s.cfg.ActorURI(p.Actor)
	act, err := s.buildActivity(kind, s.newActivityURI(), actorURI, doc,
		[]string{PublicAddress}, []string{actorURI + "/followers"})
	if err != nil {
		return err
	}
	// An edit also reaches the portal's followers, who may hold the post
	// through the portal's Announce.
	audience := toFollowers
	if kind == "Update" {
		audience = toFollowersPortal
	}
	return s.enqueue(ctx, tx, p.Actor, act, s.cfg.PostURI(p.Actor, p), audience)
}

func (s *Service) publishDelete(ctx context.Context, tx bun.Tx, p *timeline.Post) error {
	if !p.Local {
		return nil
	}
	doc, err := s.tombstone(p.Actor, p)
	if err != nil {
		return err
	}
	actorURI := s.cfg.ActorURI(p.Actor)
	act, err := s.buildActivity("Delete", s.newActivityURI(), actorURI, doc,
		[]string{PublicAddress}, []string{actorURI + "/followers"})
	if err != nil {
		return err
	}
	// The portal's followers may hold the post through an Announce.
	return s.enqueue(ctx, tx, p.Actor, act, s.cfg.PostURI(p.Actor, p), toFollowersPortal)
}

// publishAnnounce shares a featured post from the portal actor.
func (s *Service) publishAnnounce(ctx context.Context, tx bun.Tx, p *timeline.Post) error {
	portal, err := s.posts.WithTx(tx).LocalActor(ctx, timeline.PortalUsername)
	if err != nil {
		return fmt.Errorf("finding the portal actor: %w", err)
	}
	portalURI := s.cfg.ActorURI(portal)
	objectURI, authorURI := s.cfg.PostURI(p.Actor, p), s.authorURI(p)
	to, cc := []string{PublicAddress}, []string{portalURI + "/followers", authorURI}
	act, err := s.buildActivity("Announce", s.newActivityURI(), portalURI, objectURI, to, cc)
	if err != nil {
		return err
	}
	if err := s.enqueue(ctx, tx, portal, act, objectURI, toFollowers); err != nil {
		return err
	}
	if err := s.publishGroupAnnounce(ctx, tx, portal, p, to, cc); err != nil {
		return err
	}
	return s.publishPin(ctx, tx, portal, "Add", objectURI)
}

// publishGroupAnnounce sends group-aware followers (Lemmy, NodeBB,
// Friendica…) the Announce{Create{object}} form, which is how they receive
// what a group shares (FEP-1b12). Other servers got Announce{object}.
func (s *Service) publishGroupAnnounce(ctx context.Context, tx bun.Tx, portal *timeline.Actor,
	p *timeline.Post, to, cc []string) error {
	if !p.Local {
		return nil
	}
	doc, err := s.postDocument(p.Actor, p)
	if err != nil {
		return err
	}
	authorURI := s.cfg.ActorURI(p.Actor)
	create, err := s.buildActivity("Create", s.newActivityURI(), authorURI, doc,
		[]string{PublicAddress}, []string{authorURI + "/followers"})
	if err != nil {
		return err
	}
	act, err := s.buildActivity("Announce", s.newActivityURI(), s.cfg.ActorURI(portal),
		embedded(create), to, cc)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, portal, act, s.cfg.PostURI(p.Actor, p), toGroupAware)
}

// publishPin tells followers that the portal's featured collection gained
// (Add) or lost (Remove) a post.
func (s *Service) publishPin(ctx context.Context, tx bun.Tx, portal *timeline.Actor,
	kind, objectURI string) error {
	portalURI := s.cfg.ActorURI(portal)
	t, err := newActivity(kind)
	if err != nil {
		return err
	}
	act, err := s.wrap(t, s.newActivityURI(), portalURI, objectURI,
		[]string{PublicAddress}, []string{portalURI + "/followers"})
	if err != nil {
		return err
	}
	act["target"] = portalURI + "/featured"
	return s.enqueue(ctx, tx, portal, act, objectURI, toFollowers)
}

// publishUndoAnnounce withdraws every Announce of a post the portal sent
// and has not withdrawn yet, each to the audience it went to.
func (s *Service) publishUndoAnnounce(ctx context.Context, tx bun.Tx, p *timeline.Post) error {
	portal, err := s.posts.WithTx(tx).LocalActor(ctx, timeline.PortalUsername)
	if err != nil {
		return fmt.Errorf("finding the portal actor: %w", err)
	}
	objectURI := s.cfg.PostURI(p.Actor, p)
	var prev []activity
	err = tx.NewSelect().Model(&prev).Where("actor_id = ?", portal.ID).
		Where("type = 'Announce'").Where("object_uri = ?", objectURI).
		Where("uri NOT IN (SELECT object_uri FROM ap_activities WHERE type = 'Undo')").
		OrderExpr("id").Scan(ctx)
	if err != nil {
		return fmt.Errorf("finding the Announces of %s: %w", objectURI, err)
	}
	portalURI := s.cfg.ActorURI(portal)
	for _, a := range prev {
		announce, err := decodeDocument(a.Body)
		if err != nil {
			return err
		}
		act, err := s.buildActivity("Undo", s.newActivityURI(), portalURI, embedded(announce),
			[]string{PublicAddress}, []string{portalURI + "/followers"})
		if err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, portal, act, a.URI, a.Audience); err != nil {
			return err
		}
	}
	return s.publishPin(ctx, tx, portal, "Remove", objectURI)
}

func (s *Service) authorURI(p *timeline.Post) string {
	if p.Actor != nil && !p.Actor.Local {
		return p.Actor.URI
	}
	return s.cfg.ActorURI(p.Actor)
}

// enqueue stores an activity by a local actor and queues its fan-out in
// tx: the activity leaves only if the change that caused it commits.
func (s *Service) enqueue(ctx context.Context, tx bun.Tx, actor *timeline.Actor,
	doc Document, objectURI, audience string) error {
	uri, _ := doc["id"].(string)
	kind, _ := doc["type"].(string)
	if uri == "" || kind == "" {
		return errors.New("federation: activity without id or type")
	}
	row := &activity{URI: uri, ActorID: actor.ID, Type: kind, ObjectURI: objectURI,
		Audience: audience, Body: string(doc.JSON()), CreatedAt: s.posts.Now()}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("storing %s activity: %w", kind, err)
	}
	_, err := s.queue.InsertTx(ctx, tx.Tx, fanoutArgs{ActivityID: row.ID},
		&river.InsertOpts{Queue: queueFanout})
	if err != nil {
		return fmt.Errorf("queueing fan-out of %s: %w", uri, err)
	}
	return nil
}
