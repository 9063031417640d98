package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/ess-lyon/portal/charter"
	"github.com/ess-lyon/portal/federation"
	"github.com/ess-lyon/portal/web"
)

func runServe(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	s.register(fs)
	listen := fs.String("listen", env("PORTAL_LISTEN", "127.0.0.1:8080"), "address to listen on")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	a, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer a.db.Close()
	handler, err := a.router(&s)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	// The queue outlives ctx: on a signal, serve stops it gently, letting
	// running jobs finish, instead of cancelling them mid-delivery.
	if err := a.fed.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	fmt.Fprintf(out, "portal: serving %s on http://%s (database %s)\n",
		federationBase(&s), ln.Addr(), redact(s.dsn()))
	return a.serve(ctx, ln, handler)
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully:
// no new connections, in-flight requests finish, running jobs get a few
// seconds, and queued jobs stay in the database for the next start.
func (a *app) serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := srv.Shutdown(shutCtx)
	if qerr := a.fed.Stop(shutCtx); qerr != nil && !errors.Is(qerr, context.DeadlineExceeded) {
		err = errors.Join(err, qerr)
	}
	return err
}

// site is the web side of the portal, for serving and for the commands
// that act as an editor would (deleting a post and its image).
func (a *app) site(s *settings) (*web.Server, error) {
	cfg, _ := s.federation()
	committee := charter.NewCommittee(a.db, a.posts)
	return web.New(web.Config{Base: cfg.Base(), SecureCookies: !s.insecure,
		MediaDir: filepath.Join(s.data, "media"), Followers: a.fed.FollowerCount,
		Logger: slog.Default()}, a.db, a.posts, committee)
}

// router mounts federation and web on one tree. The addresses of actors
// and posts are shared: servers asking for ActivityStreams get documents,
// browsers get pages.
func (a *app) router(s *settings) (http.Handler, error) {
	site, err := a.site(s)
	if err != nil {
		return nil, err
	}
	m := newMetrics(a.db, a.fed.Metrics())
	r := chi.NewRouter()
	if s.trustProxy {
		// Only behind a proxy: otherwise any client could choose the
		// address the login rate limit counts.
		r.Use(forwardedFor)
	}
	r.Use(middleware.RequestID, m.instrument, middleware.Recoverer, middleware.GetHead,
		web.SecurityHeaders)
	r.NotFound(site.NotFound)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	r.Get("/readyz", a.ready)
	r.Method(http.MethodGet, "/metrics", m.handler(env("PORTAL_METRICS_TOKEN", "")))
	a.fed.Routes(r)
	site.Routes(r)
	r.Get("/@{name}", negotiate(a.fed.ServeActor, site.ServeActorPage))
	r.Get("/@{name}/{id}", negotiate(a.fed.ServePost, site.ServePostPage))
	return r, nil
}

// negotiate sends ActivityStreams requests to one handler, the rest to
// another, and says so in Vary for caches.
func negotiate(activity, page http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		if federation.WantsActivity(r) {
			activity(w, r)
			return
		}
		page(w, r)
	}
}

// ready answers 200 when the database answers.
func (a *app) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.db.PingContext(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready"))
}

func federationBase(s *settings) string {
	cfg, _ := s.federation()
	return cfg.Base()
}
