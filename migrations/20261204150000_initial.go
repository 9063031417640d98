package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// The first schema: the domain's actors, people, posts and featured
// timeline; the charter's decisions; the web's sessions; and the
// federation's keys, follows, activities, inbox and peers.
func init() {
	all.MustRegister(initialUp, initialDown)
}

type initialActor struct {
	bun.BaseModel `bun:"table:actors"`

	ID         int64     `bun:",pk,autoincrement"`
	Local      bool      `bun:",notnull"`
	Username   string    `bun:",notnull"`
	Domain     string    `bun:",notnull"`
	URI        string    `bun:"uri,nullzero,unique"`
	Kind       string    `bun:",notnull"`
	Name       string    `bun:",notnull"`
	Summary    string    `bun:",notnull"`
	LegalForm  string    `bun:",notnull"`
	Sector     string    `bun:",notnull"`
	Address    string    `bun:",notnull"`
	PostalCode string    `bun:",notnull"`
	City       string    `bun:",notnull"`
	Website    string    `bun:",notnull"`
	URL        string    `bun:"url,notnull"`
	IconURL    string    `bun:"icon_url,notnull"`
	CreatedAt  time.Time `bun:",notnull"`
	UpdatedAt  time.Time `bun:",notnull"`
}

type initialUser struct {
	bun.BaseModel `bun:"table:users"`

	ID           int64     `bun:",pk,autoincrement"`
	Login        string    `bun:",notnull,unique"`
	Name         string    `bun:",notnull"`
	PasswordHash string    `bun:",notnull"`
	Admin        bool      `bun:",notnull"`
	Committee    bool      `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
}

type initialMembership struct {
	bun.BaseModel `bun:"table:memberships"`

	UserID  int64  `bun:",pk"`
	ActorID int64  `bun:",pk"`
	Role    string `bun:",notnull"`
}

type initialPost struct {
	bun.BaseModel `bun:"table:posts"`

	ID            int64     `bun:",pk,autoincrement"`
	ActorID       int64     `bun:",notnull"`
	Local         bool      `bun:",notnull"`
	Kind          string    `bun:",notnull"`
	URI           string    `bun:"uri,nullzero,unique"`
	URL           string    `bun:"url,notnull"`
	InReplyTo     string    `bun:",notnull"`
	Title         string    `bun:",notnull"`
	Summary       string    `bun:",notnull"`
	BodyMarkdown  string    `bun:",notnull"`
	BodyHTML      string    `bun:"body_html,notnull"`
	ImageURL      string    `bun:"image_url,notnull"`
	ImageAlt      string    `bun:",notnull"`
	StartsAt      time.Time `bun:",nullzero"`
	EndsAt        time.Time `bun:",nullzero"`
	TimeZone      string    `bun:",notnull"`
	PlaceName     string    `bun:",notnull"`
	StreetAddress string    `bun:",notnull"`
	PostalCode    string    `bun:",notnull"`
	Locality      string    `bun:",notnull"`
	OnlineURL     string    `bun:"online_url,notnull"`
	LikeCount     int       `bun:",notnull"`
	AnnounceCount int       `bun:",notnull"`
	PublishedAt   time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
	DeletedAt     time.Time `bun:",nullzero"`
}

type initialFeatured struct {
	bun.BaseModel `bun:"table:featured_items"`

	PostID     int64     `bun:",pk"`
	DecisionID int64     `bun:",notnull"`
	FeaturedAt time.Time `bun:",notnull"`
}

type initialDecision struct {
	bun.BaseModel `bun:"table:charter_decisions"`

	ID        int64     `bun:",pk,autoincrement"`
	Kind      string    `bun:",notnull"`
	PostID    int64     `bun:",notnull"`
	UserID    int64     `bun:",notnull"`
	Articles  string    `bun:",notnull"`
	Reason    string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
}

type initialSession struct {
	bun.BaseModel `bun:"table:web_sessions"`

	TokenHash string    `bun:",pk"`
	UserID    int64     `bun:",notnull"`
	CSRFToken string    `bun:"csrf_token,notnull"`
	Lang      string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
	ExpiresAt time.Time `bun:",notnull"`
}

type initialAPActor struct {
	bun.BaseModel `bun:"table:ap_actors"`

	ActorID       int64     `bun:",pk"`
	Type          string    `bun:",notnull"`
	Inbox         string    `bun:",notnull"`
	SharedInbox   string    `bun:",notnull"`
	Outbox        string    `bun:",notnull"`
	FollowersURL  string    `bun:"followers_url,notnull"`
	KeyID         string    `bun:"key_id,notnull"`
	PublicKeyPEM  string    `bun:"public_key_pem,notnull"`
	PrivateKeyPEM string    `bun:"private_key_pem,notnull"`
	FetchedAt     time.Time `bun:",nullzero"`
}

type initialFollow struct {
	bun.BaseModel `bun:"table:ap_follows"`

	ID         int64     `bun:",pk,autoincrement"`
	FollowerID int64     `bun:",notnull"`
	FolloweeID int64     `bun:",notnull"`
	URI        string    `bun:"uri,notnull"`
	Accepted   bool      `bun:",notnull"`
	CreatedAt  time.Time `bun:",notnull"`
}

type initialActivity struct {
	bun.BaseModel `bun:"table:ap_activities"`

	ID        int64     `bun:",pk,autoincrement"`
	URI       string    `bun:"uri,notnull,unique"`
	ActorID   int64     `bun:",notnull"`
	Type      string    `bun:",notnull"`
	ObjectURI string    `bun:"object_uri,notnull"`
	Audience  string    `bun:",notnull"`
	Body      string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
}

type initialInbox struct {
	bun.BaseModel `bun:"table:ap_inbox"`

	ID          int64     `bun:",pk,autoincrement"`
	URI         string    `bun:"uri,notnull,unique"`
	Type        string    `bun:",notnull"`
	ActorURI    string    `bun:"actor_uri,notnull"`
	KeyID       string    `bun:"key_id,notnull"`
	Body        string    `bun:",notnull"`
	ReceivedAt  time.Time `bun:",notnull"`
	ProcessedAt time.Time `bun:",nullzero"`
	Outcome     string    `bun:",notnull"`
}

type initialPeer struct {
	bun.BaseModel `bun:"table:ap_peers"`

	Host             string    `bun:",pk"`
	Failures         int       `bun:",notnull"`
	LastError        string    `bun:",notnull"`
	LastSuccessAt    time.Time `bun:",nullzero"`
	UnavailableUntil time.Time `bun:",nullzero"`
}

func initialModels() []any {
	return []any{
		(*initialActor)(nil), (*initialUser)(nil), (*initialMembership)(nil),
		(*initialPost)(nil), (*initialFeatured)(nil), (*initialDecision)(nil),
		(*initialSession)(nil), (*initialAPActor)(nil), (*initialFollow)(nil),
		(*initialActivity)(nil), (*initialInbox)(nil), (*initialPeer)(nil),
	}
}

func initialUp(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, initialModels()...); err != nil {
			return err
		}
		// Local usernames are unique; remote ones need not be (Lemmy has a
		// user and a community of the same name), remote actors are keyed
		// by uri.
		_, err := tx.NewCreateIndex().Model((*initialActor)(nil)).
			Index("actors_local_username").Unique().Column("username").
			Where("local").Exec(ctx)
		if err != nil {
			return fmt.Errorf("creating index actors_local_username: %w", err)
		}
		return createIndexes(ctx, tx,
			index{(*initialActor)(nil), "actors_domain_username", false,
				[]string{"domain", "username"}},
			index{(*initialPost)(nil), "posts_actor_published", false,
				[]string{"actor_id", "published_at"}},
			index{(*initialPost)(nil), "posts_kind_starts", false,
				[]string{"kind", "starts_at"}},
			index{(*initialPost)(nil), "posts_in_reply_to", false, []string{"in_reply_to"}},
			index{(*initialFollow)(nil), "ap_follows_pair", true,
				[]string{"follower_id", "followee_id"}},
			index{(*initialFollow)(nil), "ap_follows_followee", false, []string{"followee_id"}},
			index{(*initialActivity)(nil), "ap_activities_actor", false,
				[]string{"actor_id", "created_at"}},
			index{(*initialActivity)(nil), "ap_activities_object", false,
				[]string{"object_uri"}},
			index{(*initialAPActor)(nil), "ap_actors_key_id", false, []string{"key_id"}},
			index{(*initialSession)(nil), "web_sessions_user", false, []string{"user_id"}},
		)
	})
}

func initialDown(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return dropTables(ctx, tx, initialModels()...)
	})
}
