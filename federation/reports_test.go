package federation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// TestFlagsBecomeReports sends Flags in the shapes servers send them, signed
// by alice, and checks which local posts and actors each report names, and
// its comment.
func TestFlagsBecomeReports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		w := newWorld(t, db, newFediverse())
		w.fedi.addActor(alice, "Person")
		post := &timeline.Post{ActorID: w.asso.ID, Kind: timeline.News, Title: "Brève"}
		gone := &timeline.Post{ActorID: w.asso.ID, Kind: timeline.News, Title: "Supprimée"}
		for _, p := range []*timeline.Post{post, gone} {
			if err := w.posts.CreatePost(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.posts.DeletePost(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		postURI := fmt.Sprintf("%s/%d", assoURI, post.ID)
		goneURI := fmt.Sprintf("%s/%d", assoURI, gone.ID)

		cases := []struct {
			name    string
			flag    map[string]any
			outcome string
			posts   []int64
			actors  []string
			comment string
		}{
			{"a list of identifiers, as Mastodon", map[string]any{"content": "Spam",
				"object": []any{assoURI, postURI, "https://server35.example/notes/9"}},
				"report opened", []int64{post.ID}, []string{"asso"}, "Spam"},
			{"one identifier, reason in summary, as Lemmy",
				map[string]any{"object": postURI, "summary": "report this post"},
				"report opened", []int64{post.ID}, nil, "report this post"},
			{"embedded objects, HTML content", map[string]any{
				"content": "<p>Propos <b>haineux</b></p><script>alert(1)</script>",
				"object": []any{map[string]any{"id": postURI, "type": "Note",
					"content": "not what the post says"},
					map[string]any{"id": assoURI, "type": "Organization"}}},
				"report opened", []int64{post.ID}, []string{"asso"}, "Propos haineux"},
			{"nothing here", map[string]any{"content": "Spam", "object": []any{
				"https://server35.example/notes/9", "https://lyon.test.evil.example/@asso/1"}},
				"ignored: report names nothing on this portal", nil, nil, ""},
			{"a deleted post only", map[string]any{"object": goneURI},
				"ignored: report names nothing on this portal", nil, nil, ""},
			{"no object", map[string]any{"content": "?"},
				"ignored: report names nothing on this portal", nil, nil, ""},
		}
		for i, c := range cases {
			flag := map[string]any{"@context": asContext, "type": "Flag", "actor": alice,
				"id": fmt.Sprintf("%s#flags/%d", alice, i)}
			for k, v := range c.flag {
				flag[k] = v
			}
			status, outcome := w.deliver(alice, mustMarshal(flag))
			if status != 202 || outcome != c.outcome {
				t.Errorf("%s: %d %q, want 202 %q", c.name, status, outcome, c.outcome)
				continue
			}
			if c.outcome == "report opened" {
				checkReport(t, w, flag["id"].(string), c.posts, c.actors, c.comment)
			}
		}

		again := mustMarshal(map[string]any{"@context": asContext, "type": "Flag",
			"actor": alice, "id": alice + "#flags/0", "object": postURI})
		if status, outcome := w.deliver(alice, again); status != 202 || outcome != "report opened" {
			// The inbox acknowledges a repeated activity and keeps the
			// outcome of the first.
			t.Errorf("the same Flag again: %d %q", status, outcome)
		}
		if n := w.count("reports"); n != 3 {
			t.Errorf("%d reports, want 3", n)
		}
	})
}

// checkReport checks the open report of the Flag uri.
func checkReport(t *testing.T, w *world, uri string, posts []int64, actors []string,
	comment string) {
	t.Helper()
	open, err := w.posts.OpenReports(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range open {
		if r.URI != uri {
			continue
		}
		var gotPosts []int64
		for _, p := range r.Posts {
			gotPosts = append(gotPosts, p.PostID)
		}
		var gotActors []string
		for _, a := range r.Actors {
			gotActors = append(gotActors, a.Actor.Username)
		}
		if fmt.Sprint(gotPosts) != fmt.Sprint(posts) ||
			strings.Join(gotActors, ",") != strings.Join(actors, ",") {
			t.Errorf("%s names posts %v and actors %v, want %v and %v", uri, gotPosts,
				gotActors, posts, actors)
		}
		if r.Comment != comment || r.ReporterURI != alice || r.Reporter == nil {
			t.Errorf("%s: comment %q by %s (%v), want %q by alice", uri, r.Comment,
				r.ReporterURI, r.Reporter, comment)
		}
		return
	}
	t.Errorf("no open report of %s", uri)
}
