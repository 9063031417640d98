package charter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/timeline"
)

// Errors of the decisions; check them with errors.Is.
var (
	ErrNoArticle  = errors.New("charter: a decision must cite at least one article")
	ErrBadArticle = errors.New("charter: no such article")
	ErrNotMember  = errors.New("charter: only committee members decide")
)

// Kind is what a decision does to the featured timeline.
type Kind string

// The kinds of decisions.
const (
	Feature   Kind = "feature"
	Unfeature Kind = "unfeature"
)

// Decision records a committee member's choice about a post, with the
// charter articles it rests on.
type Decision struct {
	bun.BaseModel `bun:"table:charter_decisions"`

	ID        int64     `bun:",pk,autoincrement"`
	Kind      Kind      `bun:",notnull"`
	PostID    int64     `bun:",notnull"`
	UserID    int64     `bun:",notnull"`
	Articles  string    `bun:",notnull"` // article numbers, comma separated
	Reason    string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
}

// Committee records decisions and applies them to the timeline.
type Committee struct {
	db      *bun.DB
	posts   *timeline.Store
	charter *Charter
}

// NewCommittee returns a Committee that changes posts' featured timeline.
func NewCommittee(db *bun.DB, posts *timeline.Store) *Committee {
	return &Committee{db: db, posts: posts, charter: Current()}
}

// Decide records a decision by user on a post, citing articles, and applies
// it to the featured timeline in the same transaction.
func (c *Committee) Decide(ctx context.Context, user *timeline.User, d *Decision) error {
	if !user.Committee && !user.Admin {
		return ErrNotMember
	}
	arts, err := c.checkArticles(d.Articles)
	if err != nil {
		return err
	}
	d.Articles, d.UserID, d.CreatedAt = arts, user.ID, c.posts.Now()
	return c.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			return fmt.Errorf("recording decision: %w", err)
		}
		posts := c.posts.WithTx(tx)
		if d.Kind == Unfeature {
			return posts.Unfeature(ctx, d.PostID)
		}
		return posts.Feature(ctx, d.PostID, d.ID)
	})
}

// checkArticles normalizes "3, 4" into "3,4" and checks each exists.
func (c *Committee) checkArticles(list string) (string, error) {
	var nums []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(n), "art."))
		if n == "" {
			continue
		}
		if _, ok := c.charter.Article(n); !ok {
			return "", fmt.Errorf("article %q: %w", n, ErrBadArticle)
		}
		nums = append(nums, n)
	}
	if len(nums) == 0 {
		return "", ErrNoArticle
	}
	return strings.Join(nums, ","), nil
}

// Decisions lists the decisions about a post, newest first.
func (c *Committee) Decisions(ctx context.Context, postID int64) ([]*Decision, error) {
	var out []*Decision
	err := c.db.NewSelect().Model(&out).Where("post_id = ?", postID).
		OrderExpr("created_at DESC, id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing decisions on post %d: %w", postID, err)
	}
	return out, nil
}
