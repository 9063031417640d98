package federation_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// This file is the fake fediverse the inbox tests run against: an
// http.RoundTripper serving other servers' documents, signed for with keys
// the test holds.

// remoteKeyBits is the size of the keys the test holds for remote actors.
// Generating a 2048-bit key costs about half a second on a small CI
// machine and the fixtures name some seventy actors; the size changes
// nothing that is tested here. The portal's own keys stay 2048 bits.
const remoteKeyBits = 1024

// remoteKeys holds one private key per remote actor URI, for the whole
// test binary: a key is made the first time an actor signs or is fetched.
var remoteKeys = struct {
	sync.Mutex
	m map[string]*rsa.PrivateKey
}{m: map[string]*rsa.PrivateKey{}}

func keyOf(actor string) *rsa.PrivateKey {
	remoteKeys.Lock()
	defer remoteKeys.Unlock()
	if k, ok := remoteKeys.m[actor]; ok {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, remoteKeyBits)
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	remoteKeys.m[actor] = k
	return k
}

func publicPEM(k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		panic(err) // an RSA key always marshals
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// delivery is a POST the portal sent to the fake fediverse.
type delivery struct {
	req  *http.Request
	body []byte
}

// fediverse is an http.RoundTripper standing for every other server. It
// answers GETs of known actors with a generated actor document, of known
// objects with their document (410 for a Tombstone), 404 otherwise, and
// records every request. It never opens a network connection.
type fediverse struct {
	mu      sync.Mutex
	actors  map[string]string // actor URI -> ActivityStreams type
	names   map[string]string // actor URI -> preferredUsername, when known
	display map[string]string // actor URI -> display name, when set
	objects map[string][]byte // object id -> document
	gets    []string
	posts   []delivery
}

func newFediverse() *fediverse {
	return &fediverse{actors: map[string]string{}, names: map[string]string{},
		display: map[string]string{}, objects: map[string][]byte{}}
}

// rename changes the display name the actor document of uri gives, as a
// profile edited on its server.
func (f *fediverse) rename(uri, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.display[uri] = name
}

// addActor makes uri an actor of the given type ("" means Person).
func (f *fediverse) addActor(uri, typ string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if typ == "" {
		typ = "Person"
	}
	f.actors[uri] = typ
}

// addObject serves doc at its id.
func (f *fediverse) addObject(id string, doc []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[id] = doc
}

// gone makes the server of uri answer 410 Gone for it, as for a deleted
// actor.
func (f *fediverse) gone(uri string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.actors, uri)
	f.objects[uri] = mustMarshal(map[string]any{"@context": asContext, "id": uri,
		"type": "Tombstone"})
}

func (f *fediverse) client() *http.Client { return &http.Client{Transport: f} }

func (f *fediverse) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	switch req.Method {
	case http.MethodPost:
		f.mu.Lock()
		f.posts = append(f.posts, delivery{req: req.Clone(context.Background()), body: body})
		f.mu.Unlock()
		return respond(req, http.StatusAccepted, nil), nil
	case http.MethodGet:
		return f.get(req), nil
	}
	return respond(req, http.StatusMethodNotAllowed, nil), nil
}

func (f *fediverse) get(req *http.Request) *http.Response {
	full := req.URL.String()
	bare := *req.URL
	bare.Fragment, bare.RawFragment = "", ""
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets = append(f.gets, full)
	for _, uri := range []string{full, bare.String()} {
		if typ, ok := f.actors[uri]; ok {
			return respond(req, http.StatusOK, f.actorDocument(uri, typ))
		}
		if doc, ok := f.objects[uri]; ok {
			if isTombstone(doc) {
				return respond(req, http.StatusGone, doc)
			}
			return respond(req, http.StatusOK, doc)
		}
	}
	return respond(req, http.StatusNotFound, []byte(`{"error":"not found"}`))
}

func (f *fediverse) actorDocument(uri, typ string) []byte {
	u, _ := url.Parse(uri)
	name := f.names[uri]
	if name == "" {
		name = lastSegment(u.Path)
	}
	origin := u.Scheme + "://" + u.Host
	doc := map[string]any{
		"@context": []string{asContext, "https://w3id.org/security/v1"},
		"id":       uri, "type": typ, "preferredUsername": name,
		"inbox":  origin + "/inbox",
		"outbox": origin + "/outbox/" + name,
		"publicKey": map[string]string{"id": uri + "#main-key", "owner": uri,
			"publicKeyPem": publicPEM(keyOf(uri))},
	}
	if d := f.display[uri]; d != "" {
		doc["name"] = d
	}
	return mustMarshal(doc)
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		p = p[i+1:]
	}
	if p == "" {
		return "actor"
	}
	return p
}

func isTombstone(doc []byte) bool {
	var d struct{ Type string }
	return json.Unmarshal(doc, &d) == nil && d.Type == "Tombstone"
}

func respond(req *http.Request, status int, body []byte) *http.Response {
	h := http.Header{}
	if body != nil {
		h.Set("Content-Type", "application/activity+json")
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
		Request: req}
}

// fetched tells whether the portal sent a GET for uri.
func (f *fediverse) fetched(uri string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.gets {
		if g == uri {
			return true
		}
	}
	return false
}

// getCount returns how many GETs the portal sent.
func (f *fediverse) getCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.gets)
}

// deliveries returns the POSTs sent so far.
func (f *fediverse) deliveries() []delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]delivery(nil), f.posts...)
}
