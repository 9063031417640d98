package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Reports: what other servers report to the portal's moderators (an
// ActivityPub Flag), the local posts and actors each names, and how a
// moderator resolved it. A report is keyed by where it came from, so that
// one received twice is stored once.
//
// Flags received before this migration stay in ap_inbox: the federation
// layer turns them into reports when it starts, since it knows which of
// their objects are local and a migration does not.
func init() {
	all.MustRegister(reportsUp, reportsDown)
}

type reportsReport struct {
	bun.BaseModel `bun:"table:reports"`

	ID          int64     `bun:",pk,autoincrement"`
	URI         string    `bun:"uri,notnull,unique"`
	ReporterURI string    `bun:"reporter_uri,notnull"`
	Comment     string    `bun:",notnull"`
	ReceivedAt  time.Time `bun:",notnull"`
	State       string    `bun:",notnull"`
	ResolvedBy  int64     `bun:",nullzero"`
	ResolvedAt  time.Time `bun:",nullzero"`
	Note        string    `bun:",notnull"`
}

type reportsPost struct {
	bun.BaseModel `bun:"table:report_posts"`

	ReportID int64 `bun:",pk"`
	PostID   int64 `bun:",pk"`
}

type reportsActor struct {
	bun.BaseModel `bun:"table:report_actors"`

	ReportID int64 `bun:",pk"`
	ActorID  int64 `bun:",pk"`
}

// reportsInbox is the part of ap_inbox the index below covers.
type reportsInbox struct {
	bun.BaseModel `bun:"table:ap_inbox"`

	Type    string `bun:",notnull"`
	Outcome string `bun:",notnull"`
}

func reportsModels() []any {
	return []any{(*reportsReport)(nil), (*reportsPost)(nil), (*reportsActor)(nil)}
}

func reportsUp(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, reportsModels()...); err != nil {
			return err
		}
		// The moderation page lists open reports, newest first. Every start
		// looks for Flags stored before reports, and every prune keeps
		// them: by type and outcome, not through the whole inbox.
		return createIndexes(ctx, tx,
			index{(*reportsReport)(nil), "reports_state_received", false,
				[]string{"state", "received_at"}},
			index{(*reportsInbox)(nil), "ap_inbox_type_outcome", false, []string{"type", "outcome"}})
	})
}

func reportsDown(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDropIndex().Model((*reportsInbox)(nil)).Index("ap_inbox_type_outcome").
			IfExists().Exec(ctx)
		if err != nil {
			return fmt.Errorf("dropping index ap_inbox_type_outcome: %w", err)
		}
		return dropTables(ctx, tx, reportsModels()...)
	})
}
