package timeline_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// lister is one of the store's paged listings.
type lister func(ctx context.Context, pg timeline.Page) ([]*timeline.Post, timeline.Cursor, error)

// walk reads a listing page after page, limit posts a page, as a visitor
// following "older" links would: each cursor goes through its text form.
// It calls between after each page but the last, and returns the ids in the
// order the pages gave them and the size of each page.
func walk(t *testing.T, list lister, limit int, between func()) (ids []int64, sizes []int) {
	t.Helper()
	pg := timeline.Page{Limit: limit}
	for range 100 {
		posts, next, err := list(context.Background(), pg)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			ids = append(ids, p.ID)
		}
		sizes = append(sizes, len(posts))
		if next.IsZero() {
			return ids, sizes
		}
		if between != nil {
			between()
		}
		if pg.After, err = timeline.ParseCursor(next.String()); err != nil {
			t.Fatalf("cursor %q does not read back: %v", next, err)
		}
	}
	t.Fatal("the listing never ends")
	return nil, nil
}

// wantIDs fails unless got is want, item for item.
func wantIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: pages gave %v, want %v", what, got, want)
	}
}

// TestPagesBreakTiesByID publishes posts that share their time, so that
// pages end in the middle of a tie: the next page must go on with the next
// id, neither repeating nor skipping a post, and posts published while a
// visitor reads must not push old ones onto the next page again.
func TestPagesBreakTiesByID(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, org := newStore(t, db)
		ctx := context.Background()
		clock := time.Date(2030, 3, 1, 10, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return clock })
		var posts []*timeline.Post
		for i := range 8 {
			if i == 5 {
				clock = clock.Add(time.Minute) // five posts tie, then three
			}
			p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: fmt.Sprint(i)}
			if err := s.CreatePost(ctx, p); err != nil {
				t.Fatal(err)
			}
			posts = append(posts, p)
		}
		// Newest first: the later three, then the first five, each by id
		// from the highest.
		var want []int64
		for _, i := range []int{7, 6, 5, 4, 3, 2, 1, 0} {
			want = append(want, posts[i].ID)
		}

		clock = clock.Add(time.Hour)
		publish := func() {
			p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "nouvelle"}
			if err := s.CreatePost(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		news, sizes := walk(t, s.LatestNews, 3, publish)
		wantIDs(t, "news", news, want)
		if !slices.Equal(sizes, []int{3, 3, 2}) {
			t.Errorf("news pages of %v posts, want 3, 3, 2", sizes)
		}

		byActor := func(ctx context.Context, pg timeline.Page) ([]*timeline.Post,
			timeline.Cursor, error) {
			return s.ActorPosts(ctx, org.ID, pg)
		}
		all, _ := walk(t, byActor, 100, nil)
		got, _ := walk(t, byActor, 2, nil)
		wantIDs(t, "actor's posts, two a page", got, all)
		if len(all) != 8+2 {
			t.Errorf("the actor has %d posts, want 10", len(all))
		}
	})
}

// TestAgendaPagesBreakTiesByID pages through events that start at the same
// time, soonest first and then by id.
func TestAgendaPagesBreakTiesByID(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, org := newStore(t, db)
		ctx := context.Background()
		now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
		early, late := now.Add(24*time.Hour), now.Add(48*time.Hour)
		var want []int64
		var lateIDs []int64
		for i, start := range []time.Time{late, early, late, early, early, late, early} {
			e := event(org.ID, fmt.Sprint(i), start)
			if err := s.CreatePost(ctx, e); err != nil {
				t.Fatal(err)
			}
			if start.Equal(early) {
				want = append(want, e.ID)
			} else {
				lateIDs = append(lateIDs, e.ID)
			}
		}
		want = append(want, lateIDs...)

		upcoming := func(ctx context.Context, pg timeline.Page) ([]*timeline.Post,
			timeline.Cursor, error) {
			return s.UpcomingEvents(ctx, now, pg)
		}
		for _, limit := range []int{1, 2, 3, 7} {
			got, sizes := walk(t, upcoming, limit, nil)
			wantIDs(t, fmt.Sprintf("agenda, %d a page", limit), got, want)
			if last := sizes[len(sizes)-1]; last == 0 {
				t.Errorf("agenda, %d a page: the last page is empty (%v)", limit, sizes)
			}
		}
	})
}

// TestFeaturedPagesBreakTiesByID pages through posts featured at the same
// time, most recently featured first and then by id.
func TestFeaturedPagesBreakTiesByID(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, org := newStore(t, db)
		ctx := context.Background()
		var want []int64
		for i := range 4 {
			p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: fmt.Sprint(i)}
			if err := s.CreatePost(ctx, p); err != nil {
				t.Fatal(err)
			}
			want = append([]int64{p.ID}, want...)
		}
		at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return at })
		for _, id := range want {
			if err := s.Feature(ctx, id, 1); err != nil {
				t.Fatal(err)
			}
		}
		got, sizes := walk(t, s.FeaturedPosts, 2, nil)
		wantIDs(t, "featured", got, want)
		if !slices.Equal(sizes, []int{2, 2}) {
			t.Errorf("featured pages of %v posts, want 2, 2", sizes)
		}
	})
}

// TestCursorText checks that cursors read back what they wrote, and that
// what a visitor may type instead is refused as invalid rather than sent to
// the database.
func TestCursorText(t *testing.T) {
	c := timeline.Cursor{At: time.Date(2026, 12, 1, 9, 0, 0, 1000, time.UTC), ID: 42}
	if got, err := timeline.ParseCursor(c.String()); err != nil || got != c {
		t.Errorf("ParseCursor(%q) = %v, %v; want %v", c.String(), got, err, c)
	}
	if s := (timeline.Cursor{}).String(); s != "" {
		t.Errorf("the zero cursor writes %q, want \"\"", s)
	}
	for _, s := range []string{"", "_", "1_", "_1", "abc", "1_0", "1_-3", "1.5_2", "1_2_3",
		"9223372036854775807_1", "-9223372036854775808_1", "1_99999999999999999999"} {
		if _, err := timeline.ParseCursor(s); !errors.Is(err, timeline.ErrInvalid) {
			t.Errorf("ParseCursor(%q): %v, want ErrInvalid", s, err)
		}
	}
}

// TestFarCursors checks that a cursor at either end of the times it may
// hold reaches both databases as a time they compare, not an error.
func TestFarCursors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, org := newStore(t, db)
		ctx := context.Background()
		if err := s.CreatePost(ctx, &timeline.Post{ActorID: org.ID, Kind: timeline.News,
			Title: "x"}); err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{"-62135596800000000_1", "253402300799999999_1"} {
			c, err := timeline.ParseCursor(text)
			if err != nil {
				t.Fatalf("ParseCursor(%q): %v", text, err)
			}
			if _, _, err := s.LatestNews(ctx, timeline.Page{After: c}); err != nil {
				t.Errorf("news after %s: %v", c.At, err)
			}
		}
	})
}
