package timeline

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Page bounds a listing: at most Limit posts, older than Before when set.
type Page struct {
	Limit  int
	Before time.Time
}

func (pg Page) limit() int64 {
	if pg.Limit <= 0 || pg.Limit > 100 {
		return 20
	}
	return int64(pg.Limit)
}

func (s *Store) livePosts(out *[]*Post) *bun.SelectQuery {
	return s.db.NewSelect().Model(out).Relation("Actor").Where("post.deleted_at IS NULL")
}

// ActorPosts lists an actor's live posts, newest first.
func (s *Store) ActorPosts(ctx context.Context, actorID int64, pg Page) ([]*Post, error) {
	var out []*Post
	q := s.livePosts(&out).Where("post.actor_id = ?", actorID).
		Where("post.in_reply_to = ''").OrderExpr("post.published_at DESC, post.id DESC").
		Limit(pg.limit())
	if !pg.Before.IsZero() {
		q = q.Where("post.published_at < ?", pg.Before.UTC())
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing posts of actor %d: %w", actorID, err)
	}
	return out, nil
}

// UpcomingEvents lists the local events not yet over at now, soonest first.
func (s *Store) UpcomingEvents(ctx context.Context, now time.Time, limit int) ([]*Post, error) {
	var out []*Post
	now = now.UTC()
	err := s.livePosts(&out).Where("post.local").Where("post.kind = ?", Event).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("post.ends_at >= ?", now).
				WhereOr("post.ends_at IS NULL AND post.starts_at >= ?", now.Add(-6*time.Hour))
		}).
		OrderExpr("post.starts_at ASC, post.id ASC").Limit(Page{Limit: limit}.limit()).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing coming events: %w", err)
	}
	return out, nil
}

// LatestNews lists the local news, newest first.
func (s *Store) LatestNews(ctx context.Context, pg Page) ([]*Post, error) {
	var out []*Post
	q := s.livePosts(&out).Where("post.local").Where("post.kind = ?", News).
		OrderExpr("post.published_at DESC, post.id DESC").Limit(pg.limit())
	if !pg.Before.IsZero() {
		q = q.Where("post.published_at < ?", pg.Before.UTC())
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing news: %w", err)
	}
	return out, nil
}

// Replies lists the live posts that answer the post with that identifier,
// oldest first: the conversation under a post.
func (s *Store) Replies(ctx context.Context, uri string, limit int) ([]*Post, error) {
	var out []*Post
	err := s.livePosts(&out).Where("post.in_reply_to = ?", uri).
		OrderExpr("post.published_at ASC, post.id ASC").Limit(Page{Limit: limit}.limit()).
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing replies to %s: %w", uri, err)
	}
	return out, nil
}
