//go:build interop

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
// check last said once stepTimeout has passed.
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

	// The same delivery unsigned is refused: snac does check signatures.
	forged := org + "/999999"
	postUnsigned(t, snac.actor()+"/inbox", org, forged)
	eventually(t, "snac refuses an unsigned Create", func() error {
		if len(snac.signatureErrors()) == 0 {
			return fmt.Errorf("snac logged no signature error")
		}
		return nil
	})
	if _, err := snac.stored("private", forged); err == nil {
		t.Errorf("snac stored the unsigned post %s", forged)
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

	// The same delivery unsigned is refused: Fedify does check signatures.
	forged := org + "/999999"
	code := postUnsigned(t, fedi.actor()+"/inbox", org, forged)
	if code != http.StatusUnauthorized {
		t.Errorf("Fedify answered %d to an unsigned Create, want 401", code)
	}
	for _, r := range fedi.state().Received {
		if r.Object == forged {
			t.Errorf("Fedify accepted the unsigned Create of %s", forged)
		}
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
