package federation

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/timeline"
)

// apActor is what the federation layer keeps about an actor beyond the
// domain's profile: where to deliver, and its keys.
type apActor struct {
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

// deliveryInbox returns where to deliver to this actor: its server's shared
// inbox when it has one, so that a server gets each activity once.
func (a *apActor) deliveryInbox() string {
	if a.SharedInbox != "" {
		return a.SharedInbox
	}
	return a.Inbox
}

// follow is a Follow between two actors, local or remote.
type follow struct {
	bun.BaseModel `bun:"table:ap_follows"`

	ID         int64     `bun:",pk,autoincrement"`
	FollowerID int64     `bun:",notnull"`
	FolloweeID int64     `bun:",notnull"`
	URI        string    `bun:"uri,notnull"`
	Accepted   bool      `bun:",notnull"`
	CreatedAt  time.Time `bun:",notnull"`
}

// activity is an activity the portal published, kept so that deliveries
// can be retried and its identifier dereferenced.
type activity struct {
	bun.BaseModel `bun:"table:ap_activities"`

	ID        int64     `bun:",pk,autoincrement"`
	URI       string    `bun:"uri,notnull"`
	ActorID   int64     `bun:",notnull"`
	Type      string    `bun:",notnull"`
	ObjectURI string    `bun:"object_uri,notnull"`
	Audience  string    `bun:",notnull"`
	Body      string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
}

// inboxItem is an activity received, stored before it is processed so
// that the inbox can answer at once and lose nothing.
type inboxItem struct {
	bun.BaseModel `bun:"table:ap_inbox"`

	ID          int64     `bun:",pk,autoincrement"`
	URI         string    `bun:"uri,notnull"`
	Type        string    `bun:",notnull"`
	ActorURI    string    `bun:"actor_uri,notnull"`
	KeyID       string    `bun:"key_id,notnull"`
	Body        string    `bun:",notnull"`
	ReceivedAt  time.Time `bun:",notnull"`
	ProcessedAt time.Time `bun:",nullzero"`
	Outcome     string    `bun:",notnull"`
	// SignerURI is the relay that forwarded the activity, when the key
	// that signed it is not its actor's; empty otherwise.
	SignerURI string `bun:"signer_uri,notnull"`
}

// reaction is one actor's Like or Announce of one object, by the activity
// that made it: a reaction counts once per actor.
type reaction struct {
	bun.BaseModel `bun:"table:ap_reactions"`

	ActorURI    string    `bun:"actor_uri,pk"`
	ObjectURI   string    `bun:"object_uri,pk"`
	Kind        string    `bun:",pk"`
	ActivityURI string    `bun:"activity_uri,notnull"`
	CreatedAt   time.Time `bun:",notnull"`
}

// peer is what the portal remembers of a remote server's availability.
type peer struct {
	bun.BaseModel `bun:"table:ap_peers"`

	Host             string    `bun:",pk"`
	Failures         int       `bun:",notnull"`
	LastError        string    `bun:",notnull"`
	LastSuccessAt    time.Time `bun:",nullzero"`
	UnavailableUntil time.Time `bun:",nullzero"`
	Software         string    `bun:",notnull"` // from NodeInfo, lowercased
}

// localKeys returns a local actor's federation row, creating its key pair
// on first use.
func (s *Service) localKeys(ctx context.Context, a *timeline.Actor) (*apActor, error) {
	row := new(apActor)
	err := s.db.NewSelect().Model(row).Where("actor_id = ?", a.ID).Scan(ctx)
	if err == nil {
		return row, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("reading keys of %s: %w", a.Username, err)
	}
	priv, pub, err := newKeyPair()
	if err != nil {
		return nil, err
	}
	// The key id is recorded for reference only: a local actor's key id is
	// always derived from the current domain, which an operator may change.
	row = &apActor{ActorID: a.ID, Type: actorType(a), KeyID: s.cfg.KeyID(a),
		PublicKeyPEM: pub, PrivateKeyPEM: priv, Inbox: s.cfg.ActorURI(a) + "/inbox"}
	_, err = s.db.NewInsert().Model(row).On("CONFLICT (actor_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("storing keys of %s: %w", a.Username, err)
	}
	// Another process may have won the race: read what is stored.
	err = s.db.NewSelect().Model(row).Where("actor_id = ?", a.ID).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading keys of %s: %w", a.Username, err)
	}
	return row, nil
}

// newKeyPair makes a 2048-bit RSA key, the size every fediverse server
// accepts, as PEM.
func newKeyPair() (priv, pub string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", fmt.Errorf("generating key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("encoding public key: %w", err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("encoding private key: %w", err)
	}
	priv = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}))
	pub = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	return priv, pub, nil
}

func parsePrivateKey(s string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("federation: private key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("federation: private key is not RSA")
	}
	return rk, nil
}

// actorType is the ActivityStreams type of a local actor.
func actorType(a *timeline.Actor) string {
	switch a.Kind {
	case timeline.KindPortal:
		return "Group"
	case timeline.KindInstance:
		return "Application"
	case timeline.KindPerson:
		return "Person"
	case timeline.KindGroup:
		return "Group"
	case timeline.KindService:
		return "Service"
	}
	return "Organization"
}
