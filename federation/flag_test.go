package federation

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// TestFlagOverLoopback: b's server actor reports a post of a, as Mastodon
// does, through b's own signed delivery on loopback; a checks the signature
// against b's actor, fetched from b, and opens a report naming the post and
// its organisation.
func TestFlagOverLoopback(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, _ *bun.DB) {
		kind := "sqlite"
		if strings.HasSuffix(t.Name(), "postgres") {
			kind = "postgres"
		}
		a := startPeer(t, dbtest.Open(t, kind), "a.test", "portail-ess")
		b := startPeer(t, dbtest.Open(t, kind), "b.test", "portail-ess")
		ctx := context.Background()
		org := &timeline.Actor{Username: "asso", Name: "Asso"}
		if err := a.posts.CreateLocalActor(ctx, org); err != nil {
			t.Fatal(err)
		}
		p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Arnaque ?"}
		if err := a.posts.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		postURI := "http://" + a.host + "/@asso/" + strconv.FormatInt(p.ID, 10)

		reporter, err := b.posts.LocalActor(ctx, b.s.instanceUsername())
		if err != nil {
			t.Fatal(err)
		}
		flag := Document{"@context": "https://www.w3.org/ns/activitystreams",
			"id": b.s.newActivityURI(), "type": "Flag", "actor": b.s.cfg.ActorURI(reporter),
			"content": "Ce n'est pas une offre de l'ESS",
			"object":  []any{"http://" + a.host + "/@asso", postURI}}
		err = b.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return b.s.enqueue(ctx, tx, reporter, flag, postURI, toInbox+a.s.cfg.SharedInbox())
		})
		if err != nil {
			t.Fatal(err)
		}

		eventually(t, "the report opened in a", func() bool {
			n, err := a.posts.CountOpenReports(ctx)
			return err == nil && n == 1
		})
		open, err := a.posts.OpenReports(ctx, 10)
		if err != nil || len(open) != 1 {
			t.Fatalf("open reports: %d, %v", len(open), err)
		}
		r := open[0]
		if len(r.Posts) != 1 || !r.Names(p.ID) || len(r.Actors) != 1 ||
			r.Actors[0].ActorID != org.ID {
			t.Errorf("report names %d posts and %d actors, want post %d and asso",
				len(r.Posts), len(r.Actors), p.ID)
		}
		if r.URI != flag["id"] || r.ReporterURI != flag["actor"] || r.Reporter == nil ||
			r.Comment != "Ce n'est pas une offre de l'ESS" {
			t.Errorf("report %s by %s (%v): %q", r.URI, r.ReporterURI, r.Reporter, r.Comment)
		}
		if n := a.count(t, "SELECT count(*) FROM ap_inbox WHERE type = 'Flag' AND key_id = ?",
			b.s.cfg.ActorURI(reporter)+"#main-key"); n != 1 {
			t.Errorf("%d Flags stored as signed by b's actor, want 1", n)
		}
	})
}

// TestStoredFlagsBecomeReports: Flags an older portal kept in the inbox,
// with the outcome it recorded then, become reports on start, dated when
// they came; one whose report exists already, one naming nothing here and
// one that cannot be read get their outcome, and none is done twice.
func TestStoredFlagsBecomeReports(t *testing.T) {
	s, org := newTestService(t, nil)
	ctx := context.Background()
	p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Brève"}
	if err := s.posts.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	postURI := "https://lyon.test/@maison-ess/" + strconv.FormatInt(p.ID, 10)
	came := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Microsecond)
	flag := func(n, object string) string {
		return `{"type":"Flag","id":"https://a.example/flags/` + n + `",` +
			`"actor":"https://a.example/actor","content":"Flag ` + n + `","object":"` +
			object + `"}`
	}
	bodies := []string{flag("1", postURI), flag("2", postURI), flag("3", "https://a.example/1"),
		`{"type":"Flag"`}
	for i, body := range bodies {
		item := &inboxItem{URI: "https://a.example/flags/" + strconv.Itoa(i+1), Type: "Flag",
			ActorURI: "https://a.example/actor", Body: body, ReceivedAt: came,
			ProcessedAt: came, Outcome: flagOutcomeLegacy}
		if _, err := s.db.NewInsert().Model(item).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// The second one's report was stored before a crash, say, kept its
	// outcome from being recorded.
	if err := s.posts.CreateReport(ctx, &timeline.Report{URI: "https://a.example/flags/2",
		ReporterURI: "https://a.example/actor",
		Posts:       []*timeline.ReportedPost{{PostID: p.ID}}}); err != nil {
		t.Fatal(err)
	}

	for range 2 {
		if err := s.reportStoredFlags(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var outcomes []string
	if err := s.db.NewSelect().Model((*inboxItem)(nil)).Column("outcome").OrderExpr("id").
		Scan(ctx, &outcomes); err != nil {
		t.Fatal(err)
	}
	want := []string{flagOutcomeOpened, flagOutcomeStored, flagOutcomeNothing, "refused: "}
	for i := range want {
		if i >= len(outcomes) || !strings.HasPrefix(outcomes[i], want[i]) {
			t.Errorf("outcomes %q, want %q", outcomes, want)
			break
		}
	}
	open, err := s.posts.OpenReports(ctx, 10)
	if err != nil || len(open) != 2 {
		t.Fatalf("%d open reports (%v), want 2", len(open), err)
	}
	if r := open[1]; r.URI != "https://a.example/flags/1" || !r.ReceivedAt.Equal(came) ||
		r.Comment != "Flag 1" {
		t.Errorf("report %s received %v: %q", r.URI, r.ReceivedAt, r.Comment)
	}
}
