package charter_test

import (
	"context"
	"errors"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/charter"
	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

func TestCharterHasNumberedArticles(t *testing.T) {
	c := charter.Current()
	if c.Title == "" || c.Version == "" || len(c.Articles) < 5 {
		t.Fatalf("charter = %+v", c)
	}
	for i, a := range c.Articles {
		if want := string(rune('1' + i)); a.Number != want || a.Title == "" || a.Body == "" {
			t.Errorf("article %d = %+v", i+1, a)
		}
	}
}

func TestDecisionsCiteArticles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		posts := timeline.New(db)
		org := &timeline.Actor{Username: "asso", Name: "Asso"}
		if err := posts.CreateLocalActor(ctx, org); err != nil {
			t.Fatal(err)
		}
		p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Brève"}
		if err := posts.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		member := &timeline.User{ID: 1, Committee: true}
		editor := &timeline.User{ID: 2}
		c := charter.NewCommittee(db, posts)
		cases := []struct {
			who  *timeline.User
			d    charter.Decision
			want error
		}{
			{editor, charter.Decision{Kind: charter.Feature, Articles: "3"}, charter.ErrNotMember},
			{member, charter.Decision{Kind: charter.Feature, Articles: " "}, charter.ErrNoArticle},
			{member, charter.Decision{Kind: charter.Feature, Articles: "3,42"},
				charter.ErrBadArticle},
			{member, charter.Decision{Kind: charter.Feature, Articles: "3, art. 2"}, nil},
			{member, charter.Decision{Kind: charter.Feature, Articles: "3"}, timeline.ErrExists},
			{member, charter.Decision{Kind: charter.Unfeature, Articles: "5"}, nil},
		}
		for i, tc := range cases {
			d := tc.d
			d.PostID = p.ID
			if err := c.Decide(ctx, tc.who, &d); !errors.Is(err, tc.want) {
				t.Errorf("case %d: got %v, want %v", i, err, tc.want)
			}
		}
		got, err := c.Decisions(ctx, p.ID)
		if err != nil || len(got) != 2 || got[1].Articles != "3,2" || got[0].Kind != charter.Unfeature {
			t.Errorf("decisions = %+v, %v; want the two that succeeded", got, err)
		}
		if ok, _ := posts.IsFeatured(ctx, p.ID); ok {
			t.Error("post still featured after the unfeature decision")
		}
	})
}
