// Package dbtest gives tests a fresh, migrated database of each kind the
// portal supports, and removes it afterwards.
//
// PostgreSQL is reached at PORTAL_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/test). Each test gets its own schema.
// When the server cannot be reached the PostgreSQL half is skipped, except
// under CI=true, where it fails: CI must prove both databases.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for schema setup
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations"
)

// Kinds lists the databases Each runs a test on.
var Kinds = []string{"sqlite", "postgres"}

// Each runs fn as a subtest once per database kind, each with a new
// migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *bun.DB)) {
	t.Helper()
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			fn(t, Open(t, kind))
		})
	}
}

// Open returns a new migrated database of the given kind, closed and
// removed when t ends.
func Open(t testing.TB, kind string) *bun.DB {
	t.Helper()
	dsn := DSN(t, kind)
	db, err := migrations.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("opening %s: %v", kind, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := migrations.Up(context.Background(), db); err != nil {
		t.Fatalf("migrating %s: %v", kind, err)
	}
	return db
}

// DSN returns the address of a new empty database of the given kind, for
// tests that start a whole portal process on it.
func DSN(t testing.TB, kind string) string {
	t.Helper()
	switch kind {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "portal.db")
	case "postgres":
		return postgresSchema(t)
	}
	t.Fatalf("unknown database kind %q", kind)
	return ""
}

// PostgresURL is the server the PostgreSQL tests use.
func PostgresURL() string {
	if u := os.Getenv("PORTAL_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// postgresSchema creates a schema of its own for t and returns a URL whose
// search_path points at it, so that the portal and River create their
// tables there.
func postgresSchema(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("pgx", PostgresURL())
	if err == nil {
		err = admin.PingContext(context.Background())
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI and unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable, skipping (set CI=true to fail): %v", err)
	}
	schema := "t_" + randomHex(8)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
		admin.Close()
	})
	return withSearchPath(PostgresURL(), schema)
}

func withSearchPath(base, schema string) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
