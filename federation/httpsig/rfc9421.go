package httpsig

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"time"
)

// defaultLabel names the signature SignRequestRFC9421 adds.
const defaultLabel = "sig1"

// SignRequestRFC9421 signs r per RFC 9421 (HTTP Message Signatures) under
// the label "sig1", covering "@method" "@target-uri" "@authority" and, when
// body is not nil, "content-digest", with the parameters created (now),
// keyid and alg: "rsa-v1_5-sha256" for an RSA key, "ed25519" for an Ed25519
// key.
//
// It sets Host and r.Host as [SignRequest] does, Content-Digest to
// [ContentDigestHeader] of body when body is not nil, and replaces any
// Signature-Input and Signature headers. @target-uri uses r.URL.Scheme, or
// "https" when empty. It never reads or sets r.Body. Errors wrap the same
// sentinels as SignRequest's.
func SignRequestRFC9421(r *http.Request, body []byte, keyID string, key crypto.Signer,
	now time.Time) error {
	alg, m, err := rfc9421Signer(key)
	if err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	if err := checkRequest(r); err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	setHost(r)
	names := []string{"@method", "@target-uri", "@authority"}
	if body != nil {
		r.Header.Set("Content-Digest", ContentDigestHeader(body))
		names = append(names, "content-digest")
	}
	s := sigInput{label: defaultLabel, components: componentList(names...)}
	s.params = sfParams{
		{key: "created", val: sfInt(now.Unix())},
		{key: "keyid", val: sfStr(keyID)},
		{key: "alg", val: sfStr(alg)},
	}
	return signRFC9421(r, s, key, m, Options{}.scheme(r))
}

// rfc9421Signer picks the alg parameter and primitive for key.
func rfc9421Signer(key crypto.Signer) (string, method, error) {
	kind, err := signerKind(key)
	if err != nil {
		return "", 0, err
	}
	if kind == kindEd25519 {
		return "ed25519", pureEd25519, nil
	}
	return "rsa-v1_5-sha256", pkcs1SHA256, nil
}

// componentList turns component names into an inner list of sf-strings.
func componentList(names ...string) []sfInner {
	list := make([]sfInner, len(names))
	for i, n := range names {
		list[i] = sfInner{item: sfStr(n)}
	}
	return list
}

// signRFC9421 signs the signature base of s with m and sets Signature-Input
// and Signature.
func signRFC9421(r *http.Request, s sigInput, key crypto.Signer, m method,
	scheme string) error {
	keyID, err := s.stringParam("keyid")
	if err == nil {
		err = checkKeyID(keyID)
	}
	if err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	base, err := signatureBase(r, s, scheme)
	if err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	sig, err := sign(key, m, []byte(base))
	if err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	r.Header.Set("Signature-Input", s.label+"="+serializeInnerList(s.components, s.params))
	r.Header.Set("Signature", s.label+"="+sfItem{kind: sfBytes, raw: sig}.String())
	return nil
}

// verifyRFC9421 verifies the RFC 9421 signatures of r; one valid signature
// suffices. When all fail it returns the first signature's error.
func verifyRFC9421(ctx context.Context, r *http.Request, body []byte, resolve KeyResolver,
	opts Options) (Result, error) {
	sigs, err := parseSignatures(r)
	if err != nil {
		return Result{Scheme: SchemeRFC9421}, err
	}
	var (
		first    Result
		firstErr error
	)
	for _, s := range sigs {
		res, err := s.verify(ctx, r, body, resolve, opts)
		if err == nil {
			return res, nil
		}
		if firstErr == nil {
			first, firstErr = res, fmt.Errorf("signature %q: %w", s.label, err)
		}
	}
	return first, firstErr
}

// verify checks one signature: the policy first, then the key.
func (s sigInput) verify(ctx context.Context, r *http.Request, body []byte,
	resolve KeyResolver, opts Options) (Result, error) {
	keyID, err := s.stringParam("keyid")
	res := Result{KeyID: keyID, Scheme: SchemeRFC9421}
	if err != nil {
		return res, err
	}
	base, err := s.check(r, body, opts)
	if err != nil {
		return res, err
	}
	alg, _ := s.stringParam("alg")
	res.Owner, err = resolveAndCheck(ctx, resolve, keyID, func(pub crypto.PublicKey) error {
		ms, err := rfc9421Methods.methods(alg, pub)
		if err != nil {
			return err
		}
		if err := verifyAny(pub, ms, []byte(base), s.signature); err != nil {
			return fmt.Errorf("%w: key %q", err, keyID)
		}
		return nil
	})
	return res, err
}

// check applies the policy that needs no key and returns the signature base.
func (s sigInput) check(r *http.Request, body []byte, opts Options) (string, error) {
	if err := s.checkParams(); err != nil {
		return "", err
	}
	if err := s.checkCoverage(body); err != nil {
		return "", err
	}
	if err := s.checkTimes(opts); err != nil {
		return "", err
	}
	if s.covers("content-digest") {
		v, err := fieldValue(r, "content-digest")
		if err != nil {
			return "", err
		}
		if err := checkContentDigest(v, body); err != nil {
			return "", err
		}
	}
	return signatureBase(r, s, opts.scheme(r))
}

// checkParams requires keyid and created, and a supported alg if any.
func (s sigInput) checkParams() error {
	keyID, err := s.stringParam("keyid")
	if err != nil {
		return err
	}
	if keyID == "" {
		return fmt.Errorf("%w: keyid missing", ErrMalformed)
	}
	alg, err := s.stringParam("alg")
	if err != nil {
		return err
	}
	if (alg == "" && s.params.has("alg")) || !rfc9421Methods.known(alg) {
		return fmt.Errorf("%w: alg %q", ErrUnsupportedAlgorithm, alg)
	}
	if _, ok, err := s.intParam("created"); err != nil || !ok {
		return fmt.Errorf("%w: created missing or not an integer", ErrMalformed)
	}
	_, _, err = s.intParam("expires")
	return err
}

// checkCoverage requires @method, @target-uri or @authority with @path or
// @request-target, and content-digest when there is a body.
func (s sigInput) checkCoverage(body []byte) error {
	if !s.covers("@method") {
		return fmt.Errorf("%w: @method", ErrMissingHeader)
	}
	hasPath := s.covers("@path") || s.covers("@request-target")
	if !s.covers("@target-uri") && !(s.covers("@authority") && hasPath) {
		return fmt.Errorf("%w: @target-uri, or @authority and @path", ErrMissingHeader)
	}
	if len(body) > 0 && !s.covers("content-digest") {
		return fmt.Errorf("%w: body present but content-digest not covered", ErrDigestMismatch)
	}
	return nil
}

// checkTimes requires created within the window and expires not passed.
func (s sigInput) checkTimes(opts Options) error {
	now, skew := opts.now(), opts.maxSkew()
	created, _, _ := s.intParam("created")
	if err := checkWindow("created", time.Unix(created, 0), now, skew); err != nil {
		return err
	}
	if expires, ok, _ := s.intParam("expires"); ok {
		return checkExpiry(time.Unix(expires, 0), now, skew)
	}
	return nil
}
