package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/uptrace/bun"
	"golang.org/x/net/html"

	"github.com/ess-lyon/portal/charter"
	"github.com/ess-lyon/portal/timeline"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery staple"

// testStart is the portal's clock when a test begins: early December 2026,
// so that December events are coming.
var testStart = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// portal is a running portal on a loopback HTTP server over a fresh
// database, with a clock the test moves.
type portal struct {
	t         *testing.T
	srv       *httptest.Server
	web       *Server
	posts     *timeline.Store
	committee *charter.Committee
	clock     *testClock
	logs      *bytes.Buffer
	curator   *timeline.User // a committee member for fixtures' decisions
}

// testClock advances a millisecond on every reading, so that posts made
// one after another get distinct times, and jumps when asked.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newPortal starts a portal on db; opts may change its configuration.
func newPortal(t *testing.T, db *bun.DB, opts ...func(*Config)) *portal {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	p := &portal{t: t, srv: srv, clock: &testClock{now: testStart}, logs: new(bytes.Buffer)}
	p.posts = timeline.New(db)
	p.posts.SetClock(p.clock.Now)
	p.committee = charter.NewCommittee(db, p.posts)

	cfg := Config{
		Base:     "http://" + srv.Listener.Addr().String(),
		MediaDir: t.TempDir(),
		Logger:   slog.New(slog.NewTextHandler(p.logs, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := New(cfg, db, p.posts, p.committee)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p.web = s

	r := chi.NewRouter()
	r.Use(middleware.GetHead) // as cmd mounts it, so that HEAD is answered
	s.Routes(r)
	r.Get("/@{name}", s.ServeActorPage)
	r.Get("/@{name}/{id}", s.ServePostPage)
	r.NotFound(s.NotFound)
	srv.Config.Handler = SecurityHeaders(r)
	if strings.HasPrefix(cfg.Base, "https:") {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)

	// A second portal on the same database (another process, a restart)
	// finds the curator already there.
	if u, err := p.posts.UserByLogin(context.Background(), "curator"); err == nil {
		p.curator = u
		return p
	}
	p.curator = p.user("curator", func(u *timeline.User) { u.Committee = true })
	return p
}

// org creates a local organisation.
func (p *portal) org(username string) *timeline.Actor {
	p.t.Helper()
	a := &timeline.Actor{Username: username, Name: "Org " + username, LegalForm: "association",
		Sector: "Alimentation", City: "Lyon", Website: "https://" + username + ".example"}
	if err := p.posts.CreateLocalActor(context.Background(), a); err != nil {
		p.t.Fatalf("creating organisation %s: %v", username, err)
	}
	return a
}

// user creates a user with testPassword; edit may make it a committee
// member or an admin.
func (p *portal) user(login string, edit func(*timeline.User)) *timeline.User {
	p.t.Helper()
	u := &timeline.User{Login: login, Name: "Person " + login}
	if edit != nil {
		edit(u)
	}
	if err := p.posts.CreateUser(context.Background(), u, testPassword); err != nil {
		p.t.Fatalf("creating user %s: %v", login, err)
	}
	return u
}

// grant gives u a role on a.
func (p *portal) grant(u *timeline.User, a *timeline.Actor, role timeline.Role) {
	p.t.Helper()
	if err := p.posts.Grant(context.Background(), u.ID, a.ID, role); err != nil {
		p.t.Fatalf("granting %s: %v", role, err)
	}
}

// news publishes a news item of a.
func (p *portal) news(a *timeline.Actor, title string) *timeline.Post {
	p.t.Helper()
	post := &timeline.Post{ActorID: a.ID, Kind: timeline.News, Title: title,
		Summary: "Résumé de " + title, BodyMarkdown: "Texte de **" + title + "**."}
	if err := p.posts.CreatePost(context.Background(), post); err != nil {
		p.t.Fatalf("creating news %q: %v", title, err)
	}
	return post
}

// event publishes an event of a, two hours long.
func (p *portal) event(a *timeline.Actor, title string, start time.Time) *timeline.Post {
	p.t.Helper()
	post := &timeline.Post{ActorID: a.ID, Kind: timeline.Event, Title: title,
		BodyMarkdown: "Venez !", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		PlaceName: "Maison des associations", Locality: "Lyon"}
	if err := p.posts.CreatePost(context.Background(), post); err != nil {
		p.t.Fatalf("creating event %q: %v", title, err)
	}
	return post
}

// feature puts a post on the featured timeline.
func (p *portal) feature(post *timeline.Post) {
	p.t.Helper()
	d := &charter.Decision{Kind: charter.Feature, PostID: post.ID, Articles: "3"}
	if err := p.committee.Decide(context.Background(), p.curator, d); err != nil {
		p.t.Fatalf("featuring post %d: %v", post.ID, err)
	}
}

// reload reads a post back from the database.
func (p *portal) reload(post *timeline.Post) *timeline.Post {
	p.t.Helper()
	got, err := p.posts.Post(context.Background(), post.ID)
	if err != nil {
		p.t.Fatalf("reading post %d: %v", post.ID, err)
	}
	return got
}

// client is a browser: it keeps cookies and does not follow redirects.
type client struct {
	t    *testing.T
	p    *portal
	http *http.Client
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   string
}

// client returns a new browser, connecting from 127.0.0.1.
func (p *portal) client() *client { return p.clientFrom("127.0.0.1") }

// clientFrom returns a new browser connecting from another loopback
// address, to be another client for the rate limit.
func (p *portal) clientFrom(ip string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		p.t.Fatal(err)
	}
	tr := p.srv.Client().Transport.(*http.Transport).Clone()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr.DialContext = dialer.DialContext
	return &client{t: p.t, p: p, http: &http.Client{
		Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("reading %s: %v", req.URL, err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.p.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a urlencoded form; headers are added as given.
func (c *client) post(path string, form url.Values, headers ...string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.p.srv.URL+path,
		strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// upload is a file sent with a multipart form.
type upload struct {
	field, name string
	data        []byte
}

// postMultipart sends a multipart form, with a file if up is not nil.
func (c *client) postMultipart(path string, form url.Values, up *upload) *response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	if up != nil {
		fw, err := mw.CreateFormFile(up.field, up.name)
		if err == nil {
			_, err = fw.Write(up.data)
		}
		if err != nil {
			c.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.p.srv.URL+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token returns the form token of the page at path.
func (c *client) token(path string) string {
	c.t.Helper()
	res := c.get(path)
	m := csrfRE.FindStringSubmatch(res.body)
	if m == nil {
		c.t.Fatalf("no csrf field in %s (status %d)", path, res.status)
	}
	return m[1]
}

// tryLogin posts the login form as a browser would.
func (c *client) tryLogin(login, password string) *response {
	c.t.Helper()
	form := url.Values{"login": {login}, "password": {password},
		csrfField: {c.token("/connexion")}}
	return c.post("/connexion", form)
}

// login signs in and returns the session's form token.
func (c *client) login(login string) string {
	c.t.Helper()
	if res := c.tryLogin(login, testPassword); res.status != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d, want 303", login, res.status)
	}
	return c.token("/espace")
}

// wantStatus fails the test if res has another status.
func wantStatus(t *testing.T, what string, res *response, want int) {
	t.Helper()
	if res.status != want {
		t.Fatalf("%s: status %d, want %d; body:\n%s", what, res.status, want, excerptOf(res.body))
	}
}

// excerptOf keeps the main part of a page for failure messages.
func excerptOf(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 1500 {
		body = body[:1500]
	}
	return body
}

// pngImage returns a small PNG.
func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// indexOf returns where s first appears in body, failing if it does not.
func indexOf(t *testing.T, body, s string) int {
	t.Helper()
	i := strings.Index(body, s)
	if i < 0 {
		t.Fatalf("page lacks %q:\n%s", s, excerptOf(body))
	}
	return i
}

// formValues returns what a browser would send, untouched, from the form
// whose action is action on page: text inputs, checked boxes, text areas
// and selected options; files and buttons aside.
func formValues(t *testing.T, page, action string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" && attr(n, "action") == action {
			return fieldValues(n)
		}
	}
	t.Fatalf("no form to %s in:\n%s", action, excerptOf(page))
	return nil
}

func fieldValues(form *html.Node) url.Values {
	out := url.Values{}
	for n := range form.Descendants() {
		if n.Type != html.ElementNode || attr(n, "name") == "" {
			continue
		}
		name := attr(n, "name")
		switch n.Data {
		case "input":
			switch attr(n, "type") {
			case "file", "submit":
			case "checkbox", "radio":
				if hasAttr(n, "checked") {
					out.Add(name, attr(n, "value"))
				}
			default:
				out.Add(name, attr(n, "value"))
			}
		case "textarea":
			var text strings.Builder
			for c := range n.Descendants() {
				if c.Type == html.TextNode {
					text.WriteString(c.Data)
				}
			}
			out.Add(name, text.String())
		case "select":
			for o := range n.Descendants() {
				if o.Type == html.ElementNode && o.Data == "option" && hasAttr(o, "selected") {
					out.Add(name, attr(o, "value"))
				}
			}
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
