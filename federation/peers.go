package federation

import (
	"context"
	"crypto/rsa"
	"sync"
	"time"
)

// failuresBeforeDown is how many deliveries in a row must fail before a
// server is skipped for a while.
const failuresBeforeDown = 5

// peerDown tells whether deliveries to host are paused, and until when.
func (s *Service) peerDown(ctx context.Context, host string) (time.Time, bool) {
	p := new(peer)
	err := s.db.NewSelect().Model(p).Where("host = ?", host).Scan(ctx)
	if err != nil || p.UnavailableUntil.IsZero() {
		return time.Time{}, false
	}
	return p.UnavailableUntil, time.Now().Before(p.UnavailableUntil)
}

// recordPeer remembers whether a delivery to host worked. After
// failuresBeforeDown failures in a row the server is paused, for a time
// that doubles with each further failure up to a day; one success clears
// it.
func (s *Service) recordPeer(ctx context.Context, host string, deliveryErr error) {
	now := time.Now().UTC()
	if deliveryErr == nil {
		_, err := s.db.NewInsert().Model(&peer{Host: host, LastSuccessAt: now}).
			On("CONFLICT (host) DO UPDATE").
			Set("failures = 0, last_error = '', unavailable_until = NULL").
			Set("last_success_at = EXCLUDED.last_success_at").Exec(ctx)
		s.logPeerErr(host, err)
		return
	}
	var refused *refusedError
	if asRefused(deliveryErr, &refused) && refused.permanent() {
		return // the server answered: it is up, it just refused this one
	}
	p := new(peer)
	if err := s.db.NewSelect().Model(p).Where("host = ?", host).Scan(ctx); err != nil {
		p = &peer{Host: host}
	}
	p.Failures++
	p.LastError = truncate(deliveryErr.Error(), 500)
	if p.Failures >= failuresBeforeDown {
		pause := time.Minute << min(p.Failures-failuresBeforeDown, 10)
		p.UnavailableUntil = now.Add(min(pause, 24*time.Hour))
	}
	_, err := s.db.NewInsert().Model(p).On("CONFLICT (host) DO UPDATE").
		Set("failures = EXCLUDED.failures, last_error = EXCLUDED.last_error").
		Set("unavailable_until = EXCLUDED.unavailable_until").Exec(ctx)
	s.logPeerErr(host, err)
}

func (s *Service) logPeerErr(host string, err error) {
	if err != nil {
		s.log.Error("recording server availability", "host", host, "error", err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// keyCache keeps parsed private keys, by their PEM: parsing PKCS#8 on every
// delivery would cost more than the signature.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey
}

func (c *keyCache) private(row *apActor) (*rsa.PrivateKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[row.PrivateKeyPEM]; ok {
		return k, nil
	}
	k, err := parsePrivateKey(row.PrivateKeyPEM)
	if err != nil {
		return nil, err
	}
	if c.keys == nil {
		c.keys = map[string]*rsa.PrivateKey{}
	}
	c.keys[row.PrivateKeyPEM] = k
	return k, nil
}
