package federation

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/ess-lyon/portal/timeline"
)

// Config is what the federation layer needs to know about its portal.
type Config struct {
	// Domain is the public host, with its port when not the default one:
	// every identifier the portal publishes starts with it.
	Domain string
	// Insecure makes identifiers use http:// and lets the HTTP client reach
	// loopback and private addresses. For tests and local trials only.
	Insecure bool
	// Hosts maps host names to IP addresses before DNS, so that several
	// portals on one machine can have their own names in tests.
	Hosts map[string]string
	// AuthorizedFetch makes every GET of an actor, object or collection
	// require a valid signature, as Mastodon's secure mode does.
	AuthorizedFetch bool
	// Software names the portal in NodeInfo and the User-Agent.
	Software string
	Version  string
}

func (c Config) scheme() string {
	if c.Insecure {
		return "http"
	}
	return "https"
}

// Base returns the portal's origin, such as https://ess-lyon.fr.
func (c Config) Base() string { return c.scheme() + "://" + c.Domain }

// Host returns the domain without its port, as used in acct: handles.
func (c Config) Host() string {
	if h, _, ok := strings.Cut(c.Domain, ":"); ok {
		return h
	}
	return c.Domain
}

// ActorURI returns a local actor's identifier. The instance actor lives
// at /actor; every other actor at /@username, which serves the profile page
// to browsers and the actor document to servers.
func (c Config) ActorURI(a *timeline.Actor) string {
	if a.Kind == timeline.KindInstance {
		return c.Base() + "/actor"
	}
	return c.Base() + "/@" + a.Username
}

// PostURI returns a local post's identifier.
func (c Config) PostURI(a *timeline.Actor, p *timeline.Post) string {
	if !p.Local {
		return p.URI
	}
	return c.ActorURI(a) + "/" + strconv.FormatInt(p.ID, 10)
}

// SharedInbox returns the portal's shared inbox.
func (c Config) SharedInbox() string { return c.Base() + "/inbox" }

// KeyID returns the identifier of a local actor's public key.
func (c Config) KeyID(a *timeline.Actor) string { return c.ActorURI(a) + "#main-key" }

// UserAgent is sent with every outgoing request.
func (c Config) UserAgent() string {
	return fmt.Sprintf("%s/%s (+%s)", c.Software, c.Version, c.Base())
}

// localRef is what a local identifier points at.
type localRef struct {
	username string
	postID   int64
	instance bool
}

// parseLocal tells which local actor or post an identifier names, if it is
// local at all.
func (c Config) parseLocal(uri string) (localRef, bool) {
	u, err := url.Parse(uri)
	if err != nil || u.Host != c.Domain || u.Scheme != c.scheme() {
		return localRef{}, false
	}
	if u.Path == "/actor" {
		return localRef{instance: true}, true
	}
	rest, ok := strings.CutPrefix(u.Path, "/@")
	if !ok || rest == "" {
		return localRef{}, false
	}
	name, post, hasPost := strings.Cut(rest, "/")
	ref := localRef{username: name}
	if hasPost {
		id, err := strconv.ParseInt(post, 10, 64)
		if err != nil || id <= 0 || strconv.FormatInt(id, 10) != post {
			return localRef{}, false
		}
		ref.postID = id
	}
	return ref, true
}
