package timeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

const reporter = "https://social.example/actor"

// reportWorld is a store with a local post, a remote actor and its post,
// and an admin and a committee member.
type reportWorld struct {
	s          *timeline.Store
	org        *timeline.Actor
	post       *timeline.Post
	remote     *timeline.Actor
	remotePost *timeline.Post
	admin      *timeline.User
	member     *timeline.User
}

func newReportWorld(t *testing.T, db *bun.DB) *reportWorld {
	t.Helper()
	ctx := context.Background()
	s, _, org := newStore(t, db)
	w := &reportWorld{s: s, org: org,
		post:   &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Brève signalée"},
		remote: &timeline.Actor{URI: reporter, Domain: "social.example", Username: "actor"},
		admin:  &timeline.User{Login: "admin", Name: "Alix", Admin: true},
		member: &timeline.User{Login: "comite", Name: "Camille", Committee: true},
	}
	if err := s.CreatePost(ctx, w.post); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertRemoteActor(ctx, w.remote); err != nil {
		t.Fatal(err)
	}
	w.remotePost = &timeline.Post{ActorID: w.remote.ID, Kind: timeline.Note,
		URI: "https://social.example/notes/1"}
	if err := s.UpsertRemotePost(ctx, w.remotePost); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*timeline.User{w.admin, w.member} {
		if err := s.CreateUser(ctx, u, "a long passphrase"); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// report builds a report of reporter naming posts.
func report(uri string, posts ...int64) *timeline.Report {
	r := &timeline.Report{URI: uri, ReporterURI: reporter, Comment: "Spam"}
	for _, id := range posts {
		r.Posts = append(r.Posts, &timeline.ReportedPost{PostID: id})
	}
	return r
}

func TestReportLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		w := newReportWorld(t, db)
		ctx := context.Background()
		r := report("https://social.example/flags/1", w.post.ID, w.post.ID)
		r.Actors = []*timeline.ReportedActor{{ActorID: w.org.ID}}
		r.Comment = "  Propos\x00 haineux\u202e, voir\x1b[31m le lien\n" +
			strings.Repeat("é", timeline.MaxReportComment)
		if err := w.s.CreateReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := w.s.CreateReport(ctx, report(r.URI, w.post.ID)); !errors.Is(err,
			timeline.ErrExists) {
			t.Errorf("same report again: %v, want ErrExists", err)
		}

		open, err := w.s.OpenReports(ctx, 10)
		if err != nil || len(open) != 1 {
			t.Fatalf("open reports: %d, %v; want 1", len(open), err)
		}
		got := open[0]
		if !strings.HasPrefix(got.Comment, "Propos haineux, voir[31m le lien\né") ||
			utf8.RuneCountInString(got.Comment) != timeline.MaxReportComment {
			t.Errorf("comment %.60q… (%d characters), want it cleaned and cut to %d",
				got.Comment, utf8.RuneCountInString(got.Comment), timeline.MaxReportComment)
		}
		if got.Reporter == nil || got.Reporter.ID != w.remote.ID {
			t.Errorf("reporter %+v, want the stored remote actor", got.Reporter)
		}
		if len(got.Posts) != 1 || got.Posts[0].Post == nil || got.Posts[0].Post.Actor == nil ||
			got.Posts[0].Post.Title != w.post.Title || got.Posts[0].Post.Actor.ID != w.org.ID {
			t.Errorf("posts %v, want the reported post once, with its actor", got.Posts)
		}
		if len(got.Actors) != 1 || got.Actors[0].Actor == nil ||
			got.Actors[0].Actor.Username != w.org.Username {
			t.Errorf("actors %v, want %s", got.Actors, w.org.Username)
		}
		if !got.Open() || !got.Names(w.post.ID) || got.Names(w.remotePost.ID) {
			t.Errorf("open %v, names the post %v, the remote one %v", got.Open(),
				got.Names(w.post.ID), got.Names(w.remotePost.ID))
		}
		checkResolve(t, w, got.ID)
	})
}

// checkResolve resolves report id as the committee member (refused), as the
// admin without a note (refused), then with one, then again.
func checkResolve(t *testing.T, w *reportWorld, id int64) {
	t.Helper()
	ctx := context.Background()
	err := w.s.ResolveReport(ctx, w.member, id, "Je regarde")
	if !errors.Is(err, timeline.ErrForbidden) {
		t.Errorf("committee member resolving: %v, want ErrForbidden", err)
	}
	var fe *timeline.FieldError
	if err := w.s.ResolveReport(ctx, w.admin, id, "  "); !errors.As(err, &fe) ||
		fe.Field != "note" {
		t.Errorf("resolving without a note: %v, want an invalid note", err)
	}
	long := strings.Repeat("a", timeline.MaxReportNote+1)
	if err := w.s.ResolveReport(ctx, w.admin, id, long); !errors.Is(err, timeline.ErrInvalid) {
		t.Errorf("resolving with a long note: %v, want ErrInvalid", err)
	}
	if err := w.s.ResolveReport(ctx, w.admin, id, " Publication retirée "); err != nil {
		t.Fatalf("resolving: %v", err)
	}
	if err := w.s.ResolveReport(ctx, w.admin, id, "Encore"); !errors.Is(err,
		timeline.ErrExists) {
		t.Errorf("resolving twice: %v, want ErrExists", err)
	}
	if err := w.s.ResolveReport(ctx, w.admin, id+100, "x"); !errors.Is(err,
		timeline.ErrNotFound) {
		t.Errorf("resolving no report: %v, want ErrNotFound", err)
	}

	if n, err := w.s.CountOpenReports(ctx); err != nil || n != 0 {
		t.Errorf("%d open reports (%v) after resolving, want 0", n, err)
	}
	done, err := w.s.ResolvedReports(ctx, 10)
	if err != nil || len(done) != 1 {
		t.Fatalf("resolved reports: %d, %v; want 1", len(done), err)
	}
	r := done[0]
	if r.Open() || r.Note != "Publication retirée" || r.ResolvedAt.IsZero() ||
		r.Resolver == nil || r.Resolver.Name != "Alix" || r.Resolver.PasswordHash != "" {
		t.Errorf("resolved report: state %s, note %q, at %v, by %+v", r.State, r.Note,
			r.ResolvedAt, r.Resolver)
	}
}

func TestReportValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		w := newReportWorld(t, db)
		tooMany := report("https://social.example/flags/many")
		for i := range timeline.MaxReportTargets + 1 {
			tooMany.Posts = append(tooMany.Posts, &timeline.ReportedPost{PostID: int64(i + 1)})
		}
		cases := []struct {
			name   string
			report *timeline.Report
			field  string
		}{
			{"nothing named", report("https://social.example/flags/0"), "objects"},
			{"a remote post", report("https://social.example/flags/2", w.post.ID,
				w.remotePost.ID), "posts"},
			{"a remote actor", &timeline.Report{URI: "https://social.example/flags/3",
				ReporterURI: reporter,
				Actors:      []*timeline.ReportedActor{{ActorID: w.remote.ID}}}, "actors"},
			{"no such post", report("https://social.example/flags/4", w.post.ID+1000), "posts"},
			{"a reporter that is no address", &timeline.Report{URI: "x",
				ReporterURI: "javascript:alert(1)",
				Posts:       []*timeline.ReportedPost{{PostID: w.post.ID}}}, "reporter"},
			{"no uri", report("", w.post.ID), "uri"},
			{"too many", tooMany, "objects"},
		}
		for _, c := range cases {
			err := w.s.CreateReport(context.Background(), c.report)
			var fe *timeline.FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Errorf("%s: got %v, want an invalid %s", c.name, err, c.field)
			}
		}
		if n, err := w.s.CountOpenReports(context.Background()); err != nil || n != 0 {
			t.Errorf("%d reports stored (%v), want none", n, err)
		}
	})
}

func TestOpenReportsNewestFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		w := newReportWorld(t, db)
		ctx := context.Background()
		at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
		for i, hours := range []int{2, 0, 5, 1} {
			r := report(fmt.Sprintf("https://social.example/flags/%d", i), w.post.ID)
			r.ReceivedAt = at.Add(time.Duration(hours) * time.Hour)
			if i == 3 {
				r.ReporterURI = "https://unknown.example/actor"
			}
			if err := w.s.CreateReport(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		open, err := w.s.OpenReports(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, r := range open {
			order = append(order, r.URI[len(r.URI)-1:])
		}
		if got := strings.Join(order, ","); got != "2,0,3,1" {
			t.Errorf("open reports in order %s, want 2,0,3,1 (newest first)", got)
		}
		if len(open) == 4 && open[2].Reporter != nil {
			t.Errorf("unknown reporter read as %+v, want none", open[2].Reporter)
		}
		if n, err := w.s.CountOpenReports(ctx); err != nil || n != 4 {
			t.Errorf("%d open reports (%v), want 4", n, err)
		}
	})
}
