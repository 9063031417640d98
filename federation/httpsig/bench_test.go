package httpsig

import (
	"net/http"
	"testing"
)

// BenchmarkSignRSA signs a Mastodon-style POST with a 2048-bit RSA key.
func BenchmarkSignRSA(b *testing.B) {
	key := loadSigner(b, "rsa-a")
	body := []byte(followBody)
	for b.Loop() {
		r, _ := http.NewRequest(http.MethodPost, "https://portal.example/users/bob/inbox", nil)
		if err := SignRequest(r, body, mastodonKey, key, vectorTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRSA verifies that request as a server receives it.
func BenchmarkVerifyRSA(b *testing.B) {
	body := []byte(followBody)
	r := newRequest(b, http.MethodPost, "https://portal.example/users/bob/inbox", body)
	if err := SignRequest(r, body, mastodonKey, loadSigner(b, "rsa-a"), vectorTime); err != nil {
		b.Fatal(err)
	}
	in := serverView(b, r)
	f := &fakeResolver{stale: loadPublic(b, "rsa-a")}
	opts := fixedNow(vectorTime)
	for b.Loop() {
		if _, err := Verify(b.Context(), in, body, f.resolve, opts); err != nil {
			b.Fatal(err)
		}
	}
}
