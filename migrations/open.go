package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/schema"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver: no cgo needed
)

// ErrBadDSN is returned by Open for a database address it cannot use.
var ErrBadDSN = errors.New("migrations: database must be sqlite:PATH or a postgres:// URL")

// Open connects to the database named by dsn, "sqlite:PATH" or a
// "postgres://" URL, and checks that it answers. It does not migrate.
//
// SQLite gets a single connection: SQLite allows one writer at a time and
// River's SQLite driver expects one connection, so the portal queues its own
// statements rather than meeting "database is locked" under load. WAL mode
// lets another process (a backup, a CLI command) read meanwhile.
func Open(ctx context.Context, dsn string) (*bun.DB, error) {
	var (
		sqldb *sql.DB
		d     schema.Dialect
		err   error
	)
	switch {
	case dsn == "sqlite:":
		return nil, fmt.Errorf("%w: sqlite: needs a file path", ErrBadDSN)
	case strings.HasPrefix(dsn, "sqlite:"):
		sqldb, err = sql.Open("sqlite", sqliteDSN(strings.TrimPrefix(dsn, "sqlite:")))
		if err == nil {
			sqldb.SetMaxOpenConns(1)
		}
		d = sqlitedialect.New()
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		sqldb, err = sql.Open("pgx", dsn)
		d = pgdialect.New()
	default:
		return nil, ErrBadDSN
	}
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	db := bun.NewDB(sqldb, d)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("reaching database: %w", err)
	}
	return db, nil
}

func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// IsSQLite tells whether db runs on SQLite.
func IsSQLite(db *bun.DB) bool {
	return db.Dialect().Name() == dialect.SQLite
}

// QueueDriver returns the River driver that fits db, so that jobs are
// stored in the portal's own database and can be inserted in the same
// transaction as the change that causes them.
func QueueDriver(db *bun.DB) riverdriver.Driver[*sql.Tx] {
	if IsSQLite(db) {
		return riversqlite.New(db.DB)
	}
	return riverdatabasesql.New(db.DB)
}
