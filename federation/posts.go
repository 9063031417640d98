package federation

import (
	"fmt"
	"strings"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/ess-lyon/portal/timeline"
	"github.com/ess-lyon/portal/timeline/markup"
)

// postDocument describes a local post: news as an Article, an event as an
// Event. Mastodon shows these types as title, summary and link and ignores
// their content, so the summary carries what a reader needs (the lead; the
// date, time and place), and the content repeats it all for software that
// shows content.
func (s *Service) postDocument(a *timeline.Actor, p *timeline.Post) (Document, error) {
	if p.Deleted() {
		return s.tombstone(a, p)
	}
	id := s.cfg.PostURI(a, p)
	var t interface {
		vocab.Type
		hasID
		hasName
		hasSummary
		hasContent
		hasURL
		hasPublished
		hasUpdated
		hasTo
		hasCc
		hasAuthor
		SetActivityStreamsImage(vocab.ActivityStreamsImageProperty)
	}
	extra := map[string]any{}
	if p.Kind == timeline.Event {
		ev := streams.NewActivityStreamsEvent()
		start := streams.NewActivityStreamsStartTimeProperty()
		start.Set(p.StartsAt)
		ev.SetActivityStreamsStartTime(start)
		if !p.EndsAt.IsZero() {
			end := streams.NewActivityStreamsEndTimeProperty()
			end.Set(p.EndsAt)
			ev.SetActivityStreamsEndTime(end)
		}
		t = ev
		extra["timezone"] = p.Location().String()
		if loc := placeOf(p); loc != nil {
			extra["location"] = loc
		}
	} else {
		t = streams.NewActivityStreamsArticle()
	}
	setID(t, id)
	setAuthor(t, s.cfg.ActorURI(a))
	setName(t, p.Title)
	setSummary(t, postSummary(p))
	setContent(t, s.postContent(a, p))
	setURL(t, id)
	setPublished(t, p.PublishedAt)
	if p.UpdatedAt.After(p.PublishedAt) {
		setUpdated(t, p.UpdatedAt)
	}
	setTo(t, PublicAddress)
	setCc(t, s.cfg.ActorURI(a)+"/followers")
	if p.ImageURL != "" {
		img := streams.NewActivityStreamsImage()
		setURL(img, s.absolute(p.ImageURL))
		setName(img, p.ImageAlt)
		prop := streams.NewActivityStreamsImageProperty()
		prop.AppendActivityStreamsImage(img)
		t.SetActivityStreamsImage(prop)
	}
	return serialize(t, extra)
}

// placeOf is the event's location as a Place with a schema.org postal
// address, the shape Mobilizon and Gancio send and read.
func placeOf(p *timeline.Post) map[string]any {
	if p.PlaceName == "" && p.StreetAddress == "" && p.Locality == "" {
		return nil
	}
	place := map[string]any{"type": "Place", "name": p.PlaceName}
	if p.PlaceName == "" {
		place["name"] = p.Where("fr")
	}
	addr := map[string]any{"type": "PostalAddress", "addressCountry": "FR"}
	for k, v := range map[string]string{"streetAddress": p.StreetAddress,
		"postalCode": p.PostalCode, "addressLocality": p.Locality} {
		if v != "" {
			addr[k] = v
		}
	}
	place["address"] = addr
	return place
}

// postSummary is the plain text Mastodon shows under the title.
func postSummary(p *timeline.Post) string {
	lead := strings.TrimSpace(p.Summary)
	if lead == "" {
		lead = markup.PlainText(p.BodyHTML, 300)
	}
	if p.Kind != timeline.Event {
		return lead
	}
	head := "📅 " + p.When("fr")
	if where := p.Where("fr"); where != "" {
		head += "\n📍 " + where
	}
	if lead == "" {
		return head
	}
	return head + "\n\n" + lead
}

// postContent is the HTML body: title, date and place as text, the body,
// and a link back to the post on the portal.
func (s *Service) postContent(a *timeline.Actor, p *timeline.Post) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<p><strong>%s</strong></p>", markup.Escape(p.Title))
	if p.Kind == timeline.Event {
		fmt.Fprintf(&b, "<p>📅 %s", markup.Escape(p.When("fr")))
		if where := p.Where("fr"); where != "" {
			fmt.Fprintf(&b, "<br>📍 %s", markup.Escape(where))
		}
		if p.OnlineURL != "" {
			u := markup.Escape(p.OnlineURL)
			fmt.Fprintf(&b, `<br>🔗 <a href="%s">%s</a>`, u, u)
		}
		b.WriteString("</p>")
	}
	if lead := strings.TrimSpace(p.Summary); lead != "" {
		fmt.Fprintf(&b, "<p>%s</p>", markup.Escape(lead))
	}
	b.WriteString(p.BodyHTML)
	u := markup.Escape(s.cfg.PostURI(a, p))
	fmt.Fprintf(&b, `<p><a href="%s">%s</a></p>`, u, u)
	return markup.Sanitize(b.String())
}

// tombstone answers for a deleted post.
func (s *Service) tombstone(a *timeline.Actor, p *timeline.Post) (Document, error) {
	t := streams.NewActivityStreamsTombstone()
	setID(t, s.cfg.PostURI(a, p))
	ft := streams.NewActivityStreamsFormerTypeProperty()
	if p.Kind == timeline.Event {
		ft.AppendXMLSchemaString("Event")
	} else {
		ft.AppendXMLSchemaString("Article")
	}
	t.SetActivityStreamsFormerType(ft)
	del := streams.NewActivityStreamsDeletedProperty()
	del.Set(p.DeletedAt)
	t.SetActivityStreamsDeleted(del)
	return serialize(t, nil)
}
