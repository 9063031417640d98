package federation

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/federation/safehttp"
	"github.com/ess-lyon/portal/timeline"
)

// Service is the portal's ActivityPub side. It is safe for concurrent use.
type Service struct {
	cfg    Config
	db     *bun.DB
	posts  *timeline.Store
	client *http.Client
	queue  *river.Client[*sql.Tx]
	log    *slog.Logger

	hostMu    sync.Mutex
	hostSlots map[string]chan struct{}
	keys      keyCache
	metrics   *Metrics
}

// Options are the optional parts of a Service.
type Options struct {
	// HTTPClient replaces the SSRF-safe client, for tests that serve other
	// servers' documents from a transport of their own.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// PollInterval is how often idle workers look for new jobs; SQLite and
	// database/sql PostgreSQL have no notifications. Default one second.
	PollInterval time.Duration
	// Workers bounds concurrent deliveries; default 16.
	Workers int
	// RetryBase is the wait before a failed job's first retry; each later
	// wait doubles, up to 720 times RetryBase. Default 30 seconds, which
	// retries a delivery for about two days. Tests shorten it.
	RetryBase time.Duration
	// RescueAfter is how long a job may stay running before it is taken for
	// one a crashed process left and is run again; it also bounds jobs
	// without a timeout of their own. Default five minutes.
	RescueAfter time.Duration
}

// Queues the portal's jobs run in: fan-outs and inbound activities apart
// from deliveries, so that a slow fediverse never holds back the inbox.
const (
	queueFanout  = river.QueueDefault
	queueDeliver = "deliver"
	queueInbox   = "inbox"
)

// New returns a Service on db whose jobs go through driver. It registers
// itself as a hook of posts, so that every change to a local post is
// delivered.
func New(cfg Config, db *bun.DB, posts *timeline.Store,
	driver riverdriver.Driver[*sql.Tx], opts Options) (*Service, error) {
	s := &Service{cfg: cfg, db: db, posts: posts, log: opts.Logger,
		hostSlots: map[string]chan struct{}{}, metrics: newMetrics()}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.client = opts.HTTPClient
	if s.client == nil {
		s.client = safehttp.New(safehttp.Options{AllowLoopback: cfg.Insecure,
			Hosts: cfg.Hosts, UserAgent: cfg.UserAgent()})
	}
	q, err := s.newQueue(driver, opts)
	if err != nil {
		return nil, err
	}
	s.queue = q
	posts.AddHook(s)
	return s, nil
}

func (s *Service) newQueue(driver riverdriver.Driver[*sql.Tx], opts Options) (
	*river.Client[*sql.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &fanoutWorker{s: s})
	river.AddWorker(workers, &deliverWorker{s: s})
	river.AddWorker(workers, &inboxWorker{s: s})
	river.AddWorker(workers, &pruneWorker{s: s})
	poll := opts.PollInterval
	if poll == 0 {
		poll = time.Second
	}
	n := opts.Workers
	if n == 0 {
		n = 16
	}
	// A job a crash left "running" is run again after rescue: a few times
	// the longest a job takes, rather than River's default hour, so that a
	// restart after kill -9 does not hold deliveries back for long.
	rescue := cmp.Or(opts.RescueAfter, 5*time.Minute)
	timeout := min(2*time.Minute, rescue) // River wants timeout <= rescue
	q, err := river.NewClient(driver, &river.Config{
		Queues: map[string]river.QueueConfig{
			queueFanout: {MaxWorkers: 2}, queueDeliver: {MaxWorkers: n},
			queueInbox: {MaxWorkers: 8},
		},
		Workers:              workers,
		PeriodicJobs:         periodicJobs(),
		RetryPolicy:          retryPolicy{base: cmp.Or(opts.RetryBase, 30*time.Second)},
		FetchPollInterval:    poll,
		FetchCooldown:        min(poll/4, 100*time.Millisecond),
		JobTimeout:           timeout,
		RescueStuckJobsAfter: rescue,
		Logger:               s.log,
	})
	if err != nil {
		return nil, fmt.Errorf("creating job queue: %w", err)
	}
	return q, nil
}

// Start runs the queue's workers until ctx ends or Stop is called. Jobs
// left unfinished stay in the database for the next start. It first turns
// Flags received by an older portal into reports, before the inbox's
// pruning may take them.
func (s *Service) Start(ctx context.Context) error {
	if err := s.reportStoredFlags(ctx); err != nil {
		return err
	}
	if err := s.queue.Start(ctx); err != nil {
		return fmt.Errorf("starting job queue: %w", err)
	}
	return nil
}

// Stop lets running jobs finish, within ctx, and stops the workers.
func (s *Service) Stop(ctx context.Context) error { return s.queue.Stop(ctx) }

// retryPolicy backs off exponentially from base to a ceiling of 720 times
// base, with jitter: from the default 30 seconds to six hours, so that with
// deliverAttempts tries a delivery is retried for about two days before it
// is dropped.
type retryPolicy struct{ base time.Duration }

func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(backoff(job.Attempt, p.base))
}

func backoff(attempt int, base time.Duration) time.Duration {
	ceiling := 720 * base
	d := base
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	return d + time.Duration(rand.Int64N(int64(d/10)+1))
}

// Metrics returns the counters the service keeps.
func (s *Service) Metrics() *Metrics { return s.metrics }
