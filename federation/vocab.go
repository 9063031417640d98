package federation

import (
	"net/url"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// This file holds small setters over go-fed's generated vocabulary, which
// is how the portal builds every document it publishes: the generated types
// check at compile time that a property belongs to a type, and these
// helpers keep the three lines each property costs in one place.

// PublicAddress is the ActivityStreams public collection.
const PublicAddress = "https://www.w3.org/ns/activitystreams#Public"

// iri parses an identifier the portal built itself, so it cannot fail on
// valid configuration; an unparsable one becomes an empty URL rather than a
// panic in a request.
func iri(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{}
	}
	return u
}

type (
	hasID   interface{ SetJSONLDId(vocab.JSONLDIdProperty) }
	hasName interface {
		SetActivityStreamsName(vocab.ActivityStreamsNameProperty)
	}
	hasSummary interface {
		SetActivityStreamsSummary(vocab.ActivityStreamsSummaryProperty)
	}
	hasContent interface {
		SetActivityStreamsContent(vocab.ActivityStreamsContentProperty)
	}
	hasURL interface {
		SetActivityStreamsUrl(vocab.ActivityStreamsUrlProperty)
	}
	hasPublished interface {
		SetActivityStreamsPublished(vocab.ActivityStreamsPublishedProperty)
	}
	hasUpdated interface {
		SetActivityStreamsUpdated(vocab.ActivityStreamsUpdatedProperty)
	}
	hasTo interface {
		SetActivityStreamsTo(vocab.ActivityStreamsToProperty)
	}
	hasCc interface {
		SetActivityStreamsCc(vocab.ActivityStreamsCcProperty)
	}
	hasActor interface {
		SetActivityStreamsActor(vocab.ActivityStreamsActorProperty)
	}
	hasObject interface {
		SetActivityStreamsObject(vocab.ActivityStreamsObjectProperty)
	}
	hasAuthor interface {
		SetActivityStreamsAttributedTo(vocab.ActivityStreamsAttributedToProperty)
	}
)

func setID(t hasID, id string) {
	p := streams.NewJSONLDIdProperty()
	p.Set(iri(id))
	t.SetJSONLDId(p)
}

func setName(t hasName, s string) {
	if s == "" {
		return
	}
	p := streams.NewActivityStreamsNameProperty()
	p.AppendXMLSchemaString(s)
	t.SetActivityStreamsName(p)
}

func setSummary(t hasSummary, s string) {
	if s == "" {
		return
	}
	p := streams.NewActivityStreamsSummaryProperty()
	p.AppendXMLSchemaString(s)
	t.SetActivityStreamsSummary(p)
}

func setContent(t hasContent, s string) {
	p := streams.NewActivityStreamsContentProperty()
	p.AppendXMLSchemaString(s)
	t.SetActivityStreamsContent(p)
}

func setURL(t hasURL, s string) {
	if s == "" {
		return
	}
	p := streams.NewActivityStreamsUrlProperty()
	p.AppendIRI(iri(s))
	t.SetActivityStreamsUrl(p)
}

func setPublished(t hasPublished, at time.Time) {
	if at.IsZero() {
		return
	}
	p := streams.NewActivityStreamsPublishedProperty()
	p.Set(at.UTC().Truncate(time.Second))
	t.SetActivityStreamsPublished(p)
}

func setUpdated(t hasUpdated, at time.Time) {
	p := streams.NewActivityStreamsUpdatedProperty()
	p.Set(at.UTC().Truncate(time.Second))
	t.SetActivityStreamsUpdated(p)
}

func setTo(t hasTo, ids ...string) {
	p := streams.NewActivityStreamsToProperty()
	for _, id := range ids {
		p.AppendIRI(iri(id))
	}
	t.SetActivityStreamsTo(p)
}

func setCc(t hasCc, ids ...string) {
	p := streams.NewActivityStreamsCcProperty()
	for _, id := range ids {
		p.AppendIRI(iri(id))
	}
	t.SetActivityStreamsCc(p)
}

func setActor(t hasActor, id string) {
	p := streams.NewActivityStreamsActorProperty()
	p.AppendIRI(iri(id))
	t.SetActivityStreamsActor(p)
}

func setAuthor(t hasAuthor, id string) {
	p := streams.NewActivityStreamsAttributedToProperty()
	p.AppendIRI(iri(id))
	t.SetActivityStreamsAttributedTo(p)
}

// setObjectIRI sets an activity's object to an identifier.
func setObjectIRI(t hasObject, id string) {
	p := streams.NewActivityStreamsObjectProperty()
	p.AppendIRI(iri(id))
	t.SetActivityStreamsObject(p)
}

// setObject embeds a whole document as an activity's object.
func setObject(t hasObject, v vocab.Type) error {
	p := streams.NewActivityStreamsObjectProperty()
	if err := p.AppendType(v); err != nil {
		return err
	}
	t.SetActivityStreamsObject(p)
	return nil
}
