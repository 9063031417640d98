package federation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/ess-lyon/portal/timeline"
)

// newActivityURI makes a fresh identifier for an activity the portal
// publishes; activities are dereferenceable at it.
func (s *Service) newActivityURI() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return s.cfg.Base() + "/activities/" + hex.EncodeToString(b)
}

type activityType interface {
	vocab.Type
	hasID
	hasActor
	hasObject
	hasTo
	hasCc
	hasPublished
}

// wrap builds an activity of the given type by actorURI around object,
// which is an embedded document or, as a string, an identifier.
func (s *Service) wrap(t activityType, id, actorURI string, object any,
	to, cc []string) (Document, error) {
	setID(t, id)
	setActor(t, actorURI)
	setPublished(t, timeNow())
	if len(to) > 0 {
		setTo(t, to...)
	}
	if len(cc) > 0 {
		setCc(t, cc...)
	}
	var extra map[string]any
	switch o := object.(type) {
	case string:
		setObjectIRI(t, o)
	case Document:
		// go-fed cannot embed the terms it does not know (an Event's
		// address), so embedded documents are added as they are.
		extra = map[string]any{"object": embedded(o)}
	default:
		return nil, fmt.Errorf("federation: cannot wrap a %T", object)
	}
	return serialize(t, extra)
}

func newActivity(kind string) (activityType, error) {
	switch kind {
	case "Create":
		return streams.NewActivityStreamsCreate(), nil
	case "Update":
		return streams.NewActivityStreamsUpdate(), nil
	case "Delete":
		return streams.NewActivityStreamsDelete(), nil
	case "Announce":
		return streams.NewActivityStreamsAnnounce(), nil
	case "Undo":
		return streams.NewActivityStreamsUndo(), nil
	case "Accept":
		return streams.NewActivityStreamsAccept(), nil
	case "Reject":
		return streams.NewActivityStreamsReject(), nil
	case "Follow":
		return streams.NewActivityStreamsFollow(), nil
	case "Add":
		return streams.NewActivityStreamsAdd(), nil
	case "Remove":
		return streams.NewActivityStreamsRemove(), nil
	}
	return nil, fmt.Errorf("federation: no activity type %q", kind)
}

// buildActivity makes an activity document of kind by actorURI.
func (s *Service) buildActivity(kind, id, actorURI string, object any,
	to, cc []string) (Document, error) {
	t, err := newActivity(kind)
	if err != nil {
		return nil, err
	}
	return s.wrap(t, id, actorURI, object, to, cc)
}

// errDeleted is returned by current for an activity whose post is deleted.
var errDeleted = errors.New("federation: deleted")

// current returns a stored activity as it should be served now, or
// errDeleted when what it published has since been deleted.
//
// Activities are stored as they were sent, but a post changes after its
// Create: an edit must not leave the first text readable in the outbox, and
// a deletion must take the text away everywhere the portal serves it. So
// the Create (or Update) of a local post carries the post as it is now,
// and the activities of a deleted post, its shares included, are gone.
func (s *Service) current(ctx context.Context, act *activity) (Document, error) {
	doc, err := decodeDocument(act.Body)
	if err != nil {
		return nil, err
	}
	ref, ok := s.cfg.parseLocal(act.ObjectURI)
	if !ok || ref.postID == 0 || (act.Type != "Create" && act.Type != "Update" && act.Type != "Announce") {
		return doc, nil
	}
	p, err := s.posts.Post(ctx, ref.postID)
	if errors.Is(err, timeline.ErrNotFound) {
		return doc, nil // not a post of this portal after all
	}
	if err != nil {
		return nil, err
	}
	if p.Deleted() {
		return nil, fmt.Errorf("activity %s: %w", act.URI, errDeleted)
	}
	if act.Type == "Announce" {
		return doc, nil
	}
	object, err := s.postDocument(p.Actor, p)
	if err != nil {
		return nil, err
	}
	doc["object"] = embedded(object)
	return doc, nil
}
