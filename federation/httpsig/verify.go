package httpsig

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Scheme names reported in [Result.Scheme].
const (
	SchemeCavage  = "draft-cavage"
	SchemeRFC9421 = "rfc9421"
)

const (
	// defaultMaxSkew is the Date window each way when Options.MaxSkew is 0.
	defaultMaxSkew = time.Hour

	// expiresLeeway bounds the clock skew allowed past an expires parameter.
	expiresLeeway = time.Minute
)

// KeyResolver returns the public key for keyID and the URI of the actor that
// owns it. refresh=true asks to bypass caches, as keys rotate: [Verify]
// calls it once more with refresh=true when verification with the first key
// fails. The key must be an *rsa.PublicKey or an ed25519.PublicKey.
//
// Anyone can send a bad signature naming any key, so a resolver should limit
// how often it refetches a key on refresh.
type KeyResolver func(ctx context.Context, keyID string, refresh bool) (
	pub crypto.PublicKey, owner string, err error)

// Options tunes [Verify]. The zero value is ready to use.
type Options struct {
	MaxSkew time.Duration    // Date window each way; 0 means 1 hour
	Now     func() time.Time // nil means time.Now

	// Scheme is the URI scheme assumed for the RFC 9421 @target-uri and
	// @scheme components when the request line carries none, as on a
	// server; "" means "https", what federation peers sign even when TLS
	// ends at a proxy in front of this server.
	Scheme string
}

func (o Options) maxSkew() time.Duration {
	if o.MaxSkew <= 0 {
		return defaultMaxSkew
	}
	return o.MaxSkew
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o Options) scheme(r *http.Request) string {
	switch {
	case r.URL.Scheme != "":
		return strings.ToLower(r.URL.Scheme)
	case o.Scheme != "":
		return strings.ToLower(o.Scheme)
	}
	return "https"
}

// Result describes a verified signature.
type Result struct {
	KeyID  string // the key the signature names
	Owner  string // from the resolver
	Scheme string // SchemeCavage or SchemeRFC9421
}

// Verify checks the signature of r, whose already-read body is body. It
// picks RFC 9421 when a Signature-Input header is present, else the
// draft-cavage Signature header, else "Authorization: Signature ...".
//
// Before fetching any key it checks what the signature covers (method or
// request target, host or authority, Date or created, and the body digest
// when body is not empty), the time window and the digest. Only then does
// it call resolve, and calls it a second time with refresh=true if the
// first key fails. It is safe for concurrent use if resolve is.
//
// A draft-cavage (request-target) is checked with the query and, failing
// that, without it, as Misskey signs: such a signature holds for any query.
// Of several RFC 9421 signatures, at most four are considered and one valid
// suffices.
//
// Errors wrap one of the package's sentinels. On error, Result still holds
// KeyID and Scheme when the header could be parsed, for logging. Checking
// that Owner may act for the activity's actor is the caller's job.
func Verify(ctx context.Context, r *http.Request, body []byte, resolve KeyResolver,
	opts Options) (Result, error) {
	if r == nil || r.URL == nil {
		return Result{}, fmt.Errorf("%w: request without URL", ErrMalformed)
	}
	if len(r.Header.Values("Signature-Input")) > 0 {
		return verifyRFC9421(ctx, r, body, resolve, opts)
	}
	header, err := cavageHeader(r)
	if err != nil {
		return Result{}, err
	}
	return verifyCavage(ctx, r, body, header, resolve, opts)
}

// cavageHeader returns the draft-cavage parameters from the Signature header
// or, failing that, an Authorization header of scheme Signature.
func cavageHeader(r *http.Request) (string, error) {
	if vals := r.Header.Values("Signature"); len(vals) > 0 {
		if len(vals) > 1 {
			return "", fmt.Errorf("%w: %d Signature headers", ErrMalformed, len(vals))
		}
		return vals[0], nil
	}
	for _, v := range r.Header.Values("Authorization") {
		scheme, params, ok := strings.Cut(strings.TrimSpace(v), " ")
		if ok && strings.EqualFold(scheme, "Signature") {
			return params, nil
		}
	}
	return "", ErrNoSignature
}

// resolveAndCheck fetches the key for keyID and runs check with it; if check
// fails it fetches the key again with refresh=true and checks once more. It
// returns the owner of the key that passed.
func resolveAndCheck(ctx context.Context, resolve KeyResolver, keyID string,
	check func(crypto.PublicKey) error) (string, error) {
	pub, owner, err := resolveKey(ctx, resolve, keyID, false)
	if err != nil {
		return "", err
	}
	if check(pub) == nil {
		return owner, nil
	}
	pub, owner, err = resolveKey(ctx, resolve, keyID, true)
	if err != nil {
		return "", err
	}
	if err := check(pub); err != nil {
		return "", err
	}
	return owner, nil
}

func resolveKey(ctx context.Context, resolve KeyResolver, keyID string,
	refresh bool) (crypto.PublicKey, string, error) {
	if resolve == nil {
		return nil, "", fmt.Errorf("%w: no resolver", ErrKeyUnavailable)
	}
	pub, owner, err := resolve(ctx, keyID, refresh)
	if err != nil {
		return nil, "", fmt.Errorf("%w: resolving %q: %w", ErrKeyUnavailable, keyID, err)
	}
	if pub == nil {
		return nil, "", fmt.Errorf("%w: resolver returned no key for %q", ErrKeyUnavailable, keyID)
	}
	return pub, owner, nil
}

// checkWindow requires t within skew of now, either way.
func checkWindow(what string, t, now time.Time, skew time.Duration) error {
	if d := t.Sub(now); d > skew || d < -skew {
		return fmt.Errorf("%w: %s is %s away from now", ErrDateSkew, what, d.Round(time.Second))
	}
	return nil
}

// checkExpiry requires now to be no later than expires, with the clock skew
// allowed up to a minute: the whole Date window would outlast most expiries.
func checkExpiry(expires, now time.Time, skew time.Duration) error {
	if now.After(expires.Add(min(skew, expiresLeeway))) {
		return fmt.Errorf("%w: expired at %s", ErrDateSkew, expires.UTC().Format(time.RFC3339))
	}
	return nil
}
