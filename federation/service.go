package federation

import (
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
	poll := opts.PollInterval
	if poll == 0 {
		poll = time.Second
	}
	n := opts.Workers
	if n == 0 {
		n = 16
	}
	q, err := river.NewClient(driver, &river.Config{
		Queues: map[string]river.QueueConfig{
			queueFanout: {MaxWorkers: 2}, queueDeliver: {MaxWorkers: n},
			queueInbox: {MaxWorkers: 4},
		},
		Workers:           workers,
		RetryPolicy:       retryPolicy{},
		FetchPollInterval: poll,
		FetchCooldown:     poll / 4,
		JobTimeout:        2 * time.Minute,
		Logger:            s.log,
	})
	if err != nil {
		return nil, fmt.Errorf("creating job queue: %w", err)
	}
	return q, nil
}

// Start runs the queue's workers until ctx ends or Stop is called. Jobs
// left unfinished stay in the database for the next start.
func (s *Service) Start(ctx context.Context) error {
	if err := s.queue.Start(ctx); err != nil {
		return fmt.Errorf("starting job queue: %w", err)
	}
	return nil
}

// Stop lets running jobs finish, within ctx, and stops the workers.
func (s *Service) Stop(ctx context.Context) error { return s.queue.Stop(ctx) }

// retryPolicy backs off exponentially from 30 seconds to a ceiling of six
// hours, with jitter: with deliverAttempts tries a delivery is retried for
// about two days before it is dropped.
type retryPolicy struct{}

func (retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(backoff(job.Attempt))
}

func backoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < 6*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 6*time.Hour)
	return d + time.Duration(rand.Int64N(int64(d/10)+1))
}

// Metrics returns the counters the service keeps.
func (s *Service) Metrics() *Metrics { return s.metrics }
