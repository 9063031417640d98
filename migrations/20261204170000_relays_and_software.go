package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Relays and group-aware delivery: the inbox remembers who signed an
// activity when a relay forwards another actor's, and the portal remembers
// which software each server runs, to send groups' Announces in the form
// that software understands.
func init() {
	all.MustRegister(relaysUp, relaysDown)
}

type relaysInbox struct {
	bun.BaseModel `bun:"table:ap_inbox"`
	SignerURI     string `bun:"signer_uri,notnull,default:''"`
}

type relaysPeer struct {
	bun.BaseModel `bun:"table:ap_peers"`
	Software      string `bun:",notnull,default:''"`
}

func relaysUp(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, c := range []struct {
			model  any
			column string
		}{{(*relaysInbox)(nil), "signer_uri"}, {(*relaysPeer)(nil), "software"}} {
			if _, err := tx.NewAddColumn().Model(c.model).ColumnExpr(
				"? VARCHAR NOT NULL DEFAULT ''", bun.Ident(c.column)).Exec(ctx); err != nil {
				return fmt.Errorf("adding column %s: %w", c.column, err)
			}
		}
		return nil
	})
}

func relaysDown(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, c := range []struct {
			model  any
			column string
		}{{(*relaysInbox)(nil), "signer_uri"}, {(*relaysPeer)(nil), "software"}} {
			if _, err := tx.NewDropColumn().Model(c.model).Column(c.column).Exec(ctx); err != nil {
				return fmt.Errorf("dropping column %s: %w", c.column, err)
			}
		}
		return nil
	})
}
