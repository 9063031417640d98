package federation

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations"
	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// peerPortal is a whole federation Service behind a real HTTP server on
// loopback, with its own host name.
type peerPortal struct {
	s     *Service
	posts *timeline.Store
	db    *bun.DB
	host  string
}

func startPeer(t *testing.T, db *bun.DB, name, software string) *peerPortal {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := name + ":" + strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")
	posts := timeline.New(db)
	cfg := Config{Domain: host, Insecure: true, Software: software, Version: "test",
		Hosts: map[string]string{"a.test": "127.0.0.1", "b.test": "127.0.0.1"}}
	s, err := New(cfg, db, posts, migrations.QueueDriver(db),
		Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.EnsureActors(ctx); err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	s.Routes(r)
	r.Get("/@{name}", s.ServeActor)
	r.Get("/@{name}/{id}", s.ServePost)
	srv := httptest.NewUnstartedServer(r)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = s.Stop(stopCtx)
	})
	return &peerPortal{s: s, posts: posts, db: db, host: host}
}

func (p *peerPortal) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := p.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestPortalsFederateOverLoopback runs two Services on real HTTP servers
// with their own names: b's portal follows a's organisation and portal; a
// publishes, features and unfeatures; b, on group-aware software, gets
// both forms of the Announce and then their Undo.
func TestPortalsFederateOverLoopback(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, _ *bun.DB) {
		kind := "sqlite"
		if strings.HasSuffix(t.Name(), "postgres") {
			kind = "postgres"
		}
		a := startPeer(t, dbtest.Open(t, kind), "a.test", "portail-ess")
		b := startPeer(t, dbtest.Open(t, kind), "b.test", "Lemmy")
		ctx := context.Background()
		org := &timeline.Actor{Username: "asso", Name: "Asso"}
		if err := a.posts.CreateLocalActor(ctx, org); err != nil {
			t.Fatal(err)
		}
		bPortal, _ := b.posts.LocalActor(ctx, timeline.PortalUsername)
		for _, target := range []string{"asso@" + a.host, "portail@" + a.host} {
			if err := b.s.Follow(ctx, bPortal, target); err != nil {
				t.Fatalf("following %s: %v", target, err)
			}
		}
		eventually(t, "follows accepted", func() bool {
			return b.count(t, "SELECT count(*) FROM ap_follows WHERE accepted") == 2
		})
		p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Bonne nouvelle",
			BodyMarkdown: "Le **jardin partagé** ouvre."}
		if err := a.posts.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		uri := "http://" + a.host + "/@asso/1"
		eventually(t, "the news stored in b", func() bool {
			return b.count(t, "SELECT count(*) FROM posts WHERE uri = ?", uri) == 1
		})
		if err := a.posts.Feature(ctx, p.ID, 1); err != nil {
			t.Fatal(err)
		}
		eventually(t, "both Announce forms and the Add in b", func() bool {
			return b.count(t, `SELECT count(*) FROM ap_inbox WHERE type IN ('Announce', 'Add')
				AND processed_at IS NOT NULL`) == 3
		})
		if err := a.posts.Unfeature(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		eventually(t, "two Undo and a Remove in b", func() bool {
			return b.count(t, `SELECT count(*) FROM ap_inbox WHERE type IN ('Undo', 'Remove')
				AND processed_at IS NOT NULL`) == 3
		})
		if n := a.count(t, "SELECT count(*) FROM ap_inbox WHERE key_id = ''"); n != 0 {
			t.Errorf("a stored %d unsigned activities", n)
		}
	})
}

// TestUnreachablePeerDoesNotLoseDelivery: a follower whose server is down
// keeps its delivery queued for retry, with the failure recorded.
func TestUnreachablePeerDoesNotLoseDelivery(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	a := startPeer(t, db, "a.test", "portail-ess")
	ctx := context.Background()
	org := &timeline.Actor{Username: "asso", Name: "Asso"}
	if err := a.posts.CreateLocalActor(ctx, org); err != nil {
		t.Fatal(err)
	}
	// A follower on a server that refuses connections.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	follower := &timeline.Actor{URI: dead + "/users/x", Domain: ln.Addr().String(),
		Username: "x"}
	if err := a.posts.UpsertRemoteActor(ctx, follower); err != nil {
		t.Fatal(err)
	}
	_, err := db.NewInsert().Model(&apActor{ActorID: follower.ID, Inbox: dead + "/inbox"}).
		Exec(ctx)
	if err == nil {
		_, err = db.NewInsert().Model(&follow{FollowerID: follower.ID, FolloweeID: org.ID,
			URI: dead + "/f", Accepted: true, CreatedAt: time.Now()}).Exec(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Brève"}
	if err := a.posts.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("publishing waited %s on an unreachable follower", time.Since(start))
	}
	eventually(t, "the failure recorded and the delivery kept for retry", func() bool {
		return a.count(t, `SELECT count(*) FROM river_job WHERE kind = 'ap_deliver'
			AND state = 'retryable' AND attempt = 1`) == 1 &&
			a.count(t, "SELECT count(*) FROM ap_peers WHERE failures = 1") == 1
	})
	_ = http.StatusOK
}

// TestRelaySubscriptions: b subscribes to a as a relay, in both styles;
// once a accepts, what a's organisations publish reaches b and is stored.
func TestRelaySubscriptions(t *testing.T) {
	for _, style := range []string{RelayMastodon, RelayLitePub} {
		t.Run(style, func(t *testing.T) {
			a := startPeer(t, dbtest.Open(t, "sqlite"), "a.test", "portail-ess")
			b := startPeer(t, dbtest.Open(t, "sqlite"), "b.test", "portail-ess")
			ctx := context.Background()
			org := &timeline.Actor{Username: "asso", Name: "Asso"}
			if err := a.posts.CreateLocalActor(ctx, org); err != nil {
				t.Fatal(err)
			}
			if err := b.s.SubscribeRelay(ctx, "http://"+a.host+"/actor", style); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the subscription accepted", func() bool {
				return b.count(t, "SELECT count(*) FROM ap_follows WHERE accepted") == 1
			})
			p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Relayée"}
			if err := a.posts.CreatePost(ctx, p); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the relayed news stored in b", func() bool {
				return b.count(t, "SELECT count(*) FROM posts WHERE title = 'Relayée'") == 1
			})
		})
	}
}

// TestAuthorizedFetch: in secure mode, documents need a signed GET; the
// instance actor and discovery stay open, and another portal's signed
// fetch goes through.
func TestAuthorizedFetch(t *testing.T) {
	a := startPeer(t, dbtest.Open(t, "sqlite"), "a.test", "portail-ess")
	b := startPeer(t, dbtest.Open(t, "sqlite"), "b.test", "portail-ess")
	a.s.cfg.AuthorizedFetch = true
	ctx := context.Background()
	if err := a.posts.CreateLocalActor(ctx, &timeline.Actor{Username: "asso",
		Name: "Asso"}); err != nil {
		t.Fatal(err)
	}
	get := func(path string) int {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+
			strings.Split(a.host, ":")[1]+path, nil)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for path, want := range map[string]int{"/@asso": 401, "/@asso/outbox": 401,
		"/@asso/outbox?page=true": 401, "/@asso/outbox?max_id=1&page=true": 401,
		"/@asso/outbox?page=1": 401, "/@asso/outbox?max_id=x": 401,
		"/actor": 200, "/.well-known/webfinger?resource=acct:asso@" + a.host: 200} {
		if got := get(path); got != want {
			t.Errorf("unsigned GET %s: %d, want %d", path, got, want)
		}
	}
	for _, path := range []string{"/@asso", "/@asso/outbox", "/@asso/outbox?page=true"} {
		if _, err := b.s.fetch(ctx, "http://"+a.host+path); err != nil {
			t.Errorf("signed fetch of %s by another portal: %v", path, err)
		}
	}
}
