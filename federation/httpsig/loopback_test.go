package httpsig

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestLoopback sends signed requests through a real HTTP server on the
// loopback interface, which verifies them as an inbox handler would.
func TestLoopback(t *testing.T) {
	pub := loadPublic(t, "ed25519-a")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f := &fakeResolver{stale: pub, owner: "carol"}
		// httptest serves plain HTTP, so @target-uri starts with http.
		res, err := Verify(r.Context(), r, body, f.resolve, Options{Scheme: "http"})
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, res.Scheme+" "+res.Owner)
	}))
	defer srv.Close()

	body := []byte(followBody)
	for _, sc := range schemes {
		for name, tamper := range map[string]bool{"intact": false, "tampered": true} {
			t.Run(sc.name+"/"+name, func(t *testing.T) {
				got, status := postSigned(t, srv, sc.sign, body, tamper)
				want, wantStatus := sc.name+" carol", http.StatusOK
				if tamper {
					want, wantStatus = ErrDigestMismatch.Error(), http.StatusUnauthorized
				}
				if status != wantStatus || !bytes.Contains([]byte(got), []byte(want)) {
					t.Errorf("got %d %q, want %d containing %q", status, got, wantStatus, want)
				}
			})
		}
	}
}

// postSigned signs body for srv, sends it (altered when tamper is set) and
// returns the response text and status.
func postSigned(t *testing.T, srv *httptest.Server, sign signFunc, body []byte,
	tamper bool) (string, int) {
	t.Helper()
	r := newRequest(t, http.MethodPost, srv.URL+"/users/bob/inbox?x=1", body)
	if err := sign(r, body, gtsKey, loadSigner(t, "ed25519-a"), time.Now()); err != nil {
		t.Fatal(err)
	}
	sent := body
	if tamper {
		sent = append(bytes.Clone(body), '\n')
	}
	r.Body = io.NopCloser(bytes.NewReader(sent))
	r.ContentLength = int64(len(sent))
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(text), resp.StatusCode
}
