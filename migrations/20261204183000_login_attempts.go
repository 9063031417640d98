package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Login attempts, kept in the database rather than in one process's memory,
// so that a restart does not forgive a password guesser and every process
// of a portal counts the same failures.
func init() {
	all.MustRegister(loginAttemptsUp, loginAttemptsDown)
}

type loginAttemptsAttempt struct {
	bun.BaseModel `bun:"table:web_login_attempts"`

	ID      int64     `bun:",pk,autoincrement"`
	Subject string    `bun:",notnull"` // "login:NAME" or "addr:ADDRESS"
	TriedAt time.Time `bun:",notnull"`
}

func loginAttemptsUp(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*loginAttemptsAttempt)(nil)); err != nil {
			return err
		}
		return createIndexes(ctx, tx,
			index{(*loginAttemptsAttempt)(nil), "web_login_attempts_subject", false, []string{"subject", "tried_at"}},
			index{(*loginAttemptsAttempt)(nil), "web_login_attempts_tried_at", false, []string{"tried_at"}})
	})
}

func loginAttemptsDown(ctx context.Context, db *bun.DB) error {
	return dropTables(ctx, db, (*loginAttemptsAttempt)(nil))
}
