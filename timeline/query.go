package timeline

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Cursor is a place in a listing: the sort key and the id of the last post
// of a page. Pages start after a cursor rather than at an offset, so that
// posts published meanwhile neither repeat nor hide items on the next page;
// the id breaks ties between posts of the same time. The zero Cursor is the
// start of every listing.
type Cursor struct {
	At time.Time
	ID int64
}

// IsZero tells whether c is the start of a listing.
func (c Cursor) IsZero() bool { return c.ID == 0 }

// String writes c as the text [ParseCursor] reads: microseconds since 1970
// (both databases keep times to the microsecond), an underscore, the id.
// The zero Cursor is "".
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "_" + strconv.FormatInt(c.ID, 10)
}

// Times a cursor may hold: the years both databases and their bun dialects
// read back as written.
var (
	minCursorTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxCursorTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// ParseCursor reads a cursor written by [Cursor.String]. Anything else,
// including text a visitor typed, is an error matching ErrInvalid, never a
// cursor the databases would choke on.
func ParseCursor(s string) (Cursor, error) {
	at, id, ok := strings.Cut(s, "_")
	micros, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	t := time.UnixMicro(micros).UTC()
	if !ok || err1 != nil || err2 != nil || n <= 0 || t.Before(minCursorTime) ||
		t.After(maxCursorTime) {
		return Cursor{}, invalid("cursor", "not a cursor")
	}
	return Cursor{At: t, ID: n}, nil
}

// Page bounds a listing: at most Limit posts (20 when Limit is unset or over
// 100), those that follow After in the listing's order.
type Page struct {
	Limit int
	After Cursor
}

func (pg Page) limit() int {
	if pg.Limit <= 0 || pg.Limit > 100 {
		return 20
	}
	return pg.Limit
}

// keyset orders q by key, then by the post's id, and keeps the rows that
// follow pg.After in that order; it asks for one row more than the page
// holds, so that [Page.cut] can tell whether another page follows. key is
// a column of the query, never text from outside.
func (pg Page) keyset(q *bun.SelectQuery, key string, desc bool) *bun.SelectQuery {
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	if !pg.After.IsZero() {
		q = q.Where("(?, post.id) "+cmp+" (?, ?)", bun.Safe(key), pg.After.At.UTC(),
			pg.After.ID)
	}
	return q.OrderExpr("? "+dir+", post.id "+dir, bun.Safe(key)).Limit(int64(pg.limit() + 1))
}

// cut trims what [Page.keyset] fetched to the page, and returns the cursor
// of its last post when another page follows, the zero Cursor otherwise.
func (pg Page) cut(posts []*Post, key func(*Post) time.Time) ([]*Post, Cursor) {
	n := pg.limit()
	if len(posts) <= n {
		return posts, Cursor{}
	}
	last := posts[n-1]
	return posts[:n], Cursor{At: key(last), ID: last.ID}
}

func publishedAt(p *Post) time.Time { return p.PublishedAt }

func (s *Store) livePosts(out *[]*Post) *bun.SelectQuery {
	return s.db.NewSelect().Model(out).Relation("Actor").Where("post.deleted_at IS NULL")
}

// ActorPosts lists a page of an actor's live posts, newest first, and the
// cursor of the next page.
func (s *Store) ActorPosts(ctx context.Context, actorID int64, pg Page) ([]*Post, Cursor,
	error) {
	var out []*Post
	q := s.livePosts(&out).Where("post.actor_id = ?", actorID).Where("post.in_reply_to = ''")
	if err := pg.keyset(q, "post.published_at", true).Scan(ctx); err != nil {
		return nil, Cursor{}, fmt.Errorf("listing posts of actor %d: %w", actorID, err)
	}
	posts, next := pg.cut(out, publishedAt)
	return posts, next, nil
}

// UpcomingEvents lists a page of the local events not yet over at now,
// soonest first, and the cursor of the next page.
func (s *Store) UpcomingEvents(ctx context.Context, now time.Time, pg Page) ([]*Post, Cursor,
	error) {
	var out []*Post
	now = now.UTC()
	q := s.livePosts(&out).Where("post.local").Where("post.kind = ?", Event).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("post.ends_at >= ?", now).
				WhereOr("post.ends_at IS NULL AND post.starts_at >= ?", now.Add(-6*time.Hour))
		})
	if err := pg.keyset(q, "post.starts_at", false).Scan(ctx); err != nil {
		return nil, Cursor{}, fmt.Errorf("listing coming events: %w", err)
	}
	posts, next := pg.cut(out, func(p *Post) time.Time { return p.StartsAt })
	return posts, next, nil
}

// LatestNews lists a page of the local news, newest first, and the cursor
// of the next page.
func (s *Store) LatestNews(ctx context.Context, pg Page) ([]*Post, Cursor, error) {
	var out []*Post
	q := s.livePosts(&out).Where("post.local").Where("post.kind = ?", News)
	if err := pg.keyset(q, "post.published_at", true).Scan(ctx); err != nil {
		return nil, Cursor{}, fmt.Errorf("listing news: %w", err)
	}
	posts, next := pg.cut(out, publishedAt)
	return posts, next, nil
}

// Replies lists the live posts that answer the post with that identifier,
// oldest first: the conversation under a post.
func (s *Store) Replies(ctx context.Context, uri string, limit int) ([]*Post, error) {
	var out []*Post
	err := s.livePosts(&out).Where("post.in_reply_to = ?", uri).
		OrderExpr("post.published_at ASC, post.id ASC").Limit(int64(Page{Limit: limit}.limit())).
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing replies to %s: %w", uri, err)
	}
	return out, nil
}

// FollowedPosts lists a page of the live top-level posts (not replies) of
// remote accounts a local actor follows, newest first, and the cursor of
// the next page: what the portal's organisations chose to hear from other
// servers.
//
// Follows are the federation package's (table ap_follows), and timeline
// must not import it; this one subquery reads that table by name, as the
// migrations define it, rather than have every caller fetch and pass the
// list of followed actors. A follow counts once accepted, as it does when
// federation decides to store a post; only local actors follow, so its
// followee is remote. Posts that a followed group or relay shared, by
// authors nobody here follows, are not listed.
func (s *Store) FollowedPosts(ctx context.Context, pg Page) ([]*Post, Cursor, error) {
	var out []*Post
	followed := s.db.NewSelect().Table("ap_follows").Column("followee_id").Where("accepted")
	q := s.livePosts(&out).Where("NOT post.local").Where("post.in_reply_to = ''").
		Where("post.actor_id IN (?)", followed)
	if err := pg.keyset(q, "post.published_at", true).Scan(ctx); err != nil {
		return nil, Cursor{}, fmt.Errorf("listing followed accounts' posts: %w", err)
	}
	posts, next := pg.cut(out, publishedAt)
	return posts, next, nil
}
