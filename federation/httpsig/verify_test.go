package httpsig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// signed returns a request to target signed by key with sc at vectorTime,
// and its body.
func signed(t *testing.T, sign signFunc, key, method, target string, body []byte) (
	*http.Request, []byte) {
	t.Helper()
	r := newRequest(t, method, target, body)
	if err := sign(r, body, gtsKey, loadSigner(t, key), vectorTime); err != nil {
		t.Fatal(err)
	}
	return serverView(t, r), body
}

// verifyAt runs Verify at vectorTime+offset with f and checks the error and
// the number of resolver calls.
func verifyAt(t *testing.T, r *http.Request, body []byte, f *fakeResolver,
	offset time.Duration, want string, calls int) {
	t.Helper()
	_, err := Verify(t.Context(), r, body, f.resolve, fixedNow(vectorTime.Add(offset)))
	checkErr(t, err, want)
	if got := f.callCount(); got != calls {
		t.Errorf("resolver called %d times (%v), want %d", got, f.calls, calls)
	}
}

// TestVerifyTampered changes a signed request in transit.
func TestVerifyTampered(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(r *http.Request, body *[]byte)
		want   string
		calls  int
	}{
		{"body", func(_ *http.Request, b *[]byte) { (*b)[10] ^= 1 }, "ErrDigestMismatch", 0},
		{"body dropped", func(_ *http.Request, b *[]byte) { *b = nil }, "ErrDigestMismatch", 0},
		{"method", func(r *http.Request, _ *[]byte) { r.Method = "PUT" }, "ErrBadSignature", 2},
		{"path", func(r *http.Request, _ *[]byte) { r.URL.Path = "/inbox" }, "ErrBadSignature", 2},
		{"query", func(r *http.Request, _ *[]byte) { r.URL.RawQuery = "a=2" },
			"ErrBadSignature", 2},
		{"host", func(r *http.Request, _ *[]byte) { r.Host = "evil.example" },
			"ErrBadSignature", 2},
		{"signature bytes", flipSignature, "ErrBadSignature", 2},
	}
	for _, sc := range schemes {
		for _, tt := range tests {
			t.Run(sc.name+"/"+tt.name, func(t *testing.T) {
				r, body := signed(t, sc.sign, "rsa-a", "POST",
					"https://portal.example/users/bob/inbox?a=1", []byte(followBody))
				tt.tamper(r, &body)
				f := &fakeResolver{stale: loadPublic(t, "rsa-a")}
				verifyAt(t, r, body, f, 0, tt.want, tt.calls)
			})
		}
	}
}

// flipSignature changes one character inside the signature's base64.
func flipSignature(r *http.Request, _ *[]byte) {
	v := r.Header.Get("Signature")
	i := strings.LastIndex(v, "==") - 5
	c := byte('A')
	if v[i] == 'A' {
		c = 'B'
	}
	r.Header.Set("Signature", v[:i]+string(c)+v[i+1:])
}

// TestVerifyKeyRotation serves an outdated key first and the current one on
// refresh: the request is accepted after exactly two resolver calls.
func TestVerifyKeyRotation(t *testing.T) {
	for _, sc := range schemes {
		t.Run(sc.name, func(t *testing.T) {
			r, body := signed(t, sc.sign, "rsa-b", "POST", "https://portal.example/inbox",
				[]byte(followBody))
			f := &fakeResolver{stale: loadPublic(t, "rsa-a"), fresh: loadPublic(t, "rsa-b"),
				owner: "https://gts.example/users/carol"}
			res, err := Verify(t.Context(), r, body, f.resolve, fixedNow(vectorTime))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.calls, []bool{false, true}) {
				t.Errorf("resolver calls %v, want [false true]", f.calls)
			}
			if res.Owner != f.owner {
				t.Errorf("owner %q, want %q", res.Owner, f.owner)
			}
		})
	}
}

// TestVerifyKeyProblems covers wrong keys, resolver failures and keys this
// package cannot use.
func TestVerifyKeyProblems(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		f     *fakeResolver
		want  string
		calls int
	}{
		{"wrong key", &fakeResolver{stale: loadPublic(t, "rsa-b")}, "ErrBadSignature", 2},
		{"wrong key type", &fakeResolver{stale: loadPublic(t, "ed25519-a")},
			"ErrUnsupportedAlgorithm", 2},
		{"ecdsa key", &fakeResolver{stale: &ec.PublicKey}, "ErrUnsupportedAlgorithm", 2},
		{"resolver error", &fakeResolver{err: errors.New("gone")}, "ErrKeyUnavailable", 1},
		{"no key", &fakeResolver{}, "ErrKeyUnavailable", 1},
	}
	for _, sc := range schemes {
		for _, tt := range tests {
			t.Run(sc.name+"/"+tt.name, func(t *testing.T) {
				r, body := signed(t, sc.sign, "rsa-a", "GET", "https://portal.example/u/bob", nil)
				f := &fakeResolver{stale: tt.f.stale, err: tt.f.err} // fresh call log
				verifyAt(t, r, body, f, 0, tt.want, tt.calls)
			})
		}
	}
	t.Run("nil resolver", func(t *testing.T) {
		r, body := signed(t, SignRequest, "rsa-a", "GET", "https://portal.example/u/bob", nil)
		_, err := Verify(t.Context(), r, body, nil, fixedNow(vectorTime))
		checkErr(t, err, "ErrKeyUnavailable")
	})
}

// TestVerifyDateWindow moves the verifier's clock around the signing time;
// a refused request never reaches the resolver.
func TestVerifyDateWindow(t *testing.T) {
	tests := []struct {
		name    string
		offset  time.Duration
		maxSkew time.Duration
		want    string
	}{
		{"just signed", time.Second, 0, "ok"},
		{"59 minutes old", 59 * time.Minute, 0, "ok"},
		{"too old", 61 * time.Minute, 0, "ErrDateSkew"},
		{"from the future", -61 * time.Minute, 0, "ErrDateSkew"},
		{"tight window, inside", 4 * time.Minute, 5 * time.Minute, "ok"},
		{"tight window, outside", 6 * time.Minute, 5 * time.Minute, "ErrDateSkew"},
		{"tight window, future", -6 * time.Minute, 5 * time.Minute, "ErrDateSkew"},
	}
	for _, sc := range schemes {
		for _, tt := range tests {
			t.Run(sc.name+"/"+tt.name, func(t *testing.T) {
				r, body := signed(t, sc.sign, "ed25519-a", "GET", "https://portal.example/", nil)
				f := &fakeResolver{stale: loadPublic(t, "ed25519-a")}
				opts := fixedNow(vectorTime.Add(tt.offset))
				opts.MaxSkew = tt.maxSkew
				_, err := Verify(t.Context(), r, body, f.resolve, opts)
				checkErr(t, err, tt.want)
				if tt.want != "ok" && f.callCount() != 0 {
					t.Errorf("resolver called for a stale request")
				}
			})
		}
	}
}

// TestVerifyExpires signs with an expires parameter 10 minutes ahead: it
// holds for a minute of clock skew past that, though the Date window is an
// hour.
func TestVerifyExpires(t *testing.T) {
	expires := vectorTime.Add(10 * time.Minute)
	cav := cavageVector{key: "ed25519-a", m: pureEd25519, method: "GET",
		target: "https://portal.example/",
		params: cavageParams{keyID: gtsKey, algorithm: "hs2019", expires: unix(expires),
			headers: []string{"(request-target)", "host", "date", "(expires)"}}}
	rc, _ := cav.build(t)
	rr := signedRFC(t, "ed25519-a", "GET", "https://portal.example/", nil,
		[]string{"@method", "@target-uri"}, sfParam{key: "expires", val: sfInt(expires.Unix())})
	for name, r := range map[string]*http.Request{"cavage": rc, "rfc9421": rr} {
		for offset, want := range map[time.Duration]string{
			9 * time.Minute: "ok", 630 * time.Second: "ok", 12 * time.Minute: "ErrDateSkew"} {
			t.Run(name+"/"+offset.String(), func(t *testing.T) {
				f := &fakeResolver{stale: loadPublic(t, "ed25519-a")}
				opts := fixedNow(vectorTime.Add(offset))
				_, err := Verify(t.Context(), serverView(t, r), nil, f.resolve, opts)
				checkErr(t, err, want)
			})
		}
	}
}

// signedRFC signs an RFC 9421 request covering names, with created, keyid
// and extra parameters, and no alg.
func signedRFC(t *testing.T, key, method, target string, body []byte, names []string,
	extra ...sfParam) *http.Request {
	t.Helper()
	r := newRequest(t, method, target, body)
	setHost(r)
	r.Header.Set("Date", vectorTime.Format(http.TimeFormat))
	if body != nil {
		r.Header.Set("Content-Digest", ContentDigestHeader(body))
	}
	params := append(sfParams{{key: "created", val: sfInt(vectorTime.Unix())},
		{key: "keyid", val: sfStr(gtsKey)}}, extra...)
	s := sigInput{label: "sig", components: componentList(names...), params: params}
	kind, err := signerKind(loadSigner(t, key))
	if err != nil {
		t.Fatal(err)
	}
	m := pureEd25519
	if kind == kindRSA {
		m = pkcs1SHA256
	}
	if err := signRFC9421(r, s, loadSigner(t, key), m, "https"); err != nil {
		t.Fatal(err)
	}
	return r
}
