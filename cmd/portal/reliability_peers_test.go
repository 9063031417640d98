package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/timeline"
)

// peerMode is how a fake server answers deliveries.
type peerMode int

const (
	peerFast    peerMode = iota // 202 at once
	peerSlow                    // 202 after slowPeerDelay
	peerFlaky                   // 500 to its first flakyRefusals POSTs, then 202
	peerAbsent                  // nothing listens on its port
	peerHangsUp                 // accepts connections and closes them
	peerSilent                  // accepts connections and never answers
)

func (m peerMode) String() string {
	return [...]string{"fast", "slow", "flaky", "absent", "hangs-up", "silent"}[m]
}

func (m peerMode) up() bool { return m != peerAbsent && m != peerHangsUp && m != peerSilent }

const (
	slowPeerDelay    = 2 * time.Second
	flakyRefusals    = 3 // below the failures that mark a server down
	followersPerPeer = 10
)

// delivery is one activity received at one inbox.
type delivery struct{ activity, inbox string }

// fakePeer is a fediverse server on loopback with its own host name. It
// serves an actor document per follower and records every delivery it
// accepts, verifying nothing.
type fakePeer struct {
	name   string
	mode   peerMode
	shared bool // its followers share one inbox
	base   string

	mu       sync.Mutex
	got      map[delivery]int
	refusals int
	inFlight atomic.Int32
}

// startPeers starts n fake servers, modes taken in turn from layout, every
// other one with a shared inbox.
func startPeers(t *testing.T, layout []peerMode) []*fakePeer {
	t.Helper()
	peers := make([]*fakePeer, len(layout))
	for i, mode := range layout {
		p := &fakePeer{name: fmt.Sprintf("peer%02d.test", i), mode: mode, shared: i%2 == 0,
			got: map[delivery]int{}}
		p.base = "http://" + p.name + ":" + p.listen(t)
		peers[i] = p
	}
	return peers
}

// listen starts the server the mode asks for and returns its port.
func (p *fakePeer) listen(t *testing.T) string {
	switch p.mode {
	case peerAbsent:
		return closedPort(t)
	case peerHangsUp:
		return rawServer(t, false)
	case peerSilent:
		return rawServer(t, true)
	}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	return srv.URL[strings.LastIndex(srv.URL, ":")+1:]
}

// closedPort reserves a loopback port on which nothing listens, so that
// connections to it are refused for as long as the test runs and no other
// server can take it meanwhile.
func closedPort(t *testing.T) string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(sa.(*syscall.SockaddrInet4).Port)
}

// rawServer accepts connections on loopback and closes them at once, or
// with silent keeps them open without a word until the test ends.
func rawServer(t *testing.T, silent bool) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !silent {
				c.Close()
				continue
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func (p *fakePeer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/users/") {
		p.serveActor(w, r)
		return
	}
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/inbox") {
		http.NotFound(w, r)
		return
	}
	p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	var act struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&act); err != nil {
		http.Error(w, "unreadable", http.StatusBadRequest)
		return
	}
	if !p.accept(r.Context()) {
		http.Error(w, "try later", http.StatusInternalServerError)
		return
	}
	p.mu.Lock()
	p.got[delivery{act.ID, "http://" + r.Host + r.URL.Path}]++
	p.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// accept tells whether to take a delivery: a flaky server refuses its
// first ones, a slow one takes its time, unless the sender hangs up.
func (p *fakePeer) accept(ctx context.Context) bool {
	switch p.mode {
	case peerFlaky:
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.refusals < flakyRefusals {
			p.refusals++
			return false
		}
	case peerSlow:
		select {
		case <-time.After(slowPeerDelay):
		case <-ctx.Done():
			return false
		}
	}
	return true
}

func (p *fakePeer) serveActor(w http.ResponseWriter, r *http.Request) {
	uri := p.base + r.URL.Path
	doc := map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": uri, "type": "Person",
		"preferredUsername": strings.TrimPrefix(r.URL.Path, "/users/"),
		"inbox":             uri + "/inbox", "outbox": uri + "/outbox",
	}
	if p.shared {
		doc["endpoints"] = map[string]string{"sharedInbox": p.base + "/inbox"}
	}
	w.Header().Set("Content-Type", "application/activity+json")
	_ = json.NewEncoder(w).Encode(doc)
}

func (p *fakePeer) actorURI(i int) string { return fmt.Sprintf("%s/users/u%d", p.base, i) }

// inboxes are where the portal delivers to this server's followers.
func (p *fakePeer) inboxes() []string {
	if p.shared {
		return []string{p.base + "/inbox"}
	}
	var out []string
	for i := range followersPerPeer {
		out = append(out, p.actorURI(i)+"/inbox")
	}
	return out
}

// received returns a copy of what the server accepted.
func (p *fakePeer) received() map[delivery]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.got)
}

// hostList is the PORTAL_HOSTS entries that name the peers.
func hostList(peers []*fakePeer) string {
	var names []string
	for _, p := range peers {
		names = append(names, p.name+"=127.0.0.1")
	}
	return strings.Join(names, ",")
}

// seedFollowers stores followersPerPeer accepted followers of followee on
// each peer, as the portal would after their Follows.
func seedFollowers(t *testing.T, db *bun.DB, followee int64, peers []*fakePeer) {
	t.Helper()
	ctx := context.Background()
	store := timeline.New(db)
	now := time.Now().UTC()
	for _, p := range peers {
		shared := ""
		if p.shared {
			shared = p.base + "/inbox"
		}
		for i := range followersPerPeer {
			uri := p.actorURI(i)
			a := &timeline.Actor{URI: uri, Domain: p.name, Username: fmt.Sprintf("u%d", i),
				Name: fmt.Sprintf("Follower %d of %s", i, p.name), Kind: timeline.KindPerson,
				URL: uri}
			if err := store.UpsertRemoteActor(ctx, a); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO ap_actors (actor_id, type, inbox,
				shared_inbox, outbox, followers_url, key_id, public_key_pem, private_key_pem,
				fetched_at) VALUES (?, 'Person', ?, ?, '', '', ?, '', '', ?)`,
				a.ID, uri+"/inbox", shared, uri+"#main-key", now); err != nil {
				t.Fatalf("seeding %s: %v", uri, err)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO ap_follows (follower_id, followee_id,
				uri, accepted, created_at) VALUES (?, ?, ?, ?, ?)`,
				a.ID, followee, uri+"/follows/1", true, now); err != nil {
				t.Fatalf("seeding the follow of %s: %v", uri, err)
			}
		}
	}
}
