package httpsig

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// verifyCavage verifies a draft-cavage signature whose parameters are
// header.
func verifyCavage(ctx context.Context, r *http.Request, body []byte, header string,
	resolve KeyResolver, opts Options) (Result, error) {
	p, err := parseSignatureHeader(header)
	res := Result{KeyID: p.keyID, Scheme: SchemeCavage}
	if err != nil {
		return res, err
	}
	candidates, err := p.check(r, body, opts)
	if err != nil {
		return res, err
	}
	res.Owner, err = resolveAndCheck(ctx, resolve, p.keyID, func(pub crypto.PublicKey) error {
		return p.verifyAgainst(pub, candidates)
	})
	return res, err
}

// check applies the policy that needs no key, then returns the signing
// strings the signature may be over: with the query in (request-target) and,
// when there is a query, without it, as Misskey signs. The second makes a
// signature over the bare path valid for any query; GET handlers that act
// on the query must not rely on the signature for it.
func (p cavageParams) check(r *http.Request, body []byte, opts Options) ([]string, error) {
	if !cavageMethods.known(p.algorithm) {
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, p.algorithm)
	}
	if err := p.checkCoverage(body); err != nil {
		return nil, err
	}
	if err := p.checkTimes(r, opts); err != nil {
		return nil, err
	}
	if err := p.checkBody(r, body); err != nil {
		return nil, err
	}
	return p.signingStrings(r)
}

// checkCoverage requires (request-target), host, date (or (created) with an
// algorithm other than rsa-*), and digest when there is a body.
func (p cavageParams) checkCoverage(body []byte) error {
	for _, h := range []string{"(request-target)", "host"} {
		if !p.covers(h) {
			return fmt.Errorf("%w: %s", ErrMissingHeader, h)
		}
	}
	createdOK := p.covers("(created)") && !strings.HasPrefix(p.algorithm, "rsa-")
	if !p.covers("date") && !createdOK {
		return fmt.Errorf("%w: date", ErrMissingHeader)
	}
	if len(body) > 0 && !p.covers("digest") {
		return fmt.Errorf("%w: body present but digest not covered", ErrDigestMismatch)
	}
	return nil
}

func (p cavageParams) covers(h string) bool { return slices.Contains(p.headers, h) }

// checkTimes requires a covered Date, and the created parameter, within the
// window, and expires not passed.
func (p cavageParams) checkTimes(r *http.Request, opts Options) error {
	now, skew := opts.now(), opts.maxSkew()
	if p.covers("date") {
		if err := checkDateHeader(r, now, skew); err != nil {
			return err
		}
	}
	if p.created != "" {
		created, _ := parseUnix(p.created)
		if err := checkWindow("created", time.Unix(created, 0), now, skew); err != nil {
			return err
		}
	}
	if p.expires != "" {
		expires, _ := parseUnix(p.expires)
		return checkExpiry(time.Unix(expires, 0), now, skew)
	}
	return nil
}

func checkDateHeader(r *http.Request, now time.Time, skew time.Duration) error {
	v, err := fieldValue(r, "date")
	if err != nil {
		return err
	}
	date, err := http.ParseTime(v)
	if err != nil {
		return fmt.Errorf("%w: Date %q: %w", ErrMalformed, v, err)
	}
	return checkWindow("Date", date, now, skew)
}

// checkBody verifies a covered Digest header against body.
func (p cavageParams) checkBody(r *http.Request, body []byte) error {
	if !p.covers("digest") {
		return nil
	}
	v, err := fieldValue(r, "digest")
	if err != nil {
		return err
	}
	return checkDigest(v, body)
}

func (p cavageParams) signingStrings(r *http.Request) ([]string, error) {
	s, err := signingString(r, p, true)
	if err != nil {
		return nil, err
	}
	if r.URL.RawQuery == "" || !p.covers("(request-target)") {
		return []string{s}, nil
	}
	bare, err := signingString(r, p, false)
	if err != nil {
		return nil, err
	}
	return []string{s, bare}, nil
}

// verifyAgainst checks the signature over each candidate signing string with
// the primitives the algorithm allows for pub.
func (p cavageParams) verifyAgainst(pub crypto.PublicKey, candidates []string) error {
	ms, err := cavageMethods.methods(p.algorithm, pub)
	if err != nil {
		return err
	}
	for _, s := range candidates {
		if verifyAny(pub, ms, []byte(s), p.signature) == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: key %q", ErrBadSignature, p.keyID)
}
