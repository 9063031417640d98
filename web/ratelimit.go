package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/uptrace/bun"
)

// Failed logins allowed per account and per client address in a window.
const (
	loginFailures = 5
	loginWindow   = 15 * time.Minute
)

// loginAttempt is a row of web_login_attempts: one try at signing in,
// counted against one key (an account, a client address). The rows live
// in the database so that a restart forgets nothing and several portal
// processes share the count.
type loginAttempt struct {
	bun.BaseModel `bun:"table:web_login_attempts"`

	ID      int64     `bun:",pk,autoincrement"`
	Subject string    `bun:",notnull"`
	TriedAt time.Time `bun:",notnull"`
}

// attempt is a login attempt in progress: its rows, one per key.
type attempt struct {
	ids []int64
}

// beginAttempt records an attempt against every key, then tells whether
// any key has had more than loginFailures attempts in the window, this one
// included. Recording before counting is what bounds concurrent guesses:
// each sees the others' rows, so at most loginFailures of them reach the
// password check, however many arrive at once.
//
// A blocked attempt's rows are removed again, so that an attacker who
// keeps knocking does not keep an account locked past the window of its
// last real failure.
func (s *Server) beginAttempt(ctx context.Context, now time.Time, keys ...string) (*attempt, bool, error) {
	_, err := s.db.NewDelete().Model((*loginAttempt)(nil)).
		Where("tried_at <= ?", now.Add(-loginWindow)).Exec(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("clearing old login attempts: %w", err)
	}
	rows := make([]loginAttempt, len(keys))
	for i, k := range keys {
		rows[i] = loginAttempt{Subject: k, TriedAt: now}
	}
	if _, err := s.db.NewInsert().Model(&rows).Returning("id").Exec(ctx); err != nil {
		return nil, false, fmt.Errorf("recording a login attempt: %w", err)
	}
	a := &attempt{}
	for _, row := range rows {
		a.ids = append(a.ids, row.ID)
	}

	var most int
	err = s.db.NewSelect().Model((*loginAttempt)(nil)).ColumnExpr("COUNT(*)").
		Where("subject IN (?)", bun.In(keys)).Where("tried_at > ?", now.Add(-loginWindow)).
		GroupExpr("subject").OrderExpr("1 DESC").Limit(1).Scan(ctx, &most)
	if err != nil {
		return nil, false, fmt.Errorf("counting login attempts: %w", err)
	}
	if most > loginFailures {
		return nil, true, s.endAttempt(ctx, a)
	}
	return a, false, nil
}

// endAttempt removes an attempt that turned out not to be a failure.
func (s *Server) endAttempt(ctx context.Context, a *attempt) error {
	_, err := s.db.NewDelete().Model((*loginAttempt)(nil)).Where("id IN (?)", bun.In(a.ids)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("removing a login attempt: %w", err)
	}
	return nil
}

// forgiveLogin clears an account's failures, when it signs in.
func (s *Server) forgiveLogin(ctx context.Context, key string) error {
	_, err := s.db.NewDelete().Model((*loginAttempt)(nil)).Where("subject = ?", key).Exec(ctx)
	if err != nil {
		return fmt.Errorf("clearing login failures: %w", err)
	}
	return nil
}

// clientAddr is the address of the request's peer, IPv6 ones cut to their
// /64 since one client commonly holds a whole /64. Behind a reverse proxy
// the peer is the proxy, unless cmd rewrites RemoteAddr from a header it
// trusts.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
