package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/timeline"
)

type inboxWorker struct {
	river.WorkerDefaults[inboxArgs]
	s *Service
}

// errRefused marks an activity that is wrong for good: retrying will not
// help, so it is recorded as refused and not retried.
var errRefused = errors.New("refused")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errRefused, fmt.Sprintf(format, args...))
}

func (w *inboxWorker) Work(ctx context.Context, job *river.Job[inboxArgs]) error {
	_, err := w.s.ProcessInbox(ctx, job.Args.InboxID)
	return err
}

// ProcessInbox processes one stored inbound activity, once: an activity
// already processed is skipped. It returns the outcome recorded for it.
// Errors are returned only when a later try may succeed (a server that did
// not answer).
func (s *Service) ProcessInbox(ctx context.Context, id int64) (string, error) {
	item := new(inboxItem)
	if err := s.db.NewSelect().Model(item).Where("id = ?", id).Scan(ctx); err != nil {
		return "", fmt.Errorf("loading inbound activity %d: %w", id, err)
	}
	if !item.ProcessedAt.IsZero() {
		return item.Outcome, nil
	}
	outcome, err := s.processItem(ctx, item)
	if err != nil && !errors.Is(err, errRefused) {
		return "", err
	}
	if err != nil {
		outcome = err.Error()
		s.log.Warn("inbound activity refused", "activity_id", item.URI, "error", err)
	}
	s.metrics.ActivitiesProcessed.Add(1)
	_, uerr := s.db.NewUpdate().Model(item).WherePK().
		Set("processed_at = ?, outcome = ?", time.Now().UTC(), outcome).Exec(ctx)
	if uerr != nil {
		return "", fmt.Errorf("recording outcome of %s: %w", item.URI, uerr)
	}
	return outcome, nil
}

func (s *Service) processItem(ctx context.Context, item *inboxItem) (string, error) {
	in, err := parseActivity([]byte(item.Body))
	if err != nil {
		return "", refuse("%v", err)
	}
	if item.SignerURI != "" {
		return s.onRelayed(ctx, in)
	}
	switch in.typ {
	case "Follow":
		return s.onFollow(ctx, in)
	case "Undo":
		return s.onUndo(ctx, in)
	case "Accept", "Reject":
		return s.onFollowAnswer(ctx, in)
	case "Create", "Update":
		return s.onCreate(ctx, in)
	case "Delete":
		return s.onDelete(ctx, in)
	case "Announce":
		return s.onAnnounce(ctx, in)
	case "Like", "EmojiReact":
		return s.onReaction(ctx, in, timeline.Likes, 1)
	case "Flag":
		return s.onFlag(ctx, item, in)
	case "Block":
		return s.onBlock(ctx, in)
	case "Move":
		return s.onMove(ctx, in)
	}
	s.log.Debug("inbound activity of unknown type ignored", "type", in.typ,
		"activity_id", in.id)
	return "ignored: type " + in.typ, nil
}

// onFollow stores a remote follower of a local actor and accepts it.
func (s *Service) onFollow(ctx context.Context, in *incoming) (string, error) {
	target := firstID(in.raw["object"])
	if target == PublicAddress {
		// A Mastodon-style relay subscription: the portal relays its
		// public posts to the subscriber, as a relay would.
		target = s.cfg.Base() + "/actor"
	}
	local, err := s.localActorAt(ctx, target)
	if err != nil {
		return "", refuse("follow of %s: not a local actor", target)
	}
	follower, row, err := s.remoteActor(ctx, in.actor, false)
	if err != nil {
		return "", err
	}
	f := &follow{FollowerID: follower.ID, FolloweeID: local.ID, URI: in.id, Accepted: true,
		CreatedAt: time.Now().UTC()}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(f).On("CONFLICT (follower_id, followee_id) DO UPDATE").
			Set("uri = EXCLUDED.uri, accepted = EXCLUDED.accepted").Exec(ctx)
		if err != nil {
			return fmt.Errorf("storing follow: %w", err)
		}
		return s.sendAccept(ctx, tx, local, in, row)
	})
	if err != nil {
		return "", err
	}
	s.learnSoftware(ctx, in.actor)
	return "follow accepted", nil
}

// sendAccept answers a Follow with an Accept that embeds the whole Follow,
// as Mastodon expects, to the follower's own inbox.
func (s *Service) sendAccept(ctx context.Context, tx bun.Tx, local *timeline.Actor,
	in *incoming, follower *apActor) error {
	var followDoc Document
	if err := json.Unmarshal(mustJSON(in.raw), &followDoc); err != nil {
		return fmt.Errorf("re-reading follow: %w", err)
	}
	delete(followDoc, "@context")
	actorURI := s.cfg.ActorURI(local)
	accept, err := s.buildActivity("Accept", s.newActivityURI(), actorURI, followDoc,
		[]string{in.actor}, nil)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, local, accept, in.id, toInbox+follower.Inbox)
}

// localActorAt returns the local actor an identifier names.
func (s *Service) localActorAt(ctx context.Context, uri string) (*timeline.Actor, error) {
	ref, ok := s.cfg.parseLocal(uri)
	if !ok || ref.postID != 0 {
		return nil, fmt.Errorf("%s: %w", uri, timeline.ErrNotFound)
	}
	if ref.instance {
		return s.posts.LocalActor(ctx, s.instanceUsername())
	}
	return s.posts.LocalActor(ctx, ref.username)
}

// localPostAt returns the local post an identifier names.
func (s *Service) localPostAt(ctx context.Context, uri string) (*timeline.Post, error) {
	ref, ok := s.cfg.parseLocal(uri)
	if !ok || ref.postID == 0 {
		return nil, fmt.Errorf("%s: %w", uri, timeline.ErrNotFound)
	}
	p, err := s.posts.Post(ctx, ref.postID)
	if err != nil || !p.Local || p.Actor.Username != ref.username || p.Deleted() {
		return nil, fmt.Errorf("%s: %w", uri, timeline.ErrNotFound)
	}
	return p, nil
}

// onUndo reverses a Follow, a Like or an Announce the same actor sent.
func (s *Service) onUndo(ctx context.Context, in *incoming) (string, error) {
	inner := in.raw["object"]
	innerID := firstID(inner)
	innerType := rawString(objectField(inner, "type"))
	if innerType == "" {
		prev := new(inboxItem)
		if err := s.db.NewSelect().Model(prev).Where("uri = ?", innerID).Scan(ctx); err == nil {
			innerType = prev.Type
		}
	}
	if innerID != "" && !sameOrigin(innerID, in.actor) {
		return "", refuse("undo of %s from another server", innerID)
	}
	switch innerType {
	case "Follow":
		return s.undoFollow(ctx, in, innerID, firstID(objectField(inner, "object")))
	case "Like", "EmojiReact":
		return s.undoReaction(ctx, in, innerID, timeline.Likes)
	case "Announce":
		return s.undoReaction(ctx, in, innerID, timeline.Announces)
	case "Block":
		return "block withdrawn", nil
	}
	return "ignored: undo of " + innerType, nil
}

func (s *Service) undoFollow(ctx context.Context, in *incoming, followID, target string) (
	string, error) {
	follower, err := s.posts.RemoteActor(ctx, in.actor)
	if err != nil {
		return "ignored: unknown follower", nil
	}
	q := s.db.NewDelete().Model((*follow)(nil)).Where("follower_id = ?", follower.ID)
	if local, err := s.localActorAt(ctx, target); err == nil {
		q = q.Where("followee_id = ?", local.ID)
	} else {
		q = q.Where("uri = ?", followID)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("removing follow: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "ignored: no such follow", nil
	}
	return "follow undone", nil
}

// onFollowAnswer records a remote actor's answer to a local actor's Follow.
func (s *Service) onFollowAnswer(ctx context.Context, in *incoming) (string, error) {
	followID := firstID(in.raw["object"])
	remote, err := s.posts.RemoteActor(ctx, in.actor)
	if err != nil {
		return "ignored: answer from an actor never followed", nil
	}
	q := s.db.NewUpdate().Model((*follow)(nil)).Set("accepted = ?", true)
	if in.typ == "Reject" {
		q = nil
	}
	var n int64
	if q != nil {
		res, err := q.Where("followee_id = ?", remote.ID).Where("uri = ?", followID).Exec(ctx)
		if err != nil {
			return "", fmt.Errorf("recording accept: %w", err)
		}
		n, _ = res.RowsAffected()
	} else {
		res, err := s.db.NewDelete().Model((*follow)(nil)).Where("followee_id = ?", remote.ID).
			Where("uri = ?", followID).Exec(ctx)
		if err != nil {
			return "", fmt.Errorf("recording reject: %w", err)
		}
		n, _ = res.RowsAffected()
	}
	if n == 0 {
		return "ignored: no such follow", nil
	}
	if in.typ == "Reject" {
		return "follow rejected", nil
	}
	return "follow confirmed", nil
}

// onReaction counts a Like or Announce of a local post once per actor: a
// second Like of the same post by the same actor, under another id or at
// the same moment, changes nothing. The reaction and the count change in
// one transaction.
func (s *Service) onReaction(ctx context.Context, in *incoming, c timeline.Counter,
	_ int) (string, error) {
	object := firstID(in.raw["object"])
	p, err := s.localPostAt(ctx, object)
	if err != nil {
		return "ignored: not a local post", nil
	}
	counted := false
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r := &reaction{ActorURI: in.actor, ObjectURI: object, Kind: string(c),
			ActivityURI: in.id, CreatedAt: time.Now().UTC()}
		res, err := tx.NewInsert().Model(r).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("recording reaction: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		counted = true
		return s.posts.WithTx(tx).AddReaction(ctx, p.ID, c, 1)
	})
	if err != nil {
		return "", err
	}
	if !counted {
		return "ignored: already counted for this actor", nil
	}
	return "counted " + string(c), nil
}

// undoReaction uncounts a reaction, only if that very activity of that
// actor was counted. The post is looked up before the transaction: on
// SQLite the transaction holds the only connection.
func (s *Service) undoReaction(ctx context.Context, in *incoming, innerID string,
	c timeline.Counter) (string, error) {
	r := new(reaction)
	err := s.db.NewSelect().Model(r).Where("activity_uri = ?", innerID).
		Where("actor_uri = ?", in.actor).Where("kind = ?", string(c)).Scan(ctx)
	if err != nil {
		return "ignored: reaction never counted", nil
	}
	p, postErr := s.localPostAt(ctx, r.ObjectURI)
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model(r).WherePK().Exec(ctx)
		if err != nil {
			return fmt.Errorf("removing reaction: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 || postErr != nil {
			return nil // undone meanwhile, or the post is gone
		}
		return s.posts.WithTx(tx).AddReaction(ctx, p.ID, c, -1)
	})
	if err != nil {
		return "", err
	}
	return "uncounted " + string(c), nil
}

// onBlock ends every follow between the blocking actor and local actors,
// when it blocks a local actor.
func (s *Service) onBlock(ctx context.Context, in *incoming) (string, error) {
	if _, err := s.localActorAt(ctx, firstID(in.raw["object"])); err != nil {
		return "ignored: block of another actor", nil // a Lemmy moderator banning a user
	}
	remote, err := s.posts.RemoteActor(ctx, in.actor)
	if err != nil {
		return "block noted", nil
	}
	_, err = s.db.NewDelete().Model((*follow)(nil)).
		WhereOr("follower_id = ?", remote.ID).WhereOr("followee_id = ?", remote.ID).Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("ending follows after block: %w", err)
	}
	return "block noted", nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // values here come from json.Unmarshal
	}
	return b
}

// objectField reads a field of an embedded object, or nothing when the
// object is only an identifier.
func objectField(raw json.RawMessage, field string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m[field]
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func decodeDocument(s string) (Document, error) {
	var d Document
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return nil, fmt.Errorf("decoding stored document: %w", err)
	}
	return d, nil
}
