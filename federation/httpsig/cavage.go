package httpsig

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// SignRequest signs r the draft-cavage way Mastodon does. It covers
// "(request-target) host date digest" when body is not nil and
// "(request-target) host date" otherwise, with algorithm "rsa-sha256" for an
// RSA key (PKCS#1 v1.5) and "hs2019" for an Ed25519 key.
//
// It sets Date from now (IMF-fixdate) unless present, Host and r.Host to
// r.Host or, when empty, r.URL.Host, Digest to [DigestHeader] of body when
// body is not nil, and Signature. It never reads or sets r.Body: the caller
// sends exactly body. Errors wrap ErrUnsupportedAlgorithm for a key that is
// neither RSA nor Ed25519, and ErrMalformed for a request without URL or an
// empty or unquotable keyID.
func SignRequest(r *http.Request, body []byte, keyID string, key crypto.Signer,
	now time.Time) error {
	alg, m, err := cavageSigner(key)
	if err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	if err := checkRequest(r); err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	setHost(r)
	if r.Header.Get("Date") == "" {
		r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	}
	headers := []string{"(request-target)", "host", "date"}
	if body != nil {
		r.Header.Set("Digest", DigestHeader(body))
		headers = append(headers, "digest")
	}
	p := cavageParams{keyID: keyID, algorithm: alg, headers: headers}
	return signCavage(r, p, key, m, true)
}

// cavageSigner picks the algorithm name and primitive for key.
func cavageSigner(key crypto.Signer) (string, method, error) {
	kind, err := signerKind(key)
	if err != nil {
		return "", 0, err
	}
	if kind == kindEd25519 {
		return "hs2019", pureEd25519, nil
	}
	return "rsa-sha256", pkcs1SHA256, nil
}

// signCavage signs the headers p lists with m and sets the Signature header.
// withQuery false leaves the query out of (request-target), as Misskey does.
func signCavage(r *http.Request, p cavageParams, key crypto.Signer, m method,
	withQuery bool) error {
	if err := checkKeyID(p.keyID); err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	s, err := signingString(r, p, withQuery)
	if err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	sig, err := sign(key, m, []byte(s))
	if err != nil {
		return fmt.Errorf("signing request: %w", err)
	}
	r.Header.Set("Signature", p.format(base64.StdEncoding.EncodeToString(sig)))
	return nil
}

// signingString builds the draft-cavage signing string: one "name: value"
// line per header p lists, joined with newlines.
func signingString(r *http.Request, p cavageParams, withQuery bool) (string, error) {
	lines := make([]string, len(p.headers))
	for i, h := range p.headers {
		v, err := cavageValue(r, p, h, withQuery)
		if err != nil {
			return "", err
		}
		lines[i] = h + ": " + v
	}
	return strings.Join(lines, "\n"), nil
}

// cavageValue returns the signed value of header h, pseudo-headers included.
func cavageValue(r *http.Request, p cavageParams, h string, withQuery bool) (string, error) {
	switch h {
	case "(request-target)":
		return strings.ToLower(requestMethod(r)) + " " + requestPath(r, withQuery), nil
	case "(created)":
		return requireParam(h, p.created)
	case "(expires)":
		return requireParam(h, p.expires)
	}
	return fieldValue(r, h)
}

func requireParam(h, v string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("%w: %s covered but its parameter is absent", ErrMalformed, h)
	}
	return v, nil
}
