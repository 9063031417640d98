package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Reactions: which actor liked or boosted which object, and by which
// activity, so that a reaction counts once per actor even when activities
// arrive at once, and its Undo finds it.
func init() {
	all.MustRegister(reactionsUp, reactionsDown)
}

type reactionsReaction struct {
	bun.BaseModel `bun:"table:ap_reactions"`

	ActorURI    string    `bun:"actor_uri,pk"`
	ObjectURI   string    `bun:"object_uri,pk"`
	Kind        string    `bun:",pk"`
	ActivityURI string    `bun:"activity_uri,notnull"`
	CreatedAt   time.Time `bun:",notnull"`
}

func reactionsUp(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*reactionsReaction)(nil)); err != nil {
			return err
		}
		_, err := tx.NewCreateIndex().Model((*reactionsReaction)(nil)).
			Index("ap_reactions_activity").Column("activity_uri").Exec(ctx)
		if err != nil {
			return fmt.Errorf("creating index ap_reactions_activity: %w", err)
		}
		return nil
	})
}

func reactionsDown(ctx context.Context, db *bun.DB) error {
	return dropTables(ctx, db, (*reactionsReaction)(nil))
}
