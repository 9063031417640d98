package httpsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"strings"
)

// digestFuncs holds the body digests this package checks, by lower-case
// algorithm name. Digest (draft-cavage) and Content-Digest (RFC 9530) share
// the names.
var digestFuncs = map[string]func([]byte) []byte{
	"sha-256": func(b []byte) []byte { s := sha256.Sum256(b); return s[:] },
	"sha-512": func(b []byte) []byte { s := sha512.Sum512(b); return s[:] },
}

// DigestHeader returns the value of a draft-cavage Digest header for body:
// "SHA-256=" followed by the standard base64 of its SHA-256 sum.
func DigestHeader(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// ContentDigestHeader returns the value of an RFC 9530 Content-Digest header
// for body: "sha-256=:" followed by the base64 of its SHA-256 sum and ":".
func ContentDigestHeader(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
}

// checkDigest verifies a Digest header value, such as "SHA-256=..,SHA-512=..",
// against body. Every supported digest must match and at least one must be
// present; names are case-insensitive and unknown ones are skipped. All
// failures wrap ErrDigestMismatch.
func checkDigest(value string, body []byte) error {
	found := false
	for _, entry := range strings.Split(value, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, encoded, ok := strings.Cut(entry, "=")
		if !ok {
			return fmt.Errorf("%w: digest entry %q has no value", ErrDigestMismatch, entry)
		}
		sum := digestFuncs[strings.ToLower(strings.TrimSpace(name))]
		if sum == nil {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
		if err != nil || !bytes.Equal(got, sum(body)) {
			return fmt.Errorf("%w: %s", ErrDigestMismatch, name)
		}
		found = true
	}
	if !found {
		return fmt.Errorf("%w: no supported algorithm in Digest", ErrDigestMismatch)
	}
	return nil
}

// checkContentDigest verifies an RFC 9530 Content-Digest value against body,
// with the same rules as checkDigest.
func checkContentDigest(value string, body []byte) error {
	dict, err := parseDictionary(value)
	if err != nil {
		return fmt.Errorf("%w: parsing Content-Digest: %w", ErrDigestMismatch, err)
	}
	found := false
	for _, m := range dict {
		sum := digestFuncs[m.key]
		if sum == nil {
			continue
		}
		if m.isList || m.item.kind != sfBytes || !bytes.Equal(m.item.raw, sum(body)) {
			return fmt.Errorf("%w: %s", ErrDigestMismatch, m.key)
		}
		found = true
	}
	if !found {
		return fmt.Errorf("%w: no supported algorithm in Content-Digest", ErrDigestMismatch)
	}
	return nil
}
