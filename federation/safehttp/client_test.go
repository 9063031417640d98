package safehttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// guardedClient is [New] with two test hooks: the resolver fails the test
// (every name must be in opts.Hosts), and dial fails the test and refuses
// any address that is not loopback, so no packet can leave the machine even
// if a check is broken.
func guardedClient(t *testing.T, opts Options) *http.Client {
	t.Helper()
	opts = withDefaults(opts)
	d := newDialer(opts)
	d.resolve = func(_ context.Context, host string) ([]netip.Addr, error) {
		t.Errorf("DNS lookup of %q; tests must name hosts in Options.Hosts", host)
		return nil, errors.New("no DNS in tests")
	}
	loopbackDial := d.dial
	d.dial = func(ctx context.Context, network, address string) (net.Conn, error) {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !ap.Addr().IsLoopback() {
			t.Errorf("dial to %q, want loopback only", address)
			return nil, errors.New("test refuses non-loopback dial")
		}
		return loopbackDial(ctx, network, address)
	}
	return newClient(opts, d)
}

// echoServer starts a server that answers with the request's Host and
// User-Agent, and counts its requests.
func echoServer(t *testing.T, tls bool) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprintf(w, "%s\n%s", r.Host, r.UserAgent())
	})
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &hits
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// wantURLError checks that err is a [*url.Error] matching want.
func wantURLError(t *testing.T, err, want error) {
	t.Helper()
	var uerr *url.Error
	if !errors.As(err, &uerr) {
		t.Errorf("error = %v (%T), want a *url.Error", err, err)
	}
	if !errors.Is(err, want) {
		t.Errorf("error = %v, want %v", err, want)
	}
}

func TestStrictClientRefusesLoopback(t *testing.T) {
	srv, hits := echoServer(t, true)
	p := port(t, srv)
	opts := Options{Hosts: map[string]string{"lyon.test": "127.0.0.1"}}

	for _, raw := range []string{
		srv.URL,
		"https://lyon.test:" + p + "/",
		"https://[::ffff:127.0.0.1]:" + p + "/",
	} {
		clients := map[string]*http.Client{"New": New(opts), "guarded": guardedClient(t, opts)}
		for _, c := range clients {
			resp, err := c.Get(raw)
			if err == nil {
				resp.Body.Close()
			}
			wantURLError(t, err, ErrForbiddenAddress)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func TestStrictClientRefusesHTTP(t *testing.T) {
	_, err := guardedClient(t, Options{}).Get("http://127.0.0.1:1/")
	wantURLError(t, err, ErrInsecureScheme)
}

func TestNetDialerControlRefusesLoopback(t *testing.T) {
	srv, _ := echoServer(t, false)
	addr := srv.Listener.Addr().String()
	conn, err := newDialer(withDefaults(Options{})).dial(context.Background(), "tcp", addr)
	if err == nil {
		conn.Close()
	}
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("net.Dialer to %s error = %v, want %v", addr, err, ErrForbiddenAddress)
	}
}

func TestLoopbackClientReachesNamedHost(t *testing.T) {
	srv, _ := echoServer(t, false)
	host := "lyon.test:" + port(t, srv)
	opts := Options{
		AllowLoopback: true,
		Hosts:         map[string]string{"lyon.test": "127.0.0.1"},
		UserAgent:     "portal-test/1",
	}
	tests := []struct {
		ua, wantUA string
	}{
		{"", "portal-test/1"},
		{"caller/2", "caller/2"},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(http.MethodGet, "http://"+host+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if tt.ua != "" {
			req.Header.Set("User-Agent", tt.ua)
		}
		got := doEcho(t, New(opts), req)
		if want := host + "\n" + tt.wantUA; got != want {
			t.Errorf("server saw %q, want %q", got, want)
		}
		if ua := req.Header.Get("User-Agent"); ua != tt.ua {
			t.Errorf("caller's request User-Agent changed to %q, want %q", ua, tt.ua)
		}
	}
}

func doEcho(t *testing.T, c *http.Client, req *http.Request) string {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", req.URL, err)
	}
	body, err := ReadBody(resp, MaxDocumentSize)
	if err != nil {
		t.Fatalf("reading %s: %v", req.URL, err)
	}
	return string(body)
}

// hopServer redirects /hop/N to /hop/N-1, and answers /hop/0.
func hopServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if n > 0 {
			http.Redirect(w, r, "/hop/"+strconv.Itoa(n-1), http.StatusFound)
			return
		}
		fmt.Fprint(w, "arrived")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRedirectLimit(t *testing.T) {
	srv := hopServer(t)
	base := "http://lyon.test:" + port(t, srv)
	tests := []struct {
		maxRedirects, hops int
		wantErr            error
	}{
		{0, 0, nil},
		{0, 3, nil},
		{0, 4, ErrTooManyRedirects},
		{1, 1, nil},
		{1, 2, ErrTooManyRedirects},
		{5, 5, nil},
		{5, 6, ErrTooManyRedirects},
		{-1, 0, nil},
		{-1, 1, ErrTooManyRedirects},
	}
	for _, tt := range tests {
		c := guardedClient(t, Options{
			AllowLoopback: true,
			Hosts:         map[string]string{"lyon.test": "127.0.0.1"},
			MaxRedirects:  tt.maxRedirects,
		})
		resp, err := c.Get(base + "/hop/" + strconv.Itoa(tt.hops))
		if err == nil {
			resp.Body.Close()
		}
		if tt.wantErr == nil && err != nil {
			t.Errorf("max %d, %d hops: error = %v, want none", tt.maxRedirects, tt.hops, err)
		}
		if tt.wantErr != nil {
			wantURLError(t, err, tt.wantErr)
		}
	}
}

func TestRedirectToForbiddenTarget(t *testing.T) {
	tests := []struct {
		location string
		want     error
	}{
		{"http://169.254.169.254/latest/meta-data/", ErrForbiddenAddress},
		{"http://[::ffff:169.254.169.254]/", ErrForbiddenAddress},
		{"http://[fd00:ec2::254]/", ErrForbiddenAddress},
		{"http://meta.test/", ErrForbiddenAddress},
		{"http://100.64.0.1/", ErrForbiddenAddress},
		{"file:///etc/passwd", ErrInsecureScheme},
		{"http://user:pw@lyon.test/", ErrInvalidURL},
		{"http://2852039166/", ErrInvalidURL}, // 169.254.169.254 as one number
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", tt.location)
			w.WriteHeader(http.StatusFound)
		}))
		c := guardedClient(t, Options{
			AllowLoopback: true,
			Hosts: map[string]string{
				"lyon.test": "127.0.0.1",
				"meta.test": "169.254.169.254",
			},
		})
		resp, err := c.Get(srv.URL + "/")
		if err == nil {
			resp.Body.Close()
		}
		wantURLError(t, err, tt.want)
		srv.Close()
	}
}

func TestTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()

	const timeout = 200 * time.Millisecond
	c := guardedClient(t, Options{AllowLoopback: true, Timeout: timeout})
	start := time.Now()
	resp, err := c.Get(srv.URL)
	elapsed := time.Since(start)
	if err == nil {
		resp.Body.Close()
		t.Fatal("request to a sleeping server succeeded")
	}
	var uerr *url.Error
	if !errors.As(err, &uerr) || !uerr.Timeout() {
		t.Errorf("error = %v, want a *url.Error that is a timeout", err)
	}
	if elapsed < timeout || elapsed > timeout+time.Second {
		t.Errorf("request took %v, want between %v and %v", elapsed, timeout, timeout+time.Second)
	}
}

func TestNewDefaults(t *testing.T) {
	hosts := map[string]string{"lyon.test": "127.0.0.1"}
	c := New(Options{Hosts: hosts})
	if c.Timeout != DefaultTimeout {
		t.Errorf("Timeout = %v, want %v", c.Timeout, DefaultTimeout)
	}
	tr, ok := c.Transport.(*transport)
	if !ok {
		t.Fatalf("Transport is %T, want *transport", c.Transport)
	}
	if tr.opts.MaxRedirects != DefaultMaxRedirects {
		t.Errorf("MaxRedirects = %d, want %d", tr.opts.MaxRedirects, DefaultMaxRedirects)
	}
	if base, ok := tr.base.(*http.Transport); !ok || base.Proxy != nil {
		t.Errorf("base transport %T uses a proxy function, want none", tr.base)
	}
	hosts["lyon.test"] = "93.184.216.34"
	if tr.opts.Hosts["lyon.test"] != "127.0.0.1" {
		t.Error("changing the caller's Hosts map changed the client's")
	}
}
