package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ess-lyon/portal/federation/httpsig"
)

// fakeOrigin is a remote server on loopback whose actors have real RSA
// keys and sign what they send; it also serves notes. actorDelay makes
// its actor documents slow.
type fakeOrigin struct {
	name       string
	base       string
	keys       map[string]*rsa.PrivateKey // by username
	notes      map[string]map[string]any  // by path
	actorDelay time.Duration
	actorGets  atomic.Int32
}

func startOrigin(t *testing.T, name string, usernames ...string) *fakeOrigin {
	t.Helper()
	o := &fakeOrigin{name: name, keys: map[string]*rsa.PrivateKey{},
		notes: map[string]map[string]any{}}
	for _, u := range usernames {
		o.keys[u] = newRSAKey(t)
	}
	srv := httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(srv.Close)
	o.base = "http://" + name + ":" + srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	return o
}

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func (o *fakeOrigin) actor(username string) string { return o.base + "/users/" + username }

func (o *fakeOrigin) keyID(username string) string { return o.actor(username) + "#main-key" }

func (o *fakeOrigin) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/activity+json")
	if note, ok := o.notes[r.URL.Path]; ok {
		_ = json.NewEncoder(w).Encode(note)
		return
	}
	username, ok := strings.CutPrefix(r.URL.Path, "/users/")
	key := o.keys[username]
	if !ok || key == nil {
		http.NotFound(w, r)
		return
	}
	o.actorGets.Add(1)
	select {
	case <-time.After(o.actorDelay):
	case <-r.Context().Done():
		return
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	uri := o.actor(username)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"@context": []string{"https://www.w3.org/ns/activitystreams",
			"https://w3id.org/security/v1"},
		"id": uri, "type": "Person", "preferredUsername": username,
		"inbox": uri + "/inbox", "outbox": uri + "/outbox",
		"publicKey": map[string]string{"id": o.keyID(username), "owner": uri,
			"publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY",
				Bytes: der}))},
	})
}

// signedPost is a POST of body to the instance's shared inbox, signed the
// way Mastodon does with key for keyID at when; a nil key leaves it
// unsigned.
func signedPost(t *testing.T, in *instance, body []byte, keyID string, key *rsa.PrivateKey,
	when time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, in.localURL("/inbox"), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = in.domain
	req.Header.Set("Content-Type", "application/activity+json")
	if key == nil {
		return req
	}
	if err := httpsig.SignRequest(req, body, keyID, key, when); err != nil {
		t.Fatal(err)
	}
	return req
}

// withBody returns a copy of req that sends body instead, headers kept.
func withBody(req *http.Request, body []byte) *http.Request {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = nil
	r.ContentLength = int64(len(body))
	return r
}

// like is a Like of object by actor, with its own id.
func like(actor, id, object string) []byte {
	return []byte(fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams",`+
		`"id":%q,"type":"Like","actor":%q,"object":%q}`, id, actor, object))
}
