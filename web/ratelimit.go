package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/uptrace/bun"
)

// Failed logins allowed in a window, counted three ways. The tight limit
// is on an account from one address: the rightful owner, signing in from
// elsewhere, is not locked out by someone guessing from their machine. An
// address guessing at many accounts is stopped by the second, and a guess
// spread over many addresses at one account by the third, which takes an
// attacker with ten networks (an IPv6 /64 counts as one) to lock an
// account: the price of bounding distributed guessing at all.
const (
	loginFailures        = 5  // one account from one address
	loginAddressFailures = 20 // one address, whatever the accounts
	loginAccountFailures = 50 // one account, whatever the addresses
	loginWindow          = 15 * time.Minute
)

// loginLimits returns the keys a login attempt counts against, with their
// limits.
func loginLimits(login, addr string) map[string]int {
	return map[string]int{
		pairKey(login, addr): loginFailures,
		"addr:" + addr:       loginAddressFailures,
		loginKey(login):      loginAccountFailures,
	}
}

func pairKey(login, addr string) string { return "pair:" + addr + " " + login }
func loginKey(login string) string      { return "login:" + login }

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

// beginAttempt records an attempt against every key of limits, then tells
// whether any key has had more attempts in the window than its limit, this
// one included. Recording before counting is what bounds concurrent
// guesses: each sees the others' rows, so no more than the limit of them
// reach the password check, however many arrive at once.
//
// A blocked attempt's rows are removed again, so that an attacker who
// keeps knocking does not keep an account locked past the window of its
// last real failure.
func (s *Server) beginAttempt(ctx context.Context, now time.Time,
	limits map[string]int) (*attempt, bool, error) {
	_, err := s.db.NewDelete().Model((*loginAttempt)(nil)).
		Where("tried_at <= ?", now.Add(-loginWindow)).Exec(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("clearing old login attempts: %w", err)
	}
	rows := make([]loginAttempt, 0, len(limits))
	keys := make([]string, 0, len(limits))
	for k := range limits {
		rows = append(rows, loginAttempt{Subject: k, TriedAt: now})
		keys = append(keys, k)
	}
	if _, err := s.db.NewInsert().Model(&rows).Returning("id").Exec(ctx); err != nil {
		return nil, false, fmt.Errorf("recording a login attempt: %w", err)
	}
	a := &attempt{}
	for _, row := range rows {
		a.ids = append(a.ids, row.ID)
	}

	var counts []struct {
		Subject string
		N       int
	}
	err = s.db.NewSelect().Model((*loginAttempt)(nil)).Column("subject").ColumnExpr("COUNT(*) AS n").
		Where("subject IN (?)", bun.In(keys)).Where("tried_at > ?", now.Add(-loginWindow)).
		GroupExpr("subject").Scan(ctx, &counts)
	if err != nil {
		return nil, false, fmt.Errorf("counting login attempts: %w", err)
	}
	for _, c := range counts {
		if c.N > limits[c.Subject] {
			return nil, true, s.endAttempt(ctx, a)
		}
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

// forgiveLogin clears an account's failures when it signs in: those
// counted against the account and against it from this address. The
// address's own count is not cleared, or one valid account would let an
// address keep guessing at others; nor are the account's failures from
// other addresses, which are someone else's guesses.
func (s *Server) forgiveLogin(ctx context.Context, login, addr string) error {
	forgiven := []string{loginKey(login), pairKey(login, addr)}
	_, err := s.db.NewDelete().Model((*loginAttempt)(nil)).
		Where("subject IN (?)", bun.In(forgiven)).Exec(ctx)
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
