package httpsig

import (
	"bufio"
	"crypto"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// signFunc is the shape of SignRequest and SignRequestRFC9421.
type signFunc func(*http.Request, []byte, string, crypto.Signer, time.Time) error

var schemes = []struct {
	name string
	sign signFunc
}{
	{SchemeCavage, SignRequest},
	{SchemeRFC9421, SignRequestRFC9421},
}

// newRequest returns a client request with the body's Content-Type set.
func newRequest(t testing.TB, method, target string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", activityCT)
	}
	return r
}

// serverView returns r as a server receives it: written out and read back,
// with Host in r.Host and a URL without scheme or host.
func serverView(t testing.TB, r *http.Request) *http.Request {
	t.Helper()
	in, err := http.ReadRequest(bufio.NewReader(strings.NewReader(renderRequest(r) + "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestRoundTrip signs GET and POST requests with each scheme and key type,
// then verifies them as built by the client and as read by a server.
func TestRoundTrip(t *testing.T) {
	requests := []struct {
		name, method, target string
		body                 []byte
	}{
		{"get", http.MethodGet, "https://portal.example/users/bob?page=1", nil},
		{"post", http.MethodPost, "https://portal.example/users/bob/inbox", []byte(followBody)},
		{"post-empty-body", http.MethodPost, "https://portal.example/inbox", []byte{}},
	}
	for _, sc := range schemes {
		for _, key := range []string{"rsa-a", "ed25519-a"} {
			for _, rq := range requests {
				t.Run(sc.name+"/"+key+"/"+rq.name, func(t *testing.T) {
					r := newRequest(t, rq.method, rq.target, rq.body)
					err := sc.sign(r, rq.body, gtsKey, loadSigner(t, key), vectorTime)
					if err != nil {
						t.Fatal(err)
					}
					for view, req := range map[string]*http.Request{
						"client": r, "server": serverView(t, r)} {
						checkVerifies(t, view, req, rq.body, loadPublic(t, key), sc.name)
					}
				})
			}
		}
	}
}

func checkVerifies(t *testing.T, view string, r *http.Request, body []byte,
	pub crypto.PublicKey, scheme string) {
	t.Helper()
	f := &fakeResolver{stale: pub, owner: "https://gts.example/users/carol"}
	res, err := Verify(t.Context(), r, body, f.resolve, fixedNow(vectorTime.Add(5*time.Second)))
	if err != nil {
		t.Fatalf("%s: Verify: %v", view, err)
	}
	want := Result{KeyID: gtsKey, Owner: f.owner, Scheme: scheme}
	if res != want {
		t.Errorf("%s: result %+v, want %+v", view, res, want)
	}
	if !slices.Equal(f.calls, []bool{false}) {
		t.Errorf("%s: resolver calls %v, want one without refresh", view, f.calls)
	}
}

// TestSignSetsHeaders checks what each signer adds to the request.
func TestSignSetsHeaders(t *testing.T) {
	body := []byte(followBody)
	r := newRequest(t, http.MethodPost, "https://portal.example/inbox", body)
	if err := SignRequest(r, body, mastodonKey, loadSigner(t, "rsa-a"), vectorTime); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Host":   "portal.example",
		"Date":   "Wed, 01 May 2024 12:00:00 GMT",
		"Digest": DigestHeader(body),
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	sig := r.Header.Get("Signature")
	for _, part := range []string{`algorithm="rsa-sha256"`,
		`headers="(request-target) host date digest"`, `keyId="` + mastodonKey + `"`} {
		if !strings.Contains(sig, part) {
			t.Errorf("Signature %q lacks %s", sig, part)
		}
	}

	r = newRequest(t, http.MethodPost, "https://portal.example/inbox", body)
	err := SignRequestRFC9421(r, body, gtsKey, loadSigner(t, "ed25519-a"), vectorTime)
	if err != nil {
		t.Fatal(err)
	}
	wantInput := `sig1=("@method" "@target-uri" "@authority" "content-digest")` +
		`;created=1714564800;keyid="` + gtsKey + `";alg="ed25519"`
	if got := r.Header.Get("Signature-Input"); got != wantInput {
		t.Errorf("Signature-Input = %q, want %q", got, wantInput)
	}
	if got := r.Header.Get("Content-Digest"); got != ContentDigestHeader(body) {
		t.Errorf("Content-Digest = %q", got)
	}
}

// TestSignKeepsDate checks that SignRequest keeps a Date already set and
// signs r.Host when it differs from the URL's host.
func TestSignKeepsDate(t *testing.T) {
	r := newRequest(t, http.MethodGet, "https://10.0.0.1/users/bob", nil)
	r.Host = "portal.example"
	r.Header.Set("Date", "Wed, 01 May 2024 11:59:00 GMT")
	if err := SignRequest(r, nil, gtsKey, loadSigner(t, "rsa-a"), vectorTime); err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("Date"); got != "Wed, 01 May 2024 11:59:00 GMT" {
		t.Errorf("Date = %q, want it kept", got)
	}
	if got := r.Header.Get("Host"); got != "portal.example" {
		t.Errorf("Host = %q, want r.Host", got)
	}
	checkVerifies(t, "server", serverView(t, r), nil, loadPublic(t, "rsa-a"), SchemeCavage)
}

// TestSignErrors checks the signers' refusals.
func TestSignErrors(t *testing.T) {
	tests := []struct {
		name  string
		req   *http.Request
		keyID string
		key   crypto.Signer
		want  error
	}{
		{"nil key", newRequest(t, "GET", "https://a.example/", nil), "k", nil,
			ErrUnsupportedAlgorithm},
		{"no URL", &http.Request{Method: "GET"}, "k", loadSigner(t, "rsa-a"), ErrMalformed},
		{"empty key id", newRequest(t, "GET", "https://a.example/", nil), "",
			loadSigner(t, "rsa-a"), ErrMalformed},
		{"quote in key id", newRequest(t, "GET", "https://a.example/", nil), `a"b`,
			loadSigner(t, "ed25519-a"), ErrMalformed},
		{"newline in key id", newRequest(t, "GET", "https://a.example/", nil), "a\nb",
			loadSigner(t, "ed25519-a"), ErrMalformed},
	}
	for _, tt := range tests {
		for _, sc := range schemes {
			t.Run(sc.name+"/"+tt.name, func(t *testing.T) {
				err := sc.sign(tt.req, nil, tt.keyID, tt.key, vectorTime)
				checkErr(t, err, sentinelName(tt.want))
			})
		}
	}
}

// sentinelName returns the key of sentinels for err.
func sentinelName(err error) string {
	for name, e := range sentinels {
		if e == err {
			return name
		}
	}
	return "unknown"
}
