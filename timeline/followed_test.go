package timeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// follow records that follower follows followee, as the federation package
// does in its own table, which timeline reads but does not write.
func follow(t *testing.T, db *bun.DB, follower, followee int64, accepted bool) {
	t.Helper()
	_, err := db.NewRaw("INSERT INTO ap_follows (follower_id, followee_id, uri, accepted, "+
		"created_at) VALUES (?, ?, ?, ?, ?)", follower, followee,
		fmt.Sprintf("https://follows.example/%d/%d", follower, followee), accepted,
		time.Now().UTC()).Exec(context.Background())
	if err != nil {
		t.Fatalf("storing follow %d → %d: %v", follower, followee, err)
	}
}

// remoteActor stores an actor of another server.
func remoteActor(t *testing.T, s *timeline.Store, name string) *timeline.Actor {
	t.Helper()
	a := &timeline.Actor{URI: "https://a.example/u/" + name, Domain: "a.example",
		Username: name, Kind: timeline.KindPerson}
	if err := s.UpsertRemoteActor(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestFollowedPosts lists only the top-level posts of remote accounts that
// a local actor follows, and pages through them newest first, ties broken
// by id.
func TestFollowedPosts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, org := newStore(t, db)
		ctx := context.Background()
		alice := remoteActor(t, s, "alice")     // followed
		bob := remoteActor(t, s, "bob")         // asked, not yet accepted
		carol := remoteActor(t, s, "carol")     // not followed
		follower := remoteActor(t, s, "follow") // follows the organisation
		follow(t, db, org.ID, alice.ID, true)
		follow(t, db, org.ID, bob.ID, false)
		follow(t, db, follower.ID, org.ID, true)

		at := time.Date(2030, 3, 1, 10, 0, 0, 0, time.UTC)
		remote := func(a *timeline.Actor, n int, published time.Time, replyTo string) int64 {
			t.Helper()
			p := &timeline.Post{ActorID: a.ID, Kind: timeline.Note, InReplyTo: replyTo,
				URI: fmt.Sprintf("%s/n/%d", a.URI, n), BodyHTML: "<p>note</p>",
				PublishedAt: published}
			if err := s.UpsertRemotePost(ctx, p); err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		var want []int64 // newest first
		for i := range 5 {
			// Posts 2 to 4 share their time, so that a page ends in a tie.
			published := at.Add(time.Duration(min(i, 2)) * time.Minute)
			want = append([]int64{remote(alice, i, published, "")}, want...)
		}
		remote(alice, 10, at.Add(time.Hour), "https://b.example/n/1") // a reply
		remote(bob, 1, at.Add(time.Hour), "")
		remote(carol, 1, at.Add(time.Hour), "")
		remote(follower, 1, at.Add(time.Hour), "")
		s.SetClock(func() time.Time { return at.Add(time.Hour) })
		if err := s.CreatePost(ctx, &timeline.Post{ActorID: org.ID, Kind: timeline.News,
			Title: "Locale"}); err != nil {
			t.Fatal(err)
		}

		ids, sizes := walk(t, s.FollowedPosts, 2, nil)
		wantIDs(t, "followed posts", ids, want)
		if fmt.Sprint(sizes) != "[2 2 1]" {
			t.Errorf("page sizes %v, want [2 2 1]", sizes)
		}
		posts, _, err := s.FollowedPosts(ctx, timeline.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if posts[0].Actor == nil || posts[0].Actor.Username != "alice" {
			t.Errorf("listed posts come without their author: %+v", posts[0].Actor)
		}
	})
}
