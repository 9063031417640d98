package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ess-lyon/portal/migrations"
	"github.com/ess-lyon/portal/migrations/dbtest"
)

// TestReliability runs the portal as a real process and hurts it: killed
// in the middle of a fan-out, flooded, fed hostile requests, stopped while
// it works, backed up while it serves. Each scenario adds a line of numbers
// to a summary printed at the end.
func TestReliability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs portals")
	}
	start := time.Now()
	bin := portalBinary(t)
	sum := &summary{}
	t.Cleanup(func() { sum.print(t, time.Since(start)) })
	for _, kind := range dbtest.Kinds {
		t.Run("inbox-flood/"+kind, func(t *testing.T) { inboxFlood(t, bin, kind, sum) })
		t.Run("slow-peers/"+kind, func(t *testing.T) { pagesBesideSlowPeers(t, bin, kind, sum) })
	}
	t.Run("shutdown", func(t *testing.T) { gracefulShutdown(t, bin, sum) })
	t.Run("backup", func(t *testing.T) { backupWhileServing(t, bin, sum) })
	// The crash waits a minute for the queue's rescuer: both databases wait
	// together, after the rest.
	for _, kind := range dbtest.Kinds {
		t.Run("crash/"+kind, func(t *testing.T) {
			t.Parallel()
			crashDuringFanout(t, bin, kind, sum)
		})
	}
}

// crashLayout is the fake fediverse of the crash: 30 servers of 10
// followers each, half of them with a shared inbox.
var crashLayout = func() []peerMode {
	var l []peerMode
	for _, n := range []struct {
		mode  peerMode
		count int
	}{{peerFast, 18}, {peerSlow, 4}, {peerFlaky, 4}, {peerAbsent, 2}, {peerHangsUp, 2}} {
		for range n.count {
			l = append(l, n.mode)
		}
	}
	return l
}()

const crashPosts = 5

// crashDuringFanout publishes to 300 followers, kills the portal with
// SIGKILL once some deliveries have arrived, starts it again on the same
// database and checks that every server that is up gets every activity,
// and that what is owed to servers that are down is still queued.
func crashDuringFanout(t *testing.T, bin, kind string, sum *summary) {
	peers := startPeers(t, crashLayout)
	in := newInstance(t, bin, "lyon.test", kind, "lyon.test=127.0.0.1,"+hostList(peers))
	in.env = append(in.env, quickQueue...)
	in.run("actor", "create", "--username", "orga", "--name", "Recyclerie du Rhône")
	in.db = openDB(t, in.dsn)
	seedFollowers(t, in.db, localActorID(t, in, "orga"), peers)
	p := serveProcess(t, in)

	idle := pageTimes(t, in, "/", 15)
	in.run(append([]string{"publish", "--actor", "orga"}, newsFiles(t, crashPosts)...)...)
	expected := expectedDeliveries(t, in, peers)

	// A visitor's page in the thick of the fan-out, for the record: the
	// bound is checked beside slow servers alone, in pagesBesideSlowPeers.
	waitFor(t, "a slow server busy", func() bool { return slowBusy(peers) })
	busy := pageTimes(t, in, "/", 15)

	waitFor(t, "a fifth of the deliveries", func() bool {
		return len(receivedPairs(peers, expected)) >= len(expected)/5
	})
	p.kill()
	atKill := len(receivedPairs(peers, expected))
	if atKill == len(expected) {
		t.Fatalf("every delivery arrived before the kill: nothing was interrupted")
	}
	jobsAtKill := deliverJobStates(t, in)

	killed := time.Now()
	serveProcess(t, in)
	done := waitLong(150*time.Second, func() bool {
		return len(receivedPairs(peers, expected)) == len(expected) &&
			liveJobsLeft(t, in, peers) == 0
	})
	if !done {
		t.Fatalf("after %s, %d of %d deliveries to servers that are up arrived; "+
			"%d deliveries to them still queued", time.Since(killed),
			len(receivedPairs(peers, expected)), len(expected), liveJobsLeft(t, in, peers))
	}
	recovered := time.Since(killed)

	made, distinct := 0, receivedPairs(peers, expected)
	for _, n := range distinct {
		made += n
	}
	if unexpected := unexpectedPairs(peers, expected); unexpected > 0 {
		t.Errorf("%d deliveries of activities or to inboxes never published", unexpected)
	}
	queued := checkDownQueued(t, in, peers)
	if n := queuedMetric(t, in, "deliver"); n != queued {
		t.Errorf("metrics: %d deliveries in the queue, want %d", n, queued)
	}
	lost := len(expected) - len(distinct)
	sum.add(t, fmt.Sprintf("lost=%d duplicated=%d", lost, made-len(distinct)),
		"posts=%d followers=%d servers=%d expected=%d made=%d duplicated=%d lost=%d "+
			"arrived-before-kill=%d running-at-kill=%d queued-for-down-servers=%d "+
			"recovered-in=%s GET / median idle=%s during-fan-out=%s (max %s)",
		crashPosts, len(peers)*followersPerPeer, len(peers), len(expected), made,
		made-len(distinct), lost, atKill, jobsAtKill["running"], queued,
		recovered.Round(time.Second), median(idle).Round(time.Microsecond),
		median(busy).Round(time.Microsecond), busy[len(busy)-1].Round(time.Microsecond))
}

// newsFiles writes n news items to publish.
func newsFiles(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := range n {
		path := filepath.Join(dir, fmt.Sprintf("news-%d.md", i))
		text := fmt.Sprintf("---\ntype: news\ntitle: Nouvelle %d de la recyclerie\n"+
			"summary: Ce qui change au dépôt.\n---\nLe dépôt ouvre le samedi, semaine %d.\n", i, i)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// expectedDeliveries is every Create the portal published, at every
// inbox of the servers that are up.
func expectedDeliveries(t *testing.T, in *instance, peers []*fakePeer) map[delivery]bool {
	t.Helper()
	var uris []string
	if err := in.db.NewSelect().Table("ap_activities").Column("uri").
		Where("type = 'Create'").Scan(context.Background(), &uris); err != nil {
		t.Fatal(err)
	}
	if len(uris) != crashPosts {
		t.Fatalf("%d Create activities stored, want %d", len(uris), crashPosts)
	}
	want := map[delivery]bool{}
	for _, uri := range uris {
		for _, p := range peers {
			if !p.mode.up() {
				continue
			}
			for _, inbox := range p.inboxes() {
				want[delivery{uri, inbox}] = true
			}
		}
	}
	return want
}

func slowBusy(peers []*fakePeer) bool {
	for _, p := range peers {
		if p.mode == peerSlow && p.inFlight.Load() > 0 {
			return true
		}
	}
	return false
}

// receivedPairs counts, for each expected delivery that arrived, how many
// times it did.
func receivedPairs(peers []*fakePeer, expected map[delivery]bool) map[delivery]int {
	got := map[delivery]int{}
	for _, p := range peers {
		for d, n := range p.received() {
			if expected[d] {
				got[d] += n
			}
		}
	}
	return got
}

func unexpectedPairs(peers []*fakePeer, expected map[delivery]bool) int {
	n := 0
	for _, p := range peers {
		for d := range p.received() {
			if !expected[d] {
				n++
			}
		}
	}
	return n
}

// deliverJob is a delivery in the queue.
type deliverJob struct {
	state      string
	activityID int64
	inbox      string
}

func deliverJobs(t *testing.T, in *instance) []deliverJob {
	t.Helper()
	args := "args"
	if migrations.IsSQLite(in.db) {
		args = "json(args)" // River keeps them as SQLite's binary JSON
	}
	rows, err := in.db.QueryContext(context.Background(),
		"SELECT state, "+args+" FROM river_job WHERE kind = 'ap_deliver'")
	if err != nil {
		t.Fatalf("listing deliveries: %v", err)
	}
	defer rows.Close()
	var out []deliverJob
	for rows.Next() {
		var j deliverJob
		var args []byte
		if err := rows.Scan(&j.state, &args); err != nil {
			t.Fatal(err)
		}
		var a struct {
			ActivityID int64  `json:"activity_id"`
			Inbox      string `json:"inbox"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			t.Fatalf("delivery arguments %s: %v", args, err)
		}
		j.activityID, j.inbox = a.ActivityID, a.Inbox
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func deliverJobStates(t *testing.T, in *instance) map[string]int {
	states := map[string]int{}
	for _, j := range deliverJobs(t, in) {
		states[j.state]++
	}
	return states
}

// waiting are the states of a job that will still run.
var waiting = map[string]bool{"available": true, "retryable": true, "scheduled": true,
	"running": true, "pending": true}

// liveJobsLeft counts deliveries to servers that are up not finished yet.
func liveJobsLeft(t *testing.T, in *instance, peers []*fakePeer) int {
	modes := peerModes(peers)
	n := 0
	for _, j := range deliverJobs(t, in) {
		if waiting[j.state] && modes[hostOf(j.inbox)].up() {
			n++
		}
	}
	return n
}

// checkDownQueued checks that every delivery to a server that is down is
// still waiting to be retried, and that none was given up, and returns
// how many wait.
func checkDownQueued(t *testing.T, in *instance, peers []*fakePeer) int {
	t.Helper()
	modes := peerModes(peers)
	want := 0
	for _, p := range peers {
		if !p.mode.up() {
			want += len(p.inboxes()) * crashPosts
		}
	}
	queued, total := 0, 0
	for _, j := range deliverJobs(t, in) {
		total++
		switch {
		case j.state == "discarded" || j.state == "cancelled":
			t.Errorf("delivery of activity %d to %s given up (%s)", j.activityID, j.inbox, j.state)
		case !modes[hostOf(j.inbox)].up() && waiting[j.state]:
			queued++
		case !modes[hostOf(j.inbox)].up():
			t.Errorf("delivery to %s, which is down, is %s", j.inbox, j.state)
		}
	}
	if queued != want {
		t.Errorf("%d deliveries to servers that are down wait for a retry, want %d", queued, want)
	}
	all := 0
	for _, p := range peers {
		all += len(p.inboxes()) * crashPosts
	}
	if total != all {
		t.Errorf("%d deliveries queued in all, want one per activity and inbox: %d", total, all)
	}
	return queued
}

func peerModes(peers []*fakePeer) map[string]peerMode {
	m := map[string]peerMode{}
	for _, p := range peers {
		m[strings.TrimPrefix(p.base, "http://")] = p.mode
	}
	return m
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// queuedMetric adds up the queue's depth in the instance's metrics.
func queuedMetric(t *testing.T, in *instance, queue string) int {
	n := 0
	for series, v := range scrape(t, in) {
		if strings.HasPrefix(series, `portal_queue_jobs{queue="`+queue+`"`) {
			n += int(v)
		}
	}
	return n
}
