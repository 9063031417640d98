package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/federation"
	"github.com/ess-lyon/portal/migrations"
	"github.com/ess-lyon/portal/timeline"
)

// settings are what every command shares, from flags or the environment.
type settings struct {
	db        string
	data      string
	domain    string
	insecure  bool
	hosts     string
	authFetch bool
	// trustProxy takes the client's address from X-Forwarded-For, for a
	// portal behind a reverse proxy; without one it would let clients lie.
	trustProxy bool

	// The job queue's timing, as durations; empty means the default.
	pollInterval string
	retryBase    string
	rescueAfter  string
}

// env returns the environment's value for name, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envBool(name string) bool {
	v := strings.ToLower(os.Getenv(name))
	return v == "1" || v == "true" || v == "yes"
}

func (s *settings) register(fs *flag.FlagSet) {
	fs.StringVar(&s.db, "db", env("PORTAL_DB", ""),
		"database: sqlite:PATH or a postgres:// URL (default: SQLite in the data folder)")
	fs.StringVar(&s.data, "data", env("PORTAL_DATA", "./data"), "data folder (database, media)")
	fs.StringVar(&s.domain, "domain", env("PORTAL_DOMAIN", "localhost:8080"),
		"public host, with its port when not the default one")
	fs.BoolVar(&s.insecure, "insecure-federation", envBool("PORTAL_INSECURE_FEDERATION"),
		"use http:// ids and allow loopback peers: for tests and local trials only")
	fs.StringVar(&s.hosts, "hosts", env("PORTAL_HOSTS", ""),
		"name=ip pairs, comma separated, resolved before DNS (tests on one machine)")
	fs.BoolVar(&s.authFetch, "authorized-fetch", envBool("PORTAL_AUTHORIZED_FETCH"),
		"require signatures on every GET of actors, posts and collections")
	fs.BoolVar(&s.trustProxy, "trust-proxy", envBool("PORTAL_TRUST_PROXY"),
		"take the client's address from X-Forwarded-For (behind a reverse proxy only)")
	fs.StringVar(&s.pollInterval, "poll-interval", env("PORTAL_POLL_INTERVAL", ""),
		"how often idle workers look for jobs (default 1s)")
	fs.StringVar(&s.retryBase, "retry-base", env("PORTAL_RETRY_BASE", ""),
		"wait before a failed job's first retry, doubled at each try (default 30s)")
	fs.StringVar(&s.rescueAfter, "rescue-after", env("PORTAL_RESCUE_AFTER", ""),
		"time after which a job a crash left running is run again (default 5m)")
}

// queueOptions reads the job queue's timing.
func (s *settings) queueOptions() (federation.Options, error) {
	var o federation.Options
	for _, d := range []struct {
		flag, value string
		to          *time.Duration
	}{
		{"poll-interval", s.pollInterval, &o.PollInterval},
		{"retry-base", s.retryBase, &o.RetryBase},
		{"rescue-after", s.rescueAfter, &o.RescueAfter},
	} {
		if d.value == "" {
			continue
		}
		v, err := time.ParseDuration(d.value)
		if err != nil || v <= 0 {
			return o, fmt.Errorf("--%s: %q is not a positive duration", d.flag, d.value)
		}
		*d.to = v
	}
	return o, nil
}

func (s *settings) dsn() string {
	if s.db != "" {
		return s.db
	}
	return "sqlite:" + filepath.Join(s.data, "portal.db")
}

func (s *settings) hostMap() (map[string]string, error) {
	m := map[string]string{}
	for _, pair := range strings.Split(s.hosts, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, ip, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || name == "" || ip == "" {
			return nil, fmt.Errorf("--hosts: %q is not name=ip", pair)
		}
		m[name] = ip
	}
	return m, nil
}

func (s *settings) federation() (federation.Config, error) {
	hosts, err := s.hostMap()
	if err != nil {
		return federation.Config{}, err
	}
	if !federation.ValidHost(s.domain) {
		return federation.Config{}, fmt.Errorf(
			"--domain: %q is not a host name with an optional port (no scheme, no path)", s.domain)
	}
	return federation.Config{Domain: s.domain, Insecure: s.insecure, Hosts: hosts,
		AuthorizedFetch: s.authFetch, Software: "portail-ess", Version: version}, nil
}

// postgresConns bounds the portal's connections to PostgreSQL, whose
// servers allow 100 by default: under a flood of requests the portal's
// own pool makes them wait, rather than the server turning them away.
const postgresConns = 20

// open opens and migrates the database; the data folder is created first
// so that the SQLite default works on a fresh machine.
func (s *settings) open(ctx context.Context) (*bun.DB, error) {
	if err := os.MkdirAll(s.data, 0o750); err != nil {
		return nil, fmt.Errorf("creating data folder: %w", err)
	}
	db, err := migrations.Open(ctx, s.dsn())
	if err != nil {
		return nil, err
	}
	if !migrations.IsSQLite(db) {
		db.SetMaxOpenConns(postgresConns)
		db.SetMaxIdleConns(postgresConns)
	}
	if err := migrations.Up(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// app is the wired portal: what serve and the admin commands use.
type app struct {
	db    *bun.DB
	posts *timeline.Store
	fed   *federation.Service
}

func (s *settings) app(ctx context.Context) (*app, error) {
	opts, err := s.queueOptions()
	if err != nil {
		return nil, err
	}
	db, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := s.federation()
	if err != nil {
		db.Close()
		return nil, err
	}
	posts := timeline.New(db)
	fed, err := federation.New(cfg, db, posts, migrations.QueueDriver(db), opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := fed.EnsureActors(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &app{db: db, posts: posts, fed: fed}, nil
}
