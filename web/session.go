package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/uptrace/bun"
)

// Sessions live in a cookie holding a random token; the database keeps only
// the token's hash, so that a leaked copy of the table opens no session.
const (
	sessionCookie   = "portal_session"
	sessionLifetime = 30 * 24 * time.Hour
)

// errNoSession is returned for a missing, unknown or expired session.
var errNoSession = errors.New("web: no session")

// session is a signed-in visitor: a row of web_sessions.
type session struct {
	bun.BaseModel `bun:"table:web_sessions"`

	TokenHash string    `bun:",pk"`
	UserID    int64     `bun:",notnull"`
	CSRFToken string    `bun:"csrf_token,notnull"` // expected in every form the session posts
	Lang      string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
	ExpiresAt time.Time `bun:",notnull"`
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the database stores of a session token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// startSession stores a new session for a user and returns the token for
// its cookie. It also clears every expired session.
func (s *Server) startSession(ctx context.Context, userID int64, lang string) (string, error) {
	now := s.posts.Now().Truncate(time.Second)
	_, err := s.db.NewDelete().Model((*session)(nil)).Where("expires_at < ?", now).Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("removing expired sessions: %w", err)
	}

	token := randomToken()
	sess := &session{
		TokenHash: hashToken(token), UserID: userID, CSRFToken: randomToken(),
		Lang: lang, CreatedAt: now, ExpiresAt: now.Add(sessionLifetime),
	}
	if _, err := s.db.NewInsert().Model(sess).Exec(ctx); err != nil {
		return "", fmt.Errorf("storing session of user %d: %w", userID, err)
	}
	return token, nil
}

// findSession returns the live session of a cookie's token, or errNoSession.
func (s *Server) findSession(ctx context.Context, token string) (*session, error) {
	if token == "" {
		return nil, errNoSession
	}
	sess := new(session)
	err := s.db.NewSelect().Model(sess).Where("token_hash = ?", hashToken(token)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("reading session: %w", err)
	}
	if !s.posts.Now().Before(sess.ExpiresAt) {
		return nil, errNoSession
	}
	return sess, nil
}

// endSession deletes a session, when its visitor signs out.
func (s *Server) endSession(ctx context.Context, sess *session) error {
	_, err := s.db.NewDelete().Model(sess).WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("deleting session of user %d: %w", sess.UserID, err)
	}
	return nil
}

// setSessionLang remembers the language a signed-in visitor chose.
func (s *Server) setSessionLang(ctx context.Context, sess *session, lang string) error {
	sess.Lang = lang
	_, err := s.db.NewUpdate().Model(sess).WherePK().Column("lang").Exec(ctx)
	if err != nil {
		return fmt.Errorf("saving language of user %d: %w", sess.UserID, err)
	}
	return nil
}

// cookie builds one of the portal's cookies: for the whole site, out of
// scripts' reach, not sent along cross-site POSTs, and Secure over TLS. A
// negative maxAge deletes it.
func (s *Server) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	age := int(maxAge.Seconds())
	if maxAge < 0 {
		age = -1
	}
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: age,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	}
}
