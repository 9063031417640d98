package main

// The browser tests drive a headless Chromium with chromedp against a real
// "portal serve", the way a visitor, an editor and a committee member use
// the portal, and check what the browser renders. They run on SQLite only:
// the pages do not depend on the database, and TestTwoPortalsFederate and
// the web package's tests already cover PostgreSQL.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The organisation and the people the browser tests seed.
const (
	orgName        = "maison-ess"
	editorLogin    = "camille@maison-ess.test"
	committeeLogin = "dominique@comite.test"
)

// actionTimeout bounds each browser step, so that a missing element fails
// the test instead of hanging it.
const actionTimeout = 15 * time.Second

// TestBrowser runs the scenarios in order on one portal and one browser:
// later ones build on what earlier ones published.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a portal and a browser")
	}
	chrome := chromiumPath(t)
	s := startBrowserSite(t, portalBinary(t))
	b := startBrowser(t, chrome, s.base)
	scenarios := []struct {
		name string
		run  func(*testing.T, *browser, *browserSite)
	}{
		{"Visitor", visitorBrowses},
		{"Editor", editorPublishes},
		{"Committee", committeeFeatures},
		{"WrongPassword", wrongPasswordRefused},
		{"ContentSecurityPolicy", pagesObeyCSP},
		{"Homepage", homepageScreenshots},
		{"LongTitle", longTitleWraps},
		{"HostileHTML", hostileHTMLInert},
		{"NetworkAndModeration", networkAndModeration},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, b, s) })
	}
}

// chromiumPath finds Debian's chromium. Without it the test is skipped,
// except under CI=true, where it must be installed.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("chromium is required under CI: %v", err)
	}
	t.Skipf("no chromium (%v); install it with apt to run the browser tests", err)
	return ""
}

// browserSite is the portal under test, with what the scenarios leave for
// the next ones.
type browserSite struct {
	in        *instance
	base      string // http://127.0.0.1:port, the only origin the browser loads
	password  string // every seeded user's
	eventPath string // the seeded event's page
	newsPath  string // the editor's news item, once published
	newsTitle string
}

// startBrowserSite seeds two organisations, an editor, a committee member,
// an event and a news item, and serves the portal on 127.0.0.1.
func startBrowserSite(t *testing.T, bin string) *browserSite {
	t.Helper()
	in := newInstance(t, bin, "127.0.0.1", "sqlite", "")
	in.run("actor", "create", "--username", orgName, "--name", "Maison de l'ESS",
		"--sector", "réemploi", "--address", "12 rue Sébastien Gryphe", "--postal-code", "69007")
	in.run("actor", "create", "--username", "velo-cite", "--name", "Vélo Cité",
		"--legal-form", "scic", "--sector", "mobilité")
	in.run("user", "create", "--login", editorLogin, "--name", "Camille Martin",
		"--actor", orgName, "--role", "editor")
	in.run("user", "create", "--login", committeeLogin, "--name", "Dominique Bernard",
		"--committee")

	event := filepath.Join(t.TempDir(), "event.md")
	if err := os.WriteFile(event, []byte(eventFile), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &browserSite{in: in, base: "http://" + in.domain,
		password: envValue(in.env, "PORTAL_PASSWORD")}
	news := filepath.Join("testdata", "browser", "news.md")
	out := in.run("publish", "--actor", orgName, event, news)
	s.eventPath = publishedPaths(t, s.base, out)[0]
	in.serve()
	return s
}

// publishedPaths reads the pages of the posts "portal publish" reports, in
// the order of its files.
func publishedPaths(t *testing.T, base, out string) []string {
	t.Helper()
	var paths []string
	for line := range strings.Lines(out) {
		if _, uri, ok := strings.Cut(strings.TrimSpace(line), ": published "); ok {
			paths = append(paths, strings.TrimPrefix(uri, base))
		}
	}
	if len(paths) == 0 {
		t.Fatalf("portal publish reported no post:\n%s", out)
	}
	return paths
}

// envValue is the last value of name in env, the one a command sees.
func envValue(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if s, ok := strings.CutPrefix(kv, name+"="); ok {
			v = s
		}
	}
	return v
}

// browser is one headless Chromium for the whole test.
type browser struct {
	ctx   context.Context // its first tab's, which started it
	base  string
	shots string // where screenshots are written
}

// startBrowser launches Chromium so that it can reach nothing but the
// portal: no background traffic, every address but loopback sent to a proxy
// that refuses it, and no host name resolving.
func startBrowser(t *testing.T, chrome, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-features", strings.Join(quietFeatures, ",")),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.ProxyServer(refusingProxy(t)),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return &browser{ctx: ctx, base: base, shots: screenshotDir(t)}
}

// quietFeatures are Chromium features that call Google's servers even
// with background networking off: the network clock, autofill's form
// queries, optimisation hints and certificate transparency lists, with the
// two features chromedp turns off by default.
var quietFeatures = []string{"Translate", "BlinkGenPropertyTrees", "NetworkTimeServiceQuerying",
	"AutofillServerCommunication", "OptimizationHints", "OptimizationHintsFetching",
	"OptimizationGuideModelDownloading", "OptimizationGuideOnDeviceModel",
	"CertificateTransparencyComponentUpdater", "MediaRouter", "DialMediaRouteProvider"}

// browserServices are the hosts Chromium itself calls whatever its flags:
// Debian's build lists the Google accounts of every profile at start-up
// and checks for its on-device model. The proxy refuses them like the
// rest; they are logged, not failed, since no page asked for them.
var browserServices = []string{".google.com:443", ".googleapis.com:443", ".googleapis.com",
	".gvt1.com:443"}

// refusingProxy is the browser's proxy for every address but loopback,
// which Chromium never sends through a proxy. It refuses everything, and
// the test fails if anything but the browser's own services came to it.
func refusingProxy(t *testing.T) string {
	t.Helper()
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Host)
		mu.Unlock()
		http.Error(w, "the browser tests load only the portal", http.StatusForbidden)
	}))
	t.Cleanup(func() {
		srv.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, host := range asked {
			if !slices.ContainsFunc(browserServices, func(s string) bool {
				return strings.HasSuffix(host, s)
			}) {
				t.Errorf("the browser tried to reach %s", host)
			}
		}
		if len(asked) > 0 {
			t.Logf("the proxy refused requests to %q", slices.Compact(slices.Sorted(
				slices.Values(asked))))
		}
	})
	return srv.URL
}

// screenshotDir is $PORTAL_SCREENSHOTS, relative to cmd/portal, or a
// temporary folder.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PORTAL_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// cspWatcher runs in every page before its content, injected through the
// DevTools protocol, which the page's policy does not govern. It keeps the
// violations the page reports.
const cspWatcher = `window.__csp = [];
document.addEventListener("securitypolicyviolation",
	e => window.__csp.push(e.effectiveDirective + " " + e.blockedURI));`

// tab is one person at the browser: a tab in a browser context of its own,
// so with its own cookies. It records what the page writes to the console
// and every request for another origin; the test fails on those left when
// it ends.
type tab struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string

	mu      sync.Mutex
	console []string
	foreign []string
}

func (b *browser) newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx, base: b.base, shots: b.shots}
	if err := chromedp.Listen(ctx, tb.watch); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatcher})
	if err != nil {
		t.Fatalf("installing the CSP watcher: %v", err)
	}
	t.Cleanup(tb.checkLeftovers)
	return tb
}

// watch runs in chromedp's event loop: it only records.
func (tb *tab) watch(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if u := ev.Request.URL; !tb.ours(u) {
			tb.foreign = append(tb.foreign, u)
		}
	case *runtime.EventConsoleAPICalled:
		tb.console = append(tb.console, "console."+string(ev.Type)+": "+argsText(ev.Args))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		tb.console = append(tb.console, fmt.Sprintf("exception at %s:%d: %s",
			d.URL, d.LineNumber, d.Text))
	case *log.EventEntryAdded:
		e := ev.Entry
		if e.Level == log.EntryLevelWarning || e.Level == log.EntryLevelError {
			tb.console = append(tb.console, fmt.Sprintf("%s %s: %s (%s)",
				e.Source, e.Level, e.Text, e.URL))
		}
	}
}

// ours tells whether the browser may load u: the portal's pages and assets,
// the blank page a tab starts on, and data: URLs, which reach no server.
func (tb *tab) ours(u string) bool {
	return u == tb.base || strings.HasPrefix(u, tb.base+"/") || u == "about:blank" ||
		strings.HasPrefix(u, "data:")
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.Description
		if len(a.Value) > 0 {
			parts[i] = string(a.Value)
		}
	}
	return strings.Join(parts, " ")
}

// takeConsole returns the console messages since the last call and forgets
// them.
func (tb *tab) takeConsole() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	msgs := tb.console
	tb.console = nil
	return msgs
}

// expectStatusMessage forgets the browser's report of an error status the
// scenario asked for, such as "status of 410", and fails on any other
// message.
func (tb *tab) expectStatusMessage(status string) {
	tb.t.Helper()
	for _, m := range tb.takeConsole() {
		if !strings.Contains(m, "the server responded with a status of "+status) {
			tb.t.Errorf("console: %s", m)
		}
	}
}

func (tb *tab) checkLeftovers() {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, u := range tb.foreign {
		tb.t.Errorf("the page asked for %s, outside the portal", u)
	}
	for _, m := range tb.console {
		tb.t.Errorf("console: %s", m)
	}
}

// runStep runs one browser step within actionTimeout, failing the test if it
// fails.
func runStep[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// open loads the portal's page at path and returns its HTTP status, after
// any redirect.
func (tb *tab) open(path string) int {
	tb.t.Helper()
	resp := runStep(tb, "opening "+path, chromedp.NavigateResponse(tb.base+path))
	return int(resp.Status)
}

// follow clicks the element css selects, a link or a submit button, waits
// for the page it leads to, and returns that page's status.
func (tb *tab) follow(css string) int {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		tb.t.Fatalf("following %s: %v", css, err)
	}
	if resp == nil {
		tb.t.Fatalf("following %s: no page loaded", css)
	}
	return int(resp.Status)
}

func (tb *tab) click(css string) {
	tb.t.Helper()
	runStep(tb, "clicking "+css, chromedp.Click(chromedp.CSS(css)))
}

// typeIn types text into a field, as a person would, after emptying it.
func (tb *tab) typeIn(css, text string) {
	tb.t.Helper()
	evalJS[chromedp.Void](tb, fmt.Sprintf(`document.querySelector(%s).value = ""`, jsString(css)))
	runStep(tb, "typing in "+css, chromedp.SendKeys(chromedp.CSS(css), text))
}

// set gives a field its value directly: for date and time inputs, whose
// typing depends on the browser's locale, and for long texts.
func (tb *tab) set(css, value string) {
	tb.t.Helper()
	runStep(tb, "filling "+css, chromedp.SetValue(chromedp.CSS(css), value))
}

// path is the address of the page shown, without the origin.
func (tb *tab) path() string {
	tb.t.Helper()
	return strings.TrimPrefix(runStep(tb, "reading the address", chromedp.Location()), tb.base)
}

// evalJS evaluates a JavaScript expression in the page and decodes its value.
func evalJS[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return runStep(tb, "evaluating "+expr, chromedp.Evaluate[T](expr))
}

func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// texts returns the text of every element css selects, spaces collapsed.
func (tb *tab) texts(css string) []string {
	tb.t.Helper()
	return evalJS[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%s),
		e => e.textContent.replace(/\s+/g, " ").trim())`, jsString(css)))
}

// text returns the text of the first element css selects.
func (tb *tab) text(css string) string {
	tb.t.Helper()
	all := tb.texts(css)
	if len(all) == 0 {
		tb.t.Fatalf("%s: nothing matches %s", tb.path(), css)
	}
	return all[0]
}

func (tb *tab) count(css string) int {
	tb.t.Helper()
	return evalJS[int](tb, fmt.Sprintf("document.querySelectorAll(%s).length", jsString(css)))
}

// attr returns an attribute of the first element css selects, "" if none.
func (tb *tab) attr(css, name string) string {
	tb.t.Helper()
	return evalJS[string](tb, fmt.Sprintf(`document.querySelector(%s)?.getAttribute(%s) ?? ""`,
		jsString(css), jsString(name)))
}

// value returns the current value of a form field, "" if there is none.
func (tb *tab) value(css string) string {
	tb.t.Helper()
	return evalJS[string](tb, fmt.Sprintf(`document.querySelector(%s)?.value ?? ""`, jsString(css)))
}

func (tb *tab) lang() string {
	tb.t.Helper()
	return evalJS[string](tb, "document.documentElement.lang")
}

// screenshot writes a full-page PNG of the page shown.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	png := runStep(tb, "taking the screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(tb.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot %s", path)
}

// login fills in and sends the login form, and returns the status of the
// page it leads to.
func (tb *tab) login(login, password string) int {
	tb.t.Helper()
	if status := tb.open("/connexion"); status != http.StatusOK {
		tb.t.Fatalf("/connexion answered %d", status)
	}
	tb.typeIn("#login", login)
	tb.set("#password", password)
	return tb.follow(`form[action="/connexion"] button[type=submit]`)
}

func check[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func checkList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// checkHas fails unless list holds s (or lacks it, when want is false).
func checkHas(t *testing.T, what string, list []string, s string, want bool) {
	t.Helper()
	if slices.Contains(list, s) != want {
		verb := "lacks"
		if !want {
			verb = "still has"
		}
		t.Errorf("%s %s %q: %q", what, verb, s, list)
	}
}

// lastSegment is a post's id, from its page's path.
func lastSegment(path string) string { return path[strings.LastIndex(path, "/")+1:] }

// cdpCookies reads the browser's cookies for the portal.
func cdpCookies(tb *tab) []*network.Cookie {
	tb.t.Helper()
	return runStep(tb, "reading cookies", func(ctx context.Context, t *chromedp.Target) (
		[]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies,
			network.GetCookiesParams{URLs: []string{tb.base + "/"}})
		return res.Cookies, err
	})
}

// The French and English names of the homepage's sections, in their order.
var (
	sectionsFR = []string{"À la une", "Prochains événements", "Dernières actualités", "L'annuaire"}
	sectionsEN = []string{"Featured", "Coming events", "Latest news", "The directory"}
)

// homeSection selects the titles of the posts in a homepage section.
func homeSection(id string) string {
	return `section[aria-labelledby="` + id + `-heading"] .card-title`
}

// visitorBrowses: the homepage in French, an event's page, its
// organisation's, and the switch to English.
func visitorBrowses(t *testing.T, b *browser, s *browserSite) {
	tb := b.newTab(t)
	check(t, "status of /", tb.open("/"), http.StatusOK)
	check(t, "language", tb.lang(), "fr")
	checkList(t, "homepage sections", tb.texts("main > section > h2"), sectionsFR)
	checkList(t, "directory teaser", tb.texts(".teaser .inline-list a"),
		[]string{"Maison de l'ESS", "Vélo Cité"})

	tb.follow(`section[aria-labelledby="events-heading"] a[href="` + s.eventPath + `"]`)
	check(t, "page after clicking the event", tb.path(), s.eventPath)
	check(t, "event title", tb.text("main h1"), "Repair café de décembre")
	checkList(t, "event date and place", tb.texts(".event-facts dd"), []string{
		"jeudi 12 décembre 2030, 14 h 00 – 18 h 00",
		"Maison des solidarités, 12 rue Sébastien Gryphe, 69007 Lyon"})
	check(t, "event start", tb.attr(".event-facts time", "datetime"), "2030-12-12T13:00:00Z")
	tb.screenshot("event")

	tb.follow(".post header .meta a")
	check(t, "page after clicking the organisation", tb.path(), "/@"+orgName)
	check(t, "organisation name", tb.text("main h1"), "Maison de l'ESS")
	checkHas(t, "organisation's posts", tb.texts(".cards .card-title"),
		"Repair café de décembre", true)

	tb.follow(`a[hreflang="en"]`)
	check(t, "language after switching", tb.lang(), "en")
	check(t, "organisation posts heading", tb.text("#posts-heading"), "Posts")
	tb.follow("a.brand")
	check(t, "language kept on the homepage", tb.lang(), "en")
	checkList(t, "English homepage sections", tb.texts("main > section > h2"), sectionsEN)
	checkList(t, "English menu", tb.texts(".site-header nav a"), []string{
		"Home", "Events", "News", "Network", "Directory", "Charter", "Sign in", "Français"})
	tb.open(s.eventPath)
	checkList(t, "English event facts", tb.texts(".event-facts dt"), []string{"When", "Where"})
	check(t, "English event date", tb.text(".event-facts dd"),
		"Thursday 12 December 2030, 14:00 – 18:00")
}

// editorPublishes: an editor signs in, publishes an event and a news item
// through the forms, edits the news item's title and deletes the event.
func editorPublishes(t *testing.T, b *browser, s *browserSite) {
	tb := b.newTab(t)
	tb.open("/connexion")
	tb.screenshot("login")
	check(t, "status after signing in", tb.login(editorLogin, s.password), http.StatusOK)
	check(t, "page after signing in", tb.path(), "/espace")
	check(t, "greeting", tb.text("main .lead"), "Bonjour Camille Martin.")

	const eventTitle = "Atelier compost au jardin"
	eventPath := createEvent(t, tb, eventTitle)
	s.newsTitle = "Appel à bénévoles pour la fête de quartier"
	s.newsPath = createNews(t, tb, s.newsTitle)

	tb.open("/espace")
	rows := tb.texts("table.posts tbody th")
	checkHas(t, "workspace", rows, eventTitle, true)
	checkHas(t, "workspace", rows, s.newsTitle, true)
	tb.screenshot("workspace")
	tb.open("/")
	checkHas(t, "homepage events", tb.texts(homeSection("events")), eventTitle, true)
	checkHas(t, "homepage news", tb.texts(homeSection("news")), s.newsTitle, true)

	s.newsTitle = editTitle(t, tb, s.newsPath, s.newsTitle,
		"Appel à bénévoles : fête de quartier du 20 juin")
	deleteEvent(t, tb, eventPath, eventTitle)
}

// createEvent fills in the event form, in Europe/Paris time, and returns
// the new event's page.
func createEvent(t *testing.T, tb *tab, title string) string {
	t.Helper()
	tb.follow(`a[href="/espace/` + orgName + `/nouveau?type=event"]`)
	check(t, "time zone offered", tb.value("#f-time_zone"), "Europe/Paris")
	tb.typeIn("#f-title", title)
	tb.set("#f-body", "On lance le **composteur** du jardin : apportez vos épluchures.")
	for _, f := range [][2]string{{"#f-starts_at", "2031-06-14"}, {"#f-start_time", "14:30"},
		{"#f-ends_at", "2031-06-14"}, {"#f-end_time", "17:00"}} {
		tb.set(f[0], f[1])
	}
	for _, f := range [][2]string{{"#f-place_name", "Jardin partagé des Pentes"},
		{"#f-street_address", "5 montée de la Grande-Côte"}, {"#f-postal_code", "69001"},
		{"#f-locality", "Lyon"}} {
		tb.typeIn(f[0], f[1])
	}
	tb.screenshot("new-event-form")

	check(t, "status after publishing the event", tb.follow("form.form button[type=submit]"),
		http.StatusOK)
	check(t, "event title", tb.text("main h1"), title)
	checkList(t, "event date and place", tb.texts(".event-facts dd"), []string{
		"samedi 14 juin 2031, 14 h 30 – 17 h 00",
		"Jardin partagé des Pentes, 5 montée de la Grande-Côte, 69001 Lyon"})
	// 14:30 in Paris in June is 12:30 UTC (CEST).
	check(t, "event start", tb.attr(".event-facts time", "datetime"), "2031-06-14T12:30:00Z")
	return tb.path()
}

// createNews fills in the news form and returns the new item's page.
func createNews(t *testing.T, tb *tab, title string) string {
	t.Helper()
	tb.open("/espace")
	tb.follow(`a[href="/espace/` + orgName + `/nouveau?type=news"]`)
	tb.typeIn("#f-title", title)
	tb.typeIn("#f-summary", "Montage, buvette, rangement : toutes les mains sont bienvenues.")
	tb.set("#f-body", "La fête du quartier a lieu le **20 juin**.\n\nInscriptions à l'accueil.")
	check(t, "status after publishing the news", tb.follow("form.form button[type=submit]"),
		http.StatusOK)
	check(t, "news title", tb.text("main h1"), title)
	check(t, "news kind", tb.text(".post .kicker"), "Actualité")
	return tb.path()
}

// editTitle renames a post through the workspace's edit link and returns
// the new title.
func editTitle(t *testing.T, tb *tab, path, old, title string) string {
	t.Helper()
	tb.open("/espace")
	tb.follow(`a[href="/espace/` + orgName + "/" + lastSegment(path) + `/modifier"]`)
	check(t, "title in the edit form", tb.value("#f-title"), old)
	tb.typeIn("#f-title", title)
	check(t, "status after saving", tb.follow("form.form button[type=submit]"), http.StatusOK)
	check(t, "page after saving", tb.path(), path)
	check(t, "edited title", tb.text("main h1"), title)
	tb.open("/")
	news := tb.texts(homeSection("news"))
	checkHas(t, "homepage news", news, title, true)
	checkHas(t, "homepage news", news, old, false)
	return title
}

// deleteEvent deletes an event from the workspace: it leaves the homepage
// and its page answers 410 Gone.
func deleteEvent(t *testing.T, tb *tab, path, title string) {
	t.Helper()
	tb.open("/espace")
	confirm := "/espace/" + orgName + "/" + lastSegment(path) + "/supprimer"
	tb.follow(`a[href="` + confirm + `"]`)
	check(t, "confirmation page", tb.path(), confirm)
	tb.follow(`form[action="` + confirm + `"] button`)
	check(t, "page after deleting", tb.path(), "/espace")
	checkHas(t, "workspace", tb.texts("table.posts tbody th"), title, false)
	tb.open("/")
	checkHas(t, "homepage events", tb.texts(homeSection("events")), title, false)
	check(t, "status of the deleted event", tb.open(path), http.StatusGone)
	check(t, "deleted event's page", tb.text("main h1"), "Publication supprimée")
	tb.expectStatusMessage("410")
}

// committeeFeatures: a committee member features the editor's news item,
// citing article 3 of the charter, and it goes to the top of the homepage.
func committeeFeatures(t *testing.T, b *browser, s *browserSite) {
	if s.newsPath == "" {
		t.Skip("the editor scenario published no news item")
	}
	id := lastSegment(s.newsPath)
	item := `article[aria-labelledby="p-` + id + `"]`
	tb := b.newTab(t)
	tb.login(committeeLogin, s.password)
	check(t, "status of /comite", tb.open("/comite"), http.StatusOK)
	check(t, "news to decide on", tb.count(`section[aria-labelledby="news"] `+item), 1)

	tb.click("#a-" + id + "-3")
	tb.typeIn("#r-"+id, "Un appel à participation ouvert à tout le quartier.")
	check(t, "status after deciding", tb.follow(item+" button[type=submit]"), http.StatusOK)
	check(t, "page after deciding", tb.path(), "/comite?fait=1")
	check(t, "notice", tb.text(".notice"), "Décision enregistrée.")
	check(t, "featured on /comite", tb.count(`section[aria-labelledby="featured"] `+item), 1)
	tb.screenshot("committee")
	check(t, "decisions citing article 3", s.in.count(`SELECT count(*) FROM charter_decisions
		WHERE post_id = ? AND kind = 'feature' AND articles = '3'`, id), 1)

	tb.open("/")
	checkList(t, "featured on the homepage", tb.texts(homeSection("featured")),
		[]string{s.newsTitle})
	tb.open(s.newsPath)
	check(t, "badge on the news page", tb.text(".post .kicker .badge"), "À la une")
}

// wrongPasswordRefused: a wrong password shows an error and opens no
// session.
func wrongPasswordRefused(t *testing.T, b *browser, s *browserSite) {
	sessions := s.in.count("SELECT count(*) FROM web_sessions")
	tb := b.newTab(t)
	check(t, "status after a wrong password", tb.login(editorLogin, "pas le bon mot de passe"),
		http.StatusUnauthorized)
	tb.expectStatusMessage("401")
	check(t, "error", tb.text(".error-summary"), "Identifiant ou mot de passe incorrect.")
	check(t, "login kept", tb.value("#login"), editorLogin)
	check(t, "password kept", tb.value("#password"), "")
	for _, c := range cdpCookies(tb) {
		if c.Name == "portal_session" {
			t.Errorf("a session cookie was set: %+v", c)
		}
	}
	check(t, "sessions stored", s.in.count("SELECT count(*) FROM web_sessions"), sessions)
	tb.open("/espace")
	check(t, "page when asking for /espace", tb.path(), "/connexion")
}

// pagesObeyCSP: every page is served with a policy that forbids inline
// script, holds none, and loads with no console message and no violation.
func pagesObeyCSP(t *testing.T, b *browser, s *browserSite) {
	tb := b.newTab(t)
	resp := runStep(tb, "opening /", chromedp.NavigateResponse(tb.base+"/"))
	policy := ""
	for k, v := range resp.Headers {
		if strings.EqualFold(k, "Content-Security-Policy") {
			policy, _ = v.(string)
		}
	}
	if !strings.Contains(policy, "script-src 'self'") || strings.Contains(policy, "unsafe-") {
		t.Errorf("Content-Security-Policy = %q, want script-src 'self' and nothing unsafe", policy)
	}

	// The public pages in French, then a few in English, then the editor's
	// pages, still in English. The cursors at either end of time show the
	// lists' links between pages, whatever the site holds.
	for _, p := range []string{"/", "/agenda", "/actualites", "/reseau", "/annuaire", "/charte",
		"/@" + orgName, s.eventPath, "/connexion", "/?lang=en", "/charte", "/annuaire",
		"/actualites?avant=" + lastCursor, "/agenda?apres=1_1"} {
		checkCleanPage(t, tb, p)
	}
	tb.login(editorLogin, s.password)
	for _, p := range []string{"/espace", "/espace/" + orgName + "/nouveau?type=event",
		"/espace/" + orgName + "/nouveau?type=news", s.newsPath,
		"/espace/" + orgName + "?avant=" + lastCursor} {
		checkCleanPage(t, tb, p)
	}
	proveCSPWatched(t, tb)
}

// keyLike matches a message key shown instead of its text, which is how
// the portal shows a message missing from its catalogue.
const keyLike = `/\b(site|nav|footer|home|agenda|news|network|directory|org|charter|post|login|` +
	`workspace|form|field|why|committee|legal|error|pager)\.[a-z_]+\b/`

// lastCursor is a list cursor at the end of time: the page after it holds
// every post of a list newest first, and links back to the first page.
const lastCursor = "253402300799999999_1"

// checkCleanPage opens a page and checks it has no script, no inline
// handler or style, no policy violation, no console message and no
// untranslated key.
func checkCleanPage(t *testing.T, tb *tab, path string) {
	t.Helper()
	check(t, "status of "+path, tb.open(path), http.StatusOK)
	check(t, "script elements in "+path, tb.count("script"), 0)
	check(t, "inline styles in "+path, tb.count("[style]"), 0)
	check(t, "inline handlers in "+path, evalJS[int](tb, `document.evaluate(
		"count(//@*[starts-with(name(), 'on')])", document, null,
		XPathResult.NUMBER_TYPE, null).numberValue`), 0)
	checkList(t, "policy violations in "+path, evalJS[[]string](tb, "window.__csp"), []string{})
	if msgs := tb.takeConsole(); len(msgs) > 0 {
		t.Errorf("console of %s: %q", path, msgs)
	}
	key := evalJS[string](tb, `document.body.innerText.match(`+keyLike+`)?.[0] ?? ""`)
	if key != "" {
		t.Errorf("%s shows the message key %q", path, key)
	}
	checkList(t, "fields without a visible label in "+path, evalJS[[]string](tb, unlabelled),
		[]string{})
}

// unlabelled lists the form fields of a page that have no label shown on
// screen with some text.
const unlabelled = `Array.from(document.querySelectorAll(
	"input:not([type=hidden]):not([type=submit]), textarea, select"))
	.filter(f => !Array.from(f.labels).some(l => l.innerText.trim() !== "" &&
		l.getBoundingClientRect().height > 0))
	.map(f => f.id || f.name)`

// proveCSPWatched checks that the watchers above can see a violation: an
// inline script added to the page is refused, and both the page's event
// and the console report it.
func proveCSPWatched(t *testing.T, tb *tab) {
	t.Helper()
	tb.open("/")
	evalJS[chromedp.Void](tb, `(() => { const s = document.createElement("script");
		s.textContent = "window.__inline = true"; document.body.append(s); })()`)
	runStep(tb, "waiting for the violation", chromedp.Poll[bool]("window.__csp.length > 0",
		chromedp.WithPollingTimeout(5*time.Second)))
	check(t, "inline script ran", evalJS[bool](tb, "window.__inline === true"), false)
	deadline := time.Now().Add(5 * time.Second)
	var msgs []string
	for len(msgs) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		msgs = tb.takeConsole()
	}
	if len(msgs) == 0 || !strings.Contains(strings.Join(msgs, "\n"), "Content Security Policy") {
		t.Errorf("the console did not report the refused inline script: %q", msgs)
	}
}

// homepageScreenshots: the homepage with everything the scenarios
// published, in French, in English and on a 390px-wide phone.
func homepageScreenshots(t *testing.T, b *browser, s *browserSite) {
	tb := b.newTab(t)
	tb.open("/")
	check(t, "language", tb.lang(), "fr")
	checkList(t, "homepage sections", tb.texts("main > section > h2"), sectionsFR)
	tb.screenshot("home-fr")
	tb.follow(`a[hreflang="en"]`)
	check(t, "language", tb.lang(), "en")
	check(t, "English heading", tb.text("main h1"), "The social and solidarity economy in Lyon")
	tb.screenshot("home-en")

	phone := b.newTab(t)
	runStep(phone, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	phone.open("/")
	if w := evalJS[int](phone, "document.documentElement.scrollWidth"); w > 390 {
		t.Errorf("the homepage is %dpx wide on a 390px phone: it scrolls sideways", w)
	}
	phone.screenshot("home-mobile")
}

// longTitleWraps: a 200-character title without a space wraps on a
// 400px-wide phone, on the post's page and in the lists that show it,
// rather than making the page scroll sideways.
func longTitleWraps(t *testing.T, b *browser, s *browserSite) {
	title := strings.Repeat("Solidarité", 20)
	tb := b.newTab(t)
	tb.login(editorLogin, s.password)
	tb.open("/espace/" + orgName + "/nouveau?type=news")
	tb.set("#f-title", title)
	tb.set("#f-summary", "Un titre sans espace.")
	tb.set("#f-body", "Texte.")
	check(t, "status after publishing", tb.follow("form.form button[type=submit]"), http.StatusOK)
	check(t, "title", tb.text("main h1"), title)

	runStep(tb, "emulating a phone", chromedp.EmulateViewport(400, 844, chromedp.EmulateMobile))
	for _, p := range []string{tb.path(), "/", "/actualites", "/@" + orgName, "/espace"} {
		tb.open(p)
		const js = `document.documentElement.scrollWidth - document.documentElement.clientWidth`
		if over := evalJS[int](tb, js); over > 0 {
			t.Errorf("%s is %dpx too wide on a 400px phone: it scrolls sideways", p, over)
		}
	}
	tb.screenshot("long-title-mobile")
}

// hostileHTMLInert: an editor publishes Markdown full of script, inline
// handlers and javascript: links; nothing of it runs or reaches the DOM, on
// the post's page or in the lists.
func hostileHTMLInert(t *testing.T, b *browser, s *browserSite) {
	body, err := os.ReadFile(filepath.Join("testdata", "browser", "hostile.md"))
	if err != nil {
		t.Fatal(err)
	}
	const (
		title   = `Alerte <script>window.__pwned = "titre"</script>`
		summary = `Lisez bien <img src=x onerror="window.__pwned = 'chapo'">`
	)
	tb := b.newTab(t)
	tb.login(editorLogin, s.password)
	tb.open("/espace/" + orgName + "/nouveau?type=news")
	tb.set("#f-title", title)
	tb.set("#f-summary", summary)
	tb.set("#f-body", string(body))
	check(t, "status after publishing", tb.follow("form.form button[type=submit]"), http.StatusOK)

	check(t, "title, shown as text", tb.text("main h1"), title)
	check(t, "summary, shown as text", tb.text(".post .lead"), summary)
	checkHas(t, "body", tb.texts(".post .body p"), "Un texte d'apparence anodine.", true)
	checkInert(t, tb, tb.path())
	for _, p := range []string{"/", "/actualites", "/@" + orgName} {
		tb.open(p)
		checkInert(t, tb, p)
	}
}

// dangerous selects what the hostile post tried to put in the page.
const dangerous = `script, iframe, object, embed, main svg, main img, [onerror], [onload],
	[onclick], [style], a[href^="javascript:" i], [src^="javascript:" i]`

// checkInert checks that nothing of the hostile post ran or reached the DOM.
func checkInert(t *testing.T, tb *tab, where string) {
	t.Helper()
	if pwned := evalJS[string](tb, `String(window.__pwned)`); pwned != "undefined" {
		t.Errorf("%s: the payload ran, window.__pwned = %q", where, pwned)
	}
	found := evalJS[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%s),
		e => e.outerHTML)`, jsString(dangerous)))
	checkList(t, "dangerous elements in "+where, found, []string{})
	checkList(t, "policy violations in "+where, evalJS[[]string](tb, "window.__csp"), []string{})
}
