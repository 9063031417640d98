package timeline

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// FeaturedItem is a post on the portal's featured timeline, put there by
// the committee decision it names.
type FeaturedItem struct {
	bun.BaseModel `bun:"table:featured_items"`

	PostID     int64     `bun:",pk"`
	DecisionID int64     `bun:",notnull"`
	FeaturedAt time.Time `bun:",notnull"`
}

// Feature puts a live post on the featured timeline under decisionID and
// tells the hooks. Featuring a featured post is an error, so that a
// decision is never recorded twice for one effect.
func (s *Store) Feature(ctx context.Context, postID, decisionID int64) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p, err := s.WithTx(tx).Post(ctx, postID)
		if err != nil {
			return err
		}
		if p.Deleted() {
			return fmt.Errorf("post %d: %w", postID, ErrNotFound)
		}
		if ok, err := s.WithTx(tx).IsFeatured(ctx, postID); err != nil || ok {
			if err == nil {
				err = fmt.Errorf("post %d featured: %w", postID, ErrExists)
			}
			return err
		}
		item := &FeaturedItem{PostID: postID, DecisionID: decisionID, FeaturedAt: s.Now()}
		if _, err := tx.NewInsert().Model(item).Exec(ctx); err != nil {
			return fmt.Errorf("featuring post %d: %w", postID, err)
		}
		return s.notify(ctx, tx, p, Featured)
	})
}

// Unfeature takes a post off the featured timeline and tells the hooks.
func (s *Store) Unfeature(ctx context.Context, postID int64) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p, err := s.WithTx(tx).Post(ctx, postID)
		if err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*FeaturedItem)(nil)).Where("post_id = ?", postID).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("unfeaturing post %d: %w", postID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("post %d not featured: %w", postID, ErrNotFound)
		}
		return s.notify(ctx, tx, p, Unfeatured)
	})
}

// IsFeatured tells whether the post is on the featured timeline.
func (s *Store) IsFeatured(ctx context.Context, postID int64) (bool, error) {
	n, err := s.db.NewSelect().Model((*FeaturedItem)(nil)).Where("post_id = ?", postID).
		Count(ctx)
	if err != nil {
		return false, fmt.Errorf("reading featured post %d: %w", postID, err)
	}
	return n > 0, nil
}

// FeaturedPosts lists a page of the featured timeline, most recently
// featured first, and the cursor of the next page.
func (s *Store) FeaturedPosts(ctx context.Context, pg Page) ([]*Post, Cursor, error) {
	var out []*Post
	q := s.livePosts(&out).ColumnExpr("post.*").ColumnExpr("fi.featured_at").
		Join("JOIN featured_items AS fi ON fi.post_id = post.id")
	if err := pg.keyset(q, "fi.featured_at", true).Scan(ctx); err != nil {
		return nil, Cursor{}, fmt.Errorf("listing featured posts: %w", err)
	}
	posts, next := pg.cut(out, func(p *Post) time.Time { return p.FeaturedAt })
	return posts, next, nil
}
