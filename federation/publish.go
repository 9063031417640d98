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
	toFollowers       = "followers"        // the actor's followers
	toFollowersPortal = "followers+portal" // and the portal actor's followers
	toInbox           = "inbox:"           // one inbox, named after the colon
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
	return s.enqueue(ctx, tx, p.Actor, act, s.cfg.PostURI(p.Actor, p), toFollowers)
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
	act, err := s.buildActivity("Announce", s.newActivityURI(), portalURI, objectURI,
		[]string{PublicAddress}, []string{portalURI + "/followers", authorURI})
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, portal, act, objectURI, toFollowers)
}

// publishUndoAnnounce withdraws the portal's last Announce of a post.
func (s *Service) publishUndoAnnounce(ctx context.Context, tx bun.Tx, p *timeline.Post) error {
	portal, err := s.posts.WithTx(tx).LocalActor(ctx, timeline.PortalUsername)
	if err != nil {
		return fmt.Errorf("finding the portal actor: %w", err)
	}
	objectURI := s.cfg.PostURI(p.Actor, p)
	prev := new(activity)
	err = tx.NewSelect().Model(prev).Where("actor_id = ?", portal.ID).
		Where("type = 'Announce'").Where("object_uri = ?", objectURI).
		OrderExpr("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return fmt.Errorf("finding the Announce of %s: %w", objectURI, err)
	}
	announce, err := decodeDocument(prev.Body)
	if err != nil {
		return err
	}
	portalURI := s.cfg.ActorURI(portal)
	act, err := s.buildActivity("Undo", s.newActivityURI(), portalURI, embedded(announce),
		[]string{PublicAddress}, []string{portalURI + "/followers"})
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, portal, act, prev.URI, toFollowers)
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
