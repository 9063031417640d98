package timeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// recorder is a Hook that remembers what it was told, and can refuse.
type recorder struct {
	changes []timeline.Change
	fail    error
}

func (r *recorder) PostChanged(_ context.Context, _ bun.Tx, _ *timeline.Post,
	c timeline.Change) error {
	if r.fail != nil {
		return r.fail
	}
	r.changes = append(r.changes, c)
	return nil
}

func newStore(t *testing.T, db *bun.DB) (*timeline.Store, *recorder, *timeline.Actor) {
	t.Helper()
	rec := &recorder{}
	s := timeline.New(db, rec)
	org := &timeline.Actor{Username: "maison-ess", Name: "Maison de l'ESS"}
	if err := s.CreateLocalActor(context.Background(), org); err != nil {
		t.Fatal(err)
	}
	return s, rec, org
}

func event(actorID int64, title string, start time.Time) *timeline.Post {
	return &timeline.Post{ActorID: actorID, Kind: timeline.Event, Title: title,
		StartsAt: start, EndsAt: start.Add(2 * time.Hour), PlaceName: "La Maison"}
}

func TestPostLifecycleTellsHooks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, rec, org := newStore(t, db)
		ctx := context.Background()
		p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: " Brève ",
			BodyMarkdown: "Du **gras** et <script>alert(1)</script>"}
		if err := s.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.Title != "Brève" || !strings.Contains(p.BodyHTML, "<strong>gras</strong>") ||
			strings.Contains(p.BodyHTML, "<script") {
			t.Errorf("title %q body %q", p.Title, p.BodyHTML)
		}
		p.Title = "Brève corrigée"
		if err := s.UpdatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePost(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		got, err := s.Post(ctx, p.ID)
		if err != nil || !got.Deleted() || got.Title != "Brève corrigée" {
			t.Fatalf("after delete: %+v, %v", got, err)
		}
		want := []timeline.Change{timeline.Created, timeline.Updated, timeline.Deleted}
		if len(rec.changes) != 3 || rec.changes[0] != want[0] || rec.changes[2] != want[2] {
			t.Errorf("hooks told %v, want %v", rec.changes, want)
		}
		if err := s.DeletePost(ctx, p.ID); !errors.Is(err, timeline.ErrNotFound) {
			t.Errorf("second delete: %v, want ErrNotFound", err)
		}
	})
}

func TestHookFailureRollsBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, rec, org := newStore(t, db)
		rec.fail = errors.New("queue unavailable")
		ctx := context.Background()
		err := s.CreatePost(ctx, &timeline.Post{ActorID: org.ID, Kind: timeline.News,
			Title: "Perdue ?"})
		if err == nil {
			t.Fatal("CreatePost succeeded although its hook failed")
		}
		news, _, err := s.LatestNews(ctx, timeline.Page{})
		if err != nil || len(news) != 0 {
			t.Errorf("news after a failed hook: %d posts, %v", len(news), err)
		}
	})
}

func TestValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, org := newStore(t, db)
		ctx := context.Background()
		start := time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)
		cases := []struct {
			name  string
			post  *timeline.Post
			field string
		}{
			{"no title", &timeline.Post{ActorID: org.ID, Kind: timeline.News}, "title"},
			{"long title", &timeline.Post{ActorID: org.ID, Kind: timeline.News,
				Title: strings.Repeat("é", timeline.MaxTitle+1)}, "title"},
			{"no start", &timeline.Post{ActorID: org.ID, Kind: timeline.Event, Title: "x",
				PlaceName: "p"}, "starts_at"},
			{"end before start", &timeline.Post{ActorID: org.ID, Kind: timeline.Event,
				Title: "x", StartsAt: start, EndsAt: start.Add(-time.Hour), PlaceName: "p"},
				"ends_at"},
			{"no place", &timeline.Post{ActorID: org.ID, Kind: timeline.Event, Title: "x",
				StartsAt: start}, "place_name"},
			{"bad zone", &timeline.Post{ActorID: org.ID, Kind: timeline.Event, Title: "x",
				StartsAt: start, PlaceName: "p", TimeZone: "Lyon/Nowhere"}, "time_zone"},
			{"bad link", &timeline.Post{ActorID: org.ID, Kind: timeline.Event, Title: "x",
				StartsAt: start, OnlineURL: "javascript:alert(1)"}, "online_url"},
			{"NUL in title", &timeline.Post{ActorID: org.ID, Kind: timeline.News,
				Title: "a\x00b"}, "title"},
			{"invisible title", &timeline.Post{ActorID: org.ID, Kind: timeline.News,
				Title: " \u200B\u200C\u200D\u2060\uFEFF\u00A0"}, "title"},
			{"title of overrides", &timeline.Post{ActorID: org.ID, Kind: timeline.News,
				Title: "\u202E \u2066\u200B"}, "title"},
			{"script image", &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "x",
				ImageURL: "javascript:alert(1)"}, "image"},
			{"long summary", &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "x",
				Summary: strings.Repeat("a", timeline.MaxSummary+1)}, "summary"},
			{"year 1", &timeline.Post{ActorID: org.ID, Kind: timeline.Event, Title: "x",
				StartsAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), PlaceName: "p"}, "starts_at"},
		}
		for _, c := range cases {
			err := s.CreatePost(ctx, c.post)
			var fe *timeline.FieldError
			if !errors.As(err, &fe) || fe.Field != c.field || !errors.Is(err, timeline.ErrInvalid) {
				t.Errorf("%s: got %v, want an invalid %s", c.name, err, c.field)
			}
		}
	})
}

func TestUpcomingEventsSoonestFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, org := newStore(t, db)
		ctx := context.Background()
		now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
		for _, e := range []*timeline.Post{
			event(org.ID, "later", now.Add(72*time.Hour)),
			event(org.ID, "past", now.Add(-72*time.Hour)),
			event(org.ID, "soon", now.Add(2*time.Hour)),
			event(org.ID, "under way", now.Add(-time.Hour)),
		} {
			if err := s.CreatePost(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		got, _, err := s.UpcomingEvents(ctx, now, timeline.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, p := range got {
			titles = append(titles, p.Title)
		}
		if strings.Join(titles, ",") != "under way,soon,later" {
			t.Errorf("upcoming = %v", titles)
		}
	})
}

func TestFeaturedTimeline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, rec, org := newStore(t, db)
		ctx := context.Background()
		a := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "A"}
		b := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "B"}
		for _, p := range []*timeline.Post{a, b} {
			if err := s.CreatePost(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { clock = clock.Add(time.Minute); return clock })
		for _, p := range []*timeline.Post{b, a} {
			if err := s.Feature(ctx, p.ID, 1); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Feature(ctx, a.ID, 2); !errors.Is(err, timeline.ErrExists) {
			t.Errorf("featuring twice: %v, want ErrExists", err)
		}
		got, _, err := s.FeaturedPosts(ctx, timeline.Page{Limit: 10})
		if err != nil || len(got) != 2 || got[0].Title != "A" {
			t.Fatalf("featured = %v, %v; want A then B", got, err)
		}
		if err := s.DeletePost(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		got, _, _ = s.FeaturedPosts(ctx, timeline.Page{Limit: 10})
		if len(got) != 1 || got[0].Title != "B" {
			t.Errorf("featured after deleting A = %v", got)
		}
		if err := s.Unfeature(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Unfeature(ctx, b.ID); !errors.Is(err, timeline.ErrNotFound) {
			t.Errorf("unfeaturing twice: %v", err)
		}
		n := 0
		for _, c := range rec.changes {
			if c == timeline.Featured || c == timeline.Unfeatured {
				n++
			}
		}
		if n != 3 {
			t.Errorf("hooks told of %d featuring changes, want 3", n)
		}
	})
}

func TestRemotePostsBelongToTheirActor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, rec, _ := newStore(t, db)
		ctx := context.Background()
		alice := &timeline.Actor{URI: "https://a.example/u/alice", Domain: "a.example",
			Username: "alice", Kind: timeline.KindPerson}
		mallory := &timeline.Actor{URI: "https://a.example/u/mallory", Domain: "a.example",
			Username: "mallory", Kind: timeline.KindPerson}
		for _, a := range []*timeline.Actor{alice, mallory} {
			if err := s.UpsertRemoteActor(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		p := &timeline.Post{ActorID: alice.ID, Kind: timeline.Note,
			URI: "https://a.example/n/1", BodyHTML: `<p onclick="x()">Salut</p>`}
		if err := s.UpsertRemotePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(p.BodyHTML, "onclick") {
			t.Errorf("remote HTML not sanitized: %q", p.BodyHTML)
		}
		stolen := &timeline.Post{ActorID: mallory.ID, Kind: timeline.Note, URI: p.URI}
		if err := s.UpsertRemotePost(ctx, stolen); !errors.Is(err, timeline.ErrForbidden) {
			t.Errorf("overwriting another actor's post: %v, want ErrForbidden", err)
		}
		if err := s.DeleteRemotePost(ctx, p.URI, mallory.ID); !errors.Is(err, timeline.ErrForbidden) {
			t.Errorf("deleting another actor's post: %v, want ErrForbidden", err)
		}
		if err := s.AddReaction(ctx, p.ID, timeline.Likes, -1); err != nil {
			t.Fatal(err)
		}
		got, _ := s.PostByURI(ctx, p.URI)
		if got.LikeCount != 0 {
			t.Errorf("likes went below zero: %d", got.LikeCount)
		}
		if err := s.DeleteRemoteActor(ctx, alice.URI); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostByURI(ctx, p.URI); !errors.Is(err, timeline.ErrNotFound) {
			t.Errorf("post of a deleted actor: %v", err)
		}
		if len(rec.changes) != 0 {
			t.Errorf("remote posts told hooks %v; only local changes federate", rec.changes)
		}
	})
}

func TestUsersAndRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, org := newStore(t, db)
		ctx := context.Background()
		u := &timeline.User{Login: " Camille@Example.org ", Name: "Camille"}
		if err := s.CreateUser(ctx, u, "court"); !errors.Is(err, timeline.ErrInvalid) {
			t.Errorf("short password: %v", err)
		}
		if err := s.CreateUser(ctx, u, "une phrase de passe"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, &timeline.User{Login: "camille@example.org"},
			"une autre phrase"); !errors.Is(err, timeline.ErrExists) {
			t.Errorf("duplicate login: %v", err)
		}
		got, err := s.UserByLogin(ctx, "CAMILLE@example.org")
		if err != nil || !timeline.CheckPassword(got.PasswordHash, "une phrase de passe") ||
			timeline.CheckPassword(got.PasswordHash, "une phrase de passE") {
			t.Fatalf("login lookup or password check failed: %v", err)
		}
		if _, err := s.RoleOn(ctx, u.ID, org.ID); !errors.Is(err, timeline.ErrForbidden) {
			t.Errorf("role before grant: %v", err)
		}
		for _, r := range []timeline.Role{timeline.Editor, timeline.Owner} {
			if err := s.Grant(ctx, u.ID, org.ID, r); err != nil {
				t.Fatal(err)
			}
		}
		if r, err := s.RoleOn(ctx, u.ID, org.ID); err != nil || r != timeline.Owner {
			t.Errorf("role = %q, %v; want owner", r, err)
		}
		ms, err := s.Memberships(ctx, u.ID)
		if err != nil || len(ms) != 1 || ms[0].Actor.Username != "maison-ess" {
			t.Errorf("memberships = %v, %v", ms, err)
		}
	})
}

func TestActorWebsiteMustBeAWebAddress(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	s := timeline.New(db)
	for _, site := range []string{"javascript:alert(5)", "data:text/html,x", "chez nous"} {
		err := s.CreateLocalActor(context.Background(), &timeline.Actor{Username: "asso",
			Name: "Asso", Website: site})
		var fe *timeline.FieldError
		if !errors.As(err, &fe) || fe.Field != "website" {
			t.Errorf("website %q: %v", site, err)
		}
	}
	if _, err := s.LocalActor(context.Background(), "a\x00"); !errors.Is(err,
		timeline.ErrNotFound) {
		t.Errorf("a username with NUL: %v, want ErrNotFound", err)
	}
}

func TestUsernames(t *testing.T) {
	for name, ok := range map[string]bool{
		"repair-cafe": true, "a": true, "asso_69": true, "la.passerelle": true,
		"-x": false, "x-": false, "Majuscule": false, "portail": false, "": false,
		"é": false, strings.Repeat("a", 31): false,
	} {
		if err := timeline.ValidUsername(name); (err == nil) != ok {
			t.Errorf("ValidUsername(%q) = %v", name, err)
		}
	}
}

func TestWhenInFrench(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	p := event(1, "x", time.Date(2026, 12, 12, 14, 0, 0, 0, paris))
	p.TimeZone = "Europe/Paris"
	if got := p.When("fr"); got != "samedi 12 décembre 2026, 14\u00a0h\u00a000\u00a0– 16\u00a0h\u00a000" {
		t.Errorf("When(fr) = %q", got)
	}
	if got := p.When("en"); got != "Saturday 12 December 2026, 14:00\u00a0– 16:00" {
		t.Errorf("When(en) = %q", got)
	}
	p.EndsAt = p.StartsAt.Add(26 * time.Hour)
	if got := p.When("fr"); !strings.HasPrefix(got, "du samedi 12 décembre 2026, 14\u00a0h\u00a000 au") {
		t.Errorf("When(fr) over two days = %q", got)
	}

	// Another zone is named, with the times in it.
	p.TimeZone, p.EndsAt = "Asia/Tokyo", time.Time{}
	if got := p.When("fr"); got != "samedi 12 décembre 2026, 22\u00a0h\u00a000 (fuseau Asia/Tokyo)" {
		t.Errorf("When(fr) in Tokyo = %q", got)
	}
	if got := p.When("en"); got != "Saturday 12 December 2026, 22:00 (Asia/Tokyo time)" {
		t.Errorf("When(en) in Tokyo = %q", got)
	}
}

// TestTextThatReordersOrHides: names and titles lose the bidirectional
// override characters that would reverse the text around them on a page,
// a local one showing nothing is refused, and a remote name is capped.
func TestTextThatReordersOrHides(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, org := newStore(t, db)
		ctx := context.Background()

		p := &timeline.Post{ActorID: org.ID, Kind: timeline.News,
			Title: "Repair \u202Eéfac\u202C \u2067x\u2069"}
		if err := s.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.Title != "Repair éfac x" {
			t.Errorf("local title %q, want the overrides gone", p.Title)
		}

		var fe *timeline.FieldError
		blank := &timeline.Actor{Username: "vide", Name: "\u200B \u202E\uFEFF"}
		if err := s.CreateLocalActor(ctx, blank); !errors.As(err, &fe) || fe.Field != "name" ||
			fe.Why != "required" {
			t.Errorf("organisation with an invisible name: %v, want name required", err)
		}
		odd := &timeline.Actor{Username: "odd", Name: "\u202DLa Passerelle\u202C"}
		if err := s.CreateLocalActor(ctx, odd); err != nil || odd.Name != "La Passerelle" {
			t.Errorf("organisation name %q (%v), want the overrides gone", odd.Name, err)
		}

		long := &timeline.Actor{URI: "https://a.example/u/long", Domain: "a.example",
			Username: "lo\u202Eng", Kind: timeline.KindPerson,
			Name: "\u202E" + strings.Repeat("é", 300)}
		if err := s.UpsertRemoteActor(ctx, long); err != nil {
			t.Fatal(err)
		}
		got, err := s.RemoteActor(ctx, long.URI)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Repeat("é", timeline.MaxRemoteName-1) + "…"
		if got.Name != want || got.Username != "long" {
			t.Errorf("remote actor stored as %q, %q; want %q, long", got.Username, got.Name, want)
		}
		short := &timeline.Actor{URI: "https://a.example/u/short", Domain: "a.example",
			Username: "short", Kind: timeline.KindPerson, Name: strings.Repeat("a", 100)}
		if err := s.UpsertRemoteActor(ctx, short); err != nil ||
			short.Name != strings.Repeat("a", 100) {
			t.Errorf("a name of exactly %d characters: %q, %v", timeline.MaxRemoteName,
				short.Name, err)
		}

		note := &timeline.Post{ActorID: long.ID, Kind: timeline.Note,
			URI: "https://a.example/n/1", Title: "\u202Eolleh"}
		if err := s.UpsertRemotePost(ctx, note); err != nil || note.Title != "olleh" {
			t.Errorf("remote title %q (%v), want the override gone", note.Title, err)
		}
	})
}

// TestRemotePostsFromTheFuture: a remote post dated years ahead is dated
// when it arrived, so that it cannot sit at the top of lists; a little
// clock drift is kept.
func TestRemotePostsFromTheFuture(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		s, _, _ := newStore(t, db)
		now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		ctx := context.Background()
		alice := &timeline.Actor{URI: "https://a.example/u/alice", Domain: "a.example",
			Username: "alice", Kind: timeline.KindPerson}
		if err := s.UpsertRemoteActor(ctx, alice); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			published, want time.Time
		}{
			{time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), now},
			{now.Add(2 * time.Minute), now.Add(2 * time.Minute)},
			{now.Add(-time.Hour), now.Add(-time.Hour)},
		} {
			p := &timeline.Post{ActorID: alice.ID, Kind: timeline.Note, BodyHTML: "<p>x</p>",
				URI:         "https://a.example/n/" + tt.published.Format("20060102150405"),
				PublishedAt: tt.published}
			if err := s.UpsertRemotePost(ctx, p); err != nil {
				t.Fatal(err)
			}
			if !p.PublishedAt.Equal(tt.want) {
				t.Errorf("published %v stored as %v, want %v", tt.published, p.PublishedAt, tt.want)
			}
		}
	})
}
