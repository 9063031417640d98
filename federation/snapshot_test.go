package federation_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ess-lyon/portal/timeline"
)

// snapshot is what the database holds that an inbound activity may change.
type snapshot struct {
	posts, actors map[int64]time.Time
	follows       map[string]bool // "follower followee" -> accepted
	activities    map[string]int  // type -> count of ap_activities
}

func (w *world) snapshot() snapshot {
	w.t.Helper()
	ctx := context.Background()
	s := snapshot{posts: map[int64]time.Time{}, actors: map[int64]time.Time{},
		follows: map[string]bool{}, activities: map[string]int{}}
	var posts []timeline.Post
	var actors []timeline.Actor
	var follows []struct {
		FollowerID, FolloweeID int64
		Accepted               bool
	}
	var acts []struct{ Type string }
	err := w.db.NewSelect().Model(&posts).Column("id", "updated_at").Scan(ctx)
	if err == nil {
		err = w.db.NewSelect().Model(&actors).Column("id", "updated_at").Scan(ctx)
	}
	if err == nil {
		err = w.db.NewSelect().Table("ap_follows").
			Column("follower_id", "followee_id", "accepted").Scan(ctx, &follows)
	}
	if err == nil {
		err = w.db.NewSelect().Table("ap_activities").Column("type").Scan(ctx, &acts)
	}
	if err != nil {
		w.t.Fatalf("reading what is stored: %v", err)
	}
	for _, p := range posts {
		s.posts[p.ID] = p.UpdatedAt
	}
	for _, a := range actors {
		s.actors[a.ID] = a.UpdatedAt
	}
	for _, f := range follows {
		s.follows[fmt.Sprint(f.FollowerID, " ", f.FolloweeID)] = f.Accepted
	}
	for _, a := range acts {
		s.activities[a.Type]++
	}
	return s
}

// changes describes what changed from before to after, as "posts +1,
// actors ~1": + new, ~ changed, - removed; "-" when nothing did.
func changes(before, after snapshot) string {
	var out []string
	add := func(what string, c [3]int) {
		var parts []string
		for i, sign := range []string{"+", "~", "-"} {
			if c[i] > 0 {
				parts = append(parts, fmt.Sprintf("%s%d", sign, c[i]))
			}
		}
		if parts != nil {
			out = append(out, what+" "+strings.Join(parts, " "))
		}
	}
	add("posts", diffTimes(before.posts, after.posts))
	add("actors", diffTimes(before.actors, after.actors))
	add("follows", diffFollows(before.follows, after.follows))
	var queued []string
	for typ, n := range after.activities {
		if d := n - before.activities[typ]; d > 0 {
			queued = append(queued, fmt.Sprintf("%s %d", typ, d))
		}
	}
	sort.Strings(queued)
	if queued != nil {
		out = append(out, "sent "+strings.Join(queued, ", "))
	}
	if out == nil {
		return "-"
	}
	return strings.Join(out, ", ")
}

func diffTimes(before, after map[int64]time.Time) [3]int {
	var c [3]int
	for id, at := range after {
		old, ok := before[id]
		switch {
		case !ok:
			c[0]++
		case !old.Equal(at):
			c[1]++
		}
	}
	for id := range before {
		if _, ok := after[id]; !ok {
			c[2]++
		}
	}
	return c
}

func diffFollows(before, after map[string]bool) [3]int {
	var c [3]int
	for k, acc := range after {
		old, ok := before[k]
		switch {
		case !ok:
			c[0]++
		case old != acc:
			c[1]++
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			c[2]++
		}
	}
	return c
}
