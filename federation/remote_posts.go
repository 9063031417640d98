package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	ap "github.com/go-ap/activitypub"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/timeline"
	"github.com/ess-lyon/portal/timeline/markup"
)

// postTypes are the object types the portal stores and shows.
var postTypes = map[string]timeline.PostKind{
	"Note": timeline.Note, "Article": timeline.News, "Page": timeline.Note,
	"Event": timeline.Event, "Question": timeline.Note, "Video": timeline.Note,
}

// remoteObject is an object read from another server: go-ap's reading and
// the raw JSON for the terms go-ap does not know.
type remoteObject struct {
	obj *ap.Object
	raw map[string]json.RawMessage
	typ string
	// publicActivity says the activity that carried the object was public,
	// which counts for objects that carry no addressing of their own.
	publicActivity bool
}

func readObject(body []byte) (*remoteObject, error) {
	ro := &remoteObject{}
	if err := json.Unmarshal(body, &ro.raw); err != nil {
		return nil, refuse("object is not a JSON object")
	}
	ro.typ = rawString(ro.raw["type"])
	item, err := ap.UnmarshalJSON(body)
	if err != nil || item == nil {
		return nil, refuse("object of type %q unreadable", ro.typ)
	}
	err = ap.OnObject(item, func(o *ap.Object) error {
		ro.obj = o
		return nil
	})
	if err != nil || ro.obj == nil || ro.obj.ID == "" {
		return nil, refuse("object of type %q without id", ro.typ)
	}
	return ro, nil
}

// objectOf returns the object of an activity: embedded when it comes from
// the actor's own server, fetched from its origin otherwise, so that no one
// can put words in another server's mouth.
func (s *Service) objectOf(ctx context.Context, in *incoming, raw json.RawMessage) (
	*remoteObject, error) {
	id := firstID(raw)
	if id == "" {
		return nil, refuse("activity without object")
	}
	if rawString(raw) == "" && sameOrigin(id, in.actor) {
		return readObject(raw)
	}
	body, err := s.fetch(ctx, id)
	if errors.Is(err, ErrGone) {
		return nil, refuse("object %s is gone", id)
	}
	if err != nil {
		return nil, err
	}
	ro, err := readObject(body)
	if err != nil {
		return nil, err
	}
	if ro.obj.ID.String() != id {
		return nil, refuse("%s answers as %s", id, ro.obj.ID)
	}
	return ro, nil
}

// onCreate stores a post from a followed actor, or a reply to a local post.
func (s *Service) onCreate(ctx context.Context, in *incoming) (string, error) {
	objType := rawString(objectField(in.raw["object"], "type"))
	// Some servers send a profile's Update with only the actor's own URI as
	// object: the profile is refetched all the same.
	byReference := rawString(in.raw["object"]) == in.actor
	if in.typ == "Update" &&
		(ap.ActorTypes.Contains(ap.ActivityVocabularyType(objType)) || byReference) {
		return s.onActorUpdate(ctx, in)
	}
	if objType != "" {
		if _, ok := postTypes[objType]; !ok {
			return "ignored: object type " + objType, nil
		}
	}
	ro, err := s.objectOf(ctx, in, in.raw["object"])
	if err != nil {
		return "", err
	}
	ro.publicActivity = activityIsPublic(in)
	return s.storeRemote(ctx, ro, in.actor, false)
}

// storeRemote stores an object by author (checked), when some local actor
// follows its author or when it answers a local post; announced says a
// followed group shared it, which is reason enough.
func (s *Service) storeRemote(ctx context.Context, ro *remoteObject, author string,
	announced bool) (string, error) {
	kind, ok := postTypes[ro.typ]
	if !ok {
		return "ignored: object type " + ro.typ, nil
	}
	if !attributedTo(ro.obj, author) {
		return "", refuse("object attributed to %q, sent by %s", itemID(ro.obj.AttributedTo),
			author)
	}
	if !sameOrigin(ro.obj.ID.String(), author) {
		return "", refuse("object %s not on its author's server", ro.obj.ID)
	}
	if !isPublic(ro.obj) && !(ro.publicActivity && len(ro.obj.To)+len(ro.obj.CC) == 0) {
		// The portal is a public site: direct and followers-only messages
		// are neither stored nor shown.
		return "ignored: not public", nil
	}
	actor, _, err := s.remoteActor(ctx, author, false)
	if err != nil {
		return "", err
	}
	reply := itemID(firstItem(ro.obj.InReplyTo))
	_, replyErr := s.localPostAt(ctx, reply)
	followed, err := s.followedByLocal(ctx, actor.ID)
	if err != nil {
		return "", err
	}
	if !followed && replyErr != nil && !announced && !s.relayOnHost(ctx, author) {
		return "ignored: author not followed", nil
	}
	p := translatePost(ro, kind)
	p.ActorID, p.Actor = actor.ID, actor
	if err := s.posts.UpsertRemotePost(ctx, p); err != nil {
		if errors.Is(err, timeline.ErrForbidden) || errors.Is(err, timeline.ErrInvalid) {
			return "", refuse("%v", err)
		}
		return "", err
	}
	return "stored " + strings.ToLower(ro.typ), nil
}

func (s *Service) followedByLocal(ctx context.Context, actorID int64) (bool, error) {
	n, err := s.db.NewSelect().Model((*follow)(nil)).Where("followee_id = ?", actorID).
		Where("accepted").Count(ctx)
	if err != nil {
		return false, fmt.Errorf("reading follows: %w", err)
	}
	return n > 0, nil
}

// attributedTo tells whether author is one of the object's authors.
func attributedTo(o *ap.Object, author string) bool {
	if col, ok := o.AttributedTo.(ap.ItemCollection); ok {
		for _, it := range col {
			if itemID(it) == author {
				return true
			}
		}
		return false
	}
	return itemID(o.AttributedTo) == author
}

func firstItem(it ap.Item) ap.Item {
	if it == nil {
		return nil
	}
	if col, ok := it.(ap.ItemCollection); ok {
		if len(col) == 0 {
			return nil
		}
		return col[0]
	}
	return it
}

// translatePost turns a remote object into a domain post.
func translatePost(ro *remoteObject, kind timeline.PostKind) *timeline.Post {
	o := ro.obj
	p := &timeline.Post{Kind: kind, URI: o.ID.String(), URL: itemID(firstItem(o.URL)),
		Title: text(o.Name), Summary: markup.PlainText(text(o.Summary), 1000),
		BodyHTML: text(o.Content), InReplyTo: itemID(firstItem(o.InReplyTo)),
		PublishedAt: o.Published, StartsAt: o.StartTime, EndsAt: o.EndTime}
	if p.URL == "" || !isHTTPURL(p.URL) {
		p.URL = p.URI
	}
	if kind == timeline.Event {
		applyLocation(p, ro.raw["location"])
		if tz := rawString(ro.raw["timezone"]); tz != "" {
			if _, err := time.LoadLocation(tz); err == nil {
				p.TimeZone = tz
			}
		}
		if p.StartsAt.IsZero() {
			p.Kind = timeline.Note // an event without a date cannot go in an agenda
		}
	}
	return p
}

// onDelete removes a remote post, or a remote actor deleting itself.
func (s *Service) onDelete(ctx context.Context, in *incoming) (string, error) {
	target := firstID(in.raw["object"])
	if target == in.actor {
		if err := s.forgetActor(ctx, in.actor); err != nil {
			return "", err
		}
		err := s.posts.DeleteRemoteActor(ctx, in.actor)
		if errors.Is(err, timeline.ErrNotFound) {
			return "ignored: unknown actor", nil
		}
		if err != nil {
			return "", err
		}
		return "actor deleted", nil
	}
	if !sameOrigin(target, in.actor) {
		return "", refuse("delete of %s from another server", target)
	}
	actor, err := s.posts.RemoteActor(ctx, in.actor)
	if err != nil {
		return "ignored: unknown actor", nil
	}
	err = s.posts.DeleteRemotePost(ctx, target, actor.ID)
	switch {
	case errors.Is(err, timeline.ErrNotFound):
		return "ignored: unknown object", nil
	case errors.Is(err, timeline.ErrForbidden):
		return "", refuse("%v", err)
	case err != nil:
		return "", err
	}
	return "post deleted", nil
}

// onAnnounce counts a boost of a local post, or stores what a followed
// group shares (FEP-1b12), in both its forms: Announce{object} and
// Announce{Create{object}}.
func (s *Service) onAnnounce(ctx context.Context, in *incoming) (string, error) {
	target := firstID(in.raw["object"])
	if _, err := s.localPostAt(ctx, target); err == nil {
		return s.onReaction(ctx, in, timeline.Announces, 1)
	}
	announcer, err := s.posts.RemoteActor(ctx, in.actor)
	if err != nil {
		return "ignored: announce by an actor not followed", nil
	}
	followed, err := s.followedByLocal(ctx, announcer.ID)
	if err != nil || !followed {
		return "ignored: announce by an actor not followed", err
	}
	raw := in.raw["object"]
	innerType := rawString(objectField(raw, "type"))
	if innerType == "Create" || innerType == "Update" {
		raw = objectField(raw, "object")
	} else if innerType != "" && postTypes[innerType] == "" {
		return "ignored: announce of " + innerType, nil
	}
	// An announced object comes from another server than the announcer's:
	// objectOf fetches it from its origin.
	ro, err := s.objectOf(ctx, &incoming{actor: ""}, raw)
	if err != nil {
		return "", err
	}
	return s.storeRemote(ctx, ro, itemID(ro.obj.AttributedTo), true)
}

// onActorUpdate refreshes a remote actor's profile from its own server.
func (s *Service) onActorUpdate(ctx context.Context, in *incoming) (string, error) {
	if firstID(in.raw["object"]) != in.actor {
		return "", refuse("update of another actor")
	}
	if _, _, err := s.remoteActor(ctx, in.actor, true); err != nil {
		return "", err
	}
	return "actor updated", nil
}

// isPublic tells whether an object is addressed to the public collection,
// in any of the forms servers write it.
func isPublic(o *ap.Object) bool {
	for _, col := range []ap.ItemCollection{o.To, o.CC} {
		for _, it := range col {
			switch itemID(it) {
			case PublicAddress, "as:Public", "Public":
				return true
			}
		}
	}
	return false
}

// forgetActor removes what federation keeps of a remote actor that deleted
// itself: its follows both ways and its keys, so that nothing is delivered
// to it and its old key signs nothing more.
func (s *Service) forgetActor(ctx context.Context, uri string) error {
	a, err := s.posts.RemoteActor(ctx, uri)
	if err != nil {
		return nil // unknown: nothing to forget
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Model((*follow)(nil)).
			WhereOr("follower_id = ?", a.ID).WhereOr("followee_id = ?", a.ID).Exec(ctx)
		if err == nil {
			_, err = tx.NewDelete().Model((*apActor)(nil)).Where("actor_id = ?", a.ID).Exec(ctx)
		}
		if err != nil {
			return fmt.Errorf("forgetting actor %s: %w", uri, err)
		}
		return nil
	})
}

func activityIsPublic(in *incoming) bool {
	for _, field := range []string{"to", "cc"} {
		var list []string
		if json.Unmarshal(in.raw[field], &list) != nil {
			list = []string{rawString(in.raw[field])}
		}
		for _, id := range list {
			if id == PublicAddress || id == "as:Public" || id == "Public" {
				return true
			}
		}
	}
	return false
}
