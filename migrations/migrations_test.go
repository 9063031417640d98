package migrations_test

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations"
	"github.com/ess-lyon/portal/migrations/dbtest"
)

func TestUpIsRepeatable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		// dbtest already ran Up once; a second run must find nothing to do
		// and leave the tables usable.
		if err := migrations.Up(context.Background(), db); err != nil {
			t.Fatalf("second Up: %v", err)
		}
		for _, table := range []string{"actors", "posts", "ap_follows", "river_job", "reports",
			"report_posts", "report_actors"} {
			var n int
			err := db.NewSelect().TableExpr(table).ColumnExpr("count(*)").Scan(context.Background(), &n)
			if err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
	})
}

func TestOpenRefusesUnknownDSN(t *testing.T) {
	_, err := migrations.Open(context.Background(), "mysql://x")
	if err != migrations.ErrBadDSN {
		t.Fatalf("got %v, want ErrBadDSN", err)
	}
}

func TestRollbackThenUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		if err := migrations.RollbackAll(ctx, db); err != nil {
			t.Fatalf("rolling back: %v", err)
		}
		var n int
		err := db.NewSelect().TableExpr("actors").ColumnExpr("count(*)").Scan(ctx, &n)
		if err == nil {
			t.Fatal("actors table still exists after rolling back")
		}
		if err := migrations.Up(ctx, db); err != nil {
			t.Fatalf("migrating again: %v", err)
		}
		err = db.NewSelect().TableExpr("ap_inbox").ColumnExpr("count(signer_uri)").Scan(ctx, &n)
		if err != nil {
			t.Fatalf("ap_inbox.signer_uri after migrating again: %v", err)
		}
	})
}
