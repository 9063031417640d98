package timeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/timeline/markup"
)

// maxClockDrift is how far in the future a remote post's date may be.
const maxClockDrift = 5 * time.Minute

// UpsertRemotePost stores a post from another server, creating it or
// applying an edit. The caller has checked that p.ActorID published it.
// Its HTML is sanitized here, whatever the caller did. p.ID is set on
// return.
func (s *Store) UpsertRemotePost(ctx context.Context, p *Post) error {
	if p.URI == "" {
		return invalid("uri", "a remote post needs a uri")
	}
	p.Local = false
	stripNUL(&p.Title, &p.Summary, &p.BodyHTML, &p.URL, &p.InReplyTo, &p.PlaceName,
		&p.StreetAddress, &p.PostalCode, &p.Locality, &p.OnlineURL, &p.ImageURL, &p.ImageAlt)
	p.BodyHTML = markup.Sanitize(p.BodyHTML)
	p.Title = truncateRunes(strings.TrimSpace(stripBidiOverrides(p.Title)), MaxTitle)
	p.Summary = truncateRunes(p.Summary, MaxBody)
	p.normalize()
	// A date in the future would keep the post at the top of every list
	// sorted by date: it is taken as the time the post arrived, as
	// Mastodon does. A few minutes' clock drift is let through.
	if now := s.Now(); p.PublishedAt.IsZero() || p.PublishedAt.After(now.Add(maxClockDrift)) {
		p.PublishedAt = now
	}
	p.PublishedAt = p.PublishedAt.UTC()
	p.UpdatedAt = s.Now()
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old := new(Post)
		err := tx.NewSelect().Model(old).Where("uri = ?", p.URI).Scan(ctx)
		if err != nil {
			if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
				return fmt.Errorf("storing post %s: %w", p.URI, err)
			}
			return nil
		}
		if old.ActorID != p.ActorID {
			return fmt.Errorf("post %s belongs to another actor: %w", p.URI, ErrForbidden)
		}
		p.ID, p.LikeCount, p.AnnounceCount = old.ID, old.LikeCount, old.AnnounceCount
		if _, err := tx.NewUpdate().Model(p).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("updating post %s: %w", p.URI, err)
		}
		return nil
	})
}

// DeleteRemotePost removes a remote post if actorID published it.
func (s *Store) DeleteRemotePost(ctx context.Context, uri string, actorID int64) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p := new(Post)
		err := tx.NewSelect().Model(p).Where("uri = ?", uri).Scan(ctx)
		if err != nil {
			return notFound(err, "post "+uri)
		}
		if p.ActorID != actorID {
			return fmt.Errorf("post %s belongs to another actor: %w", uri, ErrForbidden)
		}
		if _, err := tx.NewDelete().Model((*FeaturedItem)(nil)).Where("post_id = ?", p.ID).
			Exec(ctx); err != nil {
			return fmt.Errorf("unfeaturing %s: %w", uri, err)
		}
		if _, err := tx.NewDelete().Model(p).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("deleting post %s: %w", uri, err)
		}
		return nil
	})
}

// Counter names a reaction the portal counts on posts.
type Counter string

// The counted reactions.
const (
	Likes     Counter = "like_count"
	Announces Counter = "announce_count"
)

// AddReaction adds delta (1 or -1) to a post's counter, never below zero.
func (s *Store) AddReaction(ctx context.Context, postID int64, c Counter, delta int) error {
	if c != Likes && c != Announces {
		return invalid("counter", string(c))
	}
	expr := fmt.Sprintf("%s = CASE WHEN %s + ? < 0 THEN 0 ELSE %s + ? END", c, c, c)
	_, err := s.db.NewUpdate().Model((*Post)(nil)).Set(expr, delta, delta).
		Where("id = ?", postID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("counting %s on post %d: %w", c, postID, err)
	}
	return nil
}

func truncateRunes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max])
}

// stripNUL removes NUL characters, which neither database stores in text,
// from what another server sent: refusing the whole post for them would
// only make its server retry.
func stripNUL(fields ...*string) {
	for _, f := range fields {
		*f = strings.ReplaceAll(*f, "\x00", "")
	}
}
