package timeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Errors the store returns; check them with errors.Is.
var (
	ErrNotFound  = errors.New("timeline: not found")
	ErrInvalid   = errors.New("timeline: invalid")
	ErrForbidden = errors.New("timeline: not allowed")
	ErrExists    = errors.New("timeline: already exists")
)

// Change says what happened to a post, for a [Hook].
type Change string

// The changes a [Hook] is told of.
const (
	Created    Change = "created"
	Updated    Change = "updated"
	Deleted    Change = "deleted"
	Featured   Change = "featured"
	Unfeatured Change = "unfeatured"
)

// Hook is told of every change to a local post inside the transaction that
// makes it, so that the work the change causes (deliveries to followers) is
// committed with it or not at all. A Hook that returns an error rolls the
// change back.
type Hook interface {
	PostChanged(ctx context.Context, tx bun.Tx, p *Post, c Change) error
}

// Store reads and writes the timeline's tables. It is safe for concurrent
// use. The zero Store is not usable; call [New].
type Store struct {
	db    bun.IDB
	hooks []Hook
	now   func() time.Time
}

// New returns a Store on db that tells hooks of every change to local posts.
func New(db *bun.DB, hooks ...Hook) *Store {
	return &Store{db: db, hooks: hooks, now: time.Now}
}

// AddHook registers h after construction, for wiring where the hook itself
// needs the store.
func (s *Store) AddHook(h Hook) { s.hooks = append(s.hooks, h) }

// WithTx returns a Store that works inside tx, for callers (the charter)
// that change the timeline and their own tables together.
func (s *Store) WithTx(tx bun.Tx) *Store {
	c := *s
	c.db = tx
	return &c
}

// DB returns what the store queries through: the database or a transaction.
func (s *Store) DB() bun.IDB { return s.db }

// SetClock replaces the store's clock, for tests.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now returns the store's current time in UTC, truncated to microseconds,
// which both databases keep exactly.
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in the store's transaction, or in a new one.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if tx, ok := s.db.(bun.Tx); ok {
		return fn(ctx, tx)
	}
	return s.db.RunInTx(ctx, nil, fn)
}

func (s *Store) notify(ctx context.Context, tx bun.Tx, p *Post, c Change) error {
	for _, h := range s.hooks {
		if err := h.PostChanged(ctx, tx, p, c); err != nil {
			return fmt.Errorf("after post %d %s: %w", p.ID, c, err)
		}
	}
	return nil
}

// notFound turns sql.ErrNoRows into ErrNotFound and wraps other errors.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// invalid builds a validation error naming the field at fault.
func invalid(field, why string) error {
	return &FieldError{Field: field, Why: why}
}

// FieldError is a validation failure of one field; it matches ErrInvalid.
type FieldError struct {
	Field string
	Why   string
}

func (e *FieldError) Error() string { return "timeline: " + e.Field + ": " + e.Why }

// Is makes errors.Is(err, ErrInvalid) true for every FieldError.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }
