package safehttp

import (
	"crypto/tls"
	"fmt"
	"maps"
	"net/http"
	"time"
)

// Defaults applied by [New] to zero [Options] fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxRedirects = 3
)

// maxHeaderBytes bounds a response's headers; an ActivityPub server needs
// far less than the 10 MB [net/http] allows by default.
const maxHeaderBytes = 64 << 10

// Options configures the client built by [New].
type Options struct {
	// AllowLoopback permits loopback and private destinations, and the http
	// scheme. Only the portal's --insecure-federation setting turns it on,
	// for tests and local trials. Metadata addresses stay refused.
	AllowLoopback bool

	// Hosts maps a host name (no port) to an IP literal, consulted before
	// DNS. Names match case-insensitively, ignoring a trailing dot. Tests use
	// it to give several portals on 127.0.0.1 their own names (lyon.test,
	// region.test). The mapped address is checked like any other.
	Hosts map[string]string

	// Timeout bounds a whole request, redirects and reading the body
	// included; zero or negative means [DefaultTimeout].
	Timeout time.Duration

	// MaxRedirects is how many redirects a request may follow; zero means
	// [DefaultMaxRedirects] and a negative value follows none. Every hop is
	// checked again, as the first request was.
	MaxRedirects int

	// UserAgent is set on every request whose caller did not set one.
	UserAgent string
}

// New returns an [*http.Client] for requests to other servers.
//
// Every request and every redirect must pass the checks of [CheckURL]: https
// only (http too with AllowLoopback), no user information, a sane port. The
// client then resolves the host itself, from [Options.Hosts] first and the
// system resolver next, refuses the host with [ErrForbiddenAddress] if any of
// its addresses fails [IsForbiddenIP], and connects to the address it checked,
// never resolving the name again. It uses no proxy, whatever the environment
// says, since a proxy would connect on its behalf unchecked.
//
// Errors come back inside a [*net/url.Error] and match this package's
// sentinels with [errors.Is]. The client is safe for concurrent use; opts is
// copied, so later changes to opts.Hosts have no effect.
func New(opts Options) *http.Client {
	opts = withDefaults(opts)
	return newClient(opts, newDialer(opts))
}

func withDefaults(opts Options) Options {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	opts.Hosts = maps.Clone(opts.Hosts)
	return opts
}

// newClient builds the client around d, which tests may give hooks.
func newClient(opts Options, d *dialer) *http.Client {
	base := &http.Transport{
		Proxy:                  nil, // never: a proxy would connect unchecked
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    opts.Timeout,
		MaxIdleConns:           100,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
	return &http.Client{
		Transport:     &transport{opts: opts, base: base},
		CheckRedirect: redirectPolicy(opts),
		Timeout:       opts.Timeout,
	}
}

// redirectPolicy refuses a redirect beyond opts.MaxRedirects, or to a URL
// that fails [CheckURL], before any connection is attempted.
func redirectPolicy(opts Options) func(*http.Request, []*http.Request) error {
	limit := max(opts.MaxRedirects, 0)
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > limit {
			return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, limit)
		}
		return checkURL(req.URL, opts)
	}
}

// transport checks each request's URL and sets the User-Agent, then hands
// the request to base.
type transport struct {
	opts Options
	base http.RoundTripper
}

// Interfaces implemented by transport.
var _ http.RoundTripper = (*transport)(nil)

// RoundTrip implements [http.RoundTripper]. It closes req.Body when it
// refuses the request, as the interface requires.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkURL(req.URL, t.opts); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if t.opts.UserAgent != "" && req.Header.Get("User-Agent") == "" {
		req = withUserAgent(req, t.opts.UserAgent)
	}
	return t.base.RoundTrip(req)
}

// withUserAgent returns a copy of req with ua set; a RoundTripper must not
// change the request it was given.
func withUserAgent(req *http.Request, ua string) *http.Request {
	req = req.Clone(req.Context())
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	req.Header.Set("User-Agent", ua)
	return req
}
