package timeline

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Kind is what an actor is.
type Kind string

// The kinds of actors. Local actors are organisations, the portal itself
// and the instance actor; remote ones keep the kind their server declared.
const (
	KindOrganisation Kind = "organisation"
	KindPortal       Kind = "portal"   // the actor whose featured timeline committees curate
	KindInstance     Kind = "instance" // the server itself, which signs fetches
	KindPerson       Kind = "person"
	KindGroup        Kind = "group"
	KindService      Kind = "service"
)

// PortalUsername is the username of the portal's own actor.
const PortalUsername = "portail"

// LegalForms are the legal forms an ESS organisation declares, in the order
// forms show them.
var LegalForms = []string{
	"association", "scop", "scic", "cae", "mutuelle", "fondation", "entreprise-ess", "autre",
}

// Actor is an account that publishes: a local organisation, the portal, or
// an actor on another server.
type Actor struct {
	bun.BaseModel `bun:"table:actors"`

	ID       int64  `bun:",pk,autoincrement"`
	Local    bool   `bun:",notnull"`
	Username string `bun:",notnull"`
	// Domain is empty for local actors.
	Domain string `bun:",notnull"`
	// URI is the remote actor's identifier; empty for local actors, whose
	// identifier the federation layer derives from the portal's domain.
	URI  string `bun:"uri,nullzero"`
	Kind Kind   `bun:",notnull"`
	Name string `bun:",notnull"`
	// Summary is plain text for local actors, sanitized HTML for remote ones.
	Summary    string    `bun:",notnull"`
	LegalForm  string    `bun:",notnull"`
	Sector     string    `bun:",notnull"`
	Address    string    `bun:",notnull"`
	PostalCode string    `bun:",notnull"`
	City       string    `bun:",notnull"`
	Website    string    `bun:",notnull"`
	URL        string    `bun:"url,notnull"` // remote profile page
	IconURL    string    `bun:"icon_url,notnull"`
	CreatedAt  time.Time `bun:",notnull"`
	UpdatedAt  time.Time `bun:",notnull"`
}

// Handle returns name@domain for remote actors and the username for local
// ones.
func (a *Actor) Handle() string {
	if a.Local {
		return a.Username
	}
	return a.Username + "@" + a.Domain
}

// DisplayName returns the name, or the username when the name is empty.
func (a *Actor) DisplayName() string {
	if !blank(a.Name) {
		return a.Name
	}
	return a.Username
}

var usernameRE = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_.-]{0,28}[a-z0-9_])?$`)

// reserved usernames would collide with the portal's own paths or actors.
var reserved = map[string]bool{
	PortalUsername: true, "admin": true, "actor": true, "inbox": true, "root": true,
	"charte": true, "agenda": true, "annuaire": true, "connexion": true, "support": true,
}

// ValidUsername reports why name cannot be a local username, or nil.
func ValidUsername(name string) error {
	if !usernameRE.MatchString(name) {
		return invalid("username",
			"lowercase letters, digits, '_', '.', '-' (not first or last), 1 to 30")
	}
	if reserved[name] {
		return invalid("username", "reserved")
	}
	return nil
}

func (a *Actor) validateLocal() error {
	if a.Kind == KindOrganisation {
		if err := ValidUsername(a.Username); err != nil {
			return err
		}
	}
	a.Name = stripBidiOverrides(a.Name)
	if blank(a.Name) {
		return invalid("name", "required")
	}
	if a.LegalForm != "" && !contains(LegalForms, a.LegalForm) {
		return invalid("legal_form", "unknown legal form "+a.LegalForm)
	}
	if a.Website != "" && !isWebURL(a.Website) {
		return invalid("website", "must be an http or https address")
	}
	if a.IconURL != "" && !isWebURL(a.IconURL) && !strings.HasPrefix(a.IconURL, "/media/") {
		return invalid("icon", "must be an http(s) address or a /media/ path")
	}
	if field := nulField(map[string]string{"name": a.Name, "summary": a.Summary,
		"sector": a.Sector, "address": a.Address, "postal_code": a.PostalCode,
		"city": a.City, "website": a.Website}); field != "" {
		return invalid(field, "contains a NUL character")
	}
	return nil
}

// CreateLocalActor stores a new local actor. Organisations need a valid,
// unused username.
func (s *Store) CreateLocalActor(ctx context.Context, a *Actor) error {
	a.Local, a.Domain, a.URI = true, "", ""
	a.Username = strings.ToLower(strings.TrimSpace(a.Username))
	if a.Kind == "" {
		a.Kind = KindOrganisation
	}
	if err := a.validateLocal(); err != nil {
		return err
	}
	if _, err := s.LocalActor(ctx, a.Username); err == nil {
		return fmt.Errorf("actor %s: %w", a.Username, ErrExists)
	}
	a.CreatedAt, a.UpdatedAt = s.Now(), s.Now()
	if _, err := s.db.NewInsert().Model(a).Exec(ctx); err != nil {
		return fmt.Errorf("creating actor %s: %w", a.Username, err)
	}
	return nil
}

// UpdateLocalActor saves a local actor's profile fields.
func (s *Store) UpdateLocalActor(ctx context.Context, a *Actor) error {
	if err := a.validateLocal(); err != nil {
		return err
	}
	a.UpdatedAt = s.Now()
	_, err := s.db.NewUpdate().Model(a).WherePK().Where("local").
		Column("name", "summary", "legal_form", "sector", "address", "postal_code",
			"city", "website", "icon_url", "updated_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("updating actor %d: %w", a.ID, err)
	}
	return nil
}

// EnsureLocalActor returns the local actor with username, creating it from
// a when it does not exist yet: the portal and instance actors are made
// this way on first start.
func (s *Store) EnsureLocalActor(ctx context.Context, a *Actor) (*Actor, error) {
	got, err := s.LocalActor(ctx, a.Username)
	if err == nil {
		return got, nil
	}
	if err := s.CreateLocalActor(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// LocalActor returns the local actor with that username.
func (s *Store) LocalActor(ctx context.Context, username string) (*Actor, error) {
	if strings.ContainsRune(username, 0) {
		return nil, fmt.Errorf("actor %q: %w", username, ErrNotFound)
	}
	a := new(Actor)
	err := s.db.NewSelect().Model(a).Where("local").
		Where("username = ?", strings.ToLower(username)).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "actor "+username)
	}
	return a, nil
}

// Actor returns the actor with that id.
func (s *Store) Actor(ctx context.Context, id int64) (*Actor, error) {
	a := new(Actor)
	if err := s.db.NewSelect().Model(a).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, fmt.Sprintf("actor %d", id))
	}
	return a, nil
}

// RemoteActor returns the remote actor with that URI.
func (s *Store) RemoteActor(ctx context.Context, uri string) (*Actor, error) {
	a := new(Actor)
	if err := s.db.NewSelect().Model(a).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, notFound(err, "actor "+uri)
	}
	return a, nil
}

// UpsertRemoteActor stores a remote actor by URI, creating it or refreshing
// its profile in one statement, so that two first contacts at once cannot
// race; a.ID is set on return.
func (s *Store) UpsertRemoteActor(ctx context.Context, a *Actor) error {
	if a.URI == "" || a.Domain == "" {
		return invalid("uri", "a remote actor needs a uri and a domain")
	}
	a.Local = false
	stripNUL(&a.Username, &a.Name, &a.Summary, &a.URL, &a.IconURL)
	a.Username = stripBidiOverrides(a.Username)
	a.Name = ellipsize(strings.TrimSpace(stripBidiOverrides(a.Name)), MaxRemoteName)
	a.UpdatedAt = s.Now()
	if a.CreatedAt.IsZero() {
		a.CreatedAt = a.UpdatedAt
	}
	_, err := s.db.NewInsert().Model(a).On("CONFLICT (uri) DO UPDATE").
		Set("username = EXCLUDED.username, domain = EXCLUDED.domain, kind = EXCLUDED.kind").
		Set("name = EXCLUDED.name, summary = EXCLUDED.summary, url = EXCLUDED.url").
		Set("icon_url = EXCLUDED.icon_url, updated_at = EXCLUDED.updated_at").
		Returning("id, created_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("storing actor %s: %w", a.URI, err)
	}
	return nil
}

// Organisations lists the local organisations by name.
func (s *Store) Organisations(ctx context.Context) ([]*Actor, error) {
	var out []*Actor
	err := s.db.NewSelect().Model(&out).Where("local").
		Where("kind = ?", KindOrganisation).OrderExpr("lower(name)").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing organisations: %w", err)
	}
	return out, nil
}

// DeleteRemoteActor removes a remote actor and everything it published,
// when its server says it is gone.
func (s *Store) DeleteRemoteActor(ctx context.Context, uri string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a := new(Actor)
		err := tx.NewSelect().Model(a).Where("uri = ?", uri).Where("NOT local").Scan(ctx)
		if err != nil {
			return notFound(err, "actor "+uri)
		}
		if _, err := tx.NewDelete().Model((*Post)(nil)).Where("actor_id = ?", a.ID).
			Exec(ctx); err != nil {
			return fmt.Errorf("deleting posts of %s: %w", uri, err)
		}
		if _, err := tx.NewDelete().Model(a).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("deleting actor %s: %w", uri, err)
		}
		return nil
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
