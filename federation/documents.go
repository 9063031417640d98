package federation

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/ess-lyon/portal/timeline"
	"github.com/ess-lyon/portal/timeline/markup"
)

// ldContext is the @context of every document the portal publishes.
// go-fed names Mastodon's vocabulary by a URL that is not a JSON-LD context
// document, and lacks the schema.org and Mobilizon terms the portal uses,
// so the portal states the context itself, as Mastodon and Mobilizon do.
var ldContext = []any{
	"https://www.w3.org/ns/activitystreams",
	"https://w3id.org/security/v1",
	map[string]any{
		"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
		"sensitive":                 "as:sensitive",
		"toot":                      "http://joinmastodon.org/ns#",
		"featured":                  map[string]string{"@id": "toot:featured", "@type": "@id"},
		"discoverable":              "toot:discoverable",
		"indexable":                 "toot:indexable",
		"schema":                    "http://schema.org#",
		"PropertyValue":             "schema:PropertyValue",
		"value":                     "schema:value",
		"PostalAddress":             "schema:PostalAddress",
		"address":                   "schema:address",
		"streetAddress":             "schema:streetAddress",
		"postalCode":                "schema:postalCode",
		"addressLocality":           "schema:addressLocality",
		"addressCountry":            "schema:addressCountry",
		"mz":                        "https://joinmobilizon.org/ns#",
		"timezone":                  map[string]string{"@id": "mz:timezone", "@type": "schema:Text"},
		"ess":                       "https://ess-lyon.fr/ns#",
		"legalForm":                 "ess:legalForm",
		"sector":                    "ess:sector",
	},
}

// Document is a JSON-LD document ready to be served or delivered.
type Document map[string]any

// serialize turns a go-fed value into a Document with the portal's
// context, then adds the terms go-fed does not know.
func serialize(v vocab.Type, extra map[string]any) (Document, error) {
	m, err := streams.Serialize(v)
	if err != nil {
		return nil, fmt.Errorf("serializing %s: %w", v.GetTypeName(), err)
	}
	m["@context"] = ldContext
	for k, val := range extra {
		m[k] = val
	}
	return Document(m), nil
}

// embedded strips the @context of a document embedded in another.
func embedded(d Document) Document {
	out := make(Document, len(d))
	for k, v := range d {
		if k != "@context" {
			out[k] = v
		}
	}
	return out
}

// JSON encodes the document; Documents only hold JSON values.
func (d Document) JSON() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("federation: document is not JSON: %v", err))
	}
	return b
}

// actorDocument describes a local actor as Mastodon and others read it.
func (s *Service) actorDocument(a *timeline.Actor, keys *apActor) (Document, error) {
	id := s.cfg.ActorURI(a)
	var t interface {
		vocab.Type
		hasID
		hasName
		hasSummary
		hasURL
		hasPublished
		SetActivityStreamsPreferredUsername(vocab.ActivityStreamsPreferredUsernameProperty)
		SetActivityStreamsInbox(vocab.ActivityStreamsInboxProperty)
		SetActivityStreamsOutbox(vocab.ActivityStreamsOutboxProperty)
		SetActivityStreamsFollowers(vocab.ActivityStreamsFollowersProperty)
		SetActivityStreamsFollowing(vocab.ActivityStreamsFollowingProperty)
		SetW3IDSecurityV1PublicKey(vocab.W3IDSecurityV1PublicKeyProperty)
		SetTootFeatured(vocab.TootFeaturedProperty)
		SetTootDiscoverable(vocab.TootDiscoverableProperty)
		SetActivityStreamsIcon(vocab.ActivityStreamsIconProperty)
	}
	switch actorType(a) {
	case "Group":
		t = streams.NewActivityStreamsGroup()
	case "Application":
		t = streams.NewActivityStreamsApplication()
	default:
		t = streams.NewActivityStreamsOrganization()
	}
	setID(t, id)
	username := a.Username
	if a.Kind == timeline.KindInstance {
		username = s.cfg.Domain
	}
	pu := streams.NewActivityStreamsPreferredUsernameProperty()
	pu.SetXMLSchemaString(username)
	t.SetActivityStreamsPreferredUsername(pu)
	name := a.DisplayName()
	if a.Kind == timeline.KindInstance {
		name = s.cfg.Domain // follows the domain when the operator changes it
	}
	setName(t, name)
	setSummary(t, markup.Markdown(a.Summary))
	setURL(t, id)
	setPublished(t, a.CreatedAt)

	inbox := streams.NewActivityStreamsInboxProperty()
	inbox.SetIRI(iri(id + "/inbox"))
	t.SetActivityStreamsInbox(inbox)
	outbox := streams.NewActivityStreamsOutboxProperty()
	outbox.SetIRI(iri(id + "/outbox"))
	t.SetActivityStreamsOutbox(outbox)
	followers := streams.NewActivityStreamsFollowersProperty()
	followers.SetIRI(iri(id + "/followers"))
	t.SetActivityStreamsFollowers(followers)
	following := streams.NewActivityStreamsFollowingProperty()
	following.SetIRI(iri(id + "/following"))
	t.SetActivityStreamsFollowing(following)
	featured := streams.NewTootFeaturedProperty()
	featured.SetIRI(iri(id + "/featured"))
	t.SetTootFeatured(featured)

	t.SetW3IDSecurityV1PublicKey(publicKeyProperty(s.cfg.KeyID(a), id, keys.PublicKeyPEM))
	disc := streams.NewTootDiscoverableProperty()
	disc.Set(a.Kind != timeline.KindInstance)
	t.SetTootDiscoverable(disc)
	if a.IconURL != "" {
		t.SetActivityStreamsIcon(iconProperty(s.absolute(a.IconURL)))
	}
	return serialize(t, s.actorExtras(a))
}

func publicKeyProperty(keyID, owner, pem string) vocab.W3IDSecurityV1PublicKeyProperty {
	k := streams.NewW3IDSecurityV1PublicKey()
	setID(k, keyID)
	o := streams.NewW3IDSecurityV1OwnerProperty()
	o.SetIRI(iri(owner))
	k.SetW3IDSecurityV1Owner(o)
	p := streams.NewW3IDSecurityV1PublicKeyPemProperty()
	p.Set(pem)
	k.SetW3IDSecurityV1PublicKeyPem(p)
	prop := streams.NewW3IDSecurityV1PublicKeyProperty()
	prop.AppendW3IDSecurityV1PublicKey(k)
	return prop
}

func iconProperty(href string) vocab.ActivityStreamsIconProperty {
	img := streams.NewActivityStreamsImage()
	setURL(img, href)
	p := streams.NewActivityStreamsIconProperty()
	p.AppendActivityStreamsImage(img)
	return p
}

// actorExtras are the actor terms go-fed lacks: endpoints, Mastodon's flags and the
// ESS profile as PropertyValue fields, which Mastodon shows on the profile.
func (s *Service) actorExtras(a *timeline.Actor) map[string]any {
	extra := map[string]any{
		"manuallyApprovesFollowers": a.Kind == timeline.KindInstance,
		"indexable":                 a.Kind != timeline.KindInstance,
		"endpoints":                 map[string]any{"sharedInbox": s.cfg.SharedInbox()},
	}
	var fields []any
	add := func(name, value string) {
		if strings.TrimSpace(value) != "" {
			fields = append(fields, map[string]any{
				"type": "PropertyValue", "name": name, "value": value})
		}
	}
	if a.Website != "" {
		w := markup.Escape(a.Website)
		add("Site web", `<a href="`+w+`" rel="me nofollow noopener noreferrer">`+w+`</a>`)
	}
	add("Forme juridique", legalFormLabel(a.LegalForm))
	add("Secteur", markup.Escape(a.Sector))
	add("Adresse", markup.Escape(joinNonEmpty(", ", a.Address,
		joinNonEmpty(" ", a.PostalCode, a.City))))
	if len(fields) > 0 {
		extra["attachment"] = fields
	}
	if a.LegalForm != "" {
		extra["legalForm"] = a.LegalForm
	}
	if a.Sector != "" {
		extra["sector"] = a.Sector
	}
	return extra
}

func legalFormLabel(f string) string {
	labels := map[string]string{
		"association": "Association", "scop": "SCOP", "scic": "SCIC",
		"cae": "Coopérative d'activité et d'emploi", "mutuelle": "Mutuelle",
		"fondation": "Fondation", "entreprise-ess": "Entreprise de l'ESS", "autre": "Autre",
	}
	return labels[f]
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return strings.Join(out, sep)
}

// absolute makes a portal path such as /media/x.png an absolute URL.
func (s *Service) absolute(path string) string {
	if strings.HasPrefix(path, "/") {
		return s.cfg.Base() + path
	}
	return path
}

// timeNow is the clock of documents, replaced in tests.
var timeNow = time.Now
