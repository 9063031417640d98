package federation_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// TestLikesCountOncePerActor: an actor's second Like of the same post, under
// another id, adds nothing; its Undo of the first takes the like back, and
// a Like after that counts again.
func TestLikesCountOncePerActor(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, dbtest.Open(t, "sqlite"), newFediverse())
	w.fedi.addActor(alice, "Person")
	post := &timeline.Post{ActorID: w.asso.ID, Kind: timeline.News, Title: "Brève"}
	if err := w.posts.CreatePost(ctx, post); err != nil {
		t.Fatal(err)
	}
	object := fmt.Sprintf("%s/%d", assoURI, post.ID)
	like := func(n int) []byte {
		return mustMarshal(map[string]any{"@context": asContext, "type": "Like",
			"id": fmt.Sprintf("%s#likes/%d", alice, n), "actor": alice, "object": object})
	}
	steps := []struct {
		body  []byte
		likes int
	}{
		{like(1), 1},
		{like(2), 1},
		{mustMarshal(map[string]any{"@context": asContext, "type": "Undo",
			"id": alice + "#undo/1", "actor": alice, "object": alice + "#likes/1"}), 0},
		{like(3), 1},
	}
	for i, st := range steps {
		if status, outcome := w.deliver(alice, st.body); status != 202 {
			t.Fatalf("step %d: %d %s", i, status, outcome)
		}
		got, err := w.posts.Post(ctx, post.ID)
		if err != nil || got.LikeCount != st.likes {
			t.Errorf("step %d: %d likes (%v), want %d", i, got.LikeCount, err, st.likes)
		}
	}
}
