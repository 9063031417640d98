package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/url"
	"os"
	"strings"
	_ "time/tzdata" // events are read in their own zone, even on hosts without zoneinfo

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/charter"
	"github.com/ess-lyon/portal/timeline"
)

// Config is what the portal's pages need from the command that serves them.
type Config struct {
	// Base is the public origin, e.g. "https://ess-lyon.fr": post pages live
	// at Base+"/@"+username+"/"+id, and POSTs from another origin are refused.
	Base string
	// SecureCookies sets the Secure flag on cookies, for a portal served
	// over TLS.
	SecureCookies bool
	// MediaDir is where uploaded images are stored and served from /media/.
	// It is created if it does not exist.
	MediaDir string
	// Followers returns how many fediverse accounts follow an actor; may be
	// nil, and then organisation pages show no count.
	Followers func(ctx context.Context, a *timeline.Actor) (int64, error)
	// Logger receives the errors no visitor can act on; slog.Default() when
	// nil.
	Logger *slog.Logger
}

// Server serves the portal's pages for people. Build it with [New]; it is
// safe for concurrent use.
type Server struct {
	cfg       Config
	origin    string // scheme://host of Base, compared with Origin headers
	host      string // host of Base, the domain of fediverse handles
	db        *bun.DB
	posts     *timeline.Store
	committee *charter.Committee
	charter   *charter.Charter
	pages     map[string]map[string]*template.Template // language, then page name
	dummyHash string                                   // checked against when a login is unknown, to take as long
	log       *slog.Logger
}

// New checks cfg, creates the media directory and parses every template,
// so that a broken template stops the start instead of a visitor's page.
func New(cfg Config, db *bun.DB, posts *timeline.Store,
	committee *charter.Committee) (*Server, error) {

	base, err := url.Parse(strings.TrimRight(cfg.Base, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("web: Config.Base %q must be an http(s) origin", cfg.Base)
	}
	if cfg.MediaDir == "" {
		return nil, errors.New("web: Config.MediaDir is required")
	}
	if err := os.MkdirAll(cfg.MediaDir, 0o750); err != nil {
		return nil, fmt.Errorf("creating media directory: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	pages, err := parseTemplates(templateFS)
	if err != nil {
		return nil, err
	}
	cfg.Base = base.Scheme + "://" + base.Host + strings.TrimRight(base.Path, "/")
	return &Server{
		cfg:       cfg,
		origin:    base.Scheme + "://" + base.Host,
		host:      base.Host,
		db:        db,
		posts:     posts,
		committee: committee,
		charter:   charter.Current(),
		pages:     pages,
		dummyHash: timeline.HashPassword(randomToken()),
		log:       cfg.Logger,
	}, nil
}
