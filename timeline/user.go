package timeline

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/crypto/argon2"
)

// Role is what a person may do for an organisation.
type Role string

// The roles on an organisation. Owners also manage its editors.
const (
	Editor Role = "editor"
	Owner  Role = "owner"
)

// User is a person who logs in: an editor, a committee member, an admin.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID           int64     `bun:",pk,autoincrement"`
	Login        string    `bun:",notnull"`
	Name         string    `bun:",notnull"`
	PasswordHash string    `bun:",notnull"`
	Admin        bool      `bun:",notnull"`
	Committee    bool      `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
}

// Membership gives a user a role on a local actor.
type Membership struct {
	bun.BaseModel `bun:"table:memberships"`

	UserID  int64  `bun:",pk"`
	ActorID int64  `bun:",pk"`
	Actor   *Actor `bun:"rel:belongs-to,join:actor_id=id"`
	Role    Role   `bun:",notnull"`
}

// MinPassword is the shortest password accepted.
const MinPassword = 10

// CreateUser stores a new user with a hashed password.
func (s *Store) CreateUser(ctx context.Context, u *User, password string) error {
	u.Login = strings.ToLower(strings.TrimSpace(u.Login))
	if u.Login == "" {
		return invalid("login", "required")
	}
	if nulField(map[string]string{"login": u.Login, "name": u.Name, "password": password}) != "" {
		return invalid("login", "contains a NUL character")
	}
	if len(password) < MinPassword {
		return invalid("password", fmt.Sprintf("at least %d characters", MinPassword))
	}
	if _, err := s.UserByLogin(ctx, u.Login); err == nil {
		return fmt.Errorf("user %s: %w", u.Login, ErrExists)
	}
	u.PasswordHash = HashPassword(password)
	u.CreatedAt = s.Now()
	if _, err := s.db.NewInsert().Model(u).Exec(ctx); err != nil {
		return fmt.Errorf("creating user %s: %w", u.Login, err)
	}
	return nil
}

// SetPassword replaces a user's password; the user's sessions stay open
// until they expire or the user logs out.
func (s *Store) SetPassword(ctx context.Context, login, password string) error {
	if len(password) < MinPassword || strings.ContainsRune(password, 0) {
		return invalid("password", fmt.Sprintf("at least %d characters", MinPassword))
	}
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return err
	}
	_, err = s.db.NewUpdate().Model(u).WherePK().Set("password_hash = ?",
		HashPassword(password)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("setting password of %s: %w", login, err)
	}
	return nil
}

// UserByLogin returns the user with that login, case-insensitively.
func (s *Store) UserByLogin(ctx context.Context, login string) (*User, error) {
	if strings.ContainsRune(login, 0) {
		return nil, fmt.Errorf("user %q: %w", login, ErrNotFound)
	}
	u := new(User)
	err := s.db.NewSelect().Model(u).
		Where("login = ?", strings.ToLower(strings.TrimSpace(login))).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "user "+login)
	}
	return u, nil
}

// User returns the user with that id.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	u := new(User)
	if err := s.db.NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, fmt.Sprintf("user %d", id))
	}
	return u, nil
}

// Grant gives the user a role on a local organisation, replacing any role
// the user had there.
func (s *Store) Grant(ctx context.Context, userID, actorID int64, role Role) error {
	if role != Editor && role != Owner {
		return invalid("role", "editor or owner")
	}
	m := &Membership{UserID: userID, ActorID: actorID, Role: role}
	_, err := s.db.NewInsert().Model(m).On("CONFLICT (user_id, actor_id) DO UPDATE").
		Set("role = EXCLUDED.role").Exec(ctx)
	if err != nil {
		return fmt.Errorf("granting %s on actor %d to user %d: %w", role, actorID, userID, err)
	}
	return nil
}

// Memberships lists the organisations a user edits for, with their actors.
func (s *Store) Memberships(ctx context.Context, userID int64) ([]*Membership, error) {
	var out []*Membership
	err := s.db.NewSelect().Model(&out).Relation("Actor").
		Where("membership.user_id = ?", userID).OrderExpr("actor.name").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing memberships of user %d: %w", userID, err)
	}
	return out, nil
}

// RoleOn returns the user's role on an actor, or ErrForbidden when the user
// has none.
func (s *Store) RoleOn(ctx context.Context, userID, actorID int64) (Role, error) {
	m := new(Membership)
	err := s.db.NewSelect().Model(m).Where("user_id = ?", userID).
		Where("actor_id = ?", actorID).Scan(ctx)
	if err != nil {
		return "", fmt.Errorf("user %d on actor %d: %w", userID, actorID, ErrForbidden)
	}
	return m.Role, nil
}

// argon2id parameters: OWASP's recommended minimum for argon2id (19 MiB,
// two passes), affordable on a small server at login rates.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword hashes a password with argon2id and a random salt, in the
// PHC string format so that parameters can change later.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword tells whether password matches a hash made by HashPassword.
func CheckPassword(hash, password string) bool {
	var version, mem, t int
	var threads uint8
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || mem <= 0 || t <= 0 || threads == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, uint32(t), uint32(mem), threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
