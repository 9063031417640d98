package timeline

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/timeline/markup"
)

// PostKind is what a post is.
type PostKind string

// The kinds of posts. Local organisations publish news and events; notes
// are what other servers publish (toots, comments, pages, videos).
const (
	News  PostKind = "news"
	Event PostKind = "event"
	Note  PostKind = "note"
)

// DefaultTimeZone is the zone of events whose editor named none.
const DefaultTimeZone = "Europe/Paris"

// Limits on what an editor may write, generous for real posts and small
// enough that one post cannot fill the disk or a follower's timeline.
const (
	MaxTitle   = 200
	MaxSummary = 2_000
	MaxAlt     = 1_000
	MaxBody    = 50_000
)

// Post is a news item, an event or a remote note.
type Post struct {
	bun.BaseModel `bun:"table:posts"`

	ID      int64    `bun:",pk,autoincrement"`
	ActorID int64    `bun:",notnull"`
	Actor   *Actor   `bun:"rel:belongs-to,join:actor_id=id"`
	Local   bool     `bun:",notnull"`
	Kind    PostKind `bun:",notnull"`
	// URI is the remote post's identifier; empty for local posts.
	URI       string `bun:"uri,nullzero"`
	URL       string `bun:"url,notnull"` // remote page for people
	InReplyTo string `bun:",notnull"`    // identifier of the post answered, if any
	Title     string `bun:",notnull"`
	// Summary is plain text: the news lead, or what the editor wrote.
	Summary      string `bun:",notnull"`
	BodyMarkdown string `bun:",notnull"`
	// BodyHTML is always sanitized: rendered Markdown for local posts, the
	// remote server's content passed through the same policy otherwise.
	BodyHTML string `bun:"body_html,notnull"`
	ImageURL string `bun:"image_url,notnull"`
	ImageAlt string `bun:",notnull"`

	// Events only. Times are UTC; TimeZone is where the event happens.
	StartsAt      time.Time `bun:",nullzero"`
	EndsAt        time.Time `bun:",nullzero"`
	TimeZone      string    `bun:",notnull"`
	PlaceName     string    `bun:",notnull"`
	StreetAddress string    `bun:",notnull"`
	PostalCode    string    `bun:",notnull"`
	Locality      string    `bun:",notnull"`
	OnlineURL     string    `bun:"online_url,notnull"`

	LikeCount     int       `bun:",notnull"`
	AnnounceCount int       `bun:",notnull"`
	PublishedAt   time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
	DeletedAt     time.Time `bun:",nullzero"`

	// FeaturedAt is when the post entered the featured timeline; only
	// [Store.FeaturedPosts] reads it.
	FeaturedAt time.Time `bun:",scanonly"`
}

// Location returns the event's zone, or the default one.
func (p *Post) Location() *time.Location {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil && p.TimeZone != "" {
		return loc
	}
	loc, _ := time.LoadLocation(DefaultTimeZone)
	return loc
}

// Deleted tells whether the post was deleted; its row stays as a tombstone.
func (p *Post) Deleted() bool { return !p.DeletedAt.IsZero() }

func (p *Post) validateLocal() error {
	if p.Kind != News && p.Kind != Event {
		return invalid("kind", "news or event")
	}
	p.Title = strings.TrimSpace(stripBidiOverrides(p.Title))
	if blank(p.Title) {
		return invalid("title", "required")
	}
	if utf8.RuneCountInString(p.Title) > MaxTitle {
		return invalid("title", fmt.Sprintf("at most %d characters", MaxTitle))
	}
	if len(p.BodyMarkdown) > MaxBody {
		return invalid("body", fmt.Sprintf("at most %d bytes", MaxBody))
	}
	if utf8.RuneCountInString(p.Summary) > MaxSummary {
		return invalid("summary", fmt.Sprintf("at most %d characters", MaxSummary))
	}
	if utf8.RuneCountInString(p.ImageAlt) > MaxAlt {
		return invalid("image_alt", fmt.Sprintf("at most %d characters", MaxAlt))
	}
	if p.ImageURL != "" && !isWebURL(p.ImageURL) && !strings.HasPrefix(p.ImageURL, "/media/") {
		return invalid("image", "must be an http(s) address or a /media/ path")
	}
	if field := nulField(map[string]string{"title": p.Title, "summary": p.Summary,
		"body": p.BodyMarkdown, "image_alt": p.ImageAlt, "place_name": p.PlaceName,
		"street_address": p.StreetAddress, "postal_code": p.PostalCode,
		"locality": p.Locality, "image": p.ImageURL, "online_url": p.OnlineURL}); field != "" {
		return invalid(field, "contains a NUL character")
	}
	if p.Kind == Event {
		return p.validateEvent()
	}
	return nil
}

func (p *Post) validateEvent() error {
	if p.StartsAt.IsZero() {
		return invalid("starts_at", "required")
	}
	// An agenda has no use for dates outside this range, and it keeps typos
	// such as year 0001 or 9999 out of it.
	for field, t := range map[string]time.Time{"starts_at": p.StartsAt, "ends_at": p.EndsAt} {
		if !t.IsZero() && (t.Year() < 1970 || t.Year() > 2200) {
			return invalid(field, "year out of range (1970 to 2200)")
		}
	}
	if !p.EndsAt.IsZero() && p.EndsAt.Before(p.StartsAt) {
		return invalid("ends_at", "before the start")
	}
	if p.TimeZone == "" {
		p.TimeZone = DefaultTimeZone
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil {
		return invalid("time_zone", "unknown zone "+p.TimeZone)
	}
	if p.OnlineURL != "" && !isWebURL(p.OnlineURL) {
		return invalid("online_url", "must be an http or https address")
	}
	if strings.TrimSpace(p.PlaceName) == "" && p.OnlineURL == "" {
		return invalid("place_name", "a place or an online link is required")
	}
	return nil
}

// nulField returns the name of a field holding a NUL character, which
// neither database stores in text, or "".
func nulField(fields map[string]string) string {
	for name, v := range fields {
		if strings.ContainsRune(v, 0) {
			return name
		}
	}
	return ""
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// CreatePost publishes a new local post for its actor and tells the hooks.
func (s *Store) CreatePost(ctx context.Context, p *Post) error {
	p.Local, p.URI = true, ""
	if err := p.validateLocal(); err != nil {
		return err
	}
	p.normalize()
	p.BodyHTML = markup.Markdown(p.BodyMarkdown)
	p.PublishedAt, p.UpdatedAt = s.Now(), s.Now()
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a := new(Actor)
		err := tx.NewSelect().Model(a).Where("id = ?", p.ActorID).Where("local").Scan(ctx)
		if err != nil {
			return notFound(err, fmt.Sprintf("actor %d", p.ActorID))
		}
		p.Actor = a
		if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
			return fmt.Errorf("storing post: %w", err)
		}
		return s.notify(ctx, tx, p, Created)
	})
}

// normalize keeps times in UTC at the precision both databases store.
func (p *Post) normalize() {
	p.StartsAt = p.StartsAt.UTC().Truncate(time.Second)
	p.EndsAt = p.EndsAt.UTC().Truncate(time.Second)
	if p.StartsAt.Equal(time.Time{}.UTC()) {
		p.StartsAt = time.Time{}
	}
	if p.EndsAt.Equal(time.Time{}.UTC()) {
		p.EndsAt = time.Time{}
	}
	if p.Kind == News {
		p.StartsAt, p.EndsAt, p.TimeZone = time.Time{}, time.Time{}, ""
	}
}

// editable are the columns an editor changes.
var editable = []string{
	"title", "summary", "body_markdown", "body_html", "image_url", "image_alt",
	"starts_at", "ends_at", "time_zone", "place_name", "street_address", "postal_code",
	"locality", "online_url", "updated_at",
}

// UpdatePost saves an edited local post and tells the hooks. The post's
// actor and kind cannot change.
func (s *Store) UpdatePost(ctx context.Context, p *Post) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := s.WithTx(tx).Post(ctx, p.ID)
		if err != nil {
			return err
		}
		if !old.Local || old.Deleted() {
			return fmt.Errorf("post %d: %w", p.ID, ErrNotFound)
		}
		p.ActorID, p.Kind, p.Local, p.Actor = old.ActorID, old.Kind, true, old.Actor
		p.PublishedAt = old.PublishedAt
		if err := p.validateLocal(); err != nil {
			return err
		}
		p.normalize()
		p.BodyHTML = markup.Markdown(p.BodyMarkdown)
		p.UpdatedAt = s.Now()
		if _, err := tx.NewUpdate().Model(p).WherePK().Column(editable...).Exec(ctx); err != nil {
			return fmt.Errorf("updating post %d: %w", p.ID, err)
		}
		return s.notify(ctx, tx, p, Updated)
	})
}

// DeletePost deletes a local post, keeping its row as a tombstone so that
// its address answers "gone", takes it off the featured timeline, and tells
// the hooks.
func (s *Store) DeletePost(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p, err := s.WithTx(tx).Post(ctx, id)
		if err != nil {
			return err
		}
		if !p.Local || p.Deleted() {
			return fmt.Errorf("post %d: %w", id, ErrNotFound)
		}
		p.DeletedAt = s.Now()
		if _, err := tx.NewUpdate().Model(p).WherePK().Column("deleted_at").Exec(ctx); err != nil {
			return fmt.Errorf("deleting post %d: %w", id, err)
		}
		if _, err := tx.NewDelete().Model((*FeaturedItem)(nil)).Where("post_id = ?", id).
			Exec(ctx); err != nil {
			return fmt.Errorf("unfeaturing post %d: %w", id, err)
		}
		return s.notify(ctx, tx, p, Deleted)
	})
}

// Post returns the post with that id, with its actor, deleted or not.
func (s *Store) Post(ctx context.Context, id int64) (*Post, error) {
	p := new(Post)
	err := s.db.NewSelect().Model(p).Relation("Actor").Where("post.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("post %d", id))
	}
	return p, nil
}

// PostByURI returns the remote post with that identifier, with its actor.
func (s *Store) PostByURI(ctx context.Context, uri string) (*Post, error) {
	p := new(Post)
	err := s.db.NewSelect().Model(p).Relation("Actor").Where("post.uri = ?", uri).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "post "+uri)
	}
	return p, nil
}
