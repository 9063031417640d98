package federation_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations"
	"github.com/ess-lyon/portal/migrations/dbtest"
)

const fixturesGolden = "testdata/fixtures.golden"

const fixturesHeader = `# Every document of shared/fixtures/activitypub given to the inbox.
#
# Regenerate with: go test ./federation/ -run TestInboxFixtures -update
#
# Each document is sent to a fresh portal (SQLite) for lyon.test, whose
# other servers are a fake fediverse: it serves every actor a fixture names
# as actor or attributedTo (a generated document of the fixture's actor
# type, or Person, with a key the test holds), every object of objects/ at
# its id (410 for a Tombstone), and 404 for anything else. Before the
# document is sent, the local organisation asso follows every https actor
# it names (a Follow queued, then the actor's Accept received through the
# inbox), so that a Create from them is stored.
#
# How each document is sent (second field):
#   as-is     an activity, sent as it is, signed by its actor.
#   follow    a Follow, its object replaced by https://lyon.test/@asso so
#             that it takes the accept path; signed by its actor.
#   create    an object (a post, even one filed under activities/),
#             wrapped in a Create by its first attributedTo, id
#             <attributedTo>#create-test, signed by it.
#   update    an actor, wrapped in an Update by itself, id
#             <actor>#update-test, signed by it.
#   unsigned  neither an activity nor an object with an author (a
#             collection, a tombstone): sent as it is, without a signature,
#             to show it is refused as not an activity.
#
# Fields: path | how | HTTP status | outcome of ProcessInbox, or the
# inbox's refusal | what changed in the database (posts, actors, follows:
# + new, ~ changed, - removed; sent: activities queued for delivery).
# A trailing "not followed" field names actors asso could not follow.
# Identifiers in http:// are refused: the portal is https-only (Insecure
# is false), so it cannot fetch those actors' keys. Activities whose actor
# is such a server (Lemmy's and lotide's, from development instances) are
# sent a second time, as "<path> (https)", with every http://serverN.example
# turned into https://, to show what the portal does with their content.
#
# TestInboxFixturesOnBothDatabases runs a few of these on SQLite and
# PostgreSQL and expects the same lines.
`

// TestInboxFixtures gives every ActivityPub fixture to the inbox of a
// fresh portal and compares what happens with testdata/fixtures.golden.
// No fixture may make the inbox fail (5xx) or panic.
func TestInboxFixtures(t *testing.T) {
	c := loadCorpus(t)
	g := openGolden(t, fixturesGolden, fixturesHeader)
	tmpl := templateDB(t)
	var keys []string
	for _, f := range c.files {
		keys = append(keys, f.path)
		t.Run(f.path, func(t *testing.T) {
			w := newWorld(t, copyDB(t, tmpl), c.fediverse())
			g.check(t, runFixture(t, w, f))
		})
	}
	g.finish(t, keys)
}

// bothDatabases are fixtures that are also run on PostgreSQL and SQLite in
// one portal, one after the other: they name distinct actors, so that each
// gives the line it gives alone.
var bothDatabases = []string{
	"friendica/activities/create_page_2.json",
	"gnusocial/objects/note.json",
	"lemmy/activities/create_or_update/create_page.json",
	"lemmy/collections/group_outbox.json",
	"mastodon/activities/create_note.json",
	"mastodon/activities/follow.json",
	"mobilizon/objects/event.json",
	"peertube/activities/announce_video.json",
	"pleroma/activities/delete.json",
	"smithereen/objects/person.json",
}

// TestInboxFixturesOnBothDatabases runs a few fixtures on each database
// and expects the lines of the golden file.
func TestInboxFixturesOnBothDatabases(t *testing.T) {
	c := loadCorpus(t)
	g := openGolden(t, fixturesGolden, fixturesHeader)
	if updating() {
		t.Skip("the golden file is being rewritten")
	}
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db, c.fediverse())
		for _, path := range bothDatabases {
			f := c.byPath[path]
			if f == nil {
				t.Fatalf("%s: no such fixture", path)
			}
			t.Run(path, func(t *testing.T) { g.check(t, runFixture(t, w, f)) })
		}
	})
}

// runFixture follows the document's authors, sends it and processes it,
// and returns its golden line.
func runFixture(t *testing.T, w *world, f *fixture) string {
	p := prepare(f)
	var notFollowed []string
	for _, a := range authors(p.body) {
		if err := w.follow(a); err != nil {
			notFollowed = append(notFollowed, err.Error())
		}
	}
	before := w.snapshot()
	status, outcome := w.deliver(p.signer, p.body)
	if status >= 500 || status < 0 || strings.HasPrefix(outcome, "PANIC") ||
		strings.HasPrefix(outcome, "error: PANIC") {
		t.Errorf("%s: %d %s", f.path, status, outcome)
	}
	line := fmt.Sprintf("%s | %s | %d | %s | %s", f.path, p.mode, status, oneLine(outcome),
		changes(before, w.snapshot()))
	if notFollowed != nil {
		line += " | not followed: " + oneLine(strings.Join(notFollowed, "; "))
	}
	return line
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// templateDB makes a migrated SQLite database holding the portal's actors
// and asso with their keys, and returns its path: each fixture runs on a
// copy, which costs far less than migrating and generating keys again.
func templateDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dsn := dbtest.DSN(t, "sqlite")
	db, err := migrations.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.Up(ctx, db); err != nil {
		db.Close()
		t.Fatal(err)
	}
	newWorld(t, db, newFediverse())
	if err := db.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	return strings.TrimPrefix(dsn, "sqlite:")
}

// copyDB opens a copy of the template database, removed when t ends.
func copyDB(t *testing.T, tmpl string) *bun.DB {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "portal.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(tmpl+suffix, dst+suffix); err != nil && suffix == "" {
			t.Fatal(err)
		}
	}
	db, err := migrations.Open(context.Background(), "sqlite:"+dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
