package migrations

import (
	"context"
	"fmt"

	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// all holds every schema migration; each file registers its own in init.
var all = migrate.NewMigrations()

// Up brings db's schema, and the job queue's tables, to the newest version.
// It is safe to run on every start: applied migrations are skipped, and a
// migration is marked applied only once it has succeeded.
func Up(ctx context.Context, db *bun.DB) error {
	m := migrate.NewMigrator(db, all, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("preparing migrations table: %w", err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	return upQueue(ctx, db)
}

// upQueue runs River's own migrations: the queue's tables belong to River,
// which knows how to evolve them between its versions.
func upQueue(ctx context.Context, db *bun.DB) error {
	rm, err := rivermigrate.New(QueueDriver(db), nil)
	if err != nil {
		return fmt.Errorf("preparing queue migrations: %w", err)
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating queue tables: %w", err)
	}
	return nil
}

// createTables creates each model's table, for migrations that add tables.
func createTables(ctx context.Context, db bun.IDB, models ...any) error {
	for _, m := range models {
		if _, err := db.NewCreateTable().Model(m).Exec(ctx); err != nil {
			return fmt.Errorf("creating table for %T: %w", m, err)
		}
	}
	return nil
}

// dropTables drops each model's table, in the order given.
func dropTables(ctx context.Context, db bun.IDB, models ...any) error {
	for _, m := range models {
		if _, err := db.NewDropTable().Model(m).IfExists().Exec(ctx); err != nil {
			return fmt.Errorf("dropping table for %T: %w", m, err)
		}
	}
	return nil
}

// index is one CREATE INDEX of a migration.
type index struct {
	model   any
	name    string
	unique  bool
	columns []string
}

func createIndexes(ctx context.Context, db bun.IDB, idx ...index) error {
	for _, ix := range idx {
		q := db.NewCreateIndex().Model(ix.model).Index(ix.name).Column(ix.columns...)
		if ix.unique {
			q = q.Unique()
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("creating index %s: %w", ix.name, err)
		}
	}
	return nil
}

// RollbackAll undoes every applied migration, newest first, leaving the
// queue's tables alone. For tests of the down migrations, and for an
// operator who wants an empty schema.
func RollbackAll(ctx context.Context, db *bun.DB) error {
	m := migrate.NewMigrator(db, all, migrate.WithMarkAppliedOnSuccess(true))
	for {
		group, err := m.Rollback(ctx)
		if err != nil {
			return fmt.Errorf("rolling back: %w", err)
		}
		if group.IsZero() {
			return nil
		}
	}
}
