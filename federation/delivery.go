package federation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/federation/httpsig"
	"github.com/ess-lyon/portal/federation/safehttp"
	"github.com/ess-lyon/portal/timeline"
)

// deliverAttempts is how many times a delivery is tried: with backoff's
// schedule, the last try comes about two days after the first.
const deliverAttempts = 18

// fanoutArgs asks to expand one stored activity into one delivery per
// inbox of its audience.
type fanoutArgs struct {
	ActivityID int64 `json:"activity_id"`
}

func (fanoutArgs) Kind() string { return "ap_fanout" }

// deliverArgs asks to deliver one stored activity to one inbox.
type deliverArgs struct {
	ActivityID int64  `json:"activity_id"`
	Inbox      string `json:"inbox"`
}

func (deliverArgs) Kind() string { return "ap_deliver" }

type fanoutWorker struct {
	river.WorkerDefaults[fanoutArgs]
	s *Service
}

// fanoutBatch bounds the deliveries queued per transaction, so that a
// portal with many followers never holds one long write.
const fanoutBatch = 500

func (w *fanoutWorker) Work(ctx context.Context, job *river.Job[fanoutArgs]) error {
	act := new(activity)
	err := w.s.db.NewSelect().Model(act).Where("id = ?", job.Args.ActivityID).Scan(ctx)
	if err != nil {
		return fmt.Errorf("loading activity %d: %w", job.Args.ActivityID, err)
	}
	inboxes, err := w.s.audienceInboxes(ctx, act)
	if err != nil {
		return err
	}
	for start := 0; start < len(inboxes); start += fanoutBatch {
		batch := inboxes[start:min(start+fanoutBatch, len(inboxes))]
		if err := w.s.queueDeliveries(ctx, act.ID, batch); err != nil {
			return err
		}
	}
	return nil
}

// queueDeliveries inserts one delivery job per inbox. Jobs are unique by
// their arguments, so a fan-out retried after a crash queues nothing twice.
func (s *Service) queueDeliveries(ctx context.Context, activityID int64, inboxes []string) error {
	params := make([]river.InsertManyParams, len(inboxes))
	for i, inbox := range inboxes {
		params[i] = river.InsertManyParams{
			Args: deliverArgs{ActivityID: activityID, Inbox: inbox},
			InsertOpts: &river.InsertOpts{Queue: queueDeliver, MaxAttempts: deliverAttempts,
				UniqueOpts: river.UniqueOpts{ByArgs: true}},
		}
	}
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := s.queue.InsertManyTx(ctx, tx.Tx, params)
		return err
	})
	if err != nil {
		return fmt.Errorf("queueing %d deliveries: %w", len(inboxes), err)
	}
	s.metrics.DeliveriesQueued.Add(int64(len(inboxes)))
	return nil
}

// audienceInboxes lists the distinct inboxes an activity goes to: one per
// server when servers have a shared inbox. Public activities also go to
// relays: those subscribed to the portal (followers of the instance actor)
// and those it subscribed to.
func (s *Service) audienceInboxes(ctx context.Context, act *activity) ([]string, error) {
	if inbox, ok := cutPrefix(act.Audience, toInbox); ok {
		return []string{inbox}, nil
	}
	ids := []int64{act.ActorID}
	for _, name := range []string{timeline.PortalUsername, s.instanceUsername()} {
		if name == timeline.PortalUsername && act.Audience != toFollowersPortal {
			continue
		}
		if a, err := s.posts.LocalActor(ctx, name); err == nil {
			ids = append(ids, a.ID)
		}
	}
	rows, err := s.followerRows(ctx, ids)
	if err != nil {
		return nil, err
	}
	if act.Audience == toGroupAware {
		rows = s.onGroupAwareServers(ctx, rows)
	} else if relays, err := s.subscribedRelays(ctx); err == nil {
		rows = append(rows, relays...)
	}
	return distinctInboxes(rows), nil
}

func (s *Service) followerRows(ctx context.Context, followees []int64) ([]apActor, error) {
	var rows []apActor
	err := s.db.NewSelect().Model(&rows).
		Join("JOIN ap_follows AS f ON f.follower_id = ap_actor.actor_id").
		Where("f.followee_id IN (?)", bun.In(followees)).Where("f.accepted").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing followers' inboxes: %w", err)
	}
	return rows, nil
}

// subscribedRelays are the relays the instance actor follows.
func (s *Service) subscribedRelays(ctx context.Context) ([]apActor, error) {
	inst, err := s.posts.LocalActor(ctx, s.instanceUsername())
	if err != nil {
		return nil, err
	}
	var rows []apActor
	err = s.db.NewSelect().Model(&rows).
		Join("JOIN ap_follows AS f ON f.followee_id = ap_actor.actor_id").
		Where("f.follower_id = ?", inst.ID).Where("f.accepted").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing relays: %w", err)
	}
	return rows, nil
}

// onGroupAwareServers keeps the rows whose server runs group-aware
// software.
func (s *Service) onGroupAwareServers(ctx context.Context, rows []apActor) []apActor {
	var peers []peer
	if err := s.db.NewSelect().Model(&peers).Where("software != ''").Scan(ctx); err != nil {
		return nil
	}
	aware := map[string]bool{}
	for _, p := range peers {
		aware[p.Host] = groupAware[p.Software]
	}
	var out []apActor
	for _, r := range rows {
		if u, err := url.Parse(r.deliveryInbox()); err == nil && aware[u.Host] {
			out = append(out, r)
		}
	}
	return out
}

func distinctInboxes(rows []apActor) []string {
	seen := map[string]bool{}
	var out []string
	for i := range rows {
		inbox := rows[i].deliveryInbox()
		if inbox != "" && !seen[inbox] {
			seen[inbox] = true
			out = append(out, inbox)
		}
	}
	return out
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	s *Service
}

func (w *deliverWorker) Timeout(*river.Job[deliverArgs]) time.Duration { return time.Minute }

// Work delivers one activity to one inbox. A refusal that will not change
// (4xx other than 408 and 429) cancels the job; anything else is retried.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	s := w.s
	u, err := url.Parse(job.Args.Inbox)
	if err != nil || u.Host == "" {
		s.metrics.DeliveriesDropped.Add(1)
		return river.JobCancel(fmt.Errorf("inbox %q is not a URL", job.Args.Inbox))
	}
	if until, down := s.peerDown(ctx, u.Host); down {
		s.metrics.DeliveriesFailed.Add(1)
		return fmt.Errorf("server %s marked unavailable until %s", u.Host,
			until.Format(time.RFC3339))
	}
	release, ok := s.acquireHost(u.Host)
	if !ok {
		// The server already has its share of workers: let others run.
		return river.JobSnooze(2 * time.Second)
	}
	defer release()
	err = s.deliver(ctx, job.Args.ActivityID, job.Args.Inbox)
	s.recordPeer(ctx, u.Host, err)
	return s.classifyDelivery(job, err)
}

func (s *Service) classifyDelivery(job *river.Job[deliverArgs], err error) error {
	var refused *refusedError
	switch {
	case err == nil:
		s.metrics.DeliveriesDone.Add(1)
		return nil
	case errors.As(err, &refused) && refused.permanent():
		s.metrics.DeliveriesDropped.Add(1)
		return river.JobCancel(err)
	case job.Attempt >= job.MaxAttempts:
		s.metrics.DeliveriesDropped.Add(1)
		return err
	}
	s.metrics.DeliveriesFailed.Add(1)
	return err
}

// refusedError is an HTTP answer other than 2xx from an inbox.
type refusedError struct {
	status int
	inbox  string
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("inbox %s answered %d", e.inbox, e.status)
}

func (e *refusedError) permanent() bool {
	return e.status >= 400 && e.status < 500 && e.status != 408 && e.status != 429
}

// deliver signs the stored activity with its actor's key and posts it.
func (s *Service) deliver(ctx context.Context, activityID int64, inbox string) error {
	act := new(activity)
	if err := s.db.NewSelect().Model(act).Where("id = ?", activityID).Scan(ctx); err != nil {
		return fmt.Errorf("loading activity %d: %w", activityID, err)
	}
	actor, err := s.posts.Actor(ctx, act.ActorID)
	if err != nil {
		return err
	}
	body := []byte(act.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building request to %s: %w", inbox, err)
	}
	req.Header.Set("Content-Type", `application/activity+json`)
	if err := s.sign(ctx, req, body, actor); err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("posting to %s: %w", inbox, err)
	}
	_, _ = safehttp.ReadBody(resp, 64<<10) // drain for connection reuse
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &refusedError{status: resp.StatusCode, inbox: inbox}
	}
	return nil
}

// sign signs req as actor, draft-cavage, which every server verifies.
func (s *Service) sign(ctx context.Context, req *http.Request, body []byte,
	actor *timeline.Actor) error {
	keys, err := s.localKeys(ctx, actor)
	if err != nil {
		return err
	}
	priv, err := s.keys.private(keys)
	if err != nil {
		return err
	}
	if err := httpsig.SignRequest(req, body, s.cfg.KeyID(actor), priv, time.Now()); err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	return nil
}

// acquireHost bounds concurrent deliveries to one server, so that a slow
// server holds a few workers, never all of them. It does not wait: when the
// server's slots are taken it returns false.
func (s *Service) acquireHost(host string) (func(), bool) {
	const perHost = 4
	s.hostMu.Lock()
	slot, ok := s.hostSlots[host]
	if !ok {
		slot = make(chan struct{}, perHost)
		s.hostSlots[host] = slot
	}
	s.hostMu.Unlock()
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, true
	default:
		return nil, false
	}
}

func asRefused(err error, target **refusedError) bool { return errors.As(err, target) }
