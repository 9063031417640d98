package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations"
	"github.com/ess-lyon/portal/migrations/dbtest"
)

// portalBinary builds the portal once per test run.
func portalBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "portal")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building portal: %v\n%s", err, out)
	}
	return bin
}

// instance is one portal process with its own host name and database.
type instance struct {
	t      *testing.T
	bin    string
	domain string
	dsn    string
	data   string
	env    []string
	db     *bun.DB
}

func newInstance(t *testing.T, bin, name, kind, hosts string) *instance {
	t.Helper()
	port := freePort(t)
	in := &instance{t: t, bin: bin, domain: fmt.Sprintf("%s:%d", name, port),
		dsn: dbtest.DSN(t, kind), data: t.TempDir()}
	in.env = append(os.Environ(), "PORTAL_DOMAIN="+in.domain, "PORTAL_DB="+in.dsn,
		"PORTAL_DATA="+in.data, "PORTAL_INSECURE_FEDERATION=1", "PORTAL_HOSTS="+hosts,
		fmt.Sprintf("PORTAL_LISTEN=127.0.0.1:%d", port), "PORTAL_PASSWORD=un mot de passe sûr")
	return in
}

// run runs a portal command to completion and returns its output.
func (in *instance) run(args ...string) string {
	in.t.Helper()
	cmd := exec.Command(in.bin, args...)
	cmd.Env = in.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		in.t.Fatalf("portal %s on %s: %v\n%s", strings.Join(args, " "), in.domain, err, out)
	}
	return string(out)
}

// serve starts "portal serve" and waits until it answers.
func (in *instance) serve() {
	in.t.Helper()
	cmd := exec.Command(in.bin, "serve")
	cmd.Env = in.env
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		in.t.Fatalf("starting %s: %v", in.domain, err)
	}
	in.t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_, _ = cmd.Process.Wait()
		if in.t.Failed() {
			in.t.Logf("logs of %s:\n%s", in.domain, logs.String())
		}
	})
	port := in.domain[strings.LastIndex(in.domain, ":")+1:]
	waitFor(in.t, "server "+in.domain, func() bool {
		resp, err := http.Get("http://127.0.0.1:" + port + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	db, err := migrations.Open(context.Background(), in.dsn)
	if err != nil {
		in.t.Fatalf("opening %s's database: %v", in.domain, err)
	}
	in.t.Cleanup(func() { db.Close() })
	in.db = db
}

func (in *instance) count(query string, args ...any) int {
	in.t.Helper()
	var n int
	if err := in.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		in.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

const eventFile = `---
type: event
title: Repair café de décembre
summary: Venez réparer vos objets avec les bénévoles.
start: 2030-12-12 14:00
end: 2030-12-12 18:00
place: Maison des solidarités
address: 12 rue Sébastien Gryphe
postal_code: 69007
city: Lyon
---
Apportez **vos objets** cassés : petit électroménager, vélos, textiles.
`

// TestTwoPortalsFederate runs a Lyon portal and a regional portal as two
// processes with their own host names, signing every request for real.
func TestTwoPortalsFederate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two portals")
	}
	bin := portalBinary(t)
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) { twoPortals(t, bin, kind) })
	}
}

func twoPortals(t *testing.T, bin, kind string) {
	hosts := "lyon.test=127.0.0.1,region.test=127.0.0.1"
	lyon := newInstance(t, bin, "lyon.test", kind, hosts)
	region := newInstance(t, bin, "region.test", kind, hosts)
	lyon.run("actor", "create", "--username", "maison-ess", "--name", "Maison de l'ESS",
		"--legal-form", "association", "--sector", "réemploi")
	lyon.run("user", "create", "--login", "comite@lyon.test", "--committee")
	lyon.serve()
	region.serve()

	// The regional portal follows a Lyon organisation and the Lyon portal.
	region.run("follow", "--actor", "portail", "maison-ess@"+lyon.domain)
	region.run("follow", "--actor", "portail", "portail@"+lyon.domain)
	waitFor(t, "both follows accepted", func() bool {
		return region.count("SELECT count(*) FROM ap_follows WHERE accepted") == 2 &&
			lyon.count("SELECT count(*) FROM ap_follows WHERE accepted") == 2
	})

	// An event published in Lyon arrives in the regional store.
	path := filepath.Join(t.TempDir(), "event.md")
	if err := os.WriteFile(path, []byte(eventFile), 0o600); err != nil {
		t.Fatal(err)
	}
	out := lyon.run("publish", "--actor", "maison-ess", path)
	uri := strings.TrimSpace(out[strings.Index(out, "published ")+len("published "):])
	postID := uri[strings.LastIndex(uri, "/")+1:]
	waitFor(t, "the event in the regional store", func() bool {
		return region.count(`SELECT count(*) FROM posts WHERE uri = ? AND kind = 'event'
			AND place_name = 'Maison des solidarités' AND postal_code = '69007'`, uri) == 1
	})
	if body, _ := fetchPath(t, region, "/reseau"); !strings.Contains(string(body),
		"Repair café de décembre") {
		t.Error("the regional Network page does not list the followed organisation's event")
	}

	// Featuring it in Lyon delivers the portal actor's Announce.
	lyon.run("feature", "--as", "comite@lyon.test", "--post", postID, "--articles", "3")
	waitFor(t, "the Announce processed in the region", func() bool {
		return region.count(`SELECT count(*) FROM ap_inbox WHERE type = 'Announce'
			AND actor_uri = ? AND processed_at IS NOT NULL`,
			"http://"+lyon.domain+"/@portail") == 1
	})

	// Deleting it delivers the Delete, and the region forgets the post.
	lyon.run("delete-post", "--post", postID)
	waitFor(t, "the Delete processed in the region", func() bool {
		return region.count("SELECT count(*) FROM posts WHERE uri = ?", uri) == 0 &&
			region.count(`SELECT count(*) FROM ap_inbox WHERE type = 'Delete'
				AND outcome = 'post deleted'`) == 1
	})
	if body, _ := fetchPath(t, region, "/reseau"); strings.Contains(string(body),
		"Repair café de décembre") {
		t.Error("the regional Network page still lists the deleted event")
	}

	// Every inbound activity in both portals came with a verified signature.
	for _, in := range []*instance{lyon, region} {
		if n := in.count("SELECT count(*) FROM ap_inbox WHERE key_id = ''"); n != 0 {
			t.Errorf("%s stored %d activities without a verified key", in.domain, n)
		}
	}
}
