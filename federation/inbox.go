package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/federation/httpsig"
)

// MaxInboxBody is the largest activity the inbox accepts.
const MaxInboxBody = 1 << 20

// inboxArgs asks to process one received activity.
type inboxArgs struct {
	InboxID int64 `json:"inbox_id"`
}

func (inboxArgs) Kind() string { return "ap_inbox" }

// inboxError is a refusal the inbox explains to the sender.
type inboxError struct {
	status int
	msg    string
	err    error
}

func (e *inboxError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *inboxError) Unwrap() error { return e.err }

// ServeInbox receives an activity for any local actor (the shared inbox and
// every actor's inbox behave alike: the activity says whom it concerns). It
// answers 202 once the activity is stored and its processing queued, and
// refuses with 413, 400 or 401 without storing anything.
func (s *Service) ServeInbox(w http.ResponseWriter, r *http.Request) {
	if name := chi.URLParam(r, "name"); name != "" {
		if _, err := s.posts.LocalActor(r.Context(), name); err != nil {
			writeError(w, http.StatusNotFound, "no such actor")
			return
		}
	}
	status, msg := http.StatusAccepted, "accepted"
	typ, err := s.receive(r)
	if err != nil {
		var ie *inboxError
		if !errors.As(err, &ie) {
			ie = &inboxError{http.StatusInternalServerError, "could not store activity", err}
			s.log.Error("storing inbound activity", "error", err)
		} else {
			s.log.Warn("inbox refused", "status", ie.status, "error", err)
		}
		s.metrics.InboxRefused.Add(1)
		s.metrics.CountInbox(typ, "refused")
		status, msg = ie.status, ie.Error()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// receive reads, checks and stores one inbound activity; it returns the
// activity's type, when it got that far, for the metrics.
func (s *Service) receive(r *http.Request) (string, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxInboxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", &inboxError{http.StatusRequestEntityTooLarge, "body too large", err}
		}
		return "", &inboxError{http.StatusBadRequest, "unreadable body", err}
	}
	in, err := parseActivity(body)
	if err != nil {
		return "", &inboxError{http.StatusBadRequest, "malformed activity", err}
	}
	if in.id != "" && !sameOrigin(in.id, in.actor) {
		return in.typ, &inboxError{http.StatusBadRequest,
			"activity id not on its actor's server", ErrOrigin}
	}
	keyID, signer, err := s.authenticate(r, body, in)
	if err != nil {
		return in.typ, err
	}
	return in.typ, s.store(r.Context(), in, keyID, signer, body)
}

// authenticate checks the request's signature and that its key belongs to
// the activity's actor, or to a relay the portal subscribed to (the
// activity is then marked as relayed, and its object will be fetched from
// its origin rather than trusted). An actor's Delete of itself is let
// through when its key can no longer be fetched and its server says it is
// gone: its server has deleted it already.
func (s *Service) authenticate(r *http.Request, body []byte, in *incoming) (
	keyID, signer string, err error) {
	opts := httpsig.Options{Scheme: s.cfg.scheme()}
	res, err := httpsig.Verify(r.Context(), r, body, s.resolveKey, opts)
	if err != nil {
		if in.typ == "Delete" && firstID(in.raw["object"]) == in.actor &&
			(errors.Is(err, httpsig.ErrKeyUnavailable) || errors.Is(err, ErrGone)) &&
			s.actorGone(r.Context(), in.actor) {
			return "", "", nil
		}
		if errors.Is(err, errStore) {
			return "", "", &inboxError{http.StatusServiceUnavailable,
				"temporarily unavailable, retry later", err}
		}
		s.metrics.SignatureFailures.Add(1)
		return "", "", &inboxError{http.StatusUnauthorized, "signature not verified", err}
	}
	if res.Owner == in.actor {
		return res.KeyID, "", nil
	}
	if s.isRelay(r.Context(), res.Owner) {
		return res.KeyID, res.Owner, nil
	}
	s.metrics.SignatureFailures.Add(1)
	return "", "", &inboxError{http.StatusUnauthorized, "signature not verified",
		fmt.Errorf("key %s belongs to %s, not %s", res.KeyID, res.Owner, in.actor)}
}

// actorGone tells whether an actor's own server says it is gone. Only
// then may the actor's Delete of itself pass unverified: anyone can sign
// with a key that cannot be fetched.
func (s *Service) actorGone(ctx context.Context, uri string) bool {
	_, err := s.fetch(ctx, uri)
	return errors.Is(err, ErrGone)
}

// store writes the activity and queues its processing in one transaction.
// An activity already received (same id) is acknowledged and not stored
// again: servers retry, relays repeat.
func (s *Service) store(ctx context.Context, in *incoming, keyID, signer string,
	body []byte) error {
	uri := in.id
	if uri == "" {
		uri = "urn:sha256:" + sha256Hex(body) // transient activities have no id
	}
	item := &inboxItem{URI: uri, Type: in.typ, ActorURI: in.actor, KeyID: keyID,
		SignerURI: signer, Body: string(body), ReceivedAt: time.Now().UTC()}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(item).On("CONFLICT (uri) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("storing activity %s: %w", uri, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			s.metrics.InboxDuplicates.Add(1)
			s.metrics.CountInbox(in.typ, "duplicate")
			return nil
		}
		if item.ID == 0 {
			if err := tx.NewSelect().Model(item).Column("id").Where("uri = ?", uri).
				Scan(ctx); err != nil {
				return fmt.Errorf("reading activity %s: %w", uri, err)
			}
		}
		_, err = s.queue.InsertTx(ctx, tx.Tx, inboxArgs{InboxID: item.ID},
			&river.InsertOpts{Queue: queueInbox, MaxAttempts: 8})
		if err != nil {
			return fmt.Errorf("queueing activity %s: %w", uri, err)
		}
		s.metrics.InboxAccepted.Add(1)
		s.metrics.CountInbox(in.typ, "accepted")
		return nil
	})
}
