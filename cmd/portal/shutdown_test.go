package main

import (
	"context"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// gracefulShutdown sends SIGTERM while an inbox request waits on a slow
// server for its sender's key and a delivery waits on a slow inbox: both
// must finish, the process must exit 0, and the deliveries still owed to a
// server that is down must be queued for the next start.
func gracefulShutdown(t *testing.T, bin string, sum *summary) {
	peers := startPeers(t, []peerMode{peerSlow, peerAbsent})
	remote := startOrigin(t, "remote.test", "slowpoke")
	remote.actorDelay = 2 * time.Second
	in := newInstance(t, bin, "lyon.test", "sqlite",
		"lyon.test=127.0.0.1,remote.test=127.0.0.1,"+hostList(peers))
	in.env = append(in.env, quickQueue...)
	in.run("actor", "create", "--username", "orga", "--name", "Café associatif")
	in.db = openDB(t, in.dsn)
	seedFollowers(t, in.db, localActorID(t, in, "orga"), peers)
	p := serveProcess(t, in)

	postURI := publishOne(t, in, "orga")
	waitFor(t, "a delivery to the slow server", func() bool { return slowBusy(peers) })
	answer := make(chan int, 1)
	go func() {
		req := signedPost(t, in, like(remote.actor("slowpoke"), remote.base+"/likes/1",
			postURI), remote.keyID("slowpoke"), remote.keys["slowpoke"], time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answer <- -1
			return
		}
		resp.Body.Close()
		answer <- resp.StatusCode
	}()
	waitFor(t, "the inbox fetching the sender's key", func() bool {
		return remote.actorGets.Load() > 0
	})

	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if status := <-answer; status != http.StatusAccepted {
		t.Errorf("the request in flight got %d, want 202", status)
	}
	code := p.wait(30 * time.Second)
	stopped := time.Since(sent)
	if code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	states := deliverJobStates(t, in)
	delivered := len(peers[0].received())
	if delivered != 1 || states["running"] != 0 || states["completed"] != 1 {
		t.Errorf("after the stop: slow server got %d deliveries, jobs %v; want 1, "+
			"none running, 1 completed", delivered, states)
	}
	owed := len(peers[1].inboxes())
	if waitingJobs(states) != owed {
		t.Errorf("jobs %v: want the %d deliveries to the server that is down waiting", states,
			owed)
	}
	if n := in.count("SELECT count(*) FROM ap_inbox"); n != 1 {
		t.Errorf("%d activities stored, want the one received during the stop", n)
	}

	// The next start takes up what is left.
	serveProcess(t, in)
	waitFor(t, "the like processed after the restart", func() bool {
		return in.count("SELECT count(*) FROM ap_inbox WHERE processed_at IS NOT NULL") == 1
	})
	if n := waitingJobs(deliverJobStates(t, in)); n != owed {
		t.Errorf("%d deliveries wait after the restart, want %d", n, owed)
	}
	sum.add(t, fmt.Sprintf("exit=%d", code),
		"SIGTERM with a request and a delivery in flight: request answered, exit=%d "+
			"stopped-in=%s delivery-completed=%d still-queued=%d", code,
		stopped.Round(10*time.Millisecond), delivered, owed)
}

func waitingJobs(states map[string]int) int {
	n := 0
	for st, c := range states {
		if waiting[st] {
			n += c
		}
	}
	return n
}

func localActorID(t *testing.T, in *instance, username string) int64 {
	t.Helper()
	var id int64
	if err := in.db.NewSelect().Table("actors").Column("id").Where("local").
		Where("username = ?", username).Scan(context.Background(), &id); err != nil {
		t.Fatalf("finding @%s: %v", username, err)
	}
	return id
}
